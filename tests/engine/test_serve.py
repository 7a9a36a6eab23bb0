"""kb serve (kb.engine.serve): a save re-renders what it affects, and those pages are the full build's, byte for byte.

The preview runs in the project's own folder (the project root is found from there), so each
session here runs in a subprocess inside the generated project.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kb.bench import site as bench
from kb.deliver.build import mkdocs_env
from kb.engine import serve

DRIVER = textwrap.dedent("""
    import json, sys
    from kb.engine import serve
    print("RESULT " + json.dumps(serve.replay(sys.argv[1], json.loads(sys.argv[2]))))
""")


def session(project: Path, site: Path, *edits) -> list[dict]:
    """Full build into `site`, then each (path, old, new) edit saved and rebuilt; what each rebuild did."""
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(site), json.dumps([list(e) for e in edits])],
                          cwd=project, env=mkdocs_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return json.loads(proc.stdout.rsplit("RESULT ", 1)[1])


def html_tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.html"))}


def test_mkdocs_and_static_i18n_have_the_shape_the_preview_relies_on():
    assert serve.check_shape() == []


@pytest.mark.slow
def test_a_page_edit_re_renders_the_page_and_its_twin_as_a_full_build_would(tmp_path):
    project = bench.generate(tmp_path / "project", 6)
    rel = bench.layout(6)[0][2].lang_path
    en = f"docs/en/{rel}"
    (done,) = session(project, tmp_path / "live", (en, "\n## ", "\nAn added sentence.\n\n## "))
    assert done["kind"] == "pages", done
    rendered = set(done["pages"])
    assert f"en:en/{rel}" in rendered and f"es:es/{rel}" in rendered  # the twin is now outdated: its notice
    # The status pages (every page of the site in one table) follow the reload, in the background.
    assert not any("translation-status" in p for p in rendered), rendered
    later = set(done["deferred"]["pages"])
    assert any("translation-status" in p for p in later), done
    assert done["deferred"]["seconds"] >= done["seconds"]
    session(project, tmp_path / "fresh")
    live, want = html_tree(tmp_path / "live"), html_tree(tmp_path / "fresh")
    assert sorted(live) == sorted(want)
    assert [name for name in want if live[name] != want[name]] == []
    assert "An added sentence." in (tmp_path / "live" / rel.replace(".md", "/index.html")).read_text(encoding="utf-8")
    assert "outdated" in (tmp_path / "live" / "es" / rel.replace(".md", "/index.html")).read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_data_file_or_title_change_builds_everything(tmp_path):
    project = bench.generate(tmp_path / "project", 3)
    es = f"docs/es/{bench.layout(3)[0][1].lang_path}"
    data, title = session(project, tmp_path / "live", ("data/glossary.yml", "terms:", "terms:"),
                          (es, "\n# ", "\n# Nuevo: "))
    assert data["kind"] == "full" and title["kind"] == "full"


@pytest.mark.slow
@pytest.mark.browser
def test_the_served_page_reloads_after_a_save_and_shows_the_checks_problems(tmp_path):
    """In Chromium, on the page as `kb serve` serves it (Content-Security-Policy included)."""
    import socket
    import time

    from playwright.sync_api import sync_playwright

    project = bench.generate(tmp_path / "project", 3)
    rel = bench.layout(3)[0][1].lang_path
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "kb", "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=project,
                            env=mkdocs_env(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/{rel.replace('.md', '/')}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "kb serve did not start"
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            errors = []
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.goto(url, wait_until="load")

            def until(check, what: str, seconds: float = 180):  # polled from here: the CSP forbids eval'd predicates
                end = time.monotonic() + seconds
                while not check():
                    assert time.monotonic() < end, what
                    page.wait_for_timeout(300)

            def checks_done() -> bool:
                try:
                    return not page.evaluate("async () => (await (await fetch('/__kb_serve/problems.json')).json()).running")
                except Exception:  # noqa: BLE001 - the page is reloading
                    return False

            until(checks_done, "the first checks did not finish")
            source = project / "docs" / "en" / rel
            text = source.read_text(encoding="utf-8")
            source.write_text(text.replace("\n## ", "\nSaved while previewing: [a broken link](no-such-page.md).\n\n## ", 1),
                              encoding="utf-8")
            until(lambda: page.get_by_text("Saved while previewing").count() > 0, "the page did not reload")
            banner = page.locator("#kb-serve-problems")
            until(lambda: banner.count() > 0 and "no-such-page.md" in banner.inner_text(), "no banner with the problem")
            assert errors == []  # no script blocked by the pages' Content-Security-Policy
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
