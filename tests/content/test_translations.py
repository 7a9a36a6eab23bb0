"""Translation status: twins, outdated translations, structural drift, the status page and notices."""
from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from kb.content import translations
from kb.views import mdscan
from support import ROOT, build_copy, kb, parse

EN_PAGES = sorted(p.relative_to(ROOT / "docs" / "en").as_posix() for p in (ROOT / "docs" / "en").rglob("*.md"))
PAGE = "kubernetes/architecture.md"  # a page with headings, code blocks and a YAML manifest


def read(path):
    return path.read_text(encoding="utf-8")


def write(path, text):
    path.write_text(text, encoding="utf-8")


def line_no(text: str, needle: str) -> int:
    """1-based number of the first line containing `needle`."""
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not found")


def lines(proc) -> list[str]:
    return proc.stdout.splitlines()


def url_of(rel: str) -> str:
    """Site URL of a page (directory URLs), relative to its language root."""
    stem = rel[:-3]
    if stem == "index":
        return ""
    return (stem[: -len("index")] if stem.endswith("/index") else stem + "/")


def test_clean_docs_have_no_translation_errors():
    proc = kb(ROOT, "check-translations")
    assert proc.returncode == 0, proc.stdout
    assert not [ln for ln in lines(proc) if ": outdated" not in ln and not ln.startswith("check-translations:")], proc.stdout


def test_every_spanish_page_records_the_english_version_it_translates():
    for rel in EN_PAGES:
        fm = translations.front_matter(read(ROOT / "docs" / "es" / rel))
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", str(fm.data.get("source_hash"))), rel


def test_missing_twin_is_an_error_naming_both_paths(project):
    (project / "docs" / "es" / "reference" / "resources.md").unlink()
    proc = kb(project, "check-translations")
    assert proc.returncode == 1
    assert ("docs/en/reference/resources.md:1:1: no Spanish twin: create docs/es/reference/resources.md "
            "(or list 'reference/resources.md' in data/translation-exemptions.yml)") in lines(proc), proc.stdout


def test_spanish_page_without_english_original_is_an_error(project):
    write(project / "docs" / "es" / "reference" / "solo.md", "# Solo en español { #solo }\n\nTexto.\n")
    proc = kb(project, "check-translations")
    assert proc.returncode == 1
    assert any(ln.startswith("docs/es/reference/solo.md:1:1: no English original: docs/en/reference/solo.md")
               for ln in lines(proc)), proc.stdout


def test_exempted_page_needs_no_twin(project):
    (project / "docs" / "es" / "reference" / "resources.md").unlink()
    write(project / "data" / "translation-exemptions.yml",
          "exemptions:\n  - path: reference/resources.md\n    reason: Links to English material only.\n")
    proc = kb(project, "check-translations")
    assert proc.returncode == 0, proc.stdout
    assert "resources.md" not in proc.stdout


def test_exemption_file_is_validated_with_line_numbers(project):
    write(project / "data" / "translation-exemptions.yml", "exemptions:\n  - path: reference/resources.md\n")
    proc = kb(project, "check-translations")
    assert proc.returncode == 1
    assert any(ln.startswith("data/translation-exemptions.yml:2:") and "reason" in ln for ln in lines(proc)), proc.stdout


def test_changed_english_page_makes_the_translation_outdated_a_warning_unless_strict(project):
    en, es = project / "docs" / "en" / PAGE, project / "docs" / "es" / PAGE
    write(en, read(en) + "\nA paragraph added to the English page after the translation.\n")
    proc = kb(project, "check-translations")
    assert proc.returncode == 0, proc.stdout
    hash_line = line_no(read(es), "source_hash:")
    expected = f"docs/es/{PAGE}:{hash_line}:1: outdated: docs/en/{PAGE} changed after this translation was marked"
    assert any(ln.startswith(expected) for ln in lines(proc)), proc.stdout
    strict = kb(project, "check-translations", "--strict")
    assert strict.returncode == 1
    assert any(ln.startswith(expected) for ln in lines(strict))


def test_whitespace_only_edits_do_not_outdate_a_translation(project):
    en = project / "docs" / "en" / PAGE
    write(en, "\n".join(ln + "  " for ln in read(en).splitlines()) + "\n\n\n")
    proc = kb(project, "check-translations", "--strict")
    assert f"docs/es/{PAGE}" not in proc.stdout, proc.stdout


