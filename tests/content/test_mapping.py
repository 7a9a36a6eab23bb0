"""vSphere-to-Kubernetes map: one data file drives the table in both languages and the downloads."""
from __future__ import annotations

import csv
import io
import json
import posixpath
import re

import pytest

from support import ROOT, build_copy, kb, load_yaml

DATA = ROOT / "data" / "vsphere-to-kubernetes.yml"
ENTRIES = load_yaml(DATA.read_text(encoding="utf-8"))["entries"]
GLOSSARY = {t["id"]: t for t in load_yaml((ROOT / "data" / "glossary.yml").read_text(encoding="utf-8"))["terms"]}
PAGE = {"en": "kubernetes/vsphere-to-kubernetes/", "es": "es/kubernetes/vsphere-to-kubernetes/"}
FIT_LABELS = {
    "en": {"direct": "Direct", "partial": "Partial", "analogy": "Analogy", "none": "No equivalent"},
    "es": {"direct": "Directa", "partial": "Parcial", "analogy": "Analogía", "none": "Sin equivalente"},
}
HEADERS = {
    "en": ["vSphere", "Kubernetes", "Fit", "Where it matches, where it breaks"],
    "es": ["vSphere", "Kubernetes", "Equivalencia", "Dónde coincide y dónde no"],
}
LANGS = ("en", "es")


def flat(text: str) -> str:
    return " ".join(text.split())


def table(html, lang):
    tables = html(PAGE[lang]).select("article table.kb-map")
    assert len(tables) == 1, f"{lang}: expected one map table, found {len(tables)}"
    return tables[0]


# ------------------------------------------------------------------ the built site

def test_the_map_has_enough_entries_with_unique_ids():
    ids = [e["id"] for e in ENTRIES]
    assert len(ids) >= 20
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("lang", LANGS)
def test_both_languages_carry_the_full_table(html, lang):
    t = table(html, lang)
    assert [flat(th.get_text()) for th in t.select("thead th")] == HEADERS[lang]
    rows = t.select("tbody tr")
    assert len(rows) == len(ENTRIES)
    for row, entry in zip(rows, ENTRIES):
        assert row["id"] == f"map-{entry['id']}"
        vsphere = row.find("th", scope="row")
        assert flat(vsphere.get_text()) == flat(entry["vsphere"][lang])
        cells = row.find_all("td")
        assert len(cells) == 3
        assert flat(cells[0].get_text()).startswith(flat(entry["kubernetes"][lang]).replace("`", ""))
        assert flat(cells[2].get_text()) == flat(entry["explanation"][lang]).replace("`", "")
        # Phone layout labels every cell with its column name, in the page's language.
        assert [c["data-label"] for c in cells] == HEADERS[lang][1:]


@pytest.mark.parametrize("lang", LANGS)
def test_fit_badges_carry_their_level_as_text(html, lang):
    rows = table(html, lang).select("tbody tr")
    for row, entry in zip(rows, ENTRIES):
        badge = row.select_one("td span.kb-fit")
        assert badge is not None, entry["id"]
        assert f"kb-fit--{entry['fit']}" in badge["class"]
        assert badge.get_text(strip=True) == FIT_LABELS[lang][entry["fit"]], entry["id"]
    # The fit header leads to the explanation of the levels, present on the same page.
    link = table(html, lang).select_one("thead a")
    assert link["href"] == "#fit-levels"
    assert html(PAGE[lang]).find(id="fit-levels") is not None


@pytest.mark.parametrize("lang", LANGS)
def test_every_glossary_link_resolves_to_an_anchor_in_the_same_language(html, site, lang):
    rows = table(html, lang).select("tbody tr")
    root = (site / ("es" if lang == "es" else "")).resolve()
    for row, entry in zip(rows, ENTRIES):
        links = row.select("td a.kb-term")
        linked = []
        for a in links:
            target, _, anchor = posixpath.normpath(posixpath.join(PAGE[lang], a["href"])).partition("#")
            path = (site / target / "index.html").resolve()
            assert path.is_file(), (entry["id"], a["href"])
            if lang == "en":
                assert "es" not in path.relative_to(site.resolve()).parts[:1], a["href"]
            else:
                assert path.is_relative_to(root), a["href"]
            assert html(posixpath.relpath(path.parent.as_posix(), site.resolve().as_posix()) + "/").find(id=anchor), a["href"]
            assert a.get("title"), "a term link carries the short definition as its tooltip"
            linked.append(anchor)
        # Every glossary term listed for the entry is linked from its row, once.
        assert sorted(linked) == sorted(entry["glossary"]), entry["id"]


def _download_links(html, lang):
    soup = html(PAGE[lang])
    hrefs = {}
    for fmt in ("csv", "json"):
        found = [a["href"] for a in soup.select("article a[href]") if a["href"].endswith(f"vsphere-to-kubernetes.{lang}.{fmt}")]
        assert found, f"{lang} page does not link its {fmt} download"
        hrefs[fmt] = found[0]
    return hrefs


