"""yamldoc: positions, duplicate keys and readable syntax errors, fast on plain documents."""
from __future__ import annotations

import pytest
import yaml

from kb.core import yamldoc
from kb.views import mdscan
from support import ROOT

EDGE_CASES = [
    "a: 0x1f\nb: 0o17\nc: 1_000\nd: 1:30\ne: -0b101\nf: 017\n",
    "a: .inf\nb: -.Inf\nc: 1e3\nd: 1_0.5\ne: 6.8523015e+5\n",
    "a: yes\nb: No\nc: on\nd: OFF\ne: y\n",
    "a: ~\nb: Null\nc:\nd: null\n",
    "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\n",
    "a: !!binary aGVsbG8=\n",
    "x: &a {k: 1}\ny: *a\nz: [*a, *a]\n",
    "1: one\n2.5: x\ntrue: t\nnull: n\n",
    "- [1, 2]\n- {a: b}\n- - nested\n",
    "a: 1\nb: 2\na: 3\nb: 4\nc: {x: 1, x: 2}\n",
    "a: !!str 123\nb: !!int '7'\nc: !!float '1'\n",
    "<<: {a: 1}\nb: 2\n",
    "a: !!set {x, y}\n",
    "a: !Ref x\n",
]


def _snippets() -> list[str]:
    out = []
    for page in sorted((ROOT / "tests" / "corpus" / "snippets").rglob("*.md")) + sorted((ROOT / "docs").rglob("*.md")):
        out += [f.text for f in mdscan.fences(page.read_text(encoding="utf-8")) if f.lang in ("yaml", "yml")]
    return out + EDGE_CASES


@pytest.mark.parametrize("text", _snippets())
def test_fast_construction_gives_what_pyyaml_gives(text):
    try:
        expected = [d for d in yaml.load_all(text, Loader=yamldoc._Loader)]
    except yaml.YAMLError:
        return  # invalid YAML: covered by the corpus tests
    docs, issues = yamldoc.parse(text)
    assert [repr(d.data) for d in docs] == [repr(d) for d in expected]  # repr: aliases may make cycles
    nodes = [n for n in yaml.compose_all(text, Loader=yamldoc._Loader) if n is not None]
    dups = sorted((i.line, i.col, i.message) for n in nodes for i in yamldoc._duplicate_keys(n, set()))
    assert sorted((i.line, i.col, i.message) for i in issues if i.message.startswith("duplicate key")) == dups


def test_plain_documents_take_the_fast_path(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("PyYAML's constructor was used")

    monkeypatch.setattr(yamldoc._CLoader, "construct_document", fail)
    docs, issues = yamldoc.parse("apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: b}]\n")
    assert docs[0].data["spec"]["containers"][0]["image"] == "b" and not issues


def test_syntax_errors_name_the_character_and_its_position():
    _, issues = yamldoc.parse("a:\n\tb: 1\n")
    assert (issues[0].line, issues[0].col) == (1, 0)
    assert "'\\t'" in issues[0].message and "tabs are not allowed" in issues[0].message
    _, issues = yamldoc.parse("a: 1\nb: x\x07y\n")
    assert (issues[0].line, issues[0].col) == (1, 4) and "#x0007" in issues[0].message


def test_a_tab_after_a_colon_is_accepted_like_kubectl_does():
    docs, issues = yamldoc.parse("key:\tvalue\n")
    assert docs[0].data == {"key": "value"} and not issues


def test_null_is_not_named_as_a_type():
    import jsonschema

    doc = yamldoc.parse("replicas: three\n")[0][0]
    validator = jsonschema.Draft202012Validator(
        {"properties": {"replicas": {"type": ["integer", "null"]}}})
    (issue,) = yamldoc.schema_issues(doc, validator)
    assert issue.message == "replicas: 'three' is not of type integer"
