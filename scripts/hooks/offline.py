"""MkDocs adapter for kb.deliver.offline: the offline build takes its browser assets from the site itself."""
from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority

from kb.deliver import offline
from kb.engine import mkdocs_adapter as kb


def _offline(config: MkDocsConfig) -> bool:
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return bool(plugin and plugin.config.enabled)


@event_priority(50)  # before Material's offline plugin, which adds the shim from a CDN unless one is listed
def on_config(config: MkDocsConfig) -> None:
    if _offline(config):
        scripts = kb.load_or_fail(offline.polyfills, "offline asset problem")
        listed = config.extra.get("polyfills") or []
        config.extra["polyfills"] = listed + [s for s in scripts if s not in listed]


def on_post_build(config: MkDocsConfig) -> None:
    if _offline(config):
        kb.load_or_fail(lambda: offline.install(Path(config.site_dir)), "offline asset problem")