def test_mark_translated_records_the_current_english_version(project):
    en, es = project / "docs" / "en" / PAGE, project / "docs" / "es" / PAGE
    write(en, read(en) + "\nA paragraph added to the English page after the translation.\n")
    body_before = read(es).split("---\n", 2)[2]
    proc = kb(project, "mark-translated", f"docs/es/{PAGE}")
    assert proc.returncode == 0, proc.stdout
    assert f"docs/es/{PAGE}: marked as a translation of docs/en/{PAGE}" in proc.stdout
    assert translations.front_matter(read(es)).data["source_hash"] == translations.source_hash(read(en))
    assert read(es).split("---\n", 2)[2] == body_before, "only the front matter changes"
    assert f"docs/es/{PAGE}" not in kb(project, "check-translations", "--strict").stdout


def test_mark_translated_adds_front_matter_to_a_page_without_it(project):
    es = project / "docs" / "es" / PAGE
    body = read(es).split("---\n", 2)[2]
    write(es, body)
    assert kb(project, "mark-translated", f"docs/en/{PAGE}").returncode == 0  # the English path works too
    text = read(es)
    assert text.startswith("---\nsource_hash: sha256:") and text.endswith(body)


def test_mark_translated_refuses_while_the_structure_differs(project):
    es = project / "docs" / "es" / PAGE
    text = read(es).replace("{ #etcd }", "{ #etcd-es }")
    write(es, text)
    proc = kb(project, "mark-translated", f"docs/es/{PAGE}")
    assert proc.returncode == 1
    assert f"docs/es/{PAGE}:{line_no(text, '{ #etcd-es }')}:1: heading id #etcd-es here, #etcd in docs/en/{PAGE}:" in proc.stdout
    assert read(es) == text, "nothing written"
    assert kb(project, "mark-translated", "--force", f"docs/es/{PAGE}").returncode == 0


def test_drift_in_heading_ids_is_an_error_at_the_heading(project):
    en, es = project / "docs" / "en" / PAGE, project / "docs" / "es" / PAGE
    text = read(es).replace("{ #etcd }", "{ #etcd-es }")
    write(es, text)
    proc = kb(project, "check-translations")
    assert proc.returncode == 1
    expected = (f"docs/es/{PAGE}:{line_no(text, '{ #etcd-es }')}:1: heading id #etcd-es here, #etcd in "
                f"docs/en/{PAGE}:{line_no(read(en), '{ #etcd }')}")
    assert expected in lines(proc), proc.stdout


def test_heading_without_an_explicit_id_is_reported(project):
    es = project / "docs" / "es" / PAGE
    text = read(es)
    n = line_no(text, "{ #etcd }")
    write(es, text.replace(" { #etcd }", "", 1))
    proc = kb(project, "check-translations")
    assert proc.returncode == 1
    assert any(ln.startswith(f"docs/es/{PAGE}:{n}:1: heading ") and ln.endswith(
        "has no explicit id: add { #some-id } (the same id in every language)") for ln in lines(proc)), proc.stdout


def _first_fence(text: str, lang: str) -> mdscan.Fence:
    return next(f for f in mdscan.fences(text) if f.lang == lang)


def test_drift_in_code_block_language_is_an_error_at_the_fence(project):
    en, es = project / "docs" / "en" / PAGE, project / "docs" / "es" / PAGE
    text = read(es)
    fence = mdscan.fences(text)[0]
    lines_ = text.split("\n")
    lines_[fence.start] = lines_[fence.start].replace(fence.fence + fence.lang, fence.fence + "console", 1)
    write(es, "\n".join(lines_))
    proc = kb(project, "check-translations")
    assert proc.returncode == 1
    en_fence = mdscan.fences(read(en))[0]
    expected = (f"docs/es/{PAGE}:{fence.start + 1}:{len(fence.indent) + 1}: code block `console` here, "
                f"`{en_fence.lang}` in docs/en/{PAGE}:{en_fence.start + 1}")
    assert expected in lines(proc), proc.stdout


def test_a_missing_code_block_is_reported(project):
    es = project / "docs" / "es" / PAGE
    text = read(es)
    fence = _first_fence(text, "yaml")
    lines_ = text.split("\n")
    del lines_[fence.start:fence.end + 1]
    write(es, "\n".join(lines_))
    proc = kb(project, "check-translations")
    assert proc.returncode == 1
    assert re.search(rf"docs/es/{re.escape(PAGE)}:\d+:1: code block `yaml` of docs/en/{re.escape(PAGE)}:\d+ "
                     r"has no counterpart here", proc.stdout), proc.stdout


