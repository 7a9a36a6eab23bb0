"""MkDocs adapter for kb.checks.rendered: the content-safety gate on every rendered page.

Every file under docs/ is checked first (kb.checks.published: symlinks, raw HTML, unknown files, SVG, CSS).
Front-matter values the theme prints are escaped by scripts/hooks/frontmatter.py and checked in the
source (kb.checks.safety, among the build's source checks);
the final HTML of every page, both languages and the generated pages, is held to the gate's
allowlists (on_post_page), the 404 pages too (on_post_template); every problem of every page fails the build at once (on_post_build),
as PATH:LINE:COL: MESSAGE at the Markdown line, front-matter key or data-file entry.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

from kb.checks import frontmatter, published, rendered
from kb.core.cputime import meter
from kb.core.problems import Problem, relpath
from kb.deliver import csp
from kb.engine import mkdocs_adapter as kb

log = logging.getLogger("mkdocs.hooks.safety")


@dataclass
class GateState:
    data: list = field(default_factory=list)  # data files whose text pages carry (for the source lines)
    problems: set = field(default_factory=set)  # of every page of every language, reported together


state = GateState()


def on_pre_build(config: MkDocsConfig) -> None:
    if kb.first_language_pass(config):
        with meter.measure("gate"):
            state.problems.clear()
            root = Path(config.config_file_path).parent
            state.data = rendered.data_sources(root / "data", root)
            state.problems.update(published.check(Path(config.docs_dir), root / "data" / "published-files.yml"))


@event_priority(-90)  # after the other hooks' post_page changes; before the CSP (scripts/hooks/csp.py)
def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    with meter.measure("gate"):  # its CPU time, for `make bench` (kb.core.cputime)
        _gate_page(output, page, config)
    return output


def _source_text(page: Page) -> str:
    try:
        return page.file.content_string
    except (OSError, TypeError, ValueError):
        return ""


def _gate_page(output: str, page: Page, config: MkDocsConfig) -> None:
    rel = relpath(page.file.abs_src_path) if page.file.abs_src_path else f"docs/{page.file.src_uri}"
    where = rendered.Locator(rendered.PageSource(rel, lambda: _source_text(page)), state.data)
    keys = {k: page.meta.get(k) for k in frontmatter.PRINTED if page.meta.get(k)}
    result = rendered.check_page(output, page.content or "", where, keys)
    state.problems.update(result.problems)
    csp.remember(output, result.theme_scripts)  # the CSP hook, next, hashes these instead of reading the page again


@event_priority(50)  # before scripts/hooks/languages.py takes the other languages' 404 page out of the output
def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    """The 404 pages (one per language) are templates, not pages: the whole page is held to the gate,
    what the theme's <article> holds to the content rules, problems located in the theme overrides."""
    if template_name != "404.html" or not output:
        return output
    with meter.measure("gate"):
        root = Path(config.config_file_path).parent
        where = rendered.template_sources(config.theme.custom_dir, root)
        state.problems.update(rendered.check_page(output, rendered.article(output), where).problems)
    return output


@event_priority(-199)  # after static-i18n (-100); before the source checks' collection (-200)
def on_post_build(config: MkDocsConfig) -> None:
    """Every pass reports what it has seen: in one process the other languages' passes end first and
    report every page so far; a language built in a process of its own reports its pages there."""
    found: list[Problem] = sorted(state.problems)
    state.problems.clear()
    meter.flush()  # the gate's and the CSP's CPU time in this process, when KB_CPU_TIMES asks for it
    kb.fail_on(found, "rendered-page safety problem")


def on_build_error(error: Exception) -> None:
    """The build failed for another reason: still show what the gate found so far (often the cause)."""
    if state.problems:
        log.error(kb.describe({"rendered-page safety problem": sorted(state.problems)}))
        state.problems.clear()
