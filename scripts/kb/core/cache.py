"""Findings caches of the checks (`.cache/*.json`, git-ignored): one JSON object per check, from a
key that covers everything the findings depend on to the findings themselves.

A missing, unreadable or damaged cache is only a slower run; a cache that cannot be written (a
read-only checkout) is no cache. Writes go to a temporary file beside it, then replace it, so a
reader never sees half a cache. Only the newest `keep` entries are kept.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

KEEP = 2000  # entries: above the page count of a large site, small enough to load in milliseconds


def code_inputs(h, packages: tuple[str, ...], config: Path) -> None:
    """Feed the hash `h` what a cache's entries depend on besides their own input: the installed
    versions of `packages`, the text of `config` (mkdocs.yml) and the source of every kb module.
    A change to any of them makes every key new."""
    from importlib import metadata

    for name in packages:
        try:
            h.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none\0".encode())
    h.update(config.read_bytes() if config.is_file() else b"no mkdocs.yml")
    for module in sorted(Path(__file__).resolve().parents[1].rglob("*.py")):  # scripts/kb/**
        h.update(module.read_bytes())


def load(cache: Path | None, entry: Callable[[list], object]) -> dict:
    """{key: entry(value)} from the cache file; {} when there is none or it is damaged."""
    if cache is None or not cache.is_file():
        return {}
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        return {k: entry(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (ValueError, OSError, TypeError, AttributeError):
        return {}


def save(cache: Path | None, entries: dict, keep: int = KEEP) -> None:
    """Write the newest `keep` entries (in insertion order) to the cache file, all or nothing."""
    if cache is None:
        return
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
        tmp.write_text(json.dumps(dict(list(entries.items())[-keep:])), encoding="utf-8")
        tmp.replace(cache)
    except OSError:
        pass
