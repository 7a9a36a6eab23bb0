"""Content safety: no script, unsafe HTML or URLs, and no real-looking secrets in pages."""
from __future__ import annotations

import pytest

from support import ROOT, build_copy, kb

PAGE = "docs/en/kubernetes/index.md"


def plant(project, text: str, page: str = PAGE) -> int:
    """Append `text` to a page of the copy; return the 1-based line number where it starts."""
    path = project / page
    body = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(body + text, encoding="utf-8")
    return body.count("\n") + 1


# (planted Markdown, line offset, column, message start) - one construct each.
UNSAFE = [
    ("<script>alert(1)</script>\n", 0, 1, "raw <script> runs code in the reader's browser"),
    ('<iframe src="https://example.org/"></iframe>\n', 0, 1, "<iframe> embeds another site into the page"),
    ('<object data="movie.swf"></object>\n', 0, 1, "<object> embeds active content"),
    ('<embed src="movie.swf">\n', 0, 1, "<embed> embeds active content"),
    ('A picture: <img src="x.png" alt="x" onerror="alert(1)">\n', 0, 12, "inline event handler onerror= on <img>"),
    ('<span onclick="alert(1)">click</span>\n', 0, 1, "inline event handler onclick= on <span>"),
    ("[click me](javascript:alert(1))\n", 0, 12, "javascript: URL in a Markdown link or image"),
    ("![pixel](data:image/png;base64,iVBORw0KGgo=)\n", 0, 10, "data: URL in a Markdown link or image"),
    ('<a href="javascript:alert(1)">x</a>\n', 0, 1, "javascript: URL in href= of <a>"),
    ("[docs][evil]\n\n[evil]: javascript:alert(1)\n", 2, 9, "javascript: URL in a Markdown link or image"),
    ('[docs](https://example.org/){ onmouseover="alert(1)" }\n', 0, 31, "inline event handler onmouseover= in an attribute list"),
    ("<style>body { display: none }</style>\n", 0, 1, "HTML element <style> is not allowed in pages"),
]

SECRETS = [
    ("```text\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
     "-----END RSA PRIVATE KEY-----\n```\n", 1, 1, "private key in the page"),
    ("```bash\ncurl -H 'Authorization: Bearer 8fK2mQ9xLp4vT7wR3zN6bY1c' https://api.example.org\n```\n", 1, 32,
     "bearer token in the page"),
    ("```yaml\nusers:\n  - name: admin\n    user:\n      client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlF\n```\n",
     4, 24, "client-key-data value looks real"),
    ("```yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: Zq8rT2vLp9wX\n```\n",
     6, 13, "stringData.password of Secret 'db' looks like a real value"),
    ("```yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: WnE4clQydkxwOXdY\n```\n",
     6, 13, "data.password of Secret 'db' looks like a real value"),
    ("```text\nghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8\n```\n", 1, 1, "a GitHub token in the page"),
]


def test_clean_docs_and_data_are_safe():
    proc = kb(ROOT, "check-safety")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout == ""


@pytest.mark.parametrize("snippet,offset,col,message", UNSAFE + SECRETS, ids=[m for *_, m in UNSAFE + SECRETS])
def test_each_unsafe_construct_is_reported_at_its_line(project, snippet, offset, col, message):
    # Only the planted page is checked: every other file of the copy is the real tree's, which
    # test_clean_docs_and_data_are_safe holds to no report at all (a whole-tree run costs 1.5 s CPU, a page 0.4 s).
    start = plant(project, snippet)
    proc = kb(project, "check-safety", PAGE)
    assert proc.returncode == 1
    expected = f"{PAGE}:{start + offset}:{col}: {message}"
    assert any(ln.startswith(expected) for ln in proc.stdout.splitlines()), (expected, proc.stdout)
    assert len(proc.stdout.splitlines()) == 1, proc.stdout


def test_harmless_html_and_placeholders_pass(project):
    plant(project, """\
Press <kbd>Ctrl</kbd>+<kbd>C</kbd>; <abbr title="Domain Name System">DNS</abbr> <span class="x">ok</span><br>
<sup>1</sup> <sub>2</sub> <mark>marked</mark>

<figure markdown>
  ![Diagram](https://example.org/diagram.svg)
  <figcaption>A caption</figcaption>
</figure>

<div class="grid cards" markdown>

-   __One__ card

</div>

<details><summary>More</summary>Hidden text</details>

[a link](https://example.org/ "title"){ .md-button target="_blank" rel="noopener" } and <https://example.org/>

```yaml
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  username: admin
  password: <your-password>
  token: ${TOKEN}
data:
  password: Y2hhbmdlbWU=
```

```bash
curl -H "Authorization: Bearer $TOKEN" https://api.example.org
kubectl config set-credentials admin --token=<token>
```

```text
-----BEGIN PRIVATE KEY-----
...
-----END PRIVATE KEY-----
client-key-data: <base64-encoded-key>
```
""")
    proc = kb(project, "check-safety", PAGE)  # the planted page (the rest is the clean real tree)
    assert proc.returncode == 0, proc.stdout


