"""Shared fixtures: the site is built once per test session (shared by the xdist workers); defects are planted in copies."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from filelock import FileLock

from kb.deliver import build as kbbuild
from support import copy_project, parse

_old_temps: list[threading.Thread] = []


def pytest_sessionstart(session) -> None:
    """Delete the folders of older sessions while the tests run, not after them.

    pytest keeps the temporary folders of the last `tmp_path_retention_count` sessions (3) and deletes
    the older ones when the session ends, in the controlling process, with every worker finished: about
    16,000 files a session here, 4 s of the wall time of `make test-fast` spent waiting on `rm`. The same
    call (pytest's own cleanup_numbered_dir, same arguments) runs in a thread of the controlling process,
    which is idle while xdist's workers test; pytest_sessionfinish waits for it before pytest's own pass,
    which then finds nothing left to delete. Where pytest's internals differ (another version), nothing is
    started and pytest deletes as before. Workers and a given --basetemp have no numbered folders to clean."""
    config = session.config
    if hasattr(config, "workerinput") or config.option.basetemp:
        return
    try:
        from _pytest.pathlib import LOCK_TIMEOUT, cleanup_numbered_dir

        root = config._tmp_path_factory.getbasetemp().parent  # creates this session's folder, as xdist does
        keep = 0 if config.getini("tmp_path_retention_policy") == "none" else int(config.getini("tmp_path_retention_count"))
    except (ImportError, AttributeError, ValueError):
        return
    dead_before = time.time() - LOCK_TIMEOUT  # what pytest passes: a lock older than that is a crashed session's
    thread = threading.Thread(target=cleanup_numbered_dir, args=(root, "pytest-", keep, dead_before),
                              name="old-temp-cleanup", daemon=True)
    thread.start()
    _old_temps.append(thread)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session) -> None:
    for thread in _old_temps:
        thread.join()


def _once(request, tmp_path_factory, name: str) -> tuple[Path, FileLock | None]:
    """A folder for output that every xdist worker of this session shares, and the lock to hold while making it.

    pytest-xdist's documented pattern: the workers' temporary folders share one parent per session, so the
    first worker to take the lock builds there and the others wait and reuse it (the folder exists only once
    the build succeeded: builds are atomic; after a failure the next worker tries again and fails the same way).
    Outside an xdist worker (no -n, or -p no:xdist) the folder is this session's own."""
    if not hasattr(request.config, "workerinput"):  # set by pytest-xdist in its workers only
        return tmp_path_factory.mktemp(name), None
    shared = tmp_path_factory.getbasetemp().parent
    return shared / name, FileLock(str(shared / f"{name}.lock"))


@pytest.fixture(scope="session")
def site(request, tmp_path_factory) -> Path:
    """The real site, built once (strict) from the working tree, shared by every worker. Read it, never write it."""
    folder, lock = _once(request, tmp_path_factory, "built")
    out = folder / "site"
    if lock is None:
        kbbuild.build(out, echo=False)
        return out
    with lock:
        if not out.is_dir():
            kbbuild.build(out, echo=False)
    return out


@pytest.fixture(scope="session")
def offline_bundle(request, tmp_path_factory) -> Path:
    """The offline archive of the working tree (kb offline), built once and shared by every worker."""
    from kb.deliver import offline

    folder, lock = _once(request, tmp_path_factory, "dist")
    if lock is None:
        return offline.bundle(folder, echo=lambda *_: None)
    with lock:
        done = sorted(folder.glob("*.zip")) if folder.is_dir() else []
        if done:
            return done[0]
        return offline.bundle(folder, echo=lambda *_: None)


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
