"""kb pdf (scripts/kb/deliver/pdf.py): the PDFs of both languages, read back with pypdf and poppler.

Made once per session from the built site (the `site` fixture), then read as a client's PDF
reader would: pages, outline, links, text, page boxes, metadata. poppler-utils (pdftotext) gives
the word boxes that show nothing runs past the paper (.ci/run installs it).
"""
from __future__ import annotations

import posixpath
import re
import subprocess
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from kb.core.settings import kb_setting, mkdocs_config
from kb.deliver import pdf
from kb.deliver.offline import identity
from support import ROOT, kb, parse

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGS = ("en", "es")
A4 = (595.3, 841.9)  # points
LETTER = (612.0, 792.0)
RIGHT_MARGIN = 16 / 25.4 * 72  # the print CSS's 16 mm


@pytest.fixture(scope="module")
def made(site, tmp_path_factory):
    version, epoch = identity(ROOT)
    dest = tmp_path_factory.mktemp("pdf")
    started = time.monotonic()
    paths = pdf.make(site, dest, version=version, epoch=epoch)
    print(f"both PDFs in {time.monotonic() - started:.1f} s")
    return {"paths": paths, "version": version, "epoch": epoch, "dest": dest}


@pytest.fixture(scope="module")
def readers(made):
    return {lang: PdfReader(open(path, "rb")) for lang, path in made["paths"].items()}


def nav_pages(lang: str) -> list[str]:
    """Docs paths of the reader pages, in navigation order (the Contribute section left out)."""
    out = []

    def walk(items):
        for item in items:
            value = item if isinstance(item, str) else next(iter(item.values()))
            if isinstance(value, list):
                walk(value)
            elif not value.startswith("contribute/"):
                out.append(value)

    walk(mkdocs_config()["nav"])
    return out


def built(site: Path, lang: str, src: str) -> Path:
    prefix = "" if lang == "en" else f"{lang}/"
    stem = src.removesuffix(".md")
    return site / (f"{prefix}{stem}.html" if stem.endswith("index") else f"{prefix}{stem}/index.html")


def h1(site: Path, lang: str, src: str) -> str:
    node = parse(built(site, lang, src)).select_one("article h1")
    for link in node.select("a.headerlink"):
        link.decompose()
    return " ".join(node.get_text(" ", strip=True).split())


def flat(text: str) -> str:
    return " ".join(text.split())


_TEXTS: dict = {}


def page_texts(reader: PdfReader) -> list[str]:
    """The text of each page, by poppler's pdftotext (pypdf's extraction is ~50x slower here), cached."""
    path = str(reader.stream.name)
    if path not in _TEXTS:
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], check=True, stdout=subprocess.PIPE,
                             text=True).stdout
        _TEXTS[path] = [flat(page) for page in out.split("\f")][: len(reader.pages)]
    return _TEXTS[path]


_INLINE_IMAGE = re.compile(rb"(?:^|[\s()<>\[\]{}/%])BI[\s/](.*?)\sID[\s]", re.S)
_INLINE_SIZE = re.compile(rb"/(W|Width|H|Height)\s+(\d+)")


def page_images(page) -> list[tuple[str, float, float]]:
    """(name, width, height) of every picture a PDF page draws, from the sizes its image objects
    declare (nested forms included) and the dictionaries of its inline images (BI ... ID). pypdf's
    page.images decodes every image and parses every content stream for that (6 s a document here).
    An inline image whose size cannot be read counts as infinite."""
    found, seen = [], set()

    def inline(name: str, data: bytes) -> None:
        for k, m in enumerate(_INLINE_IMAGE.finditer(data)):
            size = {key[:1]: int(value) for key, value in _INLINE_SIZE.findall(m.group(1))}
            found.append((f"{name} inline {k}", size.get(b"W", float("inf")), size.get(b"H", float("inf"))))

    def walk(resources):
        xobjects = resources.get("/XObject") if resources else None
        for name, ref in (xobjects.get_object().items() if xobjects else []):
            obj = ref.get_object()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if obj.get("/Subtype") == "/Image":
                found.append((name, int(obj["/Width"]), int(obj["/Height"])))
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))
                inline(name, obj.get_data())

    walk(page.get("/Resources"))
    contents = page.get_contents()
    if contents is not None:
        inline("page", contents.get_data())
    return found


