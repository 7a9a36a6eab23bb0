"""`kb.py check` / `make check`: one local gate that runs every check and reports every failure."""
from __future__ import annotations

import subprocess
import sys

from kb.checks import runner as checks
from kb.deliver import build as kbbuild
from support import ROOT, kb, load_yaml, seed_caches

ALL = [name for name, _ in checks.CHECKS]


def read(path):
    return path.read_text(encoding="utf-8")


def write(path, text):
    path.write_text(text, encoding="utf-8")


def test_every_check_is_a_kb_command():
    from kb import cli as kbcli

    for name in ALL:
        assert name in kbcli.COMMANDS, name


def test_check_passes_on_the_clean_tree():
    proc = kb(ROOT, "check")
    assert proc.returncode == 0, proc.stdout
    for name in ALL:
        assert any(ln.startswith(f"ok   {name} (") for ln in proc.stdout.splitlines()), (name, proc.stdout)
    assert f"kb check: all {len(ALL)} checks passed" in proc.stdout


def test_check_runs_every_check_and_reports_each_failure_with_file_and_line(project):
    docs = project / "docs"
    # a missing twin
    (docs / "es" / "reference" / "resources.md").unlink()
    # unsafe HTML and a broken link in a Spanish page
    es_page = docs / "es" / "kubernetes" / "index.md"
    body = read(es_page).rstrip("\n") + "\n\n"
    n = body.count("\n") + 1
    write(es_page, body + "<script>alert(1)</script>\n\n[roto](no-existe.md)\n")
    # a Markdown lint problem: a single trailing space (whitespace only: the translation stays current)
    en_page = docs / "en" / "kubernetes" / "index.md"
    en_lines = read(en_page).split("\n")
    k = next(i for i, ln in enumerate(en_lines) if ln and not ln.startswith(("#", "<", "-", " ", "!", "|")))
    en_lines[k] += " "
    write(en_page, "\n".join(en_lines))
    # a YAML lint problem in a data file
    exemptions = project / "data" / "translation-exemptions.yml"
    write(exemptions, read(exemptions).replace("exemptions: []", "exemptions: []   "))
    y = read(exemptions).split("\n").index("exemptions: []   ") + 1

    seed_caches(project)  # the untouched pages' lint findings come from the real tree's cache, if it has one
    proc = kb(project, "check")
    assert proc.returncode == 1
    out = proc.stdout.splitlines()
    # the <script> fails the source check and the safety gate's rendering of the page (check-rendered)
    failing = {"check-translations", "check-safety", "check-rendered", "check-links", "lint-yaml", "lint-markdown"}
    for name in ALL:
        status = "FAIL" if name in failing else "ok  "
        assert any(ln.startswith(f"{status} {name} (") for ln in out), (name, proc.stdout)
    assert any(ln.startswith("docs/en/reference/resources.md:1:1: no Spanish twin") for ln in out)
    assert any(ln.startswith(f"docs/es/kubernetes/index.md:{n}:1: raw <script>") for ln in out)
    assert any(ln.startswith(f"docs/es/kubernetes/index.md:{n}:1: <script> runs code") for ln in out), proc.stdout
    assert any(ln.startswith(f"docs/es/kubernetes/index.md:{n + 2}:8: broken link 'no-existe.md'") for ln in out)
    assert any(ln.startswith(f"docs/en/kubernetes/index.md:{k + 1}:") and "MD009" in ln for ln in out), proc.stdout
    assert any(ln.startswith(f"data/translation-exemptions.yml:{y}:15: trailing spaces") for ln in out), proc.stdout
    assert f"kb check: {len(failing)} of {len(ALL)} checks failed" in proc.stdout


def test_check_only_runs_the_named_checks(project):
    proc = kb(project, "check", "--only", "check-safety", "check-links")
    assert proc.returncode == 0, proc.stdout
    assert "kb check: all 2 checks passed" in proc.stdout
    assert kb(project, "check", "--only", "check-nothing").returncode == 2


