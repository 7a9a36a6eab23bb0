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
from background import Background  # noqa: E402

_worker = Background()
log = logging.getLogger("mkdocs.hooks.checks")


def on_pre_build(config):
    if kb.first_language_pass(config):
        data = Path(config.config_file_path).parent / "data"
        _worker.start("check-build", "--json", "--docs", config.docs_dir, "--data", str(data))


@event_priority(-200)  # the very end: after static-i18n's other languages and the search indexes
def on_post_build(config):
    if kb.first_language_pass(config):
        kb.fail_on_groups(checks.collect(_worker))


def on_build_error(error):
    """The build failed for another reason: still show what the checks found (often the cause)."""
    if _worker.started:
        found = checks.collect(_worker)
        if found:
            log.error(kb.describe(found))
