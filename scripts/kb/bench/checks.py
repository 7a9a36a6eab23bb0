"""`kb bench-checks`: how long every check takes on a 5 MB page and on a page of 2,000 fences.

Each check (the `kb check` set) runs in its own process on a project copy holding one generated
page, once per page; the figures are the CPU seconds (user + system) and wall-clock seconds of that
process (so they include the start-up every `kb check` run pays), printed as a table with the load
average and written to .bench/checks.json. CPU time is the figure to compare: wall time grows
with the load of a shared machine. Every run starts from a fresh copy, so the checks' content
caches (lint-markdown, check-rendered) and the views cache are cold: the figures are first-run ones.
The target (issue 12): every check linear in its input, both pages checked in seconds; a check
over BUDGET seconds is stopped and reported as such.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kb.core.settings import ROOT

DEFAULT_JSON = ROOT / ".bench" / "checks.json"
BUDGET = 120.0
PARTS = ["mkdocs.yml", "docs", "data", "overrides", "scripts", "pyproject.toml", ".yamllint.yml", ".pymarkdown.json"]
WORDS = "pod node cluster vSphere datastore network volume service ingress namespace deployment".split()


def big_page(size: int = 5_000_000, seed: int = 1) -> str:
    """Prose, headings, lists, admonitions, tables and YAML fences, about `size` characters."""
    rnd = random.Random(seed)
    parts = ["# A big page { #big }\n\n"]
    total, i = 0, 0
    while total < size:
        i += 1
        k = i % 6
        if k == 0:
            s = f"## Section {i} {{ #s{i} }}\n\n"
        elif k == 1:
            s = " ".join(rnd.choice(WORDS) for _ in range(60)) + f" [back](#s{i - 1}).\n\n"
        elif k == 2:
            s = "".join(f"- item {j} with `code` and **bold**\n" for j in range(5)) + "\n"
        elif k == 3:
            s = "!!! note\n\n    " + " ".join(rnd.choice(WORDS) for _ in range(30)) + "\n\n"
        elif k == 4:
            s = "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        else:
            s = f"```yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  k: v\n```\n\n"
        parts.append(s)
        total += len(s)
    return "".join(parts)


def fences_page(n: int = 2000) -> str:
    parts = ["# Many fences { #fences }\n\n"]
    for i in range(n):
        parts.append(f"Step {i}.\n\n```yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  k: v\n```\n\n")
    return "".join(parts)


def _copy(dest: Path) -> Path:
    from kb.bench import site

    return site.copy_project(dest, ROOT, PARTS)


def measure(pages: dict[str, str], checks: list[str], work: Path, budget: float = BUDGET) -> dict:
    from kb.deliver import build as kbbuild

    results: dict = {}
    for name, text in pages.items():
        project = _copy(work / name)
        (project / "docs" / "en" / f"{name}.md").write_text(text, encoding="utf-8")
        row = {"bytes": len(text.encode("utf-8")), "lines": text.count("\n"), "checks": {}}
        for check in checks:
            shutil.rmtree(project / ".cache", ignore_errors=True)  # no check starts from another's views cache
            t0 = time.perf_counter()
            c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            try:
                proc = subprocess.run([sys.executable, "-m", "kb", check], cwd=project, env=kbbuild.mkdocs_env(),
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=budget)
                seconds, code = time.perf_counter() - t0, proc.returncode
                crashed = "Traceback" in proc.stdout
            except subprocess.TimeoutExpired:
                seconds, code, crashed = budget, None, False
            c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
            row["checks"][check] = {"seconds": round(seconds, 2), "cpu": round(cpu, 2), "exit": code,
                                    "traceback": crashed, "load": round(os.getloadavg()[0], 1)}
            print(f"{name}: {check} {cpu:.1f} s CPU, {seconds:.1f} s wall" + (" (stopped)" if code is None else ""),
                  file=sys.stderr, flush=True)
        results[name] = row
    return results


def table(results: dict) -> str:
    names = list(results)
    checks = list(next(iter(results.values()))["checks"]) if results else []
    head = "| check | " + " | ".join(f"{n} ({results[n]['bytes'] / 1e6:.1f} MB, {results[n]['lines']:,} lines)"
                                     for n in names) + " |"
    rows = [head, "|---|" + "---|" * len(names)]
    for c in checks:
        cells = []
        for n in names:
            r = results[n]["checks"][c]
            cell = (f"{r['cpu']:.1f} s CPU ({r['seconds']:.1f} s wall, load {r['load']})" if r["exit"] is not None
                    else f"> {r['seconds']:.0f} s (stopped)")
            cells.append(cell + (" TRACEBACK" if r["traceback"] else ""))
        rows.append(f"| {c} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def cli(argv: list[str]) -> int:
    from kb.checks.runner import CHECKS

    ap = argparse.ArgumentParser(prog="kb bench-checks", description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=5_000_000, help="characters of the big page (default 5,000,000)")
    ap.add_argument("--fences", type=int, default=2000, help="fences of the fence page (default 2,000)")
    ap.add_argument("--only", nargs="+", metavar="CHECK", help="only these checks")
    ap.add_argument("--json", default=str(DEFAULT_JSON), help="write the figures here (default .bench/checks.json)")
    args = ap.parse_args(argv)
    checks = [n for n, _ in CHECKS if n != "lint-python" and (not args.only or n in args.only)]
    pages = {"big": big_page(args.size), "fences": fences_page(args.fences)}
    with tempfile.TemporaryDirectory(prefix="kb-bench-checks-") as tmp:
        results = measure(pages, checks, Path(tmp))
    print(table(results))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {out}")
    slow = [(n, c) for n, r in results.items() for c, v in r["checks"].items() if v["exit"] is None or v["traceback"]]
    return 1 if slow else 0
