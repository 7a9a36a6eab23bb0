"""MkDocs adapter for scripts/languages.py: translation notices and one 404 page per language."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import languages  # noqa: E402
import mkdocs_adapter as kb  # noqa: E402

_404 = {}


def on_page_context(context, page, config, nav):
    lang = kb.language(config)
    context["kb_ui"] = languages.strings(lang)
    context["kb_translation_state"] = languages.translation_state(kb.page_locale(page), lang, page.meta)
    return context


def on_post_template(output, template_name, config):
    """static-i18n writes every language's 404.html to the site root; keep English there, Spanish in es/."""
    if template_name != "404.html":
        return output
    lang = kb.language(config)
    if lang == kb.DEFAULT_LANGUAGE:
        _404["default"] = output
        return output
    target = Path(config.site_dir) / lang / "404.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(output, encoding="utf-8")
    return _404.get("default", output)