def test_page_images_finds_image_objects_forms_and_inline_images():
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = PdfWriter()
    page = writer.add_blank_page(600, 600)

    def stream(data: bytes, **entries) -> DecodedStreamObject:
        obj = DecodedStreamObject()
        obj.set_data(data)
        obj.update({NameObject(f"/{k}"): v for k, v in entries.items()})
        return obj

    picture = stream(bytes(3), Type=NameObject("/XObject"), Subtype=NameObject("/Image"), Width=NumberObject(500),
                     Height=NumberObject(420), ColorSpace=NameObject("/DeviceGray"), BitsPerComponent=NumberObject(8))
    form = stream(b"q BI /W 640 /H 20 /CS /G /BPC 8 ID " + bytes(640 * 20) + b" EI Q", Type=NameObject("/XObject"),
                  Subtype=NameObject("/Form"), BBox=ArrayObject([NumberObject(0)] * 4),
                  Resources=DictionaryObject({NameObject("/XObject"): DictionaryObject(
                      {NameObject("/Im1"): writer._add_object(picture)})}))
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
        {NameObject("/Fm1"): writer._add_object(form)})})
    page[NameObject("/Contents")] = writer._add_object(stream(b"q /Fm1 Do Q BI /Width 30 /Height 450 /CS /G /BPC 8 ID "
                                                              + bytes(30 * 450) + b" EI (a BI b) Tj"))
    assert sorted(page_images(page)) == [("/Fm1 inline 0", 640, 20), ("/Im1", 500, 420), ("page inline 0", 30, 450)]


def outline(reader: PdfReader, items=None, level=1) -> list[tuple[int, str, int]]:
    """(level, title, page number) of every bookmark, in order."""
    out = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out += outline(reader, item, level + 1)
        else:
            out.append((level, flat(item.title), reader.get_destination_page_number(item) + 1))
    return out


def destinations(reader: PdfReader) -> dict[str, int]:
    return pdf.destinations(reader)


def links(reader: PdfReader):
    """(page index, kind, target) of every link annotation: kind 'dest' or 'uri'."""
    for i, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annot:
                yield i, "dest", str(annot["/Dest"]).removeprefix("/")
            elif "/A" in annot and annot["/A"].get("/S") == "/URI":
                yield i, "uri", str(annot["/A"]["/URI"])
            elif "/A" in annot and annot["/A"].get("/S") == "/GoTo":
                yield i, "dest", str(annot["/A"]["/D"]).removeprefix("/")


# --------------------------------------------------------------------------- files and metadata

def test_one_pdf_per_language_named_after_project_and_version(made):
    project = kb_setting("project")
    assert sorted(p.name for p in made["dest"].iterdir()) == sorted(
        f"{project}-{lang}-{made['version']}.pdf" for lang in LANGS)


def test_cover_names_title_language_version_and_commit_date(readers, made):
    date = time.strftime("%Y-%m-%d", time.gmtime(made["epoch"]))
    for lang, reader in readers.items():
        cover = page_texts(reader)[0]
        title = pdf.language_settings(lang)["site_name"]
        assert title in cover, cover
        assert made["version"] in cover and date in cover
        assert {"en": "English", "es": "Español"}[lang] in cover
        assert ("Versión" if lang == "es" else "Version") in cover


