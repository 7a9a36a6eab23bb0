"""Jinja templates for the markup the generators write (map table, translation status table).

Templates live in ``kb/content/templates/``; they are rendered with autoescaping, so data text
reaches the page escaped unless a generator hands over ``Markup`` it has escaped itself.
"""
from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

__all__ = ["Markup", "render"]


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("kb.content", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context) -> str:
    """The template `name` (in kb/content/templates/) rendered with `context`."""
    return _environment().get_template(name).render(**context)