def test_markdown_lint_accepts_the_sites_material_syntax(project):
    page = project / "docs" / "en" / "extra.md"
    write(page, """\
---
source_hash: sha256:0000000000000000000000000000000000000000000000000000000000000000
---
# A page { #a-page }

Some text with a [[pod]] and [[node|nodes]], <kbd>Ctrl</kbd> and an HTML abbreviation.
{ #a-paragraph-id }

!!! note "A note"

    Admonition text, indented by four spaces.

    ```bash
    kubectl get pods
    ```

=== "Linux"

    Tab content.

=== "Windows"

    Other tab content.

<div class="grid cards" markdown>

-   __Cards__

    ---

    Card text.

</div>

| Term | Link |
| --- | --- |
| Pod | [[pod|the Pod entry]] |

??? tip "Collapsible"

    Hidden until opened.

*[HTML]: HyperText Markup Language
""")
    proc = kb(project, "lint-markdown", "docs/en/extra.md")
    assert proc.returncode == 0, proc.stdout


def test_markdown_lint_reports_real_problems_with_line_and_rule(project):
    page = project / "docs" / "en" / "extra.md"
    write(page, "# A page { #a-page }\n\n#Not a heading\n\n```\nno language\n```\n")
    proc = kb(project, "lint-markdown", "docs/en/extra.md")
    assert proc.returncode == 1
    assert any(ln.startswith("docs/en/extra.md:3:1: MD018") for ln in proc.stdout.splitlines()), proc.stdout
    assert any(ln.startswith("docs/en/extra.md:5:1: MD040") for ln in proc.stdout.splitlines()), proc.stdout


def test_yaml_lint_reports_a_duplicate_key_in_a_data_file(project):
    data = project / "data" / "translation-exemptions.yml"
    write(data, read(data) + "exemptions: []\n")
    line = read(data).count("\n")
    proc = kb(project, "lint-yaml")
    assert proc.returncode == 1
    assert f'data/translation-exemptions.yml:{line}:1: duplication of key "exemptions" in mapping (key-duplicates)' \
        in proc.stdout.splitlines(), proc.stdout


def test_make_check_runs_kb_check():
    proc = subprocess.run(["make", "-n", "check"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout
    assert ".venv/bin/kb check" in proc.stdout


def test_pre_commit_runs_the_same_gate():
    config = load_yaml(read(ROOT / ".pre-commit-config.yaml"))
    hooks = [h for repo in config["repos"] if repo["repo"] == "local" for h in repo["hooks"]]
    gate = next(h for h in hooks if h["id"] == "kb-check")
    assert gate["entry"].startswith(".venv/bin/kb check")
    assert gate["language"] == "system" and gate["pass_filenames"] is False
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "pre-commit"), "validate-config", ".pre-commit-config.yaml"],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout


def test_pull_request_template_has_the_checklist():
    text = read(ROOT / ".github" / "pull_request_template.md")
    for item in ("make check", "mark-translated", "docs/es/", "CONTRIBUTING.md"):
        assert item in text, item
    assert text.count("- [ ]") >= 5


def test_contributor_guides_exist_in_english_and_spanish_and_cover_the_workflow():
    # One source per language, in the site's Contribute section; the root files point there.
    for name, words in (("docs/en/contribute/index.md", (" the ", " and ", " page ")),
                        ("docs/es/contribute/index.md", (" la ", " que ", " página "))):
        text = read(ROOT / name)
        for topic in ("make serve", "make check", "mark-translated", "data/glossary.yml",
                      "data/vsphere-to-kubernetes.yml", "<!-- snippet: skip -->", "<!-- snippet: schema",
                      "check-links --external", "pre-commit install", "data/translation-exemptions.yml"):
            assert topic in text, (name, topic)
        assert all(text.count(w) >= 5 for w in words), f"{name} does not read as its language"
    for root_file, guide in (("CONTRIBUTING.md", "docs/en/contribute/index.md"),
                             ("CONTRIBUTING.es.md", "docs/es/contribute/index.md")):
        assert f"]({guide})" in read(ROOT / root_file), root_file
    assert kb(ROOT, "lint-markdown", "CONTRIBUTING.md", "CONTRIBUTING.es.md").returncode == 0


