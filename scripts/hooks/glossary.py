"""MkDocs adapter for scripts/glossary.py: validate once per build, then render each page."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import glossary  # noqa: E402
import mkdocs_adapter as kb  # noqa: E402

_state = {}


def on_pre_build(config):
    if kb.first_language_pass(config) or "glossary" not in _state:
        kb.fail_on(glossary.check(), "glossary problem")
        _state["glossary"] = glossary.load()


def on_page_markdown(markdown, page, config, files):
    lang = kb.language(config)
    tips = glossary.tooltips(lang, _state["glossary"]) if glossary.wants_tooltips(markdown) else {}
    kb.set_abbreviations(config, tips)  # read when this page's Markdown is rendered, right after
    return glossary.render_page(markdown, lang, kb.page_path(page), _state["glossary"])