@pytest.mark.parametrize("lang", LANGS)
def test_downloads_exist_are_linked_and_match_the_data(html, site, lang):
    hrefs = _download_links(html, lang)
    files = {fmt: (site / PAGE[lang] / href).resolve() for fmt, href in hrefs.items()}
    prefix = "es/" if lang == "es" else ""
    assert files["csv"] == (site / f"{prefix}downloads/vsphere-to-kubernetes.{lang}.csv").resolve()
    for path in files.values():
        assert path.is_file(), path

    rows = list(csv.DictReader(io.StringIO(files["csv"].read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(ENTRIES)
    for row, entry in zip(rows, ENTRIES):
        assert row["id"] == entry["id"]
        assert row["vsphere"] == flat(entry["vsphere"][lang])
        assert row["kubernetes"] == flat(entry["kubernetes"][lang])
        assert row["fit"] == entry["fit"]
        assert row["fit_label"] == FIT_LABELS[lang][entry["fit"]]
        assert row["explanation"] == flat(entry["explanation"][lang])
        assert row["glossary"].split(" | ") == entry["glossary"]
        assert row["sources"] == " | ".join(s["url"] for s in entry.get("sources", []))

    doc = json.loads(files["json"].read_text(encoding="utf-8"))
    assert doc["language"] == lang
    assert doc["fit_levels"] == FIT_LABELS[lang]
    assert len(doc["entries"]) == len(ENTRIES)
    for record, entry in zip(doc["entries"], ENTRIES):
        assert record["id"] == entry["id"]
        assert record["vsphere"] == flat(entry["vsphere"][lang])
        assert record["kubernetes"] == flat(entry["kubernetes"][lang])
        assert record["fit"] == entry["fit"]
        assert record["explanation"] == flat(entry["explanation"][lang])
        assert [g["id"] for g in record["glossary"]] == entry["glossary"]
        assert [g["term"] for g in record["glossary"]] == [GLOSSARY[t]["term"][lang] for t in entry["glossary"]]
        assert record["sources"] == entry.get("sources", [])


def test_placeholder_shown_in_code_is_left_alone(html):
    # The page documents its own placeholder in inline code: that one must stay text.
    for lang in LANGS:
        codes = [c.get_text() for c in html(PAGE[lang]).select("article code")]
        assert "<!-- vsphere-kubernetes-table -->" in codes, lang


def test_mapping_hook_runs_before_the_glossary_hook():
    hooks = [ln.strip()[2:] for ln in (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nhooks:\n", 1)[1]
             .split("\n\n", 1)[0].splitlines() if ln.strip().startswith("- ")]
    assert hooks.index("scripts/hooks/mapping.py") < hooks.index("scripts/hooks/glossary.py")


# ------------------------------------------------------------------ broken data fails the build

def _line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first occurrence of needle at or after character `start`."""
    return text.count("\n", 0, text.index(needle, start)) + 1


def _plant(project, old: str, new: str, count: int = 1) -> tuple[str, str]:
    data = project / "data" / "vsphere-to-kubernetes.yml"
    text = data.read_text(encoding="utf-8")
    assert old in text
    planted = text.replace(old, new, count)
    data.write_text(planted, encoding="utf-8")
    return text, planted


def _assert_build_fails(project, *patterns):
    proc = build_copy(project)
    assert proc.returncode != 0, proc.stdout
    for pattern in patterns:
        assert re.search(pattern, proc.stdout), f"{pattern!r} not in:\n{proc.stdout}"
    assert not (project / "site").exists(), "a failed build must leave no site/"
    return proc


@pytest.mark.slow
def test_missing_spanish_text_fails_with_file_line_and_reason(project):
    old = "      es: >-\n        Igual que hostd y vpxa"
    text, planted = _plant(project, old, "      fr: >-\n        Igual que hostd y vpxa")
    line = _line_of(planted, "    explanation:", planted.index("id: host-agent"))
    entry_line = _line_of(planted, "- id: host-agent")
    _assert_build_fails(project, rf"data/vsphere-to-kubernetes\.yml:{line}:\d+: entry 'host-agent' \(line {entry_line}\): "
                                 r"entries\[1\]\.explanation: 'es' is a required property")


@pytest.mark.slow
def test_unknown_fit_fails_with_file_line_and_reason(project):
    text, planted = _plant(project, "    fit: direct\n", "    fit: perfect\n")
    line = _line_of(planted, "fit: perfect")
    _assert_build_fails(project, rf"data/vsphere-to-kubernetes\.yml:{line}:10: entry 'esxi-host' \(line \d+\): "
                                 r"entries\[0\]\.fit: 'perfect' is not one of \['direct', 'partial', 'analogy', 'none'\]")


@pytest.mark.slow
def test_duplicate_id_fails_with_file_line_and_reason(project):
    text, planted = _plant(project, "  - id: host-agent\n", "  - id: esxi-host\n")
    first, second = _line_of(planted, "- id: esxi-host"), _line_of(planted, "- id: esxi-host", planted.index("- id: esxi-host") + 1)
    _assert_build_fails(project, rf"data/vsphere-to-kubernetes\.yml:{second}:9: entry 'esxi-host' \(line {second}\): "
                                 rf"duplicate id 'esxi-host' \(first on line {first}\)")


@pytest.mark.slow
def test_unknown_glossary_term_fails_with_file_line_and_reason(project):
    text, planted = _plant(project, "    glossary: [kubelet]\n", "    glossary: [kubelett]\n")
    line = _line_of(planted, "glossary: [kubelett]")
    _assert_build_fails(project, rf"data/vsphere-to-kubernetes\.yml:{line}:16: entry 'host-agent' \(line \d+\): "
                                 r"unknown glossary term 'kubelett' \(did you mean 'kubelet'\?\)")


@pytest.mark.slow
def test_invalid_yaml_fails_with_file_line_and_reason(project):
    text, planted = _plant(project, "    fit: analogy\n", "    fit: [analogy\n")
    line = _line_of(planted, "fit: [analogy")
    proc = _assert_build_fails(project, r"data/vsphere-to-kubernetes\.yml:\d+:\d+: YAML syntax error")
    reported = int(re.search(r"data/vsphere-to-kubernetes\.yml:(\d+):", proc.stdout).group(1))
    assert line <= reported <= line + 2, proc.stdout


@pytest.mark.slow
def test_placeholder_without_data_file_names_the_data_file_and_each_page(project):
    (project / "data" / "vsphere-to-kubernetes.yml").unlink()
    patterns = []
    for lang in LANGS:
        page = (project / "docs" / lang / "kubernetes" / "vsphere-to-kubernetes.md").read_text(encoding="utf-8")
        line = next(n for n, ln in enumerate(page.splitlines(), 1) if ln.strip() == "<!-- vsphere-kubernetes-table -->")
        patterns.append(rf"docs/{lang}/kubernetes/vsphere-to-kubernetes\.md:{line}:1: <!-- vsphere-kubernetes-table --> "
                        r"needs the data file data/vsphere-to-kubernetes\.yml, which is missing")
    _assert_build_fails(project, *patterns)


@pytest.mark.slow
def test_all_problems_are_reported_at_once(project):
    data = project / "data" / "vsphere-to-kubernetes.yml"
    text = data.read_text(encoding="utf-8")
    text = text.replace("    fit: direct\n", "    fit: perfect\n", 1).replace("    glossary: [kubelet]\n", "    glossary: [kubelett]\n", 1)
    data.write_text(text, encoding="utf-8")
    proc = _assert_build_fails(project, r"'perfect' is not one of", r"unknown glossary term 'kubelett'")
    cli = kb(project, "check-mapping")
    assert cli.returncode == 1
    assert f"data/vsphere-to-kubernetes.yml:{_line_of(text, 'fit: perfect')}:10:" in cli.stdout
    assert f"data/vsphere-to-kubernetes.yml:{_line_of(text, 'glossary: [kubelett]')}:16:" in cli.stdout
    assert "Traceback" not in proc.stdout + cli.stdout


def test_check_mapping_passes_on_the_real_data_and_writes_the_downloads(tmp_path, site):
    proc = kb(ROOT, "check-mapping", "--downloads", str(tmp_path))
    assert proc.returncode == 0, proc.stdout
    for lang in LANGS:
        prefix = "es/" if lang == "es" else ""
        for fmt in ("csv", "json"):
            written = (tmp_path / lang / "downloads" / f"vsphere-to-kubernetes.{lang}.{fmt}").read_bytes()
            assert written == (site / f"{prefix}downloads/vsphere-to-kubernetes.{lang}.{fmt}").read_bytes()


def test_render_page_replaces_placeholders_outside_code_only_by_the_one_line_rule():
    """render_page reads code through line_mask (was code_mask): a placeholder in a fence stays text, as
    placeholders() and the renderer see it; lines split on '\\n' only, so a form feed or U+2028 in the
    page stays where it was (str.splitlines() turned them into line breaks)."""
    from kb.content import glossary, mapping

    terms = glossary.load()
    entries = mapping.load(glossary=terms)
    page = ("# Map\n\nSee\x0cthis\u2028line.\n\n" + mapping.PLACEHOLDER
            + "\n\n```text\n" + mapping.PLACEHOLDER + "\n```\n")
    out = mapping.render_page(page, "en", entries, terms)
    assert out.count(mapping.PLACEHOLDER) == 1  # the fenced one
    assert out.count("<table") == 1 and "See\x0cthis\u2028line." in out and out.endswith("```\n")
