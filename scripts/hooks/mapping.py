"""MkDocs adapter for scripts/mapping.py: load the map once per build, render the table, add the downloads.

A data problem stops the build at once; the pages' placeholders are checked with the other
source checks (scripts/hooks/checks.py). Listed before the glossary hook in mkdocs.yml: the
table carries [[term]] references.
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
        present = mapping.DATA_FILE.is_file()
        what = "vSphere-to-Kubernetes map problem"
        _state["glossary"] = kb.load_or_fail(glossary.load, what) if present else None
        _state["entries"] = kb.load_or_fail(lambda: mapping.load(mapping.DATA_FILE, _state["glossary"]), what) \
            if present else None


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
