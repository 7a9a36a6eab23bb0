"""The built site as readers get it: languages, twins, switcher, 404 pages, no third parties."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from support import ROOT, build_copy, parse

EN_PAGES = sorted(p.relative_to(ROOT / "docs" / "en").as_posix() for p in (ROOT / "docs" / "en").rglob("*.md"))

EN_WORDS = {"the", "and", "of", "to", "is", "for", "with", "that", "this", "are", "on", "your", "you", "it", "not"}
ES_WORDS = {"el", "la", "los", "las", "de", "que", "y", "en", "para", "con", "una", "por", "es", "del", "se", "no"}


def built(rel_md: str, lang: str) -> str:
    """Site path of a page's HTML for a Markdown path under docs/<lang>/."""
    stem = rel_md[:-3]
    if stem == "index":
        path = "index.html"
    elif stem.endswith("/index"):
        path = stem[: -len("index")] + "index.html"
    else:
        path = stem + "/index.html"
    return path if lang == "en" else f"{lang}/{path}"


def words(soup) -> list[str]:
    article = soup.select_one("article") or soup.body
    return re.findall(r"[a-záéíóúñü]+", article.get_text(" ").lower())


def test_every_page_declares_its_language(site, pages, html):
    for page in pages:
        rel = page.relative_to(site).as_posix()
        expected = "es" if rel.startswith("es/") else "en"
        assert html(rel).html.get("lang") == expected, rel


@pytest.mark.parametrize("rel", EN_PAGES)
def test_every_english_page_has_a_spanish_twin_that_is_really_spanish(rel, site, html):
    assert (ROOT / "docs" / "es" / rel).is_file(), f"docs/es/{rel} is missing"
    en, es = words(html(built(rel, "en"))), words(html(built(rel, "es")))
    en_score = sum(w in EN_WORDS for w in en) - sum(w in ES_WORDS for w in en)
    es_score = sum(w in ES_WORDS for w in es) - sum(w in EN_WORDS for w in es)
    assert en_score > 0, f"{rel}: the English page does not read as English"
    assert es_score > 0, f"{rel}: the Spanish page does not read as Spanish"
    assert not html(built(rel, "es")).select("[data-translation-status=missing]"), rel


@pytest.mark.parametrize("rel", EN_PAGES)
def test_language_switcher_leads_to_the_twin_page(rel, site, html):
    for lang, other in (("en", "es"), ("es", "en")):
        here = site / built(rel, lang)
        links = html(built(rel, lang)).select(f'.md-select__link[hreflang="{other}"]')
        assert len(links) == 1, (rel, lang)
        target = (here.parent / links[0]["href"]).resolve()
        if target.is_dir():
            target = target / "index.html"
        assert target == (site / built(rel, other)).resolve(), (rel, lang, links[0]["href"])


def test_404_pages_exist_in_both_languages(site):
    en, es = parse(site / "404.html"), parse(site / "es" / "404.html")
    assert en.html["lang"] == "en" and es.html["lang"] == "es"
    assert "404" in en.select_one("article").get_text()
    assert es.select_one(".md-header__topic").get_text(strip=True).startswith("Base de conocimiento")
    assert en.select_one(".md-header__topic").get_text(strip=True).startswith("vSphere to Kubernetes")
    for soup in (en, es):
        hrefs = {a["hreflang"]: a["href"] for a in soup.select(".md-select__link")}
        assert hrefs == {"en": "/", "es": "/es/"}


def test_navigation_site_name_and_description_are_translated(html):
    es = html("es/")
    assert es.select_one('meta[name="description"]')["content"].startswith("Respuestas")
    tabs = [a.get_text(strip=True) for a in es.select(".md-tabs__link")]
    assert "Inicio" in tabs and "Referencia" in tabs, tabs
    assert html("").select_one('meta[name="description"]')["content"].startswith("Field-tested")


def test_no_third_party_urls_in_scripts_styles_or_images(site, pages, html):
    own = urlsplit("https://kb.example.org/").netloc
    for page in pages:
        soup = html(page.relative_to(site).as_posix())  # parsed once per worker, shared with the other tests
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                          ("source", "src"), ("video", "src"), ("audio", "src"), ("object", "data")):
            for el in soup.find_all(tag):
                url = el.get(attr)
                if not url:
                    continue
                if tag == "link" and not set(el.get("rel", [])) & {"stylesheet", "icon", "preload", "preconnect", "modulepreload", "manifest", "dns-prefetch"}:
                    continue
                host = urlsplit(url).netloc
                assert host in ("", own), f"{page.relative_to(site)}: <{tag} {attr}={url}>"
    css = "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "fonts.gstatic" not in css


