"""Bilingual site behaviour that the theme does not do on its own.

- Interface strings the project adds (translation notices) per language, from data/ui-strings.yml.
- Translation state of a built page: 'missing' when the page in a language build comes from
  another language's source (a fallback), or what the translation checker recorded ('outdated').
"""
from __future__ import annotations

from functools import lru_cache

import yaml

from kb.core.settings import DATA, DEFAULT_LANGUAGE

UI_STRINGS = DATA / "ui-strings.yml"
STATUS_KEY = "kb_translation_status"  # page meta key set by the translation checker ('outdated')


@lru_cache(maxsize=None)
def ui_strings() -> dict:
    return yaml.safe_load(UI_STRINGS.read_text(encoding="utf-8"))


def strings(lang: str) -> dict:
    table = ui_strings()
    return table.get(lang) or table[DEFAULT_LANGUAGE]


def translation_state(source_lang: str, build_lang: str, meta: dict) -> str | None:
    """None when the page is an up-to-date page of its own language."""
    if build_lang == DEFAULT_LANGUAGE:
        return None
    if source_lang != build_lang:
        return "missing"
    return meta.get(STATUS_KEY)
