"""What readers see, in Debian's Chromium driven by Playwright.

Two builds, one suite: the offline bundle unpacked and opened from file://, and the online
site served on 127.0.0.1. Every request that leaves the site is aborted and recorded, and so
are failed requests, console errors and page errors: a test passes only when there are none.
"""
from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from browsing import Recorder, launch, serve, visit, visit_pipelined
from kb.content import search

pytestmark = pytest.mark.browser

SEARCH_WAIT = 15_000  # ms for search results (the worker builds the index on first use)
AXE_OPTIONS = {
    "light": {"resultTypes": ["violations"]},
    "dark": {"resultTypes": ["violations"], "runOnly": ["color-contrast", "link-in-text-block"]},
}


@dataclass
class Target:
    """One build as a reader reaches it."""

    name: str
    root: Path  # folder of the site on disk
    base: str  # URL of the site root
    directory_urls: bool

    def rel(self, path: Path) -> str:
        rel = path.relative_to(self.root).as_posix()
        if self.directory_urls and path.name == "index.html":
            return rel[: -len("index.html")]
        return rel

    def pages(self) -> list[str]:
        return sorted(self.rel(p) for p in self.root.rglob("*.html") if "assets" not in p.relative_to(self.root).parts)

    def url(self, rel: str) -> str:
        return self.base + rel

    def twin(self, rel: str) -> str | None:
        """The same page in the other language, if it exists."""
        other = rel[3:] if rel.startswith("es/") else f"es/{rel}"
        path = self.root / other
        exists = (path / "index.html").is_file() if other.endswith("/") or other == "" else path.is_file()
        return other if exists else None


