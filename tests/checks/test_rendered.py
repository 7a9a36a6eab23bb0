"""The content-safety gate on the rendered pages (kb.checks.rendered, scripts/hooks/safety.py).

One project copy holds every hostile contribution of tests/hostile.py; it is built once, and
every problem must be in the one output at its file and line (all problems are reported at once).
"""
from __future__ import annotations

import re

import pytest

import hostile
from kb.checks import frontmatter, rendered
from support import build_copy, copy_project, kb

GATE = "rendered-page safety problem"


def gate_lines(output: str, group: str = GATE) -> list[str]:
    """The lines reported under the group heading of `group` (by default the gate's), whichever form the heading takes."""
    lines, inside = [], False
    for ln in output.splitlines():
        if re.match(r"^(ERROR|WARNING|INFO)\b", ln) or re.match(r"^\d+ .* found:$", ln):
            inside = group in ln
            continue
        if inside and re.match(r"^[^\s:]+:\d+:\d+: ", ln):
            lines.append(ln)
    return lines


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    hostile.plant_all(project)
    proc = build_copy(project)
    return project, proc


@pytest.mark.slow
def test_every_hostile_contribution_fails_the_build_at_its_line(hostile_build):
    project, proc = hostile_build
    assert proc.returncode != 0
    found = gate_lines(proc.stdout)
    assert found, proc.stdout[-3000:]
    source = gate_lines(proc.stdout, "content safety problem")  # front matter: the build's source checks
    missing, false_alarms = [], []
    for p in hostile.ALL:
        line = p.line(project)
        here = [f for f in (source + found if p in hostile.FRONT else found) if f.startswith(f"{p.path}:{line}:")]
        if p.kind == "fails" and not any(p.expect in f for f in here):
            missing.append(f"{p.path}:{line}: expected '{p.expect}' ({p.marker}); reported there: {here}")
        if p.kind == "inert" and here:
            false_alarms.append(f"{p.path}:{line} ({p.marker}) is inert but reported: {here}")
    for rel, what in hostile.FILE_NAMES.items():
        if not any(f.startswith(f"{rel}:1:1: ") and what in f for f in found):
            missing.append(f"{rel}:1:1: expected '{what}'")
    for p in hostile.SECRETS:  # the source checks of the same build
        line = p.line(project)
        if not re.search(rf"^{re.escape(p.path)}:{line}:\d+: .*{re.escape(p.expect)}", proc.stdout, re.M):
            missing.append(f"{p.path}:{line}: expected a secret report '{p.expect}'")
    assert missing == [], "\n".join(missing + ["--- gate output:"] + found)
    assert false_alarms == [], "\n".join(false_alarms)
    assert len([p for p in hostile.ALL if p.kind == "fails"]) + len(hostile.FILE_NAMES) + len(hostile.SECRETS) >= 50


@pytest.mark.slow
def test_front_matter_problems_are_reported_at_the_key(hostile_build):
    project, proc = hostile_build
    text = (project / "docs/es/hostile-title.md").read_text(encoding="utf-8")
    assert "docs/es/hostile-title.md:2:1: front matter title: '<' is not allowed" in proc.stdout
    assert text.split("\n")[2].startswith("description:")
    assert "docs/es/hostile-title.md:3:1: front matter description" in proc.stdout


def test_the_clean_site_passes_the_gate(site):
    """No false alarm: the real site built (the `site` fixture would have failed) and every page has a policy."""
    pages = [p for p in site.rglob("*.html") if "assets" not in p.parts]
    assert pages
    for page in pages:
        assert '<meta http-equiv="Content-Security-Policy"' in page.read_text(encoding="utf-8")[:4000], page


def test_kb_check_rendered_passes_on_the_project_and_names_the_line(tmp_path):
    from support import ROOT

    assert kb(ROOT, "check-rendered").returncode == 0
    project = copy_project(tmp_path / "project")
    page = project / "docs/es/index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n<p>a<!--><img src=x onerror=alert(1)>--></p>\n",
                    encoding="utf-8")
    line = page.read_text(encoding="utf-8").count("\n")
    proc = kb(project, "check-rendered")
    assert proc.returncode == 1
    assert f"docs/es/index.md:{line}:29: inline event handler onerror= on <img> runs code" in proc.stdout, proc.stdout


@pytest.mark.parametrize("html, problem", [
    ("<p>a<!--><img src=x onerror=alert(1)>--></p>", "onerror="),
    ("<p><!-- x --!><svg onload=alert(1)></svg>--></p>", "onload="),
    ("<p><![CDATA[ ]]><img src=x onerror=alert(1)>]]></p>", "onerror="),
    # a lone surrogate reaches the reader as U+FFFD (MkDocs writes &#56448;): no comment opens there
    ("<p><!-\udc80-x><img src=x onerror=alert(1)>--></p>", "onerror="),
    ("<p>x<?x ><img src=x onerror=alert(1)> ?></p>", "onerror="),
    ('<p>x<?php echo "y"; ?></p>', None),
    ("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>", "onerror="),
    ("<a title='x", "ends inside"),
    ("<table><tr><td>x", "unclosed <td>"),
    ('<a href=" java\tscript:alert(1)">x</a>', "javascript:"),
    ('<p style="color:red">x</p>', None),
    ('<td style="text-align: left;">x</td>', None),
    ('<a href="https://example.org/" title="t">x</a>', None),
    ('<img src="../assets/x.png" alt="a" loading="lazy">', None),
])
def test_content_parsed_as_a_browser_parses_it(html, problem):
    where = rendered.Locator(rendered.Source("docs/en/x.md", html))
    found = [str(p) for p in rendered.check_content(html, where)]
    if problem is None:
        assert found == []
    else:
        assert any(problem in f for f in found), found


