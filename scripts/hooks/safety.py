"""MkDocs adapter for scripts/safety.py: unsafe HTML, script URLs or secrets fail the build."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import mkdocs_adapter as kb  # noqa: E402
import safety  # noqa: E402


def on_pre_build(config):
    if kb.first_language_pass(config):
        kb.fail_on(safety.check(), "content safety problem")
