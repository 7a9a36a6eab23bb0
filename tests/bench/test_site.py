"""Build benchmark: the generated knowledge base looks like the real one, and a tiny run reports every figure.

No timing assertions here: speed targets are checked by `make bench`, not by tests.
"""
from __future__ import annotations

import functools
import json
import posixpath
import re
from collections import Counter

import kubernetes_validate
import pytest

from kb.bench import site as bench
from kb.core import settings as kbconfig
from kb.views import mdscan
from support import ROOT, kb, load_yaml

GLOSSARY_IDS = {t["id"] for t in load_yaml((ROOT / "data" / "glossary.yml").read_text(encoding="utf-8"))["terms"]}
HEADING = re.compile(r"^(#{1,6}) (?P<text>.*?)(?: \{ #(?P<id>[\w-]+) \})?$")


def config_of(project):
    kbconfig.mkdocs_config.cache_clear()
    try:
        return kbconfig.mkdocs_config(project / "mkdocs.yml")
    finally:
        kbconfig.mkdocs_config.cache_clear()


def nav_paths(nav) -> list[str]:
    out = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        out += nav_paths(value) if isinstance(value, list) else [value]
    return out


def body(text: str) -> str:
    """Page text without the translation front matter."""
    return text.split("---\n", 2)[2] if text.startswith("---\n") else text


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return bench.generate(tmp_path_factory.mktemp("bench") / "project", 30)


def pages_of(project, lang):
    return sorted((project / "docs" / lang / bench.BENCH_DIR).rglob("*.md"))


def test_layout_groups_pages_in_topics_with_an_index_first_spread_over_the_areas():
    topics = bench.layout(75)
    assert [len(t) for t in topics] == [10] * 7 + [5]
    assert all(t[0].index and t[0].lang_path.endswith("/index.md") for t in topics)
    assert [p.number for t in topics for p in t] == list(range(1, 76))
    assert len({p.lang_path for t in topics for p in t}) == 75
    assert [t[0].area for t in topics] == [0, 1, 2, 3, 4, 5, 0, 1]
    assert len({posixpath.dirname(t[0].lang_path) for t in topics}) == 8


def test_every_page_exists_in_both_languages_with_the_same_heading_ids(generated):
    en, es = pages_of(generated, "en"), pages_of(generated, "es")
    assert len(en) == 30
    assert [p.relative_to(generated / "docs" / "en") for p in en] == [p.relative_to(generated / "docs" / "es") for p in es]
    for en_page, es_page in zip(en, es):
        ids = {}
        for lang, page in (("en", en_page), ("es", es_page)):
            text = body(page.read_text(encoding="utf-8"))
            mask = mdscan.line_mask(text)
            heads = [HEADING.match(ln) for n, ln in enumerate(text.split("\n")) if ln.startswith("#") and not mask[n]]
            assert heads and all(h and h.group("id") for h in heads), page
            ids[lang] = [h.group("id") for h in heads]
            assert len(set(ids[lang])) == len(ids[lang]), page
            assert ids[lang][0].startswith("bench-")
        assert ids["en"] == ids["es"], en_page.name


def test_spanish_pages_are_in_spanish_and_marked_as_current_translations(generated):
    from kb.content import translations

    rel = bench.layout(30)[0][1].lang_path
    es = (generated / "docs" / "es" / rel).read_text(encoding="utf-8")
    en = (generated / "docs" / "en" / rel).read_text(encoding="utf-8")
    assert " de " in es and " the " not in body(es) and " the " in en
    assert f"{translations.SOURCE_KEY}: {translations.source_hash(en)}" in es


def test_pages_carry_the_features_real_articles_use(generated):
    text = (generated / "docs" / "en" / bench.layout(30)[0][4].lang_path).read_text(encoding="utf-8")
    assert re.search(r"^!!! warning \"", text, re.M) and re.search(r"^\?\?\? note \"", text, re.M)
    assert re.search(r"^=== \"kubectl\"", text, re.M)
    assert re.search(r"^\|---\|", text, re.M)
    fences = mdscan.fences(text)
    assert sum(f.lang == "yaml" for f in fences) >= 5
    assert any(f.indent for f in fences), "a code block inside content tabs"


def test_glossary_references_use_known_ids_only(generated):
    refs = Counter()
    for page in pages_of(generated, "en") + pages_of(generated, "es"):
        refs.update(m.group("id") for m in bench.REF.finditer(page.read_text(encoding="utf-8")))
    assert refs, "pages reference glossary terms"
    assert set(refs) <= GLOSSARY_IDS
    assert len(refs) >= min(10, len(GLOSSARY_IDS))


