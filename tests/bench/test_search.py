"""kb.bench.search: the first-search latency measurement, on a small generated site in Debian's Chromium."""
from __future__ import annotations

import pytest

from kb.bench import search as bsearch
from kb.bench import site as bench
from kb.deliver import build as kbbuild

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_first_search_is_measured_per_language_with_the_top_results(tmp_path):
    project = bench.generate(tmp_path / "project", 6)
    kbbuild.build(tmp_path / "site", config=project / "mkdocs.yml", echo=False)
    res = bsearch.measure(tmp_path / "site", repeat=1)
    assert set(res) == {"en", "es"}
    for lang, v in res.items():
        assert 0 < v["first_result_s"] < 60 and len(v["runs_s"]) == 1
        assert v["download_ms"] >= 0 and v["parse_ms"] >= 0 and v["index_kib"] > 10
        # Material's worker driven alone: it built its index and answered the query with sections.
        assert v["worker_index_ms"] > 0 and v["worker_query_ms"] > 0 and v["worker_sections"] > 0
        assert set(v["top10"]) == set(bsearch.QUERIES[lang])
        first = v["top10"][bsearch.QUERIES[lang][0]]
        assert 0 < len(first) <= 10
        # Site-relative page addresses, without the highlight query; Spanish results under es/.
        assert all("?" not in h and not h.startswith("http") for h in first), first
        assert any(h.startswith("es/" if lang == "es" else "bench/") for h in first), first