def test_edit_links_point_at_the_page_source(html):
    for prefix, lang in (("", "en"), ("es/", "es")):
        edit = html(f"{prefix}kubernetes/architecture/").select_one("a.md-content__button[href*='/edit/']")
        assert edit is not None and edit["href"].endswith(f"docs/{lang}/kubernetes/architecture.md"), lang


@pytest.mark.slow
def test_fallback_page_shows_a_spanish_notice_linking_to_the_original(project):
    (project / "docs" / "es" / "reference" / "resources.md").unlink()
    proc = build_copy(project)
    assert proc.returncode == 0, proc.stdout
    page = project / "site" / "es" / "reference" / "resources" / "index.html"
    soup = parse(page)
    assert soup.html["lang"] == "es"
    notice = soup.select_one('[data-translation-status="missing"]')
    assert notice is not None
    assert "todavía no está traducida" in notice.get_text()
    link = notice.find("a", hreflang="en")
    target = (page.parent / link["href"]).resolve()
    assert target == (project / "site" / "reference" / "resources").resolve() or target == (project / "site" / "reference" / "resources" / "index.html").resolve()
    assert not parse(project / "site" / "reference" / "resources" / "index.html").select("[data-translation-status]")


@pytest.mark.slow
def test_compact_templates_change_no_text_and_make_pages_lighter(site, pages, project):
    """scripts/hooks/compact_html.py drops template whitespace only: every page reads the same without it."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "scripts/hooks/compact_html.py" in text
    config.write_text(re.sub(r"\n\s+- scripts/hooks/compact_html\.py", "", text), encoding="utf-8")
    proc = build_copy(project)
    assert proc.returncode == 0, proc.stdout
    plain = project / "site"
    saved = 0
    for page in pages:
        rel = page.relative_to(site)
        loose = plain / rel
        assert loose.is_file(), rel
        # Words as a reader sees them: a lost space between two elements would join two words here.
        words = lambda p: parse(p).get_text().split()  # noqa: E731
        assert words(page) == words(loose), rel
        saved += loose.stat().st_size - page.stat().st_size
    assert saved > 0.05 * sum(p.stat().st_size for p in pages), "template whitespace is a few percent at least"


@pytest.mark.parametrize("prefix, reference, contribute", [("", "Reference", "Contribute"),
                                                            ("es/", "Referencia", "Colaborar")])
def test_readers_navigation_holds_reader_pages_and_contributors_have_their_own_section(html, prefix, reference, contribute):
    tabs = {a.get_text(" ", strip=True): a["href"] for a in html(prefix).select(".md-tabs__link")}
    assert reference in tabs and contribute in tabs, tabs

    def section(page: str, label: str) -> list[str]:
        """Links of one top-level section, read on a page inside it (navigation.prune hides the others)."""
        for item in html(prefix + page).select("nav.md-nav--primary > ul > li.md-nav__item--nested"):
            if item.select_one("label.md-nav__link, a.md-nav__link").get_text(" ", strip=True) == label:
                return [a["href"] for a in item.select("a.md-nav__link")]
        raise AssertionError(f"no section {label!r} on {prefix + page}")

    readers, contributors = section("reference/glossary/", reference), section("contribute/", contribute)
    assert len(readers) >= 2 and not any("contribute/" in href for href in readers), readers
    for page in ("translation-status/", "performance/", "architecture/"):
        assert any(href.endswith(page) for href in contributors), (page, contributors)


@pytest.mark.parametrize("prefix, lang", [("", "en"), ("es/", "es")])
def test_architecture_page_shows_its_diagram_and_the_package_table(html, site, prefix, lang):
    soup = html(f"{prefix}contribute/architecture/")
    img = soup.select_one("article img.kb-diagram")
    assert img is not None and img["src"].endswith(f"assets/diagrams/kb-architecture-{lang}.svg")
    svg = parse(site / "assets" / "diagrams" / f"kb-architecture-{lang}.svg")
    assert svg.find("svg")["lang"] == lang and svg.find("title").get_text()
    packages = [row.select_one("td code").get_text() for row in soup.select("article table tbody tr")]
    for name in ("kb.cli", "kb.core", "kb.views", "kb.checks", "kb.content", "kb.deliver", "kb.bench", "kb.engine"):
        assert name in packages, (name, packages)
