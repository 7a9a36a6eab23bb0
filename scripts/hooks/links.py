"""MkDocs adapter for scripts/links.py: broken internal links and anchors fail the build at their line.

MkDocs' own `validation` settings (mkdocs.yml) still check every page as built, generated content
included; this hook only adds file and line for links written in the pages.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import links  # noqa: E402
import mkdocs_adapter as kb  # noqa: E402


def on_pre_build(config):
    if kb.first_language_pass(config):
        kb.fail_on(links.check(), "broken link")
