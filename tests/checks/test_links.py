"""Link integrity: internal links and anchors fail check-links and the strict build; web links on request."""
from __future__ import annotations

import http.server
import subprocess
import sys
import threading

import pytest

from kb.deliver import build as kbbuild
from support import ROOT, build_copy, kb

PAGE = "docs/en/kubernetes/index.md"


def col(line: str, url: str) -> int:
    """1-based column of `url` in a line."""
    return line.index(url) + 1


def plant(project, text: str, page: str = PAGE) -> int:
    path = project / page
    body = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(body + text, encoding="utf-8")
    return body.count("\n") + 1


def test_clean_docs_have_no_broken_internal_links():
    proc = kb(ROOT, "check-links")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout == ""


def test_broken_link_and_anchors_are_reported_with_file_line_and_column(project):
    first = "See [a missing page](no-such-page.md) and"
    second = "[a missing section](architecture.md#no-such-section), [here](#nowhere)."
    start = plant(project, f"{first}\n{second}\nFine: [etcd](architecture.md#etcd), [top](#kubernetes), `[code](nope.md)`.\n")
    proc = kb(project, "check-links")
    assert proc.returncode == 1
    out = proc.stdout.splitlines()
    assert (f"{PAGE}:{start}:{col(first, 'no-such-page.md')}: broken link 'no-such-page.md': "
            "no page or file docs/en/kubernetes/no-such-page.md") in out, proc.stdout
    assert (f"{PAGE}:{start + 1}:{col(second, 'architecture.md#')}: broken anchor '#no-such-section': "
            "docs/en/kubernetes/architecture.md has no heading or element with id 'no-such-section'") in out, proc.stdout
    assert (f"{PAGE}:{start + 1}:{col(second, '#nowhere')}: broken anchor '#nowhere': this page has no heading "
            "or element with id 'nowhere'") in out, proc.stdout
    assert len(out) == 3, proc.stdout


def test_links_that_break_offline_or_under_a_sub_path_are_reported(project):
    line = "[abs](/kubernetes/architecture/) [dir](../troubleshooting/) [html](architecture.html)"
    start = plant(project, line + "\n")
    out = kb(project, "check-links").stdout
    assert f"{PAGE}:{start}:{col(line, '/kubernetes/')}: absolute link '/kubernetes/architecture/'" in out
    assert f"{PAGE}:{start}:{col(line, '../troubleshooting/')}: link to a folder '../troubleshooting/'" in out
    assert f"{PAGE}:{start}:{col(line, 'architecture.html')}: broken link 'architecture.html'" in out


def test_spanish_page_may_link_a_page_that_falls_back_to_english(project):
    (project / "docs" / "es" / "reference" / "resources.md").unlink()
    plant(project, "[recursos](../reference/resources.md#resources)\n", "docs/es/kubernetes/index.md")
    proc = kb(project, "check-links")
    assert proc.returncode == 0, proc.stdout


@pytest.mark.slow
def test_broken_link_and_anchor_fail_the_strict_build(project):
    line = "[a missing page](no-such-page.md), [a missing section](architecture.md#no-such-section)"
    start = plant(project, line + "\n")
    proc = build_copy(project)
    assert proc.returncode != 0
    assert f"{PAGE}:{start}:{col(line, 'no-such-page.md')}: broken link 'no-such-page.md'" in proc.stdout
    assert f"{PAGE}:{start}:{col(line, 'architecture.md#')}: broken anchor '#no-such-section'" in proc.stdout
    assert not (project / "site").exists()


