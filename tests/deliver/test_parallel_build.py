"""The parallel build (kb build, KB_PARALLEL=1: kb.engine.parallel) writes the same site as static-i18n's
sequential one, file for file and byte for byte, on a generated bilingual project."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb.bench import site as bench
from kb.deliver import build as kbbuild

pytestmark = pytest.mark.slow


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_parallel_build_equals_sequential_build(tmp_path):
    project = bench.generate(tmp_path / "project", 12)
    # One untranslated page: the Spanish pass renders it from the English source (a fallback page).
    (project / "docs" / "es" / bench.layout(12)[0][3].lang_path).unlink()
    logs = {}
    for parallel in (False, True):
        logs[parallel] = kbbuild.build(tmp_path / f"site-{parallel}", config=project / "mkdocs.yml",
                                       echo=False, parallel=parallel)
    seq, par = tree(tmp_path / "site-False"), tree(tmp_path / "site-True")
    assert sorted(seq) == sorted(par)
    assert [name for name in seq if seq[name] != par[name]] == []
    for name in ("sitemap.xml", "404.html", "es/404.html", "search/search_index.json", "es/search/search_index.json"):
        assert name in par
    assert b'hreflang="es"' in par["sitemap.xml"] and b'lang="en"' in par["404.html"]
    assert b'lang="es"' in par["es/404.html"]


def test_a_problem_in_the_other_languages_process_fails_the_parallel_build(tmp_path):
    project = bench.generate(tmp_path / "project", 3)
    page = project / "docs" / "es" / bench.layout(3)[0][1].lang_path
    page.write_text(page.read_text(encoding="utf-8") + "\n[roto](no-existe.md)\n", encoding="utf-8")
    with pytest.raises(kbbuild.BuildFailed) as failed:
        kbbuild.build(tmp_path / "site", config=project / "mkdocs.yml", echo=False, parallel=True)
    assert "no-existe.md" in str(failed.value)
    assert not (tmp_path / "site").exists()


def test_parallel_offline_build_equals_sequential_build(tmp_path):
    """The offline build (Material's offline plugin, the iframe-worker shim, search_index.js) too."""
    project = bench.generate(tmp_path / "project", 4)
    for parallel in (False, True):
        kbbuild.build(tmp_path / f"site-{parallel}", config=project / "mkdocs.yml", echo=False,
                      parallel=parallel, offline=True)
    seq, par = tree(tmp_path / "site-False"), tree(tmp_path / "site-True")
    assert sorted(seq) == sorted(par)
    assert [name for name in seq if seq[name] != par[name]] == []
    assert "search/search_index.js" in par and "es/search/search_index.js" in par