def test_manifests_are_valid_kubernetes_objects_some_unique_some_shared(generated, monkeypatch):
    # kubernetes_validate reads and parses its schema files again on every call (_definitions.json
    # alone is 10 ms): read once here; the validation is still the library's own.
    monkeypatch.setattr(kubernetes_validate.utils, "schema_contents", functools.cache(kubernetes_validate.utils.schema_contents))
    version = kbconfig.kb_setting("kubernetes_version")
    seen = Counter()
    for page in pages_of(generated, "en"):
        docs = [load_yaml(f.text) for f in mdscan.fences(page.read_text(encoding="utf-8")) if f.lang == "yaml"]
        manifests = [d for d in docs if isinstance(d, dict) and "apiVersion" in d]
        assert {m["kind"] for m in manifests} == {"Deployment", "Service", "ConfigMap"}, page
        assert len(docs) > len(manifests), "a YAML fragment besides the manifests"
        for m in manifests:
            key = json.dumps(m, sort_keys=True)
            if key not in seen:  # a repeated manifest is the same object: validated once
                kubernetes_validate.validate(m, version, strict=True)
            seen[key] += 1
    counts = sorted(seen.values())
    assert counts[0] == 1 and counts[-1] > 1, "most manifests unique to a page, some repeated"
    assert sum(c == 1 for c in counts) >= 3 * 30


def test_cross_links_point_at_generated_pages_and_their_headings(generated):
    docs = generated / "docs" / "en"
    links = 0
    for page in pages_of(generated, "en"):
        rel = page.relative_to(docs).as_posix()
        for target, anchor in re.findall(r"\]\(([\w./-]+\.md)#([\w-]+)\)", page.read_text(encoding="utf-8")):
            dest = docs / posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            assert dest.is_file(), (rel, target)
            assert f"{{ #{anchor} }}" in dest.read_text(encoding="utf-8"), (rel, target, anchor)
            links += 1
    assert links >= 3 * 30


def test_navigation_lists_every_generated_page_in_sections_with_spanish_titles(generated):
    cfg = config_of(generated)
    paths = nav_paths(cfg["nav"])
    for page in pages_of(generated, "en"):
        assert page.relative_to(generated / "docs" / "en").as_posix() in paths
    tab = next(item[bench.TAB[0]] for item in cfg["nav"] if isinstance(item, dict) and bench.TAB[0] in item)
    assert [next(iter(area)) for area in tab] == [bench.area_title(a, 0) for a in range(3)]  # 30 pages: 3 topics
    first_topic = tab[0][bench.area_title(0, 0)][0]
    assert list(first_topic) == [bench.topic_title(0, 0)] and len(first_topic[bench.topic_title(0, 0)]) == 10
    i18n = next(p["i18n"] for p in cfg["plugins"] if isinstance(p, dict) and "i18n" in p)
    es = next(lang for lang in i18n["languages"] if lang["locale"] == "es")
    assert es["nav_translations"][bench.TAB[0]] == bench.TAB[1]
    assert es["nav_translations"][bench.area_title(1, 0)] == bench.area_title(1, 1)
    assert es["nav_translations"][bench.topic_title(2, 0)] == bench.topic_title(2, 1)
    real = config_of(ROOT)
    assert cfg["hooks"] == real["hooks"] and "navigation.prune" in cfg["theme"]["features"]


@pytest.mark.slow
def test_variants_without_hooks_and_stock(tmp_path):
    plain = bench.generate(tmp_path / "nohooks", 5, "nohooks")
    stock = bench.generate(tmp_path / "stock", 5, "stock")
    for project in (plain, stock):
        for page in pages_of(project, "en") + pages_of(project, "es"):
            assert "[[" not in page.read_text(encoding="utf-8"), page
    assert [h for h in config_of(plain).get("hooks") or [] if h not in bench.PERFORMANCE_HOOKS] == []
    cfg = config_of(stock)
    assert not cfg.get("hooks")
    assert "navigation.prune" not in cfg["theme"]["features"] and "custom_dir" not in cfg["theme"]
    i18n = next(p["i18n"] for p in cfg["plugins"] if isinstance(p, dict) and "i18n" in p)
    assert "reconfigure_search" not in i18n  # static-i18n's default
    assert "navigation.prune" in config_of(ROOT)["theme"]["features"]


def test_configure_reports_a_config_it_cannot_extend():
    with pytest.raises(bench.ConfigError):
        bench.configure("site_name: x\n", bench.layout(3), "project")