def test_markdown_lint_cache_never_hides_a_new_problem(project):
    # The page that changes is linted, cached, changed and linted again (the whole tree, linted cold in a copy,
    # cost 7 s CPU more; its clean pass is test_check_passes_on_the_clean_tree's lint-markdown).
    rel = "docs/es/reference/resources.md"
    assert kb(project, "lint-markdown", rel).returncode == 0
    assert (project / ".cache" / "lint-markdown.json").is_file()
    page = project / rel
    write(page, read(page).rstrip("\n") + "\n\n#Sin espacio\n")
    proc = kb(project, "lint-markdown", rel)
    assert proc.returncode == 1
    assert "docs/es/reference/resources.md:" in proc.stdout and "MD018" in proc.stdout, proc.stdout



_BROKEN_CHECK = r"""
import sys
from kb import cli
from kb.checks import runner
cli.COMMANDS["check-broken"] = ("kb.checks.no_such_module", "cli", "a check whose module does not import")
runner.CHECKS.insert(0, ("check-broken", []))
sys.exit(runner.cli(["--only", "check-broken", "check-mapping"]))
"""


def test_a_check_whose_module_does_not_import_fails_alone(project):
    """kb check imports the checks' modules before it forks them: one that breaks on import is that
    check's failure, with its message, and the other checks still run."""
    proc = subprocess.run([sys.executable, "-c", _BROKEN_CHECK], cwd=project, env=kbbuild.mkdocs_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout
    out = proc.stdout.splitlines()
    assert any(ln.startswith("FAIL check-broken (") for ln in out), proc.stdout
    assert any(ln.startswith("ok   check-mapping (") for ln in out), proc.stdout
    assert "kb check-broken: internal error" in proc.stdout and "No module named 'kb.checks.no_such_module'" in proc.stdout
    assert "kb check: 1 of 2 checks failed (check-broken)" in proc.stdout


_INTERRUPTED_CHILD = r"""
import os, signal
from kb.checks import runner
def interrupted(*args, **kwargs):  # the Ctrl-C arrives while the forked check opens its output file
    raise KeyboardInterrupt()
mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
os.open = interrupted
check = runner._Check("check-mapping", [], "out.txt", mask)
_, status = os.waitpid(check.pid, 0)
print("exit", os.waitstatus_to_exitcode(status))
"""


def test_an_interrupt_before_a_check_starts_is_its_exit_code_not_a_traceback(tmp_path):
    """A signal that reaches a forked check before kb.main has taken over the signals (seen once in
    the double-interrupt test: a KeyboardInterrupt traceback from os.open) ends it as an interrupt."""
    proc = subprocess.run([sys.executable, "-c", _INTERRUPTED_CHILD], cwd=tmp_path, env=kbbuild.mkdocs_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert proc.stdout.splitlines()[-1:] == ["exit 130"], proc.stdout
    assert "Traceback" not in proc.stdout, proc.stdout


_ODD_CHECKS = r"""
import contextlib, io, sys
from kb import cli
from kb.checks import runner
cli.COMMANDS["check-exit"] = ("sys", "exit", "exits with a message, as sys.exit('...') does")
cli.COMMANDS["check-print"] = ("builtins", "print", "prints its arguments")
runner.CHECKS[:0] = [("check-exit", ["the message of check-exit"]), ("check-print", ["printed by check-print"])]
buf = io.StringIO()
with contextlib.redirect_stdout(buf):  # a caller that captures kb check's output in-process
    code = runner.cli(["--only", "check-exit", "check-print"])
sys.__stdout__.write(buf.getvalue())
sys.exit(code)
"""


def test_a_check_s_exit_message_and_output_reach_kb_check_s_caller(project):
    """The forked check behaves as the interpreter would: sys.exit('text') prints the text and
    fails; what it prints goes to kb check's output even when the caller redirected sys.stdout."""
    proc = subprocess.run([sys.executable, "-c", _ODD_CHECKS], cwd=project, env=kbbuild.mkdocs_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout
    assert "['the message of check-exit']" in proc.stdout and "FAIL check-exit (" in proc.stdout, proc.stdout
    assert "['printed by check-print']" in proc.stdout and "ok   check-print (" in proc.stdout, proc.stdout
