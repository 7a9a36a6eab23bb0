"""MkDocs adapter for scripts/snippets.py: every YAML snippet validated once per build.

Runs on the first language pass only (static-i18n rebuilds the site per language); a bad
snippet fails the build listing every problem as PATH:LINE:COL: MESSAGE.
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import mdscan  # noqa: E402
import mkdocs_adapter as kb  # noqa: E402
import snippets  # noqa: E402


def on_pre_build(config):
    if kb.first_language_pass(config):
        mdscan.configure(config["markdown_extensions"], config["mdx_configs"])  # the build's own Markdown setup
        snippets.STATS.reset()
        kb.fail_on(snippets.check_tree(Path(config["docs_dir"])), "snippet problem")
        if os.environ.get("KB_SNIPPETS_TIMING"):
            print(snippets.STATS.line(), file=sys.stderr)