def test_html_inside_code_is_text(project):
    plant(project, "Write `<script>` or `<iframe onload=x>` in code.\n\n```html\n<script>alert(1)</script>\n```\n\n"
                   "!!! note\n\n    ```html\n    <iframe src=\"x\"></iframe>\n    ```\n")
    proc = kb(project, "check-safety", PAGE)  # the planted page (the rest is the clean real tree)
    assert proc.returncode == 0, proc.stdout


def test_front_matter_the_theme_prints_is_checked_before_any_build(project):
    """`make check` (kb check-safety) names a printed front-matter value with markup at its key, in both languages."""
    for page, key, value in (("docs/en/kubernetes/index.md", "title", '"x</title><script>alert(1)</script>"'),
                             ("docs/es/kubernetes/index.md", "description", '"<img src=x onerror=alert(1)>"')):
        path = project / page
        text = path.read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
        path.write_text(f"---\nhide: [toc]\n{key}: {value}\n---\n{body}", encoding="utf-8")
    proc = kb(project, "check-safety", "docs")
    assert proc.returncode == 1
    assert "docs/en/kubernetes/index.md:3:1: front matter title: '<' is not allowed" in proc.stdout, proc.stdout
    assert "docs/es/kubernetes/index.md:3:1: front matter description: '<' is not allowed" in proc.stdout, proc.stdout


def test_unsafe_markup_in_a_data_file_is_reported_at_its_line(project):
    data = project / "data" / "glossary.yml"
    lines = data.read_text(encoding="utf-8").split("\n")
    n = next(i for i, ln in enumerate(lines) if ln.strip().startswith("en:") and ln.strip().endswith(">-")
             and i > 0 and "definition" in lines[i - 1])
    lines.insert(n + 1, lines[n + 1][: len(lines[n + 1]) - len(lines[n + 1].lstrip())] + '<img src="x" onerror="alert(1)">')
    data.write_text("\n".join(lines), encoding="utf-8")
    proc = kb(project, "check-safety", "data/glossary.yml")  # the planted data file (the rest is the clean real tree)
    assert proc.returncode == 1
    col = len(lines[n + 1]) - len(lines[n + 1].lstrip()) + 1
    assert f"data/glossary.yml:{n + 2}:{col}: inline event handler onerror= on <img>" in proc.stdout, proc.stdout


@pytest.mark.slow
def test_unsafe_content_fails_the_strict_build_with_file_and_line(project):
    start = plant(project, "<script>alert(1)</script>\n\n" + SECRETS[3][0], "docs/es/kubernetes/index.md")
    proc = build_copy(project)
    assert proc.returncode != 0
    assert f"docs/es/kubernetes/index.md:{start}:1: raw <script> runs code in the reader's browser" in proc.stdout
    assert f"docs/es/kubernetes/index.md:{start + 2 + 6}:13: stringData.password of Secret 'db'" in proc.stdout
    assert not (project / "site").exists()


def _prose_view_per_line(text: str, page: bool = True) -> str:
    """prose_view as it was before one search over the whole view: inline code blanked line by line."""
    from kb.core import source
    from kb.views import mdscan

    lines = source.normalize(text).split("\n")
    mask = mdscan.line_mask(text, front_matter=page)
    skip = mdscan.page_body(text)[1] if page else 0
    out = []
    for n, line in enumerate(lines):
        if n < skip or (n < len(mask) and mask[n]):
            out.append(" " * len(line))
            continue
        chars = list(line)
        for a, b in mdscan.inline_code_spans(line):
            chars[a:b] = " " * (b - a)
        out.append("".join(chars))
    return "\n".join(out)


def test_prose_view_is_the_per_line_view_on_the_real_pages_and_planted_code():
    from kb.checks import safety

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))]
    texts += [snippet for snippet, *_ in UNSAFE + SECRETS]
    texts += ["# T\n\nend of line `code`\n`start` of line\n``a ` b`` and `unclosed\nnext` line\n\\`not` code`\n",
              "---\ntitle: `x`\n---\n\n`a`\n\n```\n`in fence`\n```\n\n    `indented`\n\n` `\n", "`", "``\n``", ""]
    for text in texts:
        for page in (True, False):
            assert safety.prose_view(text, page=page) == _prose_view_per_line(text, page=page), text[:80]