@pytest.mark.slow
def test_tiny_run_prints_the_table_and_writes_every_figure(tmp_path):
    out = tmp_path / "results.json"
    # Two rounds asked, a 1-second budget: the first round always runs, the second does not fit.
    proc = kb(ROOT, "bench", "--pages", "5", "--repeat", "2", "--stock-repeat", "2", "--budget", "1",
              "--no-offline", "--hooks-at-2n", "--search-repeat", "0", "--json", str(out))
    assert proc.returncode == 0, proc.stdout
    for row in ("build, median (s)", "ms per page", "hooks' share of build", "peak memory (MiB)",
                "page HTML median (KiB)", "page HTML median, gzip (KiB)", "page HTML largest (KiB)",
                "search index (KiB)", "offline archive (KiB)", "t(2N)/t(N)", "build / stock build",
                "sequential build, 2N (s)", "parallel / sequential", "first search result: skipped",
                "edit-to-preview, page edit (s)", "edit-to-preview (2N): n/a"):
        assert row in proc.stdout, row
    res = json.loads(out.read_text(encoding="utf-8"))
    assert res["pages_per_language"] == {"n": 5, "2n": 10}
    n, n2 = res["sizes"]["n"], res["sizes"]["2n"]
    for size, pages in ((n, 5), (n2, 10)):
        assert size["html_pages"] >= 2 * pages + 2
        assert size["build_s"] > 0 and size["ms_per_page"] > 0 and size["build_without_hooks_s"] > 0
        assert -1 < size["hooks_share"] < 1
        assert 0 < size["html_median_kib"] <= size["html_max_kib"]
        assert 0 < size["html_median_gzip_kib"] < size["html_median_kib"]
        assert size["search_index_kib"] > 0 and size["peak_rss_mib"] > 10
        assert size["offline_archive_kib"] is None and size["offline_archive_note"]
    assert n2["html_pages"] - n["html_pages"] == 10
    assert res["stock_2n_s"] > 0 and res["sequential_2n_s"] > 0 and res["ratios"]["parallel_vs_sequential"] > 0
    gate = res["gate"]  # measured by the hooks inside the 2N builds, both build processes added up
    assert gate["gate_s"] > 0 and gate["csp_s"] > 0 and gate["processes"] == 2, gate
    assert gate["gate_calls"] >= n2["html_pages"] and gate["build_cpu_s"] > gate["total_s"], gate
    assert res["ratios"]["gate_share"] == gate["share"]
    assert abs(gate["share"] - gate["total_s"] / gate["build_cpu_s"]) < 1e-4, gate
    assert "safety gate + CSP, 2N (s)" in proc.stdout
    assert set(res["targets"]) == set(bench.TARGETS)
    assert res["targets"].pop("first_search") == {"what": bench.TARGETS["first_search"][0], "value": None,
                                                  "limit": 0.5, "ok": False}  # not measured: never "met"
    assert res["targets"].pop("preview_2n")["value"] is None  # the budget left 2N out
    assert res["preview"]["n"]["page_edit_kind"] == "pages" and res["preview"]["n"]["page_edit_s"] > 0
    for name, t in res["targets"].items():
        assert t["ok"] == (t["value"] <= t["limit"]), name
        assert t["value"] > 0 or name == "hooks_share", name  # a share can come out negative on noise
    assert all(len(v["runs_s"]) == 1 for v in res["variants"].values())
    assert res["method"]["repeat"] == 1 and res["method"]["repeat_asked"] == 2 and res["method"]["cut_by_budget"]
    assert "fewer than asked: time budget" in proc.stdout
    assert res["machine"]["cpus"] >= 1 and res["method"]["statistic"] == "median"


def test_the_gate_share_is_the_upper_middle_build_and_unmeasured_is_never_met():
    def run(gate, cpu):
        return ({"seconds": {"gate": gate, "csp": 0.1}, "calls": {"gate": 10}, "processes": 2}, cpu)

    two = bench.gate_in_builds([run(1.0, 100.0), run(3.0, 100.0)])
    assert two["share"] == 0.031 and two["runs"] == [0.011, 0.031]
    assert bench.gate_in_builds([run(1.0, 100.0), run(2.0, 100.0), run(3.0, 100.0)])["share"] == 0.021
    assert bench.gate_in_builds([({}, 90.0)])["share"] is None  # the hooks wrote nothing: no figure, not 0 %
    assert bench.gate_in_builds([run(1.0, 100.0), ({}, 90.0)])["share"] is None


@pytest.mark.slow
def test_usage_errors_exit_2():
    assert kb(ROOT, "bench", "--pages", "0").returncode == 2
    assert kb(ROOT, "bench", "--bogus").returncode == 2
