"""MkDocs adapter for scripts/glossary.py and scripts/tooltips.py: load once per build, render each page."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import glossary  # noqa: E402
import mkdocs_adapter as kb  # noqa: E402
import tooltips  # noqa: E402

_state = {}


def on_config(config):
    _state["tooltips"] = kb.add_markdown_extension(config, tooltips.TooltipsExtension)


def on_pre_build(config):
    if kb.first_language_pass(config) or "glossary" not in _state:
        _state["glossary"] = kb.load_or_fail(glossary.load, "glossary problem")


def on_page_markdown(markdown, page, config, files):
    lang = kb.language(config)
    wanted = glossary.wants_tooltips(markdown)
    _state["tooltips"].tips = glossary.tooltips(lang, _state["glossary"]) if wanted else {}  # read when rendered
    return glossary.render_page(markdown, lang, kb.page_path(page), _state["glossary"])
