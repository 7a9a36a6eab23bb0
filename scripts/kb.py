#!/usr/bin/env python3
"""kb.py: the knowledge base's single command-line entry point.

Every check and chore is a subcommand; `make` targets, pre-commit and CI call these.
Each subcommand lives in its own module under scripts/ and does not need MkDocs,
unless it builds the site.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# name: (module, function, one-line help)
COMMANDS = {
    "build": ("build", "cli", "strict, all-or-nothing build of the site into site/"),
    "check-glossary": ("glossary", "cli", "validate data/glossary.yml and every [[term]] reference"),
    "check-snippets": ("snippets", "cli", "validate every ```yaml snippet: syntax, duplicate keys, Kubernetes/CRD/named schemas"),
    "bench-snippets": ("bench_snippets", "cli", "snippet checker benchmark: CLI snippets/second, ms per manifest (--build: hook's share)"),
    "check-mapping": ("mapping", "cli", "validate data/vsphere-to-kubernetes.yml and the pages showing the map"),
    "check-translations": ("translations", "cli_check", "twins, outdated translations and structural drift (--strict: outdated fails)"),
    "mark-translated": ("translations", "cli_mark", "record that Spanish pages match their English originals now"),
    "check-safety": ("safety", "cli", "no script, unsafe HTML or URLs, or real-looking secrets in pages and data files"),
    "check-links": ("links", "cli", "internal links and anchors with file and line (--external: web links too, needs network)"),
    "lint-yaml": ("lint", "cli_yaml", "yamllint on data files, workflows and pre-commit config (.yamllint.yml)"),
    "lint-markdown": ("lint", "cli_markdown", "PyMarkdown on the pages and contributor guides (.pymarkdown.json)"),
    "check-build": ("checks", "cli_build", "the source checks every site build runs (snippets, glossary, map, safety, links)"),
    "check": ("checks", "cli", "every check above at once: what make check, pre-commit and CI run"),
    "screenshots": ("screenshots", "cli", "screenshots of the built site: light/dark, desktop/phone"),
    "offline": ("offline", "cli", "offline bundle dist/<project>-offline-<version>.zip: no outside requests, reproducible"),
    "bench": ("bench", "cli", "build benchmark: synthetic bilingual KB at N and 2N pages, table + .bench/results.json"),
}


def usage() -> str:
    width = max(len(n) for n in COMMANDS)
    rows = "\n".join(f"  {n.ljust(width)}  {h}" for n, (_, _, h) in COMMANDS.items())
    return f"usage: kb.py COMMAND [ARGS...]\n\ncommands:\n{rows}\n\n`kb.py COMMAND --help` for a command's options."


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"kb.py: unknown command '{name}'\n\n{usage()}", file=sys.stderr)
        return 2
    module, func, _ = COMMANDS[name]
    return int(getattr(importlib.import_module(module), func)(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
