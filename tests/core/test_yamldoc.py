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


# --- issue 12: positions by the one line rule, duplicates by value, bounded work -----------------

def test_positions_ignore_the_line_breaks_only_pyyaml_counts():
    for sep in ("\x85", "\u2028", "\u2029"):
        docs, issues = yamldoc.parse(f'a: "x{sep}y"\nb: 1\nb: 2\nc: {{d: 3}}\n')
        assert [(i.line, i.col) for i in issues] == [(2, 0)], sep
        assert docs[0].mark(("c", "d"), key=True) == (3, 4), sep
        assert docs[0].mark(("c", "d")) == (3, 7), sep


@pytest.mark.parametrize("first,second", [("true", "True"), ("0x10", "16"), ("null", "~"), ("1.0", "1"), ("'a'", "a")])
def test_duplicate_keys_are_compared_by_the_value_they_resolve_to(first, second):
    _, issues = yamldoc.parse(f"{first}: 1\n{second}: 2\n")
    assert len(issues) == 1 and issues[0].line == 1 and "duplicate key" in issues[0].message


def test_billion_laughs_is_an_issue_at_its_line_not_unbounded_work():
    import time

    lol = ["a0: &a0 [lol]"] + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    t0 = time.perf_counter()
    docs, issues = yamldoc.parse("\n".join(lol) + "\n")
    assert time.perf_counter() - t0 < 2
    assert docs == [] and len(issues) == 1 and "aliases expand" in issues[0].message
    assert 0 < issues[0].line < 10


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "[" * 100_000 + "]" * 100_000,
                                  "".join("  " * i + "-\n" for i in range(3000))])
def test_deep_nesting_is_named_as_such_not_a_recursive_alias_nor_a_crash(text):
    docs, issues = yamldoc.parse(text)
    assert docs == [] and len(issues) == 1
    assert "nested more than" in issues[0].message and "alias" not in issues[0].message


def test_crlf_and_bom_do_not_shift_positions():
    docs, issues = yamldoc.parse("\ufeffa: 1\r\nb: 2\r\nb: 3\r\n")
    assert [(i.line, i.col) for i in issues] == [(2, 0)]
