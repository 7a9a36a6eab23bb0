"""kb.core.settings: extra.kb validated once by a schema, problems at mkdocs.yml:LINE:COL (issue 12)."""
from __future__ import annotations

import re

import pytest

from kb.core import settings
from support import kb


def _plant(project, old: str, new: str) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_project_settings_are_valid():
    assert settings.settings_problems() == []
    assert settings.kb_setting("project")


def test_an_unknown_setting_name_is_refused_in_code():
    with pytest.raises(KeyError):
        settings.kb_setting("no_such_setting")


@pytest.mark.slow
def test_extra_kb_as_a_string_is_named_at_its_line(project):
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    block = re.search(r"(?m)^  kb:\n(?:    .*\n|\s*#.*\n)+", text).group(0)
    (project / "mkdocs.yml").write_text(text.replace(block, "  kb: vsphere-k8s-kb\n"), encoding="utf-8")
    line = text[: text.index(block)].count("\n") + 1
    for command in ("check-snippets", "check"):
        proc = kb(project, command)
        assert proc.returncode == 1 and "Traceback" not in proc.stdout, proc.stdout
        assert f"mkdocs.yml:{line}:7: extra.kb: 'vsphere-k8s-kb' is not of type object" in proc.stdout
        assert "scripts/" not in proc.stdout


@pytest.mark.slow
def test_wrong_types_and_unknown_settings_are_named(project):
    _plant(project, '    kubernetes_version: "1.37"\n', "    kubernetes_version: 1.37\n    projekt: x\n")
    proc = kb(project, "check-links")
    assert proc.returncode == 1 and "Traceback" not in proc.stdout
    assert re.search(r"mkdocs\.yml:\d+:\d+: extra\.kb\.kubernetes_version: 1\.37 is not of type string", proc.stdout)
    assert re.search(r"mkdocs\.yml:\d+:5: extra\.kb\.projekt: unknown setting \(did you mean 'project'\?\)", proc.stdout)


def test_a_genuine_bug_shows_one_internal_error_line_then_its_traceback():
    import subprocess
    import sys

    code = ("import sys, kb.cli, kb.checks.links as links\n"
            "links.cli = lambda argv: 1 / 0\n"
            "sys.exit(kb.cli.main(['check-links']))\n")
    proc = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 70
    assert "internal error" in lines[0] and "report" in lines[0]
    assert lines[1].startswith("Traceback") and lines[-1].startswith("ZeroDivisionError")