def test_metadata_is_fixed_from_the_commit_and_the_pdf_is_tagged(readers, made):
    stamp = time.strftime("D:%Y%m%d%H%M%S", time.gmtime(made["epoch"]))
    for lang, reader in readers.items():
        meta = reader.metadata
        assert meta["/CreationDate"].startswith(stamp) and meta["/ModDate"].startswith(stamp)
        assert meta["/Title"] == pdf.language_settings(lang)["site_name"]
        root = reader.trailer["/Root"]
        assert root["/MarkInfo"]["/Marked"] is True or str(root["/MarkInfo"]["/Marked"]).lower() == "true"
        assert "/StructTreeRoot" in root
        assert str(root["/Lang"]) == lang
        assert len(reader.trailer["/ID"]) == 2


# --------------------------------------------------------------------------- content and order

def test_every_reader_page_is_in_navigation_order_and_contributor_pages_are_not(readers, site):
    for lang, reader in readers.items():
        texts = page_texts(reader)
        body = " ".join(texts[2:])  # after the cover and the contents
        at = 0
        for src in nav_pages(lang):
            heading = h1(site, lang, src)
            found = body.find(heading, at)
            assert found >= 0, f"{lang}: '{heading}' ({src}) missing or out of order"
            at = found + len(heading)
        folder = site / ("" if lang == "en" else lang) / "contribute"
        contributor = [flat(parse(p).select_one("article h1").get_text(" ", strip=True).removesuffix("¶"))
                       for p in sorted(folder.rglob("index.html"))]
        assert contributor
        for heading in contributor:
            assert not any(t.startswith(heading) for t in texts[2:]), f"{lang}: contributor page '{heading}' printed"


def test_outline_mirrors_the_navigation(readers, site):
    config = mkdocs_config()
    for lang, reader in readers.items():
        marks = outline(reader)
        top = [title for level, title, _ in marks if level == 1]
        translate = pdf.language_settings(lang).get("nav_translations") or {}
        expected_top = []
        for item in config["nav"]:
            title, value = next(iter(item.items()))
            if isinstance(value, str):
                expected_top.append(h1(site, lang, value))
            elif title != "Contribute":
                pages = [v if isinstance(v, str) else next(iter(v.values())) for v in value]
                expected_top.append(h1(site, lang, pages[0]) if pages[0].endswith("index.md")
                                    else translate.get(title, title))
        assert top == expected_top, marks
        # Every page's heading is a bookmark, in navigation order, pointing at the page it is on.
        titles = [title for _, title, _ in marks]
        at = -1
        texts = page_texts(reader)
        for src in nav_pages(lang):
            heading = h1(site, lang, src)
            index = titles.index(heading, at + 1)
            level, _, page = marks[index]
            assert heading in texts[page - 1]
            assert level == (1 if src == "index.md" or (src.endswith("index.md") and src.count("/") == 1) else 2)
            at = index


def test_contents_list_the_pages_with_the_page_they_start_on(readers):
    for lang, reader in readers.items():
        dests = destinations(reader)
        toc = [(dest, page) for page, kind, dest in links(reader) if kind == "dest" and page == 1]
        entries = pdf.entries(lang)
        assert [d for d, _ in toc] == [e.anchor for e in entries]
        contents = reader.pages[1].extract_text()
        # The running header comes first and ends with the version, which can end in digits
        # (a commit such as 0e93314): the entries' numbers are read after the first line without one.
        lines = contents.splitlines()
        start = next(i for i, line in enumerate(lines) if not re.search(r"\d\s*$", line))
        numbers = [int(m.group(1)) for line in lines[start + 1:]
                   if (m := re.search(r"(\d+)\s*$", line))][: len(entries)]
        assert numbers == [dests[e.anchor] + 1 for e in entries], contents


def test_tabs_are_printed_one_after_the_other_with_their_titles(readers, site):
    for lang, reader in readers.items():
        body = " ".join(page_texts(reader))
        checked = 0
        for src in nav_pages(lang):
            soup = parse(built(site, lang, src))
            for tabs in soup.select("article .tabbed-set"):
                for label, block in zip(tabs.select(".tabbed-labels > label"), tabs.select(".tabbed-block")):
                    assert flat(label.get_text()) in body, f"{lang} {src}: tab '{label.get_text()}' missing"
                    first = block.find("p")
                    if first is not None:
                        words = flat(first.get_text())[:40]
                        assert words in body, f"{lang} {src}: text of tab '{label.get_text()}' missing"
                    checked += 1
        assert checked >= 4


