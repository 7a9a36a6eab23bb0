"""Hostile contributions planted in one project copy (issue 11): pages in both languages, front matter,
data files and files under docs/. Shared by tests/checks/test_rendered.py (the strict build must
fail at each one's file and line) and tests/site/test_csp_browser.py (with the gate off, Chromium
must refuse whatever they try).

Each plant carries a unique number (alert(1101)...): the expected line is the line of the
planted file that holds it. `kind`: "fails" (the gate reports it at that line, the message
containing `expect`) or "inert" (Python-Markdown or the data-file rendering turns it into text or
code: the gate must stay quiet about that line, and Chromium shows it as text).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Plant:
    path: str  # repository path of the file it goes into
    text: str  # appended to the file (pages), or replacing `anchor` (data files), or the whole file
    marker: str  # unique text on the line the problem must be reported at
    expect: str = ""  # part of the message; "" for inert plants
    kind: str = "fails"
    anchor: str = ""  # data files: the text the plant is inserted before

    def line(self, project: Path) -> int:
        text = (project / self.path).read_text(encoding="utf-8", errors="replace")
        at = text.index(self.marker)
        return text.count("\n", 0, at) + 1


EN, ES = "docs/en/index.md", "docs/es/index.md"
EN2, ES2 = "docs/en/kubernetes/why-kubernetes.md", "docs/es/kubernetes/why-kubernetes.md"

PAGES = [
    # HTML5 comment and CDATA rules
    Plant(EN, "<p>a<!--><img src=x onerror=alert(1101)>--></p>", "1101", "onerror="),
    Plant(ES, "<p>b<!-- x --!><img src=x onerror=alert(1102)>--></p>", "1102", "onerror="),
    Plant(EN, "<p><![CDATA[ x ]]><img src=x onerror=alert(1103)>]]></p>", "1103", "onerror="),
    Plant(ES, "<p><!---><img src=x onerror=alert(1104)>--></p>", "1104", "onerror="),
    Plant(EN, '<noscript><p title="</noscript><img src=x onerror=alert(1105)>"></noscript>', "1105", "onerror="),
    # elements and handlers
    Plant(ES, "<script>alert(1106)</script>", "1106", "<script> runs code"),
    Plant(EN, '<details open ontoggle="alert(1107)"><summary>x</summary>y</details>', "1107", "ontoggle="),
    Plant(ES, "<IMG SRC=x ONERROR=alert(1108)>", "1108", "onerror="),
    Plant(EN, '<img src="x.png" onload = "alert(1109)" alt="x">', "1109", "onload="),
    Plant(ES, "<template><img src=x onerror=alert(1110)></template>", "1110", "<template>"),
    Plant(EN, '<object data="movie1111.swf"></object>', "1111", "<object>"),
    Plant(ES, '<embed src="movie1112.swf">', "1112", "<embed>"),
    Plant(EN, '<form action="https://evil.example/f1113"><button>go</button></form>', "1113", "<form>"),
    Plant(ES, '<base href="https://evil.example/b1114/">', "1114", "<base>"),
    Plant(EN, '<meta http-equiv="refresh" content="0;url=https://evil.example/m1115">', "1115", "<meta>"),
    Plant(ES, '<input type="text" value="v1116">', "1116", "radio buttons"),
    Plant(EN, '<svg onload="alert(1117)"><path d="M0"/></svg>', "1117", "onload="),
    Plant(ES, '<svg><foreignObject><b>f1118</b></foreignObject></svg>', "1118", "foreignObject"),
    Plant(EN, "<math><mtext>m1119</mtext></math>", "1119", "<math>"),
    # URL schemes
    Plant(ES, '<a href="jav&#x09;ascript:alert(1120)">tab</a>', "1120", "javascript: URL"),
    Plant(EN, '<a href="vbscript:msgbox(1121)">v</a>', "1121", "vbscript: URL"),
    Plant(ES, '<a href="data:text/html;base64,PHNjcmlwdD4xMTIyPC9zY3JpcHQ+">d1122</a>', "1122", "data: URL"),
    Plant(EN, "[j](javascript:alert(1123))", "1123", "javascript: URL"),
    Plant(ES, "[docs][r1124]\n\n[r1124]:\n    javascript:alert(1124)", "alert(1124)", "javascript: URL"),
    Plant(EN, "- item\n\n    [x][r1125]\n\n    [r1125]: javascript:alert(1125)", "alert(1125)", "javascript: URL"),
    # attr_list
    Plant(ES, '[l](https://ok.example.org/){: title="a"onclick=alert(1126) }', "1126", "onclick="),
    Plant(EN, '[l](https://ok.example.org/){: href="javascript:alert(1127)" }', "1127", "javascript: URL"),
    Plant(ES, '[l](https://ok.example.org/){: title="}" onmouseover="alert(1128)" }', "1128", "onmouseover="),
    Plant(EN, '![i](../assets/favicon.svg){: onerror="alert(1129)" }', "1129", "onerror="),
    Plant(ES, '<div markdown onclick="alert(1130)">**x**</div>', "1130", "onclick="),
    Plant(EN, '<span title="`" onclick="alert(1131)" x="`">b</span>', "1131", "onclick="),
    # code spans that cross a line break, form feed, containers
    Plant(ES, "Texto `a\nb` y <span onclick=alert(1132)>c</span>", "1132", "onclick="),
    Plant(EN, "para\f<img src=x onerror=alert(1133)>", "1133", "onerror="),
    Plant(ES, '!!! note\n\n    <img src=x onerror=alert(1134)>', "1134", "onerror="),
    Plant(EN, '=== "Tab"\n\n    <a href="javascript:alert(1135)">t</a>', "1135", "javascript: URL"),
    Plant(ES, "nota[^f1136]\n\n[^f1136]: <span onclick=\"alert(1136)\">n</span>", 'alert(1136)', "onclick="),
    # third-party loads
    Plant(EN, '<img src="https://tracker.example.com/p1137.png" alt="x">', "1137", "another host"),
    Plant(ES, "![remote](https://cdn.example.net/i1138.png)", "1138", "another host"),
    Plant(EN, '<img srcset="https://cdn.example.net/a1139.png 2x" alt="x">', "1139", "srcset="),
    Plant(ES, '<span style="background:url(https://evil.example/b1140.png)">s</span>', "1140", "another host"),
    Plant(EN, '<a href="https://ok.example.org/" ping="https://evil.example/p1141">p</a>', "1141", "ping="),
    Plant(ES, '<table background="https://evil.example/t1142.png"><tr><td>x</td></tr></table>', "1142", "background="),
    Plant(EN, '<video poster="https://evil.example/v1143.png"></video>', "1143", "<video>"),
    Plant(ES, '<iframe src="https://www.youtube.com/embed/v1144"></iframe>', "1144", "<iframe>"),
    Plant(EN, '<link rel="stylesheet" href="https://cdn.example.net/c1145.css">', "1145", "<link>"),
    Plant(ES, "<style>@import url(https://cdn.example.net/c1146.css);</style>", "1146", "<style>"),
    Plant(EN, '<svg><use href="https://evil.example/s.svg#u1147"/></svg>', "1147", "<use>"),
    # inert: Markdown makes these text or code
    Plant(ES, "```html\n<script>alert(1148)</script>\n```", "1148", kind="inert"),
    Plant(EN, "`<img src=x onerror=alert(1149)>`", "1149", kind="inert"),
    Plant(ES, '<https:x/"onmouseover=alert(1150)//>', "1150", kind="inert"),
    Plant(EN, "A &lt;script&gt;alert(1151)&lt;/script&gt; shown as text.", "1151", kind="inert"),
    # processing instructions: lexbor gives them no tag name (the gate once crashed on them); a
    # browser reads `<?` as a comment that ends at the first `>`, so what follows it is markup
    Plant(EN, '<?php echo "p1160"; ?>', "p1160", kind="inert"),
    Plant(ES, "<p>x<?x ><img src=x onerror=alert(1161)> ?></p>", "1161", "onerror="),
    # unclosed raw text at the end of a page: it would swallow the theme's markup after it
    Plant(EN2, "<textarea>t1152", "t1152", "ends inside"),
    Plant(ES2, "<p>x</p>\n<!-- c1153", "c1153", kind="inert"),  # Python-Markdown escapes an unclosed comment
    Plant(ES2, "<noembed>t1154", "t1154", "ends inside"),
]

FRONT_MATTER = {  # new pages, whole text: (path, text, marker, expect)
    "docs/en/hostile-title.md": ('---\ntitle: "x</title><script>alert(1201)</script>"\n'
                                 'description: \'d" http-equiv="refresh" content="0;url=https://evil.example/1202\'\n'
                                 "---\n\n# Hostile title\n\nText.\n"),
    "docs/es/hostile-title.md": ('---\ntitle: "<img src=x onerror=alert(1203)>"\n'
                                 "description: \"d\\u2028</title><script>alert(1204)</script>\"\n---\n\n# Título\n\nTexto.\n"),
    "docs/en/hostile-heading.md": "# &lt;/title&gt;&lt;script&gt;alert(1205)&lt;/script&gt;\n\nText.\n",
}
FRONT = [
    Plant("docs/en/hostile-title.md", "", "1201", "front matter title: '<'"),
    Plant("docs/en/hostile-title.md", "", "1202", "", kind="inert"),
    Plant("docs/es/hostile-title.md", "", "1203", "front matter title: '<'"),
    Plant("docs/es/hostile-title.md", "", "1204", "front matter description"),
    Plant("docs/en/hostile-heading.md", "", "1205", "", kind="inert"),
]

DATA = [
    Plant("data/glossary.yml", "<img src=x onerror=alert(1301)> ", "1301", "onerror=",
          anchor="A Kubernetes cluster is a group of"),
    Plant("data/glossary.yml", '<a href="javascript:alert(1302)">x</a> ', "1302", "javascript: URL",
          anchor="Un clúster de Kubernetes es un grupo de"),
    Plant("data/glossary.yml", '<img src="https://tracker.example.com/g1303.png"> ', "1303", "another host",
          anchor="A Kubernetes cluster is a group of"),
    Plant("data/vsphere-to-kubernetes.yml", "<img src=x onerror=alert(1304)> ", "1304", "", kind="inert",
          anchor="Both are the machine where workloads actually run"),
    Plant("data/vsphere-to-kubernetes.yml", "<script>alert(1305)</script> ", "1305", "", kind="inert",
          anchor="Ambos son la máquina donde las cargas"),
]

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">\n'
       "<script>alert(1401)</script>\n"
       '<rect width="10" height="10" onload="alert(1402)"/>\n'
       "<foreignObject><p xmlns=\"http://www.w3.org/1999/xhtml\">f1403</p></foreignObject>\n"
       '<image href="https://evil.example/i1404.png"/>\n'
       '<use xlink:href="https://evil.example/s.svg#u1405"/>\n'
       "<style>@import url(https://evil.example/c1406.css);</style>\n"
       "</svg>\n")
FILES = {  # path: content (None: a symlink, made below)
    "docs/assets/diagrams/hostile.svg": SVG,
    "docs/en/raw-1501.html": "<script>alert(1501)</script>\n",
    "docs/en/page-1502.markdown": "# Page\n\n<script>alert(1502)</script>\n",
    "docs/assets/tool-1503.js": "alert(1503)\n",
    "docs/assets/extra.css": "a{}\n@import url(\"https://fonts.example.com/f1504.css\");\nb{background:url(https://evil.example/b1505.png)}\n",
    # a theme override for the 404 pages: each language's page is gated (the handler differs by language)
    "overrides/404.html": ('{% extends "main.html" %}\n'
                           "{% block extrahead %}<script>alert(1703)</script>{% endblock %}\n"
                           "{% block content %}\n  <h1>404 - Not found</h1>\n"
                           '  {% if config.theme.language == "es" %}\n'
                           '  <img src="x1701.png" alt="" onerror="alert(1701)">\n'
                           "  {% else %}\n"
                           '  <img src="x1702.png" alt="" onerror="alert(1702)">\n'
                           "  {% endif %}\n{% endblock %}\n"),
}
SYMLINKS = {"docs/assets/passwd-1506.txt": "/etc/passwd", "docs/en/config-1507.md": "../../.git/config"}
FILE_PLANTS = [
    Plant("docs/assets/diagrams/hostile.svg", "", "1401", "<script>"),
    Plant("docs/assets/diagrams/hostile.svg", "", "1402", "onload="),
    Plant("docs/assets/diagrams/hostile.svg", "", "f1403", "<foreignObject>"),
    Plant("docs/assets/diagrams/hostile.svg", "", "1404", "outside the file"),
    Plant("docs/assets/diagrams/hostile.svg", "", "1405", "outside the file"),
    Plant("docs/assets/diagrams/hostile.svg", "", "1406", "@import"),
    Plant("docs/assets/extra.css", "", "1504", "another host"),
    Plant("docs/assets/extra.css", "", "1505", "another host"),
    Plant("overrides/404.html", "", "1701", "onerror="),  # the Spanish 404 page
    Plant("overrides/404.html", "", "1702", "onerror="),  # the English one
    Plant("overrides/404.html", "", "1703", "inline <script> that is not one of the theme's"),
]
FILE_NAMES = {  # reported at line 1 of the file: path -> message part
    "docs/en/raw-1501.html": "raw HTML page",
    "docs/en/page-1502.markdown": "page extension",
    "docs/assets/tool-1503.js": "'.js' file",
    "docs/assets/passwd-1506.txt": "symlink to /etc/passwd",
    "docs/en/config-1507.md": "symlink to ../../.git/config",
}

EN3, ES3 = "docs/en/kubernetes/index.md", "docs/es/kubernetes/index.md"
# Secrets: reported by the source checks (kb.checks.secrets through check-safety) in the same build.
SECRETS = [
    Plant(EN3, "```bash\nexport PGPASSWORD=Vw3rTx1601 && psql -h db\n```", "Vw3rTx1601", "database password"),
    Plant(ES3, "Usa github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDE1602 para clonar.", "github_pat_", "GitHub token"),
    Plant(EN3, "```yaml\nVSPHERE_SERVER: vc01.corp.local\nVSPHERE_PASSWORD: \"Tkg!2024#P1603\"\n```", "Tkg!2024#P1603",
          "password, token or key"),
    Plant(ES3, "```sh\ncat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
               "stringData:\n  password: Rk2Lm9Qx1604\nEOF\n```", "Rk2Lm9Qx1604", "password"),
    Plant(EN3, "```console\n$ govc ls -u 'https://administrator@vsphere.local:Vc3nt3r1605@vc01.corp.local/sdk'\n```",
          "Vc3nt3r1605", "password in a URL"),
    Plant(ES3, "```bash\nkubectl create secret generic app --from-literal=password=Tz9Lq2Vw1606\n```", "Tz9Lq2Vw1606",
          "kubectl command line"),
]

ALL = PAGES + FRONT + DATA + FILE_PLANTS


def plant_all(project: Path, files: bool = True) -> None:
    """Plant every hostile contribution in a project copy (`files`: also the files under docs/)."""
    for p in PAGES + SECRETS:
        path = project / p.path
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + p.text + "\n", encoding="utf-8")
    for rel, text in FRONT_MATTER.items():
        (project / rel).write_text(text, encoding="utf-8")
    for p in DATA:
        path = project / p.path
        text = path.read_text(encoding="utf-8")
        assert p.anchor in text, p.anchor
        path.write_text(text.replace(p.anchor, p.text + p.anchor, 1), encoding="utf-8")
    if files:
        for rel, text in FILES.items():
            (project / rel).write_text(text, encoding="utf-8")
        (project / ".git").mkdir(exist_ok=True)
        (project / ".git" / "config").write_text("[remote \"origin\"]\n\turl = https://x-access-token:ghs_FAKE@github.com/o/r\n",
                                                 encoding="utf-8")
        for rel, target in SYMLINKS.items():
            os.symlink(target, project / rel)
