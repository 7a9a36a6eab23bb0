"""Read the project's settings from mkdocs.yml without importing MkDocs.

MkDocs-specific YAML tags (``!ENV``, ``!!python/name``) are read as plain values,
so tooling keeps working under another engine.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml


def find_root(start: Path | None = None) -> Path:
    """The project: ``$KB_ROOT``, else the nearest folder holding mkdocs.yml from the working
    directory up (as git finds its repository), else the checkout this package was installed from."""
    env = os.environ.get("KB_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    return Path(__file__).resolve().parents[3]


ROOT = find_root()
DOCS = ROOT / "docs"
DATA = ROOT / "data"
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"


class _Loader(yaml.SafeLoader):
    pass


def _any_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        seq = loader.construct_sequence(node)
        return seq[-1] if suffix == "!ENV" or suffix == "ENV" else seq
    return loader.construct_mapping(node)


_Loader.add_multi_constructor("!", _any_tag)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)


@lru_cache(maxsize=None)
def mkdocs_config(path: Path = ROOT / "mkdocs.yml") -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_Loader) or {}


def kb_setting(name: str, default=None):
    """A project setting from ``extra.kb`` in mkdocs.yml."""
    return (mkdocs_config().get("extra", {}).get("kb", {}) or {}).get(name, default)