def test_yaml_snippets_must_carry_the_same_kubernetes_data(project):
    en, es = project / "docs" / "en" / PAGE, project / "docs" / "es" / PAGE
    text = read(es)
    fence = _first_fence(text, "yaml")
    lines_ = text.split("\n")
    k = next(i for i in range(fence.start + 1, fence.end) if re.match(r"^\s*kind:\s*\w+", lines_[i]))
    kind = lines_[k].split(":", 1)[1].strip()
    lines_[k] = lines_[k].replace(kind, kind + "Set")
    write(es, "\n".join(lines_))
    proc = kb(project, "check-translations")
    assert proc.returncode == 1
    en_fence = _first_fence(read(en), "yaml")
    col = len(lines_[k]) - len(lines_[k].lstrip()) + 1
    expected = (f"docs/es/{PAGE}:{k + 1}:{col}: YAML differs from the snippet at docs/en/{PAGE}:{en_fence.start + 1}: "
                f"kind is '{kind}Set' here, '{kind}' in the English snippet")
    assert expected in lines(proc), proc.stdout


def test_comments_inside_yaml_snippets_may_be_translated(project):
    es = project / "docs" / "es" / PAGE
    text = read(es)
    fence = _first_fence(text, "yaml")
    lines_ = text.split("\n")
    indent = fence.indent
    lines_.insert(fence.start + 1, f"{indent}# Un comentario escrito en español, que no cambia el manifiesto")
    write(es, "\n".join(lines_))
    proc = kb(project, "check-translations")
    assert proc.returncode == 0, proc.stdout
    assert f"docs/es/{PAGE}" not in proc.stdout


def test_status_page_lists_every_page_with_its_state_in_both_languages(html):
    statuses, _ = translations.scan()
    labels = translations.LABELS
    for prefix, lang in (("", "en"), ("es/", "es")):
        soup = html(f"{prefix}contribute/translation-status/")
        rows = soup.select("article table tbody tr")
        assert len(rows) == len(statuses), lang
        states = {}
        for row in rows:
            cells = row.find_all("td")
            link = cells[0].find("a")
            assert link is not None, row
            target = urljoin("https://kb.test/contribute/translation-status/", link["href"])
            states[target.removeprefix("https://kb.test/")] = cells[1].get_text(strip=True)
        for (_, rel), status in statuses.items():
            assert states.get(url_of(rel)) == labels[lang][status.state], (lang, rel, states)


def test_up_to_date_spanish_pages_show_no_notice(html):
    statuses, _ = translations.scan()
    for (_, rel), status in statuses.items():
        notices = html("es/" + url_of(rel)).select("[data-translation-status]")
        if status.state == translations.CURRENT:
            assert not notices, rel
        else:
            assert notices and notices[0]["data-translation-status"] == "outdated", rel


@pytest.mark.slow
def test_outdated_translation_shows_a_spanish_notice_linking_to_the_english_page(project):
    en = project / "docs" / "en" / PAGE
    write(en, read(en) + "\nA paragraph added to the English page after the translation.\n")
    (project / "docs" / "es" / "reference" / "resources.md").unlink()  # a missing twin, for the status page
    proc = build_copy(project)
    assert proc.returncode == 0, proc.stdout
    site = project / "site"
    page = site / "es" / "kubernetes" / "architecture" / "index.html"
    soup = parse(page)
    notice = soup.select_one('[data-translation-status="outdated"]')
    assert notice is not None
    assert notice.get("lang") == "es"
    assert "cambió después de esta traducción" in notice.get_text()
    link = notice.find("a", hreflang="en")
    target = (page.parent / link["href"]).resolve()
    assert target in {(site / "kubernetes" / "architecture").resolve(),
                      (site / "kubernetes" / "architecture" / "index.html").resolve()}
    assert not parse(site / "kubernetes" / "architecture" / "index.html").select("[data-translation-status]")
    assert not parse(site / "es" / "kubernetes" / "why-kubernetes" / "index.html").select("[data-translation-status]")
    for status_page, outdated, missing in (
            (site / "contribute" / "translation-status" / "index.html", "Outdated", "Missing"),
            (site / "es" / "contribute" / "translation-status" / "index.html", "Desactualizada", "Falta")):
        rows = {r.find("a")["href"]: r.find_all("td")[1].get_text(strip=True)
                for r in parse(status_page).select("article table tbody tr")}
        assert rows["../../kubernetes/architecture/"] == outdated
        assert rows["../../reference/resources/"] == missing


def test_leading_key_value_lines_that_mkdocs_would_eat_are_reported(project):
    en = project / "docs" / "en" / PAGE
    write(en, "Note: MkDocs reads this line as meta-data and drops it\n" + read(en))
    proc = kb(project, "check-translations")
    assert proc.returncode == 1
    assert (f"docs/en/{PAGE}:1:1: the first lines look like 'key: value' meta-data, which MkDocs removes from "
            "the page: start the page with its '# Title { #id }' heading") in lines(proc), proc.stdout
