"""The strict build's messages for bad input (kb.deliver.build, kb.core.source.explain_crash; issue 12):
a page saved as Latin-1, a list nested too deeply and folder symlinks under docs/ are named at
PATH:LINE:COL, never shown as a traceback, and the previous site/ is kept."""
from __future__ import annotations

import os
import re

import pytest

from support import build_copy, copy_project, kb

LINE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


def problem_lines(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if LINE.match(ln)]


@pytest.mark.slow
def test_a_latin1_page_and_a_too_deep_list_are_named_by_the_build_not_a_traceback(tmp_path):
    project = copy_project(tmp_path / "p")
    page = project / "docs" / "es" / "index.md"
    text = page.read_text(encoding="utf-8")
    page.write_bytes(text.encode("latin-1", errors="replace"))
    # the first character that is not ASCII, where the Latin-1 byte lands: its 1-based line and column
    at = next(i for i, ch in enumerate(text) if ord(ch) > 127)
    line, col = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
    deep = "# Deep { #deep }\n\n" + "".join("    " * i + "- x\n" for i in range(300))
    (project / "docs" / "en" / "deep.md").write_text(deep, encoding="utf-8")

    proc = build_copy(project)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:]
    assert "Traceback" not in out and "RecursionError:" not in out and "UnicodeDecodeError" not in out, out[-3000:]
    stopped = out[out.index("the build stopped on bad input"):]
    assert problem_lines(stopped) == [
        "docs/en/deep.md:302:1: nested 299 levels deep (lists, quotes or containers): more than the Markdown "
        "renderer can read (100)",
        f"docs/es/index.md:{line}:{col}: not valid UTF-8 (byte {text[at].encode('latin-1').hex()}): save the file "
        "as UTF-8 (it looks like Latin-1 or Windows-1252)",
    ]
    # the forked Spanish build does not report the source checks it cannot read (the parent does)
    assert "belongs to the parent process" not in out, out[-3000:]
    assert not (project / "site").exists() and "left untouched" in out


@pytest.mark.slow
def test_folder_symlinks_under_docs_are_named_with_their_target_not_a_file_not_found_error(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "page.md").write_text("# Outside { #outside }\n", encoding="utf-8")
    project = copy_project(tmp_path / "p")
    os.symlink(outside, project / "docs" / "en" / "shared")
    os.symlink("../en/kubernetes", project / "docs" / "es" / "k8s-link")
    os.symlink(tmp_path / "nowhere", project / "docs" / "en" / "gone")  # dangling

    published = kb(project, "check-published")
    assert published.returncode == 1
    assert sorted(problem_lines(published.stdout)) == [
        f"docs/en/gone:1:1: symlink to {tmp_path / 'nowhere'}: not published (it could publish a file from outside "
        "the repository); copy the file instead",
        f"docs/en/shared:1:1: symlink to {outside}: not published (it could publish a file from outside the "
        "repository); copy the file instead",
        "docs/es/k8s-link:1:1: symlink to ../en/kubernetes: not published (it could publish a file from outside the "
        "repository); copy the file instead",
    ], published.stdout

    proc = build_copy(project)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:]
    assert "Traceback" not in out and "No such file or directory" not in out, out[-3000:]
    lines = set(problem_lines(out))
    for name, target in (("docs/en/shared", str(outside)), ("docs/es/k8s-link", "../en/kubernetes"),
                         ("docs/en/gone", str(tmp_path / "nowhere"))):
        assert any(ln.startswith(f"{name}:1:1: symlink to {target}:") for ln in lines), (name, out[-3000:])
    assert any(ln.startswith("docs/en/shared:1:1: symlink to a folder") for ln in lines), out[-3000:]
    # MkDocs stops copying the dangling one: that crash is named too (it was a FileNotFoundError traceback)
    assert f"docs/en/gone:1:1: dangling symlink to {tmp_path / 'nowhere'}: the build cannot copy it (remove it, " \
           "or copy the file instead)" in lines, out[-3000:]
    assert not (project / "site").exists() and "left untouched" in out


def test_a_file_not_found_error_is_named_only_for_a_dangling_symlink_under_docs(tmp_path):
    """explain_crash: MkDocs' FileNotFoundError on a dangling symlink under docs/ becomes its PATH:1:1 line;
    any other FileNotFoundError keeps its traceback (a genuine bug)."""
    from kb.core.source import explain_crash

    (tmp_path / "docs").mkdir()
    os.symlink(tmp_path / "nowhere", tmp_path / "docs" / "gone")
    (tmp_path / "docs" / "real.txt").write_text("x", encoding="utf-8")

    def log(path):
        return ("INFO    -  Building\nTraceback (most recent call last):\n  File \"shutil.py\", line 256, in copyfile\n"
                f"FileNotFoundError: [Errno 2] No such file or directory: '{path}'\n")

    named = explain_crash(log(tmp_path / "docs" / "gone"), tmp_path)
    assert "Traceback" not in named and named.splitlines()[1] == "ERROR   -  the build stopped on bad input (FileNotFoundError):"
    assert named.splitlines()[2:] == [f"{tmp_path / 'docs' / 'gone'}:1:1: dangling symlink to {tmp_path / 'nowhere'}: "
                                      "the build cannot copy it (remove it, or copy the file instead)"]
    for other in (tmp_path / "docs" / "real.txt", tmp_path / "elsewhere.txt"):
        assert explain_crash(log(other), tmp_path) == log(other)
