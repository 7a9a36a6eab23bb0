"""Glossary: one data file drives the glossary page, tooltips and term links, per language."""
from __future__ import annotations

import re

import pytest

from support import ROOT, build_copy, kb, load_yaml

GLOSSARY = load_yaml((ROOT / "data" / "glossary.yml").read_text(encoding="utf-8"))["terms"]


def test_glossary_page_has_every_term_with_the_same_anchor_in_both_languages(html):
    for lang, prefix in (("en", ""), ("es", "es/")):
        soup = html(f"{prefix}reference/glossary/")
        for term in GLOSSARY:
            heading = soup.find(id=term["id"])
            assert heading is not None, f"{lang}: no anchor #{term['id']}"
            assert term["term"][lang] in heading.get_text(), (lang, term["id"])


def test_tooltips_are_in_the_page_language(html):
    pod = next(t for t in GLOSSARY if t["id"] == "pod")
    for prefix, lang in (("", "en"), ("es/", "es")):
        soup = html(f"{prefix}kubernetes/architecture/")
        titles = {a["title"] for a in soup.select("article abbr[title]")}
        assert " ".join(pod["short"][lang].split()) in titles, lang
        other = "es" if lang == "en" else "en"
        assert " ".join(pod["short"][other].split()) not in titles


def test_term_links_resolve_to_glossary_anchors_in_the_same_language(html, site):
    for prefix in ("", "es/"):
        soup = html(f"{prefix}kubernetes/architecture/")
        links = soup.select("article a.kb-term")
        assert links, prefix
        for a in links:
            href = a["href"]
            page, _, anchor = href.partition("#")
            target = (site / prefix / "kubernetes" / "architecture" / page / "index.html").resolve()
            assert target.is_file(), href
            assert str(target).startswith(str((site / prefix).resolve()))
            glossary_html = target.read_text(encoding="utf-8")
            assert f'id="{anchor}"' in glossary_html, href
            assert a.get("title"), "term link carries the definition as tooltip"


@pytest.mark.slow
def test_unknown_term_fails_the_build_with_file_and_line(project):
    page = project / "docs" / "es" / "kubernetes" / "architecture.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "Un [[pod]] y un [[kubelett]] en la misma línea.")
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = build_copy(project)
    assert proc.returncode != 0
    assert re.search(r"docs/es/kubernetes/architecture\.md:3:17: unknown glossary term 'kubelett'", proc.stdout), proc.stdout
    assert not (project / "site").exists(), "a failed build must leave no site/"
    cli = kb(project, "check-glossary")
    assert cli.returncode == 1
    assert "docs/es/kubernetes/architecture.md:3:17: unknown glossary term 'kubelett'" in cli.stdout


def test_term_inside_code_is_not_a_reference(project):
    page = project / "docs" / "en" / "kubernetes" / "architecture.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n`[[nope]]`\n\n```text\n[[nope]]\n```\n", encoding="utf-8")
    assert kb(project, "check-glossary").returncode == 0


def test_broken_glossary_data_names_the_entry_line(project):
    data = project / "data" / "glossary.yml"
    text = data.read_text(encoding="utf-8")
    text = text.replace("  - id: node\n", "  - id: pod\n", 1)
    data.write_text(text, encoding="utf-8")
    proc = kb(project, "check-glossary")
    assert proc.returncode == 1
    line = text.splitlines().index("  - id: pod", text.splitlines().index("  - id: pod") + 1) + 1
    assert f"data/glossary.yml:{line}:" in proc.stdout and "duplicate term id 'pod'" in proc.stdout