@pytest.mark.slow
def test_mkdocs_validation_catches_broken_links_in_generated_content(project):
    """Glossary definitions become the glossary page: MkDocs' own validation checks what they render to."""
    data = project / "data" / "glossary.yml"
    text = data.read_text(encoding="utf-8")
    marker = "    definition:\n      en: >-\n"
    assert marker in text
    text = text.replace(marker, marker + "        See [the missing section](../kubernetes/architecture.md#no-such-section)"
                                         " and [a missing page](../no-such-page.md).\n", 1)
    data.write_text(text, encoding="utf-8")
    # Since issue 12 the sources' check names the data file for the missing page (glossary definitions are
    # read as links too); MkDocs' own validation of the generated page remains the second check.
    links = kb(project, "check-links")
    assert links.returncode == 1
    assert "data/glossary.yml:" in links.stdout and "broken link '../no-such-page.md'" in links.stdout, links.stdout
    proc = build_copy(project)
    assert proc.returncode != 0
    assert ("Doc file 'en/reference/glossary.md' contains a link '../kubernetes/architecture.md#no-such-section', "
            "but the doc 'en/kubernetes/architecture.md' does not contain an anchor '#no-such-section'") in proc.stdout
    assert "Doc file 'en/reference/glossary.md' contains a link '../no-such-page.md'" in proc.stdout
    assert not (project / "site").exists()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.send_response(200 if self.path.startswith("/ok") else 404)
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, *args):
        pass


@pytest.fixture
def web():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_external_links_report_dead_ones_with_file_and_line(project, web):
    page = project / "docs" / "en" / "extra.md"
    page.write_text(f"# Extra {{ #extra }}\n\n[alive]({web}/ok/page) and [dead]({web}/gone).\n\n<{web}/gone#part>\n",
                    encoding="utf-8")
    data = project / "data" / "links.yml"
    data.write_text(f"sources:\n  - url: {web}/also-gone\n  - url: {web}/ok\n", encoding="utf-8")
    env = dict(kbbuild.mkdocs_env(), NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    proc = subprocess.run([sys.executable, "-m", "kb", "check-links", "--external", "--timeout", "5",
                           "docs/en/extra.md", "data/links.yml"], cwd=project, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 1
    out = proc.stdout.splitlines()
    third = page.read_text(encoding="utf-8").splitlines()[2]
    assert f"docs/en/extra.md:3:{col(third, web + '/gone')}: dead link {web}/gone: HTTP 404" in out, proc.stdout
    assert f"docs/en/extra.md:5:2: dead link {web}/gone: HTTP 404" in out, proc.stdout
    assert f"data/links.yml:2:10: dead link {web}/also-gone: HTTP 404" in out, proc.stdout
    assert not any("/ok" in ln for ln in out), proc.stdout


def test_external_check_is_not_part_of_the_local_gate():
    from kb.checks import runner as checks

    assert ("check-links", []) in checks.CHECKS
    assert all("--external" not in args for _, args in checks.CHECKS)
    assert "--external" not in (ROOT / "Makefile").read_text(encoding="utf-8")


# --- issue 12 ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_link_inside_an_indented_code_block_is_code_not_a_broken_link(project):
    plant(project, "Some text.\n\n    [x](nowhere-at-all.md)\n\nMore.\n")
    proc = kb(project, "check-links")
    assert "nowhere-at-all.md" not in proc.stdout, proc.stdout


@pytest.mark.slow
def test_a_link_into_the_other_language_folder_is_an_error_at_its_line(project):
    line = plant(project, "See [es](../../es/index.md).\n", "docs/en/kubernetes/index.md")
    proc = kb(project, "check-links")
    assert proc.returncode == 1
    assert f"docs/en/kubernetes/index.md:{line}:10: link '../../es/index.md' leads into the es/ pages" in proc.stdout


@pytest.mark.slow
def test_a_broken_link_in_a_glossary_definition_is_named_in_the_data_file(project):
    glossary = project / "data" / "glossary.yml"
    text = glossary.read_text(encoding="utf-8")
    marker = "    definition:\n      en: "
    at = text.index(marker) + len(marker)
    line = text[:at].count("\n") + 1
    glossary.write_text(text[:at] + text[at:].replace("\n", " [map](../kubernetes/nowhere.md)\n", 2)
                        .replace(" [map](../kubernetes/nowhere.md)\n", "\n", 1), encoding="utf-8")
    proc = kb(project, "check-links")
    assert proc.returncode == 1
    hits = [ln for ln in proc.stdout.splitlines() if "nowhere.md" in ln]
    assert hits and all(h.startswith(f"data/glossary.yml:{line}:") for h in hits), proc.stdout
    assert "broken link '../kubernetes/nowhere.md'" in hits[0]
