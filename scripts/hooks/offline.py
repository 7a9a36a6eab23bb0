"""MkDocs adapter for scripts/offline.py: the offline build takes its browser assets from the site itself."""
import sys
from pathlib import Path

from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import mkdocs_adapter as kb  # noqa: E402
import offline  # noqa: E402


def _offline(config) -> bool:
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return bool(plugin and plugin.config.enabled)


@event_priority(50)  # before Material's offline plugin, which adds the shim from a CDN unless one is listed
def on_config(config):
    if _offline(config):
        scripts = kb.load_or_fail(offline.polyfills, "offline asset problem")
        listed = config.extra.get("polyfills") or []
        config.extra["polyfills"] = listed + [s for s in scripts if s not in listed]


def on_post_build(config):
    if _offline(config):
        kb.load_or_fail(lambda: offline.install(Path(config.site_dir)), "offline asset problem")
