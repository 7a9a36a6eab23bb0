"""Shared fixtures: the site is built once per test session (per worker); defects are planted in copies."""
from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kb.deliver import build as kbbuild
from support import copy_project, parse


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real site, built once (strict) from the working tree."""
    out = tmp_path_factory.mktemp("built") / "site"
    kbbuild.build(out, echo=False)
    return out


@pytest.fixture(scope="session")
def offline_bundle(tmp_path_factory) -> Path:
    """The offline archive of the working tree (kb offline), built once."""
    from kb.deliver import offline

    return offline.bundle(tmp_path_factory.mktemp("dist"), echo=lambda *_: None)


@pytest.fixture(scope="session")
def html(site):
    """html('es/kubernetes/architecture/') -> parsed page of the built site."""
    cache = {}

    def get(rel: str) -> BeautifulSoup:
        path = site / rel
        if rel.endswith("/") or path.is_dir():
            path = path / "index.html"
        if path not in cache:
            cache[path] = parse(path)
        return cache[path]

    return get


@pytest.fixture(scope="session")
def pages(site) -> list[Path]:
    """Every HTML page of the built site (404 pages included)."""
    return sorted(site.rglob("*.html"))


@pytest.fixture
def project(tmp_path) -> Path:
    """A throwaway copy of the project (config, docs, data, overrides, scripts) to plant defects in."""
    return copy_project(tmp_path / "project")
