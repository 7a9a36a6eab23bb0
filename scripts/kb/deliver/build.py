"""Strict, all-or-nothing site builds.

`mkdocs build` writes straight into its site directory, so a failed build leaves a
half-written site behind, and `--strict -q` even exits 0 on warnings (mkdocs#4126).
Here the site is built into a fresh temporary folder next to the target, every
warning fails the build, and the target is replaced only when the build succeeded.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kb.core.settings import ROOT

QUIET_ENV = {
    # Material and some plugins print an end-of-life / MkDocs 2 banner on every run.
    "NO_MKDOCS_2_WARNING": "1",
    "DISABLE_MKDOCS_2_WARNING": "true",
}


class BuildFailed(Exception):
    pass


def mkdocs_env(offline: bool = False, extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(QUIET_ENV)
    env["KB_OFFLINE"] = "true" if offline else "false"
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    if extra:
        env.update(extra)
    return env


def build(site_dir: Path, *, config: Path = ROOT / "mkdocs.yml", offline: bool = False,
          env: dict | None = None, echo: bool = True, parallel: bool = True) -> str:
    """Build into `site_dir` atomically; return the build log. Raise BuildFailed on any warning.

    `parallel`: the languages after the first are rendered in a second process (kb.engine.parallel,
    KB_PARALLEL=1), the same site byte for byte; False for static-i18n's one-after-the-other build."""
    site_dir = Path(site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-", dir=site_dir.parent))
    try:
        cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config),
               "--site-dir", str(tmp)]
        extra = {"KB_PARALLEL": "1" if parallel else "0", **(env or {})}
        proc = subprocess.run(cmd, cwd=config.parent, env=mkdocs_env(offline, extra),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        log = proc.stdout
        if proc.returncode != 0:  # a traceback caused by bad input becomes PATH:LINE:COL lines
            from kb.core.source import explain_crash

            log = explain_crash(log, config.parent)
        if echo:
            sys.stdout.write(log)
        warnings = [ln for ln in log.splitlines() if ln.startswith(("WARNING", "ERROR"))]
        if proc.returncode != 0 or warnings:
            raise BuildFailed(log)
        old = site_dir.with_name(f".{site_dir.name}-old")
        if old.exists():
            shutil.rmtree(old)
        if site_dir.exists():
            site_dir.rename(old)
        tmp.rename(site_dir)
        shutil.rmtree(old, ignore_errors=True)
        return log
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def cli(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="kb build", description=__doc__.splitlines()[0])
    ap.add_argument("--site-dir", default=str(ROOT / "site"), help="output folder (default: site/)")
    ap.add_argument("--offline", action="store_true", help="build with the offline plugin enabled")
    args = ap.parse_args(argv)
    try:
        build(Path(args.site_dir), offline=args.offline)
    except BuildFailed:
        print(f"build failed: {args.site_dir} left untouched", file=sys.stderr)
        return 1
    print(f"site built in {args.site_dir}")
    return 0
