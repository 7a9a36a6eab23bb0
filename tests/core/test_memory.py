"""kb.core.memory: the gate's parser frees and asks again for the same memory on every page; with
keep_freed_memory() glibc keeps it instead of returning it to the kernel (counted in page faults,
not in seconds: the figures are in `make bench`)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from kb.core import memory

_CHILD = textwrap.dedent(r"""
    import resource, sys
    from selectolax.lexbor import LexborHTMLParser
    if sys.argv[1] == "keep":
        from kb.core.memory import keep_freed_memory
        assert keep_freed_memory()
    page = "<!doctype html><html><body>" + "".join(
        f'<li class="md-nav__item"><a href="../p{i}/" class="md-nav__link"><span>Page {i}</span></a></li>'
        for i in range(1500)) + "</body></html>"
    LexborHTMLParser(page)  # the first page: its memory is new in both cases
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(100):
        LexborHTMLParser(page, scripting=True)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")


def _faults(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    out = subprocess.run([sys.executable, "-c", _CHILD, mode], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_freed_memory_is_kept_for_the_next_page():
    default, kept = _faults("default"), _faults("keep")
    # glibc's defaults give the memory back after each page and fault it in again at the next one
    assert default > 5000, default
    assert kept < default / 10, (kept, default)


def test_the_environment_wins(monkeypatch):
    monkeypatch.setattr(memory, "_done", None)
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=131072")
    calls = []
    monkeypatch.setattr(memory.ctypes, "CDLL", lambda *a: calls.append(a))
    assert memory.keep_freed_memory() is memory._glibc()
    assert calls == []  # the person running the build chose: mallopt() is not called


def test_once_per_process(monkeypatch):
    monkeypatch.setattr(memory, "_done", True)
    monkeypatch.setattr(memory.ctypes, "CDLL", lambda *a: pytest.fail("called again"))
    assert memory.keep_freed_memory() is True
