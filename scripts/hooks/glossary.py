"""MkDocs adapter for scripts/glossary.py and scripts/glossary_markdown.py: load once per build, render each page."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import glossary  # noqa: E402
import glossary_markdown  # noqa: E402
import mkdocs_adapter as kb  # noqa: E402

_state = {}


def on_config(config):
    _state["markdown"] = kb.add_markdown_extension(config, glossary_markdown.GlossaryExtension)


def on_pre_build(config):
    if kb.first_language_pass(config) or "glossary" not in _state:
        _state["glossary"] = kb.load_or_fail(glossary.load, "glossary problem")


def on_page_markdown(markdown, page, config, files):
    lang, rel, tips = kb.language(config), kb.page_path(page), glossary.wants_tooltips(markdown)
    markdown = glossary.render_page(markdown, lang, rel, _state["glossary"])
    # Read by the extension when this page is rendered, right after this event.
    _state["markdown"].page(_state["glossary"], lang, rel, tooltips=tips, references="[[" in markdown)
    return markdown
