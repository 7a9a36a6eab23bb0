"""YAML snippets: every defect reported at the Markdown line to fix, in the CLI and in the build."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import kbfork
from kb.checks import snippets
from kb.deliver import build as kbbuild
from support import ROOT, build_copy

CORPUS = ROOT / "tests" / "corpus" / "snippets"
EXPECTED = (CORPUS / "invalid.expected").read_text(encoding="utf-8").splitlines()
PINNED = ("--kubernetes-version", "1.37")  # the version the expected messages name
PROBLEM = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


def _cli(*args: str, env: dict | None = None, project: Path = ROOT, shim: bool = False) -> subprocess.CompletedProcess:
    """`kb check-snippets ARGS` in the project (or a copy), outside GitHub Actions unless `env` says so:
    in a forked warm process (tests/kbfork.py), or with `shim` as `python scripts/kb.py` in a new one."""
    full = kbbuild.mkdocs_env()
    full.pop("GITHUB_ACTIONS", None)
    full.update(env or {})
    if not shim:
        return kbfork.run(project, ["check-snippets", *args], full, merge=False)
    return subprocess.run([sys.executable, str(project / "scripts" / "kb.py"), "check-snippets", *args],
                          cwd=project, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# --------------------------------------------------------------------------- corpora

def test_invalid_corpus_reports_every_planted_defect_at_its_line_and_column():
    proc = _cli("tests/corpus/snippets/invalid", *PINNED)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines() == EXPECTED


def test_each_reported_position_is_the_key_or_value_named_in_the_message():
    """The expected lines are not just recorded: each one points at what its message names."""
    checked = 0
    for row in EXPECTED:
        m = PROBLEM.match(row)
        assert m, row
        line = (ROOT / m["path"]).read_text(encoding="utf-8").splitlines()[int(m["line"]) - 1]
        at = line[int(m["col"]) - 1:]
        message = m["message"]
        if "unknown field" in message:
            key = re.sub(r"\[\d+\]$", "", message.split(":")[0].split(".")[-1])
            assert at.startswith(key), row
        elif "is not of type" in message:
            value = re.match(r"^[^:]+: (?P<v>.+?) is not of type", message)["v"]
            shown = value.strip("'") if value.startswith("'") else value
            assert at.startswith((shown, f'"{shown}"', "[")), row
        elif message.startswith("duplicate key"):
            assert at.startswith(message.split("'")[1]), row
        elif message.startswith("no schema for"):
            assert at.startswith(("apiVersion:", "kind:")), row
        elif "is a required property" in message:
            assert at and not at[0].isspace(), row
        elif "snippet directive" in message or "snippet schema" in message:
            assert at.startswith("<!--"), row
        else:
            continue
        checked += 1
    assert checked >= 25


@pytest.mark.parametrize("where, defects", [
    ("front-matter.md", ["is not of type integer", "unknown field", "is a required property"]),
    ("meta-data.md", ["duplicate key"]),
    ("lists.md", ["tabs are not allowed", "flow sequence", "block mapping", "duplicate key"]),
    ("admonitions.md", ["is not of type integer", "no schema for example.com/v1 Widget", "unknown field",
                        "is a required property"]),
    ("tabs.md", ["is not of type array", "unknown field", "is a required property"]),
    ("multi-document.md", ["is not of type boolean", "no schema for extensions/v1beta1 Ingress",
                           "no schema for apps/v1 Deploymnet", "flow mapping"]),
    ("es/pagina.md", ["no schema for policy/v1beta1 PodDisruptionBudget", "(netplan schema)",
                      "(tkg-cluster-config schema)"]),
    ("directives.md", ["unknown snippet directive", "unknown snippet schema", "has no effect",
                       "malformed snippet directive", "is not rendered as code"]),
    ("robustness.md", ["template placeholder", "unhashable key", "refers to itself", "is not of type object"]),
])
def test_the_corpus_plants_each_defect_class_in_each_context(where, defects):
    rows = [r for r in EXPECTED if r.startswith(f"tests/corpus/snippets/invalid/{where}:")]
    for defect in defects:
        assert any(defect in r for r in rows), (where, defect)


def test_valid_corpus_produces_no_report():
    proc = _cli("tests/corpus/snippets/valid", "--stats")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout == ""
    counts = re.search(r"(\d+) YAML snippets .*?(\d+) manifests", proc.stderr)
    assert int(counts[1]) >= 25 and int(counts[2]) >= 15, proc.stderr  # the snippets were really checked


def test_the_project_docs_pass():
    proc = _cli()
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout == ""


# --------------------------------------------------------------------------- command line

def test_exit_codes_and_usage_errors():
    """In new interpreters, through the `python scripts/kb.py` shim kept for old habits."""
    assert _cli("tests/corpus/snippets/valid", shim=True).returncode == 0
    assert _cli("tests/corpus/snippets/invalid/meta-data.md", shim=True).returncode == 1
    missing = _cli("docs/no/such/page.md", shim=True)
    assert missing.returncode == 2
    assert "no such file or folder: docs/no/such/page.md" in missing.stderr
    assert _cli("--no-such-option", shim=True).returncode == 2
    assert _cli("--kubernetes-version", "1.99", "docs", shim=True).returncode == 2


def test_github_actions_annotations():
    proc = _cli("tests/corpus/snippets/invalid/front-matter.md", *PINNED, env={"GITHUB_ACTIONS": "true"})
    assert proc.returncode == 1
    assert ("::error file=tests/corpus/snippets/invalid/front-matter.md,line=18,col=13::"
            "spec.replicas: 'three' is not of type integer (Deployment, Kubernetes 1.37)") in proc.stdout.splitlines()


def test_kubernetes_version_comes_from_mkdocs_yml(project):
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    setting = re.search(r"^\s*kubernetes_version: .*$", text, re.M).group(0)
    config.write_text(text.replace(setting, '    kubernetes_version: "1.31"'), encoding="utf-8")
    page = project / "docs" / "en" / "probe.md"
    page.write_text("```yaml\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: []\n"
                    "  hostNetwork: nope\n```\n", encoding="utf-8")
    proc = _cli("docs/en/probe.md", project=project)
    assert "docs/en/probe.md:7:16: spec.hostNetwork: 'nope' is not of type boolean (Pod, Kubernetes 1.31)" \
        in proc.stdout, proc.stdout
    config.write_text(text.replace(setting, '    kubernetes_version: "1.99"'), encoding="utf-8")
    proc = _cli("docs/en/probe.md", project=project)
    line = text.splitlines().index(next(ln for ln in text.splitlines() if "kubernetes_version:" in ln)) + 1
    assert proc.returncode == 1
    assert f"mkdocs.yml:{line}:1: kubernetes_version 1.99 has no schemas" in proc.stdout, proc.stdout


# --------------------------------------------------------------------------- robustness

@pytest.mark.parametrize("name, data, expected", [
    ("latin1.md", b"# T\n\nCaf\xe9 au lait\n\n```yaml\na: 1\na: 2\n```\n",
     ["3:4: not valid UTF-8 (byte e9)", "7:1: duplicate key 'a'"]),
    ("crlf.md", b"---\r\ntitle: x\r\n---\r\n\r\n```yaml\r\nkey: 1\r\nkey: 2\r\n```\r\n", ["7:1: duplicate key 'key'"]),
    ("cr-only.md", b"# T\r\r```yaml\rx: [1\r```\r", ["5:1: YAML syntax error"]),
    ("control.md", b"```yaml\nbell: \"a\x07b\"\n```\n", ["2:9: YAML syntax error: character #x0007"]),
    ("bom.md", b"\xef\xbb\xbf```yaml\nk: 1\nk: 2\n```\n", ["3:1: duplicate key 'k'"]),
    ("placeholder.md", b"```yaml\nname: {{ name }}\n```\n", ["2:8: YAML syntax error", "template placeholder"]),
    ("tabs.md", b"!!! note\n\n    ```yaml\n    a:\n    \tb: 1\n    ```\n", ["5:5: YAML syntax error", "tabs are not allowed"]),
    ("empty.md", b"```yaml\n```\n\n```yml\n\n\n```\n", []),
    ("unclosed.md", b"# T\n\n```yaml\na: 1\n", ["3:1: this ```yaml block is not rendered as code"]),
    ("deep.md", b"```yaml\n" + b"a: " + b"[" * 2000 + b"]" * 2000 + b"\n```\n", None),
    ("binary.md", bytes(range(256)) * 4, None),
])
def test_odd_input_is_a_reported_problem_or_a_clean_pass_never_a_traceback(project, name, data, expected):
    page = project / "docs" / "en" / name
    page.write_bytes(data)
    proc = _cli(f"docs/en/{name}", project=project)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stdout
    rows = proc.stdout.splitlines()
    assert all(PROBLEM.match(r) and r.startswith(f"docs/en/{name}:") for r in rows), rows
    if expected is None:
        return
    assert proc.returncode == (1 if expected else 0), proc.stdout
    for piece in expected:
        assert any(piece in r for r in rows), (piece, rows)


def test_identical_snippets_are_validated_once_and_schemas_compiled_once():
    manifest = "```yaml\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: once\n```\n"
    snippets.clear_cache()
    snippets.STATS.reset()
    snippets.check_text("# EN\n\n" + manifest, "docs/en/a.md")
    snippets.check_text("---\ntitle: ES\n---\n\n" + manifest + "\n" + manifest, "docs/es/a.md")
    assert snippets.STATS.snippets == 3
    assert snippets.STATS.validated == 1
    first = snippets.kind_schema("v1", "Namespace")
    assert snippets.kind_schema("v1", "Namespace") is first
    assert type(first.validator).__name__ == "Draft202012Validator"


# --------------------------------------------------------------------------- the build

BAD_ES = """
!!! ejemplo "Un Deployment con errores"

    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: tres
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: registry.example.org/web:1.0
              imagePullPolcy: Always
    ```
"""


@pytest.mark.slow
def test_a_bad_snippet_in_a_spanish_page_fails_the_build_naming_file_and_line(project):
    page = project / "docs" / "es" / "kubernetes" / "architecture.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.rstrip("\n") + "\n" + BAD_ES, encoding="utf-8")
    first = len(text.rstrip("\n").splitlines()) + 1  # the blank line that starts BAD_ES
    replicas, unknown = first + 9, first + 19
    en = project / "docs" / "en" / "kubernetes" / "architecture.md"
    en.write_text(en.read_text(encoding="utf-8") + "\n```yaml\nkey: 1\nkey: 2\n```\n", encoding="utf-8")
    en_line = len(en.read_text(encoding="utf-8").splitlines()) - 1
    proc = build_copy(project)
    assert proc.returncode != 0
    out = proc.stdout
    assert "3 snippet problems found:" in out, out
    version = snippets.resolve_version()[0]  # extra.kb.kubernetes_version in mkdocs.yml
    assert (f"docs/es/kubernetes/architecture.md:{replicas}:17: spec.replicas: 'tres' is not of type integer "
            f"(Deployment, Kubernetes {version})") in out, out
    assert (f"docs/es/kubernetes/architecture.md:{unknown}:15: spec.template.spec.containers[0].imagePullPolcy: "
            "unknown field (did you mean 'imagePullPolicy'?)") in out, out
    assert f"docs/en/kubernetes/architecture.md:{en_line}:1: duplicate key 'key'" in out, out
    assert "Traceback" not in out
    assert not (project / "site").exists(), "a failed build must leave no site/"
    cli = _cli(project=project)
    assert cli.returncode == 1
    assert len(cli.stdout.splitlines()) == 3


@pytest.mark.slow
def test_the_hook_validates_once_per_build_not_once_per_language(project, tmp_path):
    es = project / "docs" / "es" / "kubernetes" / "architecture.md"
    es.write_text(es.read_text(encoding="utf-8") + "\n```yaml\napiVersion: v1\nkind: Namespace\n"
                  "metadata:\n  name: probe\n```\n", encoding="utf-8")
    log = kbbuild.build(tmp_path / "site", config=project / "mkdocs.yml", echo=False,
                        env={"KB_SNIPPETS_TIMING": "1"})
    lines = [ln for ln in log.splitlines() if ln.startswith("kb-snippets:")]
    assert len(lines) == 1, log
    files = len(list((project / "docs").rglob("*.md")))
    assert lines[0].startswith(f"kb-snippets: {files} files,"), lines
