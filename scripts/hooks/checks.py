"""MkDocs adapter for scripts/checks.py: the whole-tree source checks, in a second process.

Started before the first language is rendered, collected when the last one is done (the first
pass's post-build event runs after static-i18n's other languages): any problem fails the build.
"""
import logging
import sys
from pathlib import Path

from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import checks  # noqa: E402
import mkdocs_adapter as kb  # noqa: E402

_worker = checks.Background()
log = logging.getLogger("mkdocs.hooks.checks")


def on_pre_build(config):
    if kb.first_language_pass(config):
        _worker.start(Path(config.docs_dir), Path(config.config_file_path).parent / "data")


@event_priority(-200)  # the very end: after static-i18n's other languages and the search indexes
def on_post_build(config):
    if kb.first_language_pass(config):
        kb.fail_on_groups(_worker.problems())


def on_build_error(error):
    """The build failed for another reason: still show what the checks found (often the cause)."""
    found = _worker.problems()
    if found:
        log.error(kb.describe(found))