@pytest.fixture(scope="session")
def offline_site(offline_bundle, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(offline_bundle) as zf:
        zf.extractall(out)
    (top,) = out.iterdir()
    return top


@pytest.fixture(scope="session")
def online_base(site):
    """The online build served by `python -m http.server` on a free 127.0.0.1 port."""
    with serve(site) as base:
        yield base


@pytest.fixture(scope="module")  # module: Playwright's sync API allows one running instance per process
def browser():
    with sync_playwright() as pw:
        chromium = launch(pw)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session", params=["offline", "online"])
def target(request) -> Target:
    if request.param == "offline":
        root = request.getfixturevalue("offline_site")
        return Target("offline", root, root.as_uri() + "/", directory_urls=False)
    root = request.getfixturevalue("site")
    return Target("online", root, request.getfixturevalue("online_base"), directory_urls=True)


@pytest.fixture(scope="module")
def reader(target, browser):
    """One browser context per build; every test gets a fresh page in it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    recorder = Recorder(site=target.base)
    recorder.attach(context)
    yield context, recorder
    context.close()


@pytest.fixture
def page(reader):
    context, recorder = reader
    recorder.clear()
    tab = context.new_page()
    yield tab
    tab.close()


@pytest.fixture
def recorder(reader) -> Recorder:
    return reader[1]


def search_results(page, query: str) -> list[str]:
    """Type a query into the search box; the result links (articles and sections), best first."""
    page.click("input.md-search__input")
    page.keyboard.type(query, delay=20)
    # A selector wait, not a string predicate: Playwright evaluates those with eval(), which the pages'
    # Content-Security-Policy refuses when the first poll does not settle it (a flaky EvalError).
    page.wait_for_selector(".md-search-result__item", state="attached", timeout=SEARCH_WAIT)
    page.wait_for_timeout(300)  # results arrive in batches
    return page.eval_on_selector_all(".md-search-result__item > a", "els => els.map(e => e.href.split('?')[0] + "
                                     "(e.hash || ''))")


def content_page(target: Target, lang: str, *needles: str) -> str:
    """The first page of a language whose HTML contains every needle."""
    for rel in target.pages():
        if rel.startswith("es/") == (lang == "es") and "404" not in rel:
            path = target.root / rel / "index.html" if rel.endswith("/") or rel == "" else target.root / rel
            text = path.read_text(encoding="utf-8")
            if all(n in text for n in needles):
                return rel
    raise AssertionError(f"no {lang} page contains {needles}")


# --------------------------------------------------------------------------- every page

def test_every_page_opens_with_nothing_from_outside_and_nothing_failing(target, reader):
    """Every page, both languages; on the way, its language switcher must point at its twin page.
    Three tabs load at a time (browsing.visit_pipelined); what each page reported is its own."""
    context, recorder = reader
    recorder.clear()
    pages = target.pages()
    assert "" in pages or "index.html" in pages
    rel_of = {target.url(rel): rel for rel in pages}
    problems, wrong_twin = {}, {}
    for url, tab in visit_pipelined(context, list(rel_of)):
        rel = rel_of[url]
        found = recorder.take(tab)
        if found:
            problems[rel] = found
        twin = target.twin(rel)
        if "404" not in rel and twin is not None:
            link = tab.eval_on_selector(f"a.md-select__link[hreflang={'en' if rel.startswith('es/') else 'es'}]",
                                        "a => a.href")
            if link != target.url(twin):
                wrong_twin[rel] = link
    assert problems == {}
    assert wrong_twin == {}
    assert recorder.problems() == []  # nothing either, from a request or page the tabs could not tell apart


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_has_no_serious_accessibility_violation(browser, site, online_base, scheme):
    """axe-core on every page of both languages, in the light and the dark palette.

    Run on the online build: the pages are the same as offline, and axe reads stylesheets with
    requests that file:// forbids. The dark palette changes colours only, so there axe runs the
    colour rules. The next page loads in a second tab while axe reads this one.
    """
    target = Target("online", site, online_base, directory_urls=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    recorder = Recorder(site=online_base)
    recorder.attach(context)
    axe = Axe()  # axe-core ships inside the package and is injected into the page: no download
    found = {}
    rel_of = {target.url(rel): rel for rel in target.pages()}
    try:
        for url, tab in visit_pipelined(context, list(rel_of), depth=2):
            result = axe.run(tab, options=AXE_OPTIONS[scheme])
            serious = [f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes']][:3]}"
                       for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
            if serious:
                found[rel_of[url]] = serious
    finally:
        context.close()
    assert found == {}
    assert recorder.problems() == []


# --------------------------------------------------------------------------- search

def test_search_from_a_spanish_page_answers_in_spanish(target, page, recorder):
    for query in ("Kubernetes", "contenedores"):
        visit(page, target.url("es/" if target.directory_urls else "es/index.html"))
        results = search_results(page, query)
        assert results, query
        outside_es = [r for r in results if not r.startswith(target.url("es/"))]
        # English pages may only appear where no Spanish twin exists (they would be under es/ then).
        assert outside_es == [], query
    assert recorder.problems() == []


def test_search_from_an_english_page_answers_in_english(target, page, recorder):
    for query in ("Kubernetes", "containers"):
        visit(page, target.url("" if target.directory_urls else "index.html"))
        results = search_results(page, query)
        assert results, query
        spanish = [r for r in results if r.startswith(target.url("es/"))]
        # Spanish pages may only appear where no English twin exists.
        with_twin = [r for r in spanish if target.twin(r[len(target.base):].split("#")[0])]
        assert with_twin == [], query
        assert not results[0].startswith(target.url("es/")), query
    assert recorder.problems() == []


def stop_words(target: Target, lang: str) -> set[str]:
    """lunr's stop words for a language, read from the copy the site ships (never indexed)."""
    script = (target.root / "assets/javascripts/lunr/min" / f"lunr.{lang}.min.js").read_text(encoding="utf-8")
    return set(re.search(r'generateStopWordFilter\("([^"]*)"', script).group(1).split())


def stem_only_match(target: Target) -> tuple[str, str]:
    """(word, page) from the Spanish index: the page does not contain the word, only words of its stem."""
    index = json.loads((target.root / "es" / search.INDEX).read_text(encoding="utf-8"))
    separator = index["config"]["separator"]
    stop = stop_words(target, "es")
    pages = {}
    for doc in index["docs"]:
        own = search.words(f"{doc['title']} {doc['text']}", separator)
        pages.setdefault(search.page_of(doc["location"]), []).append((own, set(doc.get(search.FORMS, "").split())))
    for page, entries in sorted(pages.items()):
        for own, forms in entries:
            for word in sorted(forms):
                page_words = set().union(*(o for o, _ in entries))
                if len(word) < 6 or word in stop or any(w.startswith(word) for w in page_words):
                    continue
                hits = {p for p, es in pages.items() for o, f in es if any(w.startswith(word) for w in o | f)}
                if len(hits) <= 8:  # all on the first screen of results
                    return word, page
    raise AssertionError("no word in the Spanish index is found only through its stem")


def test_spanish_search_is_stemmed(target, page, recorder):
    word, expected = stem_only_match(target)
    visit(page, target.url("es/" if target.directory_urls else "es/index.html"))
    pages = {r.split("#")[0] for r in search_results(page, word)}
    assert target.url("es/" + expected) in pages, (word, expected)
    assert recorder.problems() == []


# --------------------------------------------------------------------------- language switcher, tooltips, copy

@pytest.mark.parametrize("rel", ["", "kubernetes/architecture/", "es/", "es/kubernetes/architecture/"])
def test_language_switcher_lands_on_the_twin_page(target, page, recorder, rel):
    if not target.directory_urls:
        rel = f"{rel}index.html" if rel.endswith("/") or rel == "" else rel
        rel = rel.replace("architecture/index.html", "architecture.html")
    twin = target.twin(rel)
    lang = "en" if rel.startswith("es/") else "es"
    visit(page, target.url(rel))
    page.hover(".md-header__option .md-select > button")
    with page.expect_navigation():
        page.click(f"a.md-select__link[hreflang={lang}]")
    page.wait_for_load_state("networkidle")
    assert page.url == target.url(twin)
    assert page.get_attribute("html", "lang") == lang
    assert recorder.problems() == []


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("selector", ["article abbr[title]", "article a.kb-term[title]"])
def test_glossary_tooltip_appears(target, page, recorder, lang, selector):
    rel = content_page(target, lang, '<a class="kb-term"', "<abbr title=")
    visit(page, target.url(rel))
    term = page.locator(selector).first
    title = term.get_attribute("title")
    term.scroll_into_view_if_needed()
    term.hover()
    page.locator(".md-tooltip2--active").first.wait_for(state="visible", timeout=5000)
    assert any(title in text for text in page.locator(".md-tooltip2--active").all_inner_texts())
    assert recorder.problems() == []


@pytest.mark.parametrize("lang", ["en", "es"])
def test_copy_button_copies_the_code(target, page, recorder, lang):
    rel = content_page(target, lang, "<pre")
    visit(page, target.url(rel))
    block = page.locator("article pre:has(button.md-code__button[data-md-type=copy])").first
    button = block.locator("button.md-code__button[data-md-type=copy]")
    block.scroll_into_view_if_needed()
    block.hover()
    button.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    code = block.locator("code").inner_text()
    assert copied.strip() and copied.strip() == code.strip()
    assert page.locator(".md-dialog").inner_text().strip() in {"Copied to clipboard", "Copiado al portapapeles"}
    assert recorder.problems() == []
