"""Read the project's settings from mkdocs.yml without importing MkDocs: the one settings reader.

MkDocs-specific YAML tags (``!ENV``, ``!!python/name``) are read as plain values,
so tooling keeps working under another engine. ``extra.kb`` (the project's own settings) is
validated once against KB_SCHEMA: a wrong type or an unknown setting is a problem at its
``mkdocs.yml:LINE:COL``, never an AttributeError later (kb.cli checks it before any command).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def find_root(start: Path | None = None) -> Path:
    """The project: ``$KB_ROOT``, else the nearest folder holding mkdocs.yml from the working
    directory up (as git finds its repository), else the checkout this package was installed from."""
    env = os.environ.get("KB_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    return Path(__file__).resolve().parents[3]


ROOT = find_root()
DOCS = ROOT / "docs"
DATA = ROOT / "data"
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"


# extra.kb in mkdocs.yml: every project setting, its type, validated once (SettingsError names
# mkdocs.yml:LINE:COL). A setting not listed here is an error, with the closest known name.
KB_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "project": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$",
                    "description": "the project's short name: offline bundle and PDF file names"},
        "kubernetes_version": {"type": "string", "pattern": "^1\\.[0-9]+$",
                               "description": "Kubernetes minor version whose schemas validate snippets, quoted: \"1.37\""},
        "pdf": {"type": "object", "additionalProperties": False, "properties": {
            "paper": {"type": "string", "enum": ["a4", "letter", "A4", "Letter"]},
            "leave_out": {"type": "array", "items": {"type": "string"}},
        }},
    },
}
CONFIG_SCHEMA = {
    "type": "object",
    "properties": {"extra": {"type": "object", "properties": {"kb": KB_SCHEMA}}},
}


class SettingsError(Exception):
    """mkdocs.yml cannot be read, or extra.kb holds a wrong type or an unknown setting."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@lru_cache(maxsize=None)
def _read(path: Path) -> tuple[dict, tuple]:
    """(mkdocs.yml's data, problems) through the project's one YAML loader (kb.core.yamldoc)."""
    from kb.core import source, yamldoc
    from kb.core.problems import Problem, relpath

    src = source.read(path)
    if src.text is None or src.problems:
        return {}, tuple(src.problems)
    docs, issues = yamldoc.parse(src.text, mkdocs=True)
    rel = relpath(path)
    problems = [Problem(rel, i.line + 1, i.col + 1, f"mkdocs.yml: {i.message}") for i in issues]
    if problems or not docs:
        return {}, tuple(problems)
    doc = docs[0]
    if not isinstance(doc.data, dict):
        return {}, (Problem(rel, 1, 1, "mkdocs.yml must be a mapping of settings"),)
    import jsonschema

    validator = jsonschema.Draft202012Validator(CONFIG_SCHEMA)
    problems = [Problem(rel, i.line + 1, i.col + 1, i.message.replace("unknown field", "unknown setting"))
                for i in yamldoc.schema_issues(doc, validator)]
    return doc.data, tuple(problems)


def mkdocs_config(path: Path = ROOT / "mkdocs.yml") -> dict:
    """mkdocs.yml as data (MkDocs' own tags read as plain values); SettingsError when it cannot be
    read or its project settings are wrong."""
    data, problems = _read(Path(path))
    if problems:
        raise SettingsError(list(problems))
    return data


mkdocs_config.cache_clear = _read.cache_clear  # callers (tests) clear the reader's cache this way


def settings_problems(path: Path = ROOT / "mkdocs.yml") -> list:
    """Every problem with mkdocs.yml's project settings (validated once per process)."""
    return list(_read(Path(path))[1])


def kb_setting(name: str, default=None):
    """A project setting from ``extra.kb`` in mkdocs.yml (validated against KB_SCHEMA)."""
    if name not in KB_SCHEMA["properties"]:
        raise KeyError(f"'{name}' is not a project setting: add it to KB_SCHEMA in {__name__}")
    kb = (mkdocs_config().get("extra") or {}).get("kb") or {}
    return kb.get(name, default)
