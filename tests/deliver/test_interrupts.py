"""Ctrl-C and SIGTERM sent to real `kb` processes while their temporary files exist (issue 12).

Each test starts the command in a project copy, waits until its temporary folder or partial file
is on disk, sends the signal, and checks: exit 130/143, one line about it and no traceback, the
temporary files gone, the previous good site/ or zip untouched.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb.deliver import build as kbbuild

pytestmark = pytest.mark.slow


def _start(project: Path, tmp: Path, *args: str) -> subprocess.Popen:
    env = kbbuild.mkdocs_env(extra={"TMPDIR": str(tmp)})
    return subprocess.Popen([sys.executable, "-m", "kb", *args], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(found, proc: subprocess.Popen, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hit = found()
        if hit:
            return hit
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the command ended (exit {proc.returncode}) before its temporary files appeared:\n{out}\n{err}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail("no temporary files appeared in time")


def _stop(proc: subprocess.Popen, signum: int) -> tuple[int, str, str]:
    time.sleep(0.3)  # let it get busy inside the temporary folder
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def _assert_clean_stop(code: int, out: str, err: str, signum: int) -> None:
    assert code == (130 if signum == signal.SIGINT else 143), (code, out, err)
    assert "Traceback" not in out + err, err
    said = [line for line in err.splitlines() if "SIGTERM" in line or "SIGINT" in line]
    assert len(said) == 1, err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_build_interrupted_leaves_the_previous_site_and_no_temporary_folder(project, tmp_path, signum):
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("previous good site\n", encoding="utf-8")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(project, tmp, "build")
    _wait_for(lambda: list(project.glob(".site-*")), proc)
    code, out, err = _stop(proc, signum)
    _assert_clean_stop(code, out, err, signum)
    assert not list(project.glob(".site-*"))
    assert (site / "index.html").read_text(encoding="utf-8") == "previous good site\n"
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_offline_interrupted_keeps_the_previous_zip_and_removes_its_temporary_files(project, tmp_path, signum):
    from kb.core.settings import kb_setting

    dist = project / "dist"
    dist.mkdir()
    previous = dist / f"{kb_setting('project')}-offline-previous.zip"
    previous.write_bytes(b"PK previous good archive")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(project, tmp, "offline")
    _wait_for(lambda: list(tmp.glob("kb-offline-*")), proc)
    code, out, err = _stop(proc, signum)
    _assert_clean_stop(code, out, err, signum)
    assert previous.read_bytes() == b"PK previous good archive"
    assert not list(dist.glob("*.part")) and not list(dist.glob(".*.part"))
    assert not list(tmp.glob("kb-offline-*"))
    assert not list(project.glob(".site-*")) and not list(tmp.rglob(".kb-offline-*"))


def test_check_interrupted_stops_its_checks(project, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(project, tmp, "check")
    time.sleep(1.5)  # the checks are running in their own processes
    assert proc.poll() is None
    t0 = time.monotonic()
    code, out, err = _stop(proc, signal.SIGTERM)
    _assert_clean_stop(code, out, err, signal.SIGTERM)
    assert time.monotonic() - t0 < 15  # it does not wait for the checks to finish


def test_bench_interrupted_removes_its_work_folder(project, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    results = project / ".bench" / "results.json"
    results.parent.mkdir()
    results.write_text("{}\n", encoding="utf-8")
    proc = _start(project, tmp, "bench", "--pages", "3", "--repeat", "1", "--stock-repeat", "1", "--no-offline")
    _wait_for(lambda: list(tmp.glob("kb-bench-*")), proc)
    code, out, err = _stop(proc, signal.SIGTERM)
    assert code == 143, (out, err)
    assert "Traceback" not in out + err, err
    assert not list(tmp.glob("kb-bench-*"))
    assert results.read_text(encoding="utf-8") == "{}\n"


def test_sigint_prints_one_line_not_a_keyboardinterrupt_traceback(project, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(project, tmp, "build")
    _wait_for(lambda: list(project.glob(".site-*")), proc)
    code, out, err = _stop(proc, signal.SIGINT)
    assert "KeyboardInterrupt" not in err and "Traceback" not in err
    assert code == 130
    assert os.path.exists(project / "mkdocs.yml")


def _group(pgid: int) -> list[int]:
    """The live processes of process group `pgid`, read from /proc (no procps on a bare machine)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("delay", [0.3, 0.7, 1.1, 1.6])
def test_check_stops_cleanly_on_a_second_interrupt_at_any_moment(project, tmp_path, delay):
    """Two SIGTERMs to kb check, or two Ctrl-C to its process group, close together, while checks
    are starting and running: it stops at once, without a traceback, and leaves no check behind
    (a second signal once hung a check on a lock taken in the handler, or orphaned one being forked)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    for signum in (signal.SIGTERM, signal.SIGINT):
        env = kbbuild.mkdocs_env(extra={"TMPDIR": str(tmp)})
        proc = subprocess.Popen([sys.executable, "-m", "kb", "check"], cwd=project, env=env, start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        t0 = time.monotonic()
        for _ in range(2):
            try:
                if signum == signal.SIGTERM:
                    proc.send_signal(signum)
                else:
                    os.killpg(proc.pid, signum)
            except ProcessLookupError:
                pass
            time.sleep(0.02)
        out, err = proc.communicate(timeout=60)
        assert time.monotonic() - t0 < 10, (signum, err)
        # handled (130/143), or killed by the second signal during the interpreter's own shutdown
        assert proc.returncode in (130, 143, -signum, 0, 1), (signum, proc.returncode, err)
        assert "Traceback" not in out + err, err
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _group(proc.pid):
            time.sleep(0.1)
        assert _group(proc.pid) == [], signum
        assert not list(tmp.glob("kb-check-*")), list(tmp.iterdir())
