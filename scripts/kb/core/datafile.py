"""Load a project data file (YAML) and validate it against its JSON Schema.

Problems come back as `Problem`s naming the data file and the line of the entry,
so a broken glossary or mapping fails the build with a message a contributor can act on.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema

from kb.core import source, yamldoc
from kb.core.problems import Problem, relpath
from kb.core.settings import DATA

SCHEMAS = DATA / "schemas"


@lru_cache(maxsize=None)
def validator(schema_name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / schema_name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def load(path: Path, schema_name: str) -> tuple[object, yamldoc.Document | None, list[Problem]]:
    """(data, document, problems). data is None when the file cannot be used at all."""
    rel = relpath(path)
    if not path.is_file() and not path.is_symlink() and not path.is_dir():
        return None, None, [Problem(rel, 1, 1, "data file is missing")]
    src = source.read(path)  # encodings, folders, dangling symlinks: named at their line
    if src.text is None or src.problems:
        return None, None, src.problems
    docs, issues = yamldoc.parse(src.text)
    problems = [Problem(rel, i.line + 1, i.col + 1, i.message) for i in issues]
    if problems:
        return None, None, problems
    if len(docs) != 1:
        return None, None, [Problem(rel, 1, 1, f"expected exactly one YAML document, found {len(docs)}")]
    doc = docs[0]
    problems = [Problem(rel, i.line + 1, i.col + 1, i.message)
                for i in yamldoc.schema_issues(doc, validator(schema_name))]
    return (None if problems else doc.data), doc, problems


def entry_problem(path: Path, doc: yamldoc.Document, json_path: tuple, message: str, key: bool = False) -> Problem:
    line, col = doc.mark(json_path, key=key)
    return Problem(relpath(path), line + 1, col + 1, message)