def test_collapsed_details_are_printed_open(readers, site):
    for lang, reader in readers.items():
        body = " ".join(page_texts(reader))
        checked = 0
        for src in nav_pages(lang):
            for details in parse(built(site, lang, src)).select("article details"):
                first = details.find("p")
                if first is not None:
                    assert flat(first.get_text())[:40] in body
                    checked += 1
        assert checked >= 1


def test_spanish_pdf_is_in_spanish_with_its_accents(readers):
    spanish = " ".join(page_texts(readers["es"]))
    for words in ("Resolución de problemas", "Glosario", "Contenido", "Página", "¿", "ñ"):
        assert words in spanish, words
    english = page_texts(readers["en"])
    assert "Contents" in english[1] and "Contenido" not in english[1]
    assert "Contenido" in page_texts(readers["es"])[1]


def test_footer_has_page_numbers_and_the_version_but_not_on_the_cover(readers, made):
    for lang, reader in readers.items():
        texts = page_texts(reader)
        total = len(texts)
        word = "Página" if lang == "es" else "Page"
        of = "de" if lang == "es" else "of"
        assert f"{word} 1 {of} {total}" not in texts[0]
        for n in (2, total // 2, total):
            assert f"{word} {n} {of} {total}" in texts[n - 1], texts[n - 1][-200:]
            assert made["version"] in texts[n - 1]


def test_diagrams_stay_vectors(readers, site):
    """The SVG diagrams' labels are text in the PDF (a raster image has none), and no page holds a
    picture the size of a diagram."""
    svg = parse(built(site, "en", "kubernetes/architecture.md")).select_one("img.kb-diagram")["src"]
    labels = BeautifulSoup((site / "kubernetes/architecture" / svg).resolve().read_text(encoding="utf-8"), "xml")
    words = [flat(t.get_text()) for t in labels.find_all("text") if len(flat(t.get_text())) > 6][:5]
    body = " ".join(page_texts(readers["en"]))
    assert words and all(w in body for w in words), words
    for reader in readers.values():
        for page in reader.pages:
            for name, width, height in page_images(page):
                assert width < 400 and height < 400, name


# --------------------------------------------------------------------------- links and page size

def test_internal_links_land_on_pages_of_the_document_and_external_ones_are_web_links(readers):
    for lang, reader in readers.items():
        dests = destinations(reader)
        found = list(links(reader))
        internal = [(p, d) for p, kind, d in found if kind == "dest"]
        external = [u for _, kind, u in found if kind == "uri"]
        assert len(internal) > 50 and len(external) > 20
        missing = sorted({d for _, d in internal if d not in dests})
        assert not missing, f"{lang}: links to no destination: {missing[:10]}"
        assert all(0 <= dests[d] < len(reader.pages) for _, d in internal)
        assert all(u.startswith(("https://", "http://", "mailto:")) for u in external), \
            [u for u in external if not u.startswith(("https://", "http://", "mailto:"))][:5]
        # Glossary term links go to the glossary inside the PDF.
        assert any(d.startswith("p-reference-glossary--") for _, d in internal)


def test_no_page_is_wider_than_the_paper_and_nothing_runs_past_the_margin(made, readers):
    for lang, reader in readers.items():
        for page in reader.pages:
            assert abs(float(page.mediabox.width) - A4[0]) < 1 and abs(float(page.mediabox.height) - A4[1]) < 1
        boxes = subprocess.run(["pdftotext", "-bbox", str(made["paths"][lang]), "-"], check=True,
                               stdout=subprocess.PIPE, text=True).stdout
        pages = boxes.split("<page ")[1:]
        assert len(pages) == len(reader.pages)
        for number, chunk in enumerate(pages, 1):
            width = float(re.search(r'width="([\d.]+)"', chunk).group(1))
            for xmax, word in re.findall(r'<word [^>]*xMax="([\d.]+)"[^>]*>([^<]*)</word>', chunk):
                assert float(xmax) <= width - RIGHT_MARGIN + 2, f"{lang} page {number}: '{word}' ends at {xmax}"


# --------------------------------------------------------------------------- reproducible, paper, CLI

def test_two_runs_give_the_same_bytes(made, site, tmp_path):
    again = pdf.make(site, tmp_path, version=made["version"], epoch=made["epoch"])
    for lang in LANGS:
        assert again[lang].read_bytes() == made["paths"][lang].read_bytes(), lang


def test_us_letter_is_a_setting(site, tmp_path, made):
    path = pdf.make(site, tmp_path, langs=["en"], paper="letter", version=made["version"], epoch=made["epoch"])["en"]
    reader = PdfReader(path)
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - LETTER[0]) < 1 and abs(float(page.mediabox.height) - LETTER[1]) < 1
    assert outline(reader) and len(reader.pages) > 10