def test_front_matter_values_are_escaped_before_the_theme_prints_them():
    meta = frontmatter.escape({"title": "x</title><script>alert(1)</script>", "description": 'a" onload="x',
                               "hide": ["toc"]})
    assert "<" not in str(meta["title"]) and '"' not in str(meta["description"])
    assert meta["hide"] == ["toc"]
    assert frontmatter.escape({"title": "Plain & simple"})["title"] == "Plain &amp; simple"


_RENDER_ALL = r"""
import hashlib, json, sys
from pathlib import Path
from kb.checks import rendered
from kb.views import mdscan
md = rendered._markdown(fast=sys.argv[1] == "fast")
out = {"patched": "reassemble" in vars(md.preprocessors["fenced_code_block"])}
for path in sorted(Path("docs").rglob("*.md")) + sorted(Path(sys.argv[2]).glob("*.md")):
    md.reset()
    html = md.convert(mdscan.page_body(path.read_text(encoding="utf-8"))[0])
    out[str(path.name if sys.argv[2] in str(path) else path)] = hashlib.sha256(html.encode()).hexdigest()
print(json.dumps(out))
"""


def test_fast_renderer_writes_the_same_html_as_the_plain_one(tmp_path):
    """check-rendered's renderer (superfences' reassemble in one pass, Pygments' lexer lookup and style
    table memoized) writes byte-identical HTML to the unpatched Python-Markdown, on every real page and
    on pages of many fences of every kind (each run in a fresh process: the Pygments patches are global)."""
    import json
    import subprocess
    import sys

    from kb.bench import checks as bench_checks
    from support import ROOT

    fences = ["```yaml\na: 1\n```", "```bash title=\"x.sh\" hl_lines=\"1\"\necho\n```", "~~~python linenums=\"3\"\nx = 1\n~~~",
              "```{.json .x #id data-x=\"1\"}\n{}\n```", "```nosuchlang\nz\n```", "```\nplain\n```",
              "- item\n\n    ```yaml\n    b: 2\n    ```", "!!! note\n\n    ```text\n    t\n    ```",
              "=== \"Tab\"\n\n    ```console\n    $ ls\n    ```", "> ```yaml\n> q: 1\n> ```", "    ```yaml\n    indented: code\n    ```"]
    (tmp_path / "many.md").write_text("# Many { #many }\n\n" + "\n\n".join(fences * 40) + "\n", encoding="utf-8")
    (tmp_path / "big.md").write_text(bench_checks.big_page(200_000), encoding="utf-8")
    (tmp_path / "fences.md").write_text(bench_checks.fences_page(300), encoding="utf-8")
    runs = {}
    for mode in ("plain", "fast"):
        proc = subprocess.run([sys.executable, "-c", _RENDER_ALL, mode, str(tmp_path)], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        runs[mode] = json.loads(proc.stdout)
    assert len(runs["fast"]) > 20 and {"many.md", "big.md", "fences.md"} <= set(runs["fast"])
    assert (runs["fast"].pop("patched"), runs["plain"].pop("patched")) == (True, False)
    assert runs["fast"] == runs["plain"]


def test_the_404_pages_go_through_the_gate_and_pass(site):
    """Both languages' 404 pages (templates, not pages) are held to the gate by scripts/hooks/safety.py's
    on_post_template; an override planted with a handler and a script is caught in the hostile build
    (tests/hostile.py, overrides/404.html). The clean ones pass, whole page and article."""
    from support import ROOT

    for page in (site / "404.html", site / "es" / "404.html"):
        text = page.read_text(encoding="utf-8")
        assert "404" in rendered.article(text), page
        where = rendered.template_sources(ROOT / "overrides", ROOT)
        assert rendered.check_page(text, rendered.article(text), where).problems == [], page


# The inline scripts of the installed Material's templates, as written there (sha256, first 16 hex
# digits), for the version THEME_SCRIPTS in kb.checks.rendered was written against. USED: the
# templates whose scripts every page of this site carries (allowed by THEME_SCRIPTS, hashed into
# each page's CSP); the others belong to features this site does not enable (analytics, consent,
# announcement bar, version warning, redirects), whose scripts the gate refuses.
MATERIAL_VERSION = "9.8.1"
MATERIAL_INLINE_SCRIPTS = {
    "partials/integrations/analytics/google.html": ["f4284800028def9a"],
    "partials/integrations/analytics.html": ["d772c5844f2a155a", "22974d36f15260db"],
    "partials/javascripts/announce.html": ["e441dbdde5a0501b"],
    "partials/javascripts/base.html": ["cbd97fa31ed6cc39"],
    "partials/javascripts/consent.html": ["3907d77c1c78f265"],
    "partials/javascripts/content.html": ["d74bb3b582599bb3", "ffcc0f7735fdab43"],
    "partials/javascripts/outdated.html": ["89ea7f58a216ee23"],
    "partials/javascripts/palette.html": ["0eb10c249dbdb0be"],
    "redirect.html": ["971a7594497921b0"],
}
USED = ("partials/javascripts/base.html", "partials/javascripts/content.html", "partials/javascripts/palette.html")


def _material_inline_scripts() -> dict[str, list[str]]:
    """template -> [text of each inline script that runs] in the installed Material's templates."""
    from pathlib import Path

    import material

    templates = Path(material.__file__).parent / "templates"
    found: dict[str, list[str]] = {}
    for path in sorted(templates.rglob("*.html")):
        for m in re.finditer(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", path.read_text(encoding="utf-8"), re.S):
            if "src=" not in m.group("attrs") and "application/json" not in m.group("attrs"):
                found.setdefault(path.relative_to(templates).as_posix(), []).append(m.group("body"))
    return found


def test_theme_scripts_are_those_of_the_installed_material():
    """THEME_SCRIPTS (the inline scripts the gate lets the theme carry and the CSP hashes) was written
    for Material 9.8.1's templates: any change of their inline scripts in an upgrade fails here, loudly,
    before a build refuses the new scripts or Chromium blocks them."""
    import hashlib
    from importlib.metadata import version

    found = _material_inline_scripts()
    digests = {t: [hashlib.sha256(s.encode("utf-8")).hexdigest()[:16] for s in texts] for t, texts in found.items()}
    changed = sorted(set(digests) ^ set(MATERIAL_INLINE_SCRIPTS)
                     | {t for t in digests if digests[t] != MATERIAL_INLINE_SCRIPTS.get(t)})
    assert not changed, (
        f"mkdocs-material {version('mkdocs-material')} is installed; THEME_SCRIPTS in scripts/kb/checks/rendered.py "
        f"was written for {MATERIAL_VERSION}, and the inline scripts of these templates differ: {', '.join(changed)}. "
        "Read them in material/templates/, update THEME_SCRIPTS (the gate allows and the CSP hashes only those), "
        "then MATERIAL_INLINE_SCRIPTS and MATERIAL_VERSION here.")
    # Each used script is allowed by exactly one pattern (Jinja expressions as a page's relative root), and
    # each pattern allows one of them: none of THEME_SCRIPTS is left over from an older Material.
    used = [re.sub(r"\{\{.*?\}\}", "../..", s) for t in USED for s in found[t]]
    for text in used:
        assert sum(bool(p.match(text)) for p in rendered.THEME_SCRIPTS) == 1, text[:80]
    for pattern in rendered.THEME_SCRIPTS:
        assert any(pattern.match(text) for text in used), pattern.pattern


def test_check_rendered_cache_gives_the_findings_of_a_fresh_render_and_follows_every_input(tmp_path):
    """.cache/check-rendered.json: a page is rendered again when its text, a data file or the settings
    change; a cached run, a fresh run and a run with a damaged cache find the same problems."""
    import json

    from support import copy_project

    project = copy_project(tmp_path / "p")
    docs, data = project / "docs", project / "data"
    # Six pages (a plain one, the generated glossary and map) instead of all: what the cache does
    # depends on neither the page count nor the pages, and each full render below is five times cheaper.
    keep = {"index.md", "reference/glossary.md", "kubernetes/vsphere-to-kubernetes.md"}
    for lang in ("en", "es"):
        for md in (docs / lang).rglob("*.md"):
            if md.relative_to(docs / lang).as_posix() not in keep:
                md.unlink()
    assert len(list(docs.rglob("*.md"))) == 6
    page = docs / "en" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n<span onclick="alert(7101)">x</span>\n', encoding="utf-8")
    cache = project / ".cache" / "check-rendered.json"

    def run(**kw):
        return [str(p) for p in rendered.check_sources(docs, data, project, **kw)]

    fresh = run(cache=False)
    assert any("onclick=" in p and "index.md" in p for p in fresh) and not cache.exists()
    assert run() == fresh and cache.is_file()  # cold: renders and writes
    assert run() == fresh  # warm: from the cache
    cache.write_text("{not json", encoding="utf-8")
    assert run() == fresh  # damaged: rendered again
    page.write_text(page.read_text(encoding="utf-8") + '\n<iframe src="https://example.org/7102"></iframe>\n', encoding="utf-8")
    changed = run()
    assert changed == run(cache=False) and len(changed) > len(fresh) and any("7102" in p or "<iframe>" in p for p in changed)
    glossary = data / "glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    keys = set(json.loads(cache.read_text(encoding="utf-8")))
    assert run() == changed
    assert set(json.loads(cache.read_text(encoding="utf-8"))) - keys  # new keys: rendered again
