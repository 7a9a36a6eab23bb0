"""Lighter pages: the theme's templates render without the blank lines their block tags leave.

Material's navigation templates loop over every section, pruned ones included, and each
`{% if %}`/`{% for %}` line leaves its newline and indentation in the page: about a fifth of a
page's bytes on a large site, growing with the number of pages. Jinja's `trim_blocks` and
`lstrip_blocks` drop exactly that whitespace (the newline after a block tag, the indentation
before one); the text a reader sees is the same on every page (tests/test_site.py compares).
"""
from __future__ import annotations

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    env.trim_blocks = True
    env.lstrip_blocks = True
    return env