def test_a_wrong_paper_setting_is_reported_with_the_file(project):
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("paper: a4", "paper: a5"), encoding="utf-8")
    proc = kb(project, "pdf", "--site", str(project / "no-site"), "--dist", str(project / "dist"))
    assert proc.returncode == 1, proc.stdout
    assert "mkdocs.yml:" in proc.stdout and "a5" in proc.stdout and "Traceback" not in proc.stdout
    assert not (project / "dist").exists() or not list((project / "dist").iterdir())


def test_offline_bundle_carries_both_pdfs(offline_bundle):
    import zipfile

    project = kb_setting("project")
    with zipfile.ZipFile(offline_bundle) as zf:
        top = offline_bundle.stem
        version = top.removeprefix(f"{project}-offline-")
        assert f"{top}/pdf/" in zf.namelist()
        names = [n for n in zf.namelist() if n.startswith(f"{top}/pdf/") and not n.endswith("/")]
        assert sorted(names) == sorted(f"{top}/pdf/{project}-{lang}-{version}.pdf" for lang in LANGS)
        for name in names:
            data = zf.read(name)
            assert data.startswith(b"%PDF-") and len(data) > 100_000
        # Each home page links both PDFs, its own language first, by paths that exist in the copy.
        for lang, home in (("en", f"{top}/index.html"), ("es", f"{top}/es/index.html")):
            soup = BeautifulSoup(zf.read(home).decode("utf-8"), "lxml")
            hrefs = [a["href"] for a in soup.select("p.kb-pdf-links a")]
            assert [h.rsplit("/", 1)[-1] for h in hrefs] == [f"{project}-{code}-{version}.pdf"
                                                           for code in (lang, *(c for c in LANGS if c != lang))]
            base = home.rsplit("/", 1)[0]
            for href in hrefs:
                assert posixpath.normpath(f"{base}/{href}") in zf.namelist(), href
            assert soup.find("h2", id="pdf").find_next("p").find_next("p")["class"] == ["kb-pdf-links"]


def test_the_site_never_loads_the_print_stylesheet(site, pages):
    assert (site / pdf.PRINT_CSS).is_file()
    for page in pages:
        assert not re.search(r"<link[^>]+print\.css", page.read_text(encoding="utf-8")), page


def test_missing_chromium_is_a_message_not_a_traceback(site, tmp_path):
    import os
    import sys

    from kb.deliver import build as kbbuild

    env = {**kbbuild.mkdocs_env(), "KB_CHROMIUM": str(tmp_path / "no-chromium")}
    proc = subprocess.run([sys.executable, "-m", "kb", "pdf", "--site", str(site), "--dist", str(tmp_path / "dist")],
                          cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 1, proc.stdout
    assert "no-chromium:1:1: Chromium not found" in proc.stdout and "Traceback" not in proc.stdout
    assert not (tmp_path / "dist").exists() or not os.listdir(tmp_path / "dist")
