"""kb lint-markdown: bounded work on long pages (issue 12)."""
from __future__ import annotations

from pathlib import Path

from kb.checks import lint
from support import ROOT


def _findings(text: str) -> list:
    from pymarkdown.api import PyMarkdownApi

    api = PyMarkdownApi().configuration_file_path(str(lint.PYMARKDOWN_CONFIG))
    return [(f.line_number, f.column_number, f.rule_id, f.extra_error_information)
            for f in api.scan_string(text).scan_failures]


def test_the_quiet_token_list_changes_no_finding():
    from pymarkdown.general.tokenized_markdown import TokenizedMarkdown

    fences = "".join(f"Step {i}.\n\n```yaml\na: {i}\n```\n\n" for i in range(40))
    pages = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))[:8]]
    pages += ["# T { #t }\n\n" + fences, "# A\n\n# A\n\n  - x\n* y\n\n\n"]
    installed = TokenizedMarkdown.__dict__.get(lint._QuietDocument.name)
    if installed is not None:
        delattr(TokenizedMarkdown, lint._QuietDocument.name)
    try:
        plain = [_findings(t) for t in pages]
        lint.quiet_pymarkdown()
        quiet = [_findings(t) for t in pages]
    finally:
        if installed is None:
            delattr(TokenizedMarkdown, lint._QuietDocument.name)
    assert plain == quiet and any(plain)


def test_a_page_longer_than_the_linter_reads_is_one_problem(tmp_path):
    page = tmp_path / "big.md"
    page.write_text("# Big { #big }\n\n" + "Some prose line.\n" * (lint.MAX_LINES + 10), encoding="utf-8")
    problems = lint.lint_markdown([page], cache=None)
    assert len(problems) == 1 and (problems[0].line, problems[0].col) == (1, 1)
    assert "split the page" in problems[0].message


def test_snippet_directive_may_sit_right_above_its_fence_but_other_text_may_not(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title { #title }\n\nText.\n\n<!-- snippet: schema netplan -->\n```yaml\nnetwork:\n  version: 2\n```\n\n"
                    "Other text.\n```yaml\na: 1\n```\n", encoding="utf-8")
    found = lint.lint_markdown([page], cache=None)
    assert [(p.line, p.message.split()[0]) for p in found] == [(12, "MD031")], found


def test_the_cache_key_follows_the_linting_code_the_settings_and_the_text(tmp_path, monkeypatch):
    """A cache written by other code (this module edited, say the MD031 filter) is never served:
    the module's source is part of every key, as are PyMarkdown's settings and the page's text."""
    key = lint._cache_key("# A { #a }\n")
    assert key == lint._cache_key("# A { #a }\n") and key != lint._cache_key("# B { #b }\n")
    for name, edit in (("__file__", "lint.py"), ("PYMARKDOWN_CONFIG", ".pymarkdown.json")):
        original = Path(getattr(lint, name))
        changed = tmp_path / edit
        changed.write_bytes(original.read_bytes() + b"\n")
        with monkeypatch.context() as m:
            m.setattr(lint, name, str(changed) if name == "__file__" else changed)
            lint._cache_inputs.cache_clear()
            assert lint._cache_key("# A { #a }\n") != key, name
        lint._cache_inputs.cache_clear()
    assert lint._cache_key("# A { #a }\n") == key
