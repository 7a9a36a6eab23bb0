"""kb.core.cache: the checks' findings caches (check-rendered, lint-markdown) load and save alike."""
from __future__ import annotations

import json

from kb.core import cache


def test_a_saved_cache_loads_back_through_the_entry_function(tmp_path):
    path = tmp_path / ".cache" / "x.json"
    cache.save(path, {"a": [[1, 2]], "b": []})
    assert cache.load(path, lambda v: [tuple(x) for x in v]) == {"a": [(1, 2)], "b": []}
    assert [p.name for p in path.parent.iterdir()] == ["x.json"]  # no temporary file left


def test_only_the_newest_entries_are_kept(tmp_path):
    path = tmp_path / "x.json"
    cache.save(path, {str(i): [] for i in range(10)}, keep=3)
    assert list(json.loads(path.read_text(encoding="utf-8"))) == ["7", "8", "9"]


def test_a_missing_or_damaged_cache_is_empty_and_an_unwritable_one_is_no_error(tmp_path):
    assert cache.load(None, list) == {} and cache.load(tmp_path / "none.json", list) == {}
    for damaged in ("{not json", "[1, 2]", '{"a": 3}'):
        (tmp_path / "bad.json").write_text(damaged, encoding="utf-8")
        assert cache.load(tmp_path / "bad.json", list) == {}
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    cache.save(blocker / "x.json", {"a": []})  # its folder cannot be made: no cache, no exception
    cache.save(None, {"a": []})
