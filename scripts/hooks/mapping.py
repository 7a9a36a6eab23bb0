"""MkDocs adapter for scripts/mapping.py: validate once per build, render the table, add the downloads.

Listed before the glossary hook in mkdocs.yml: the table carries [[term]] references.
"""
import sys
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import glossary  # noqa: E402
import mapping  # noqa: E402
import mkdocs_adapter as kb  # noqa: E402

_state = {}


def on_pre_build(config):
    if kb.first_language_pass(config) or "entries" not in _state:
        kb.fail_on(mapping.check(), "vSphere-to-Kubernetes map problem")
        present = mapping.DATA_FILE.is_file()
        _state["glossary"] = glossary.load() if present else None
        _state["entries"] = mapping.load(mapping.DATA_FILE, _state["glossary"]) if present else None


@event_priority(-200)  # after static-i18n (-100) has laid out this language's files
def on_files(files, config):
    if _state.get("entries") is None:
        return files
    lang = kb.language(config)
    prefix = "" if lang == kb.DEFAULT_LANGUAGE else f"{lang}/"
    for rel, content in mapping.downloads(_state["entries"], lang, _state["glossary"]).items():
        # Source path inside the language folder, so pages link to it like any other file there.
        f = File.generated(config, f"{lang}/{rel}", content=content.encode("utf-8"))
        f.dest_uri = prefix + rel
        files.append(f)
    return files


def on_page_markdown(markdown, page, config, files):
    return mapping.render_page(markdown, kb.language(config), _state.get("entries"), _state.get("glossary"))
