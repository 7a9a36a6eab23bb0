"""kb.engine.parallel: what it relies on in MkDocs and static-i18n still holds; forked builds leave the parent's processes alone."""
from __future__ import annotations

import os
import sys

import pytest

from kb.core.background import Background, BackgroundFailed
from kb.engine import parallel


def test_mkdocs_and_static_i18n_have_the_shape_the_parallel_build_relies_on():
    assert parallel.check_shape() == []


def test_the_hook_routes_static_i18ns_language_builds_once():
    from mkdocs_static_i18n import plugin

    real = plugin.build
    try:
        parallel.install()
        parallel.install()
        assert plugin.build.kb_parallel and plugin.build is not real
    finally:
        plugin.build = real


def test_only_kb_build_turns_it_on(monkeypatch):
    monkeypatch.delenv(parallel.ENV, raising=False)
    assert not parallel.enabled()
    monkeypatch.setenv(parallel.ENV, "1")
    assert parallel.enabled()


def test_a_forked_process_does_not_read_or_stop_its_parents_background_command():
    worker = Background()
    worker.proc = __import__("subprocess").Popen([sys.executable, "-c", "print('{}')"], stdout=-1, stderr=-1, text=True)
    worker.args = ["check-build"]
    worker._pid = os.getpid() + 1  # as in a forked child: started by another process
    with pytest.raises(BackgroundFailed, match="belongs to the parent process"):
        worker.result()
    proc = worker.proc
    worker.stop()
    assert worker.proc is None and proc.poll() is None or proc.wait() == 0  # not killed by us
    proc.wait()
