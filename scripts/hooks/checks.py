"""MkDocs adapter for kb.checks.runner: the whole-tree source checks, in a second process.

Started before the first language is rendered, collected when the last one is done (the first
pass's post-build event runs after static-i18n's other languages): any problem fails the build.
"""
from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority

from kb.checks import runner
from kb.core.background import Background
from kb.engine import mkdocs_adapter as kb

log = logging.getLogger("mkdocs.hooks.checks")
worker = Background()  # the one piece of state: the checks' second process


def on_pre_build(config: MkDocsConfig) -> None:
    if kb.first_language_pass(config):
        data = Path(config.config_file_path).parent / "data"
        worker.start("check-build", "--json", "--docs", config.docs_dir, "--data", str(data))


@event_priority(-200)  # the very end: after static-i18n's other languages and the search indexes
def on_post_build(config: MkDocsConfig) -> None:
    if kb.first_language_pass(config):
        kb.fail_on_groups(runner.collect(worker))


def on_build_error(error: Exception) -> None:
    """The build failed for another reason: still show what the checks found (often the cause)."""
    if worker.started and worker.mine:  # in a forked language build the parent collects and reports them
        found = runner.collect(worker)
        if found:
            log.error(kb.describe(found))
