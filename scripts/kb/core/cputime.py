"""CPU seconds a build process spends in named parts of its work, for the benchmark.

`make bench` asks what share of the 2 x 500-page build the content-safety gate and the CSP take
(issue 11: at most 3 %). Running them again outside the build would measure another process, with
another heap and other caches; this measures them where they run. The hooks wrap their work in
``meter.measure("gate")`` / ``meter.measure("csp")``; when the environment names a file in
``KB_CPU_TIMES``, each build process appends one JSON line to it at the end of its build:

    {"pid": 1234, "seconds": {"gate": 1.02, "csp": 0.05}, "calls": {"gate": 515, "csp": 516}}

and the benchmark (kb.bench.site) adds up the lines of one build. Without the variable nothing is
written; the cost of measuring is two clock reads a call.
"""
from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ENV = "KB_CPU_TIMES"


class CpuMeter:
    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    @contextmanager
    def measure(self, part: str) -> Iterator[None]:
        t0 = time.process_time()
        try:
            yield
        finally:
            self.seconds[part] += time.process_time() - t0
            self.calls[part] += 1

    def flush(self, path: str | os.PathLike | None = None) -> None:
        """Append what was measured since the last flush to `path` (default: $KB_CPU_TIMES), then start again."""
        target = path or os.environ.get(ENV)
        if target and target != os.devnull and self.calls:
            line = json.dumps({"pid": os.getpid(), "seconds": {k: round(v, 6) for k, v in self.seconds.items()},
                               "calls": dict(self.calls)})
            with open(target, "a", encoding="utf-8") as out:  # one short write: lines of two processes do not mix
                out.write(line + "\n")
        self.seconds.clear()
        self.calls.clear()


def read(path: str | os.PathLike) -> dict:
    """The lines of one build added up: {"seconds": {part: s}, "calls": {part: n}, "processes": k}."""
    seconds: defaultdict[str, float] = defaultdict(float)
    calls: Counter[str] = Counter()
    pids = set()
    file = Path(path)
    for line in file.read_text(encoding="utf-8").splitlines() if file.is_file() else []:
        entry = json.loads(line)
        pids.add(entry["pid"])
        for part, s in entry["seconds"].items():
            seconds[part] += s
        calls.update(entry["calls"])
    return {"seconds": {k: round(v, 3) for k, v in seconds.items()}, "calls": dict(calls), "processes": len(pids)}


meter = CpuMeter()
# A build's second process is forked from the first (kb.engine.parallel): it starts from zero, so
# that what the first measured before the fork is counted once.
os.register_at_fork(after_in_child=lambda: meter.flush(os.devnull))
