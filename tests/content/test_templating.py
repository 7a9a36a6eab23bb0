"""kb.content.templating: generated markup comes from templates, with data text escaped."""
from __future__ import annotations

import dataclasses

import markdown
from bs4 import BeautifulSoup

from kb.content import glossary, mapping, templating, translations


def test_templates_ship_with_the_package():
    env = templating._environment()
    for name in ("map-table.html", "translation-status.md"):
        source, filename, _ = env.loader.get_source(env, name)
        assert source.strip() and filename.endswith(f"kb/content/templates/{name}"), filename


def test_map_table_escapes_data_text_and_keeps_every_row():
    terms = glossary.load()
    entries = mapping.load(mapping.DATA_FILE, terms)
    hostile = dataclasses.replace(entries[0], id="hostile", vsphere={"en": '<img src=x onerror="alert(1)"> & co', "es": "x"},
                                  explanation={"en": 'a "quoted" <b>word</b>', "es": "x"})
    out = mapping.render_table([hostile, *entries[1:]], "en", terms)
    assert "<img" not in out and "<b>" not in out
    assert '&lt;img src=x onerror="alert(1)"&gt; &amp; co' in out
    soup = BeautifulSoup(out, "html.parser")
    assert soup.select_one("table.kb-map")["data-entries"] == str(len(entries))
    assert [tr["id"] for tr in soup.select("tbody tr")] == ["map-hostile"] + [f"map-{e.id}" for e in entries[1:]]


def test_status_table_is_markdown_with_one_row_per_page_and_escaped_pipes(tmp_path):
    docs = tmp_path / "docs"
    for lang in ("en", "es"):
        (docs / lang).mkdir(parents=True)
    (docs / "en" / "a.md").write_text("# A | B { #a }\n", encoding="utf-8")
    status = translations.PageStatus(rel="a.md", lang="es", state=translations.OUTDATED, reasons=["changed"])
    text = translations.render_status("en", "contribute/translation-status.md", {("es", "a.md"): status}, docs=docs)
    html = markdown.markdown(text, extensions=["tables"])
    cells = [td.get_text() for td in BeautifulSoup(html, "html.parser").select("tbody td")]
    assert cells == ["A | B", "Outdated", "the English page changed after it was translated"], cells
    assert text.startswith("0 of 1 pages are up to date in Spanish.\n\n")
