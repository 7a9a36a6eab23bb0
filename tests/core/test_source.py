"""kb.core.source: the one line rule, encodings, and pages that are not files (issue 12)."""
from __future__ import annotations

import os

import pytest

from kb.core import source
from support import kb, seed_caches


def test_lines_end_at_newline_only_after_normalising_cr():
    text = "a\r\nb\rc\x85d\u2028e\u2029f\x0cg\vh\n"
    assert source.split_lines(text) == ["a", "b", "c\x85d\u2028e\u2029f\x0cg\vh"]
    assert source.split_lines("") == [] and source.split_lines("x") == ["x"]
    index = source.LineIndex(source.normalize(text))
    assert index.line_col(0) == (1, 1) and index.line_col(2) == (2, 1) and index.line_col(6) == (3, 3)


def test_bom_is_accepted_and_removed(tmp_path):
    page = tmp_path / "p.md"
    page.write_bytes(b"\xef\xbb\xbf# Title\r\n")
    src = source.read(page)
    assert (src.text, src.problems, src.had_bom) == ("# Title\n", [], True)


def test_latin1_is_named_at_its_line_and_column_not_a_byte_offset(tmp_path):
    page = tmp_path / "p.md"
    page.write_bytes("# Título\n\nDirección: sí\n".encode("latin-1"))
    src = source.read(page)
    assert [(p.line, p.col) for p in src.problems] == [(1, 4)]
    assert "not valid UTF-8 (byte ed)" in src.problems[0].message and "Latin-1" in src.problems[0].message


def test_folders_named_md_and_symlinks_are_named_not_crashed_on(tmp_path):
    docs = tmp_path / "docs"
    (docs / "en" / "folder.md").mkdir(parents=True)
    (docs / "en" / "ok.md").write_text("# Ok\n", encoding="utf-8")
    os.symlink("missing.md", docs / "en" / "dangling.md")
    os.symlink("en", docs / "linked")
    files, problems = source.markdown_files(docs)
    assert files == [docs / "en" / "ok.md"]
    said = {p.path.rsplit("/", 2)[-1]: p.message for p in problems}
    assert "folder" in said["folder.md"] and "dangling symlink" in said["dangling.md"]
    assert "symlink to a folder" in said["linked"]


CHECKS = ["check-snippets", "check-glossary", "check-mapping", "check-translations", "check-safety",
          "check-links", "lint-markdown"]


@pytest.mark.slow
@pytest.mark.parametrize("plant", ["empty", "dangling", "folder", "bom", "latin1"])
def test_every_check_reports_or_passes_never_a_traceback(project, plant):
    # The real tree's findings caches, as a contributor's checkout holds them: the planted page is read
    # afresh (its text is in the cache key), the others are served as the last `make check` found them.
    seed_caches(project)
    en = project / "docs" / "en"
    if plant == "empty":
        (project / "docs" / "es" / "index.md").write_text("", encoding="utf-8")
    elif plant == "dangling":
        os.symlink("nowhere.md", en / "broken.md")
    elif plant == "folder":
        (en / "something.md").mkdir()
    elif plant == "bom":
        page = en / "index.md"
        page.write_bytes(b"\xef\xbb\xbf" + page.read_bytes())
    elif plant == "latin1":
        page = project / "docs" / "es" / "index.md"
        page.write_bytes(page.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    outputs = {}
    for check in CHECKS:
        proc = kb(project, check)
        assert "Traceback" not in proc.stdout, (check, proc.stdout)
        outputs[check] = proc.stdout
    everything = "".join(outputs.values())
    if plant == "dangling":
        assert "docs/en/broken.md:1:1: dangling symlink" in outputs["check-snippets"]
    if plant == "folder":
        assert "docs/en/something.md:1:1: a folder named like a page" in outputs["check-snippets"]
    if plant == "bom":  # no false "first line is not a heading", no false missing anchor / heading drift
        assert "MD041" not in outputs["lint-markdown"]
        assert "heading #home" not in outputs["check-translations"]
    if plant == "latin1":
        assert "docs/es/index.md:" in outputs["check-snippets"] and "not valid UTF-8" in everything
        assert ":1:1: not valid UTF-8" not in everything


def test_the_one_front_matter_reader():
    """kb.core.source.front_matter: what translations (source_hash) and the front-matter gate read."""
    from kb.checks import frontmatter
    from kb.core import source

    page = "---\ntitle: Pods\nsource_hash: sha256:x\n---\n\n# Pods { #pods }\n"
    for text in (page, page.replace("\n", "\r\n"), "\ufeff" + page):
        fm = source.front_matter(text)
        assert (fm.lines, fm.end, fm.data, fm.problems) == (["title: Pods", "source_hash: sha256:x"], 3,
                                                           {"title": "Pods", "source_hash": "sha256:x"}, [])
        assert (fm.key_line("source_hash"), fm.key_line("title"), fm.key_line("nothing")) == (2, 1, 0)
    assert source.front_matter("# No front matter\n") == source.FrontMatter()
    assert source.front_matter("---\ntitle: x\n").problems == [(0, 0, "front matter is not closed with '---'")]
    assert source.front_matter("---\n- a\n...\n").problems == [(1, 0, "front matter must be a mapping of keys to values")]
    assert source.front_matter("---\na: 1\na: 2\n---\n").problems[0][:2] == (2, 0)
    # the gate reads the same lines: a CRLF page's title is plain text, not a control character U+000D
    assert frontmatter.problems("---\r\ntitle: Pods\r\n---\r\n", "docs/en/x.md") == []
    bad = frontmatter.problems("---\r\ntitle: </title><script>\r\n---\r\n", "docs/en/x.md")
    assert [(p.line, p.col) for p in bad] == [(2, 1)] and "'<'" in bad[0].message
