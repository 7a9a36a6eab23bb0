#!/usr/bin/env python3
"""`kb`: the knowledge base's single command-line entry point.

Every check and chore is a subcommand; `make` targets, pre-commit and CI call these.
Each subcommand lives in its own module of the `kb` package and does not need MkDocs,
unless it builds the site.
"""
from __future__ import annotations

import importlib
import sys

# name: (module, function, one-line help)
COMMANDS = {
    "build": ("kb.deliver.build", "cli", "strict, all-or-nothing build of the site into site/"),
    "check-glossary": ("kb.content.glossary", "cli", "validate data/glossary.yml and every [[term]] reference"),
    "check-snippets": ("kb.checks.snippets", "cli", "validate every ```yaml snippet: syntax, duplicate keys, Kubernetes/CRD/named schemas"),
    "bench-snippets": ("kb.bench.snippets", "cli", "snippet checker benchmark: CLI snippets/second, ms per manifest (--build: hook's share)"),
    "check-mapping": ("kb.content.mapping", "cli", "validate data/vsphere-to-kubernetes.yml and the pages showing the map"),
    "check-translations": ("kb.content.translations", "cli_check", "twins, outdated translations and structural drift (--strict: outdated fails)"),
    "mark-translated": ("kb.content.translations", "cli_mark", "record that Spanish pages match their English originals now"),
    "check-terms": ("kb.checks.terms", "cli", "one Spanish voice: rejected variants of data/terminology.yml in pages and data files"),
    "check-safety": ("kb.checks.safety", "cli", "no script, unsafe HTML or URLs, or real-looking secrets in pages and data files"),
    "check-rendered": ("kb.checks.rendered", "cli", "pages and data-file Markdown rendered with the site's settings, held to the safety gate; files under docs/"),
    "check-published": ("kb.checks.published", "cli", "every file under docs/ is a page, an image, the project's CSS/SVG or listed in data/published-files.yml"),
    "check-links": ("kb.checks.links", "cli", "internal links and anchors with file and line (--external: web links too, needs network)"),
    "lint-yaml": ("kb.checks.lint", "cli_yaml", "yamllint on data files, workflows and pre-commit config (.yamllint.yml)"),
    "lint-markdown": ("kb.checks.lint", "cli_markdown", "PyMarkdown on the pages and contributor guides (.pymarkdown.json)"),
    "lint-python": ("kb.checks.lint", "cli_python", "ruff on scripts/ and tests/ (rules in pyproject.toml)"),
    "check-build": ("kb.checks.runner", "cli_build", "the source checks every site build runs (snippets, glossary, map, safety, links)"),
    "check": ("kb.checks.runner", "cli", "every check above at once: what make check, pre-commit and CI run"),
    "screenshots": ("kb.deliver.screenshots", "cli", "screenshots of the built site: light/dark, desktop/phone"),
    "offline": ("kb.deliver.offline", "cli", "offline bundle dist/<project>-offline-<version>.zip: no outside requests, reproducible"),
    "pdf": ("kb.deliver.pdf", "cli", "one PDF per language dist/<project>-<lang>-<version>.pdf (--paper a4|letter), reproducible"),
    "serve": ("kb.engine.serve", "cli", "live preview (make serve): a save re-renders what it affects, checks in a banner"),
    "bench": ("kb.bench.site", "cli", "build benchmark: synthetic bilingual KB at N and 2N pages, table + .bench/results.json"),
    "bench-checks": ("kb.bench.checks", "cli", "check times on a 5 MB page and a page of 2,000 fences, table + .bench/checks.json"),
    "fuzz": ("kb.views.fuzz", "cli", "property-based tests of the Markdown views, long run with a seed (replay: --seed S)"),
}


def usage() -> str:
    width = max(len(n) for n in COMMANDS)
    rows = "\n".join(f"  {n.ljust(width)}  {h}" for n, (_, _, h) in COMMANDS.items())
    return f"usage: kb COMMAND [ARGS...]\n\ncommands:\n{rows}\n\n`kb COMMAND --help` for a command's options."


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"kb: unknown command '{name}'\n\n{usage()}", file=sys.stderr)
        return 2
    module, func, _ = COMMANDS[name]
    from kb.core import interrupts

    interrupts.install()
    try:
        from kb.core.problems import report
        from kb.core.settings import SettingsError, settings_problems

        problems = settings_problems()  # mkdocs.yml's extra.kb, validated once, before any command
        if problems:
            report(problems)
            print(f"kb {name}: fix the settings in mkdocs.yml first", file=sys.stderr)
            return 1
        from kb.core.settings import ROOT
        from kb.views import mdscan

        mdscan.use_disk_cache(ROOT / ".cache" / "views.json")  # page structures between runs
        return int(getattr(importlib.import_module(module), func)(rest) or 0)
    except (KeyboardInterrupt, interrupts.Terminated) as exc:
        interrupts.stop_children()
        print(f"kb {name}: {interrupts.describe(exc)}: stopped; temporary files removed, "
              "previous output left as it was", file=sys.stderr)
        return interrupts.exit_code(exc)
    except SettingsError as exc:
        report(exc.problems)
        return 1
    except SystemExit:
        raise
    except Exception:
        import traceback

        print(f"kb {name}: internal error: this is a bug in kb, not a problem with your input. Please report "
              f"it (the command and everything below) at {_issues_url()}", file=sys.stderr)
        traceback.print_exc()
        return 70


def _issues_url() -> str:
    try:
        from kb.core.settings import mkdocs_config

        return str(mkdocs_config().get("repo_url") or "").rstrip("/") + "/issues"
    except Exception:
        return "the project's issue tracker"


if __name__ == "__main__":
    sys.exit(main())
