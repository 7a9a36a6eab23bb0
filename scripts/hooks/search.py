"""MkDocs adapter for scripts/search.py: one search index per language, searched from that language's pages."""
import sys
from collections import defaultdict
from pathlib import Path

from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import mkdocs_adapter as kb  # noqa: E402
import search  # noqa: E402

_built = defaultdict(set)  # language build -> urls of its pages
_sources = {}  # page url -> language of its source file
_passes = {}  # language build -> search index written after it


def on_pre_build(config):
    if kb.first_language_pass(config):
        _built.clear(), _sources.clear(), _passes.clear()


def on_page_context(context, page, config, nav):
    lang = kb.language(config)
    _built[lang].add(page.url)
    _sources[page.url] = kb.page_locale(page)
    context["kb_search_root"] = search.root(lang)  # read by overrides/main.html
    return context


@event_priority(-100)  # after the search plugin, static-i18n (which merges the languages) and offline
def on_post_build(config):
    site = Path(config.site_dir)
    index = search.read(site)
    if index is None:
        return
    if not kb.first_language_pass(config):  # another language's build: its own pages only
        _passes[kb.language(config)] = index
        return
    _passes[kb.DEFAULT_LANGUAGE] = search.only_pages(index, _built[kb.DEFAULT_LANGUAGE])
    search.write(site, search.split(_passes, _sources), script=(site / search.SCRIPT).is_file())
