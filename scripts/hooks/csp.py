"""MkDocs adapter for kb.deliver.csp: a Content-Security-Policy <meta> first in every page's <head>.

Runs after every other post_page change (the gate in scripts/hooks/safety.py included), so the
hashes are those of the scripts the page really carries. On the offline build, the policy also
allows the one inline script of the pinned iframe-worker shim (kb.deliver.offline installs the
shim in the form kb.deliver.csp.shim_for_csp() gives).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

from kb.core.cputime import meter
from kb.deliver import csp, offline
from kb.engine import mkdocs_adapter as kb


@dataclass
class PolicyState:
    offline: bool = False  # this build is the offline bundle's (Material's offline plugin enabled)


state = PolicyState()


def on_config(config: MkDocsConfig) -> None:
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    state.offline = bool(plugin and plugin.config.enabled)
    if state.offline and not csp.SHIM_SCRIPT_HASH:
        shim = kb.load_or_fail(offline.shim_script, "offline asset problem")
        csp.set_shim(shim)


@event_priority(-100)  # the very last post_page change
def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    # The gate (scripts/hooks/safety.py) has just parsed this same text: its theme scripts are reused.
    with meter.measure("csp"):  # its CPU time, for `make bench` (kb.core.cputime)
        return csp.apply(output, page.content or "", offline=state.offline, scripts=csp.remembered(output))


def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    """The 404 pages are templates, not pages: the same policy (they have no content of their own)."""
    if template_name != "404.html":
        return output
    with meter.measure("csp"):
        return csp.apply(output, "", offline=state.offline)


@event_priority(-150)  # after scripts/hooks/languages.py has written each language's 404 page
def on_post_build(config: MkDocsConfig) -> None:
    with meter.measure("csp"):
        for path in Path(config.site_dir).rglob("404.html"):
            text = path.read_text(encoding="utf-8")
            if csp.MARK not in text[:4096]:
                path.write_text(csp.apply(text, "", offline=state.offline), encoding="utf-8")
