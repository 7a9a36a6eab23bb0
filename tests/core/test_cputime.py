"""kb.core.cputime: what the build's hooks measure for `make bench`, written only when asked."""
from __future__ import annotations

import json
import os
import time

from kb.core import cputime


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_measured_parts_are_written_once_and_added_up(tmp_path, monkeypatch):
    out = tmp_path / "times.jsonl"
    monkeypatch.setenv(cputime.ENV, str(out))
    meter = cputime.CpuMeter()
    for _ in range(3):
        with meter.measure("gate"):
            _spin(0.01)
    with meter.measure("csp"):
        pass
    meter.flush()
    meter.flush()  # nothing new: no second line
    entry = json.loads(out.read_text(encoding="utf-8"))
    assert entry["calls"] == {"gate": 3, "csp": 1} and entry["seconds"]["gate"] >= 0.03
    with meter.measure("gate"):
        _spin(0.01)
    meter.flush()
    total = cputime.read(out)
    assert total["calls"] == {"gate": 4, "csp": 1} and total["processes"] == 1
    assert total["seconds"]["gate"] >= 0.04


def test_an_exception_is_still_measured_and_nothing_is_written_unasked(tmp_path, monkeypatch):
    monkeypatch.delenv(cputime.ENV, raising=False)
    meter = cputime.CpuMeter()
    try:
        with meter.measure("gate"):
            raise ValueError("bad page")
    except ValueError:
        pass
    assert meter.calls["gate"] == 1
    meter.flush()
    assert list(tmp_path.iterdir()) == [] and not meter.calls


def test_a_forked_process_starts_from_zero(tmp_path, monkeypatch):
    out = tmp_path / "times.jsonl"
    monkeypatch.setenv(cputime.ENV, str(out))
    with cputime.meter.measure("before-fork"):
        pass
    pid = os.fork()
    if pid == 0:  # the child: what the parent measured is not its own
        code = 0 if not cputime.meter.calls else 1
        with cputime.meter.measure("child"):
            pass
        cputime.meter.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    cputime.meter.flush()
    total = cputime.read(out)
    assert total["calls"] == {"child": 1, "before-fork": 1} and total["processes"] == 2


def test_a_missing_file_reads_as_nothing(tmp_path):
    assert cputime.read(tmp_path / "none.jsonl") == {"seconds": {}, "calls": {}, "processes": 0}
