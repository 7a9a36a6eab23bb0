"""Shared fixtures: the site is built once per test session; defects are planted in copies."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import build as kbbuild  # noqa: E402

PROJECT_PARTS = ["mkdocs.yml", "docs", "data", "overrides", "scripts", ".yamllint.yml", ".pymarkdown.json"]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real site, built once (strict) from the working tree."""
    out = tmp_path_factory.mktemp("built") / "site"
    kbbuild.build(out, echo=False)
    return out


@pytest.fixture(scope="session")
def offline_bundle(tmp_path_factory) -> Path:
    """The offline archive of the working tree (kb.py offline), built once."""
    import offline

    return offline.bundle(tmp_path_factory.mktemp("dist"), echo=lambda *_: None)


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


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


def copy_project(dest: Path) -> Path:
    import bench

    return bench.copy_project(dest, ROOT, PROJECT_PARTS)


@pytest.fixture
def project(tmp_path) -> Path:
    """A throwaway copy of the project (config, docs, data, overrides, scripts) to plant defects in."""
    return copy_project(tmp_path / "project")


def build_copy(project: Path, **kw) -> subprocess.CompletedProcess:
    """Strict build of a project copy; returns the completed process (never raises)."""
    return subprocess.run(
        [sys.executable, str(project / "scripts" / "kb.py"), "build", "--site-dir", str(project / "site"), *kw.get("args", [])],
        cwd=project, env=kbbuild.mkdocs_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def kb(project: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `scripts/kb.py ARGS` inside a project copy (or the real project)."""
    return subprocess.run([sys.executable, str(project / "scripts" / "kb.py"), *args], cwd=project,
                          env=kbbuild.mkdocs_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
