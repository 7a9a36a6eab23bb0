"""schemafast says "valid" exactly when jsonschema finds no error (it only ever skips jsonschema)."""
from __future__ import annotations

import copy
import json
import random

import pytest

from kb.checks import snippets
from kb.core import yamldoc
from support import ROOT


def _documents() -> list[tuple[object, object]]:
    """(compiled schema, data) of every manifest and named-schema document in the corpus and the docs."""
    out = []
    pages = sorted((ROOT / "tests" / "corpus" / "snippets").rglob("*.md")) + sorted((ROOT / "docs").rglob("*.md"))
    for page in pages:
        scanned = snippets.scan_page(page.read_text(encoding="utf-8", errors="replace"), "x.md")
        for s in scanned.snippets:
            docs, _ = yamldoc.parse(s.fence.text)
            for d in docs:
                try:
                    data = snippets._jsonable(d.data)
                except RecursionError:
                    continue
                if s.schema:
                    out.append((snippets.named_schema(s.schema), data))
                elif isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str):
                    kind = snippets.kind_schema(data["apiVersion"], data["kind"])
                    if kind is not None:
                        out.append((kind, data))
    return out


VALUES = [1, -3, 2.0, 1.5, "x", "", None, True, False, [], [1], ["a"], {}, {"a": 1}, {"name": "n"}]
KEYS = ["foo", "name", "replicas", "labels", "spec", "items", "value", "apiVersion", "kind"]


def _mutate(data, r: random.Random):
    data = copy.deepcopy(data)
    node = data
    for _ in range(r.randint(0, 7)):
        children = list(node.values()) if isinstance(node, dict) else node
        nested = [c for c in children if isinstance(c, (dict, list))]
        if not nested or r.random() < 0.25:
            break
        node = r.choice(nested)
    roll = r.random()
    if isinstance(node, dict):
        if node and roll < 0.3:
            del node[r.choice(list(node))]
        elif roll < 0.55:
            node[r.choice(KEYS)] = r.choice(VALUES)
        elif node:
            node[r.choice(list(node))] = copy.deepcopy(r.choice(VALUES))
    elif isinstance(node, list):
        if node and roll < 0.5:
            node[r.randrange(len(node))] = copy.deepcopy(r.choice(VALUES))
        else:
            node.append(copy.deepcopy(r.choice(VALUES)))
    return data


def test_fast_check_agrees_with_jsonschema_on_documents_and_thousands_of_mutations():
    r = random.Random(7)
    checked = invalid = 0
    mismatches = []
    for compiled, data in _documents():
        for i in range(40):
            candidate = _mutate(data, r) if i else data
            for partial in (False, True):
                fast = compiled.fast(partial)
                assert fast is not None, compiled.context
                validator = compiled.partial if partial else compiled.validator
                expected = next(iter(validator.iter_errors(candidate)), None) is None
                checked += 1
                invalid += not expected
                if fast(candidate) != expected:
                    mismatches.append((compiled.context, partial, expected, json.dumps(candidate)[:300]))
    assert not mismatches, mismatches[:3]
    assert checked > 2000 and invalid > checked // 3  # the mutations do break things


def test_every_kubernetes_kind_compiles():
    _, release = snippets.resolve_version()
    compiled = [snippets.kind_schema(api, kind) for kind, apis in snippets._served(release).items() for api in apis]
    compiled = [c for c in compiled if c is not None]
    assert len(compiled) > 150
    assert [c.context for c in compiled if c.fast() is None] == []


@pytest.mark.parametrize("schema", ["json-patch", "netplan", "tkg-cluster-config"])
def test_named_schemas_compile(schema):
    assert snippets.named_schema(schema).fast() is not None
