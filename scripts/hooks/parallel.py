"""MkDocs adapter for kb.engine.parallel: the other languages built in a second process (kb build only).

Active when KB_PARALLEL=1 (set by `kb build`); otherwise every event returns at once and the
build is static-i18n's sequential one. Same site either way (tests/deliver/test_parallel_build.py).
"""
from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation

from kb.engine import parallel


def on_config(config: MkDocsConfig) -> None:
    if parallel.enabled():
        parallel.install()


@event_priority(-200)  # after static-i18n's on_nav (-100): the default language's files and nav are known
def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    parallel.fork_other_languages(config)
    return nav


def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    return "" if parallel.skip_template(template_name, config) else output


@event_priority(100)  # before any post-build event writes a file
def on_post_build(config: MkDocsConfig) -> None:
    parallel.wait_for_other_languages(config)


def on_build_error(error: Exception) -> None:
    parallel.stop()
