"""The glossary in Python-Markdown: [[term]] links, and tooltips on the first mention of each term."""
from __future__ import annotations

import markdown
import pytest
from bs4 import BeautifulSoup

from kb.content import glossary, glossary_markdown
from support import ROOT, load_yaml

GLOSSARY = load_yaml((ROOT / "data" / "glossary.yml").read_text(encoding="utf-8"))["terms"]
TERMS = {
    "Pod": ("pod", "The smallest unit Kubernetes schedules."),
    "Pods": ("pod", "The smallest unit Kubernetes schedules."),
    "node": ("node", "A machine that runs Pods."),
    "PersistentVolumeClaim": ("pvc", "A request for storage."),
    "PVC": ("pvc", "A request for storage."),
    "Persistent": ("persistent", "Kept across restarts."),
}
SKIPPED = "h1, h2, h3, h4, h5, h6, a, code, pre, kbd, label"


def render(text: str, terms=TERMS) -> BeautifulSoup:
    ext = glossary_markdown.GlossaryExtension()
    ext.tips = terms
    out = markdown.markdown(text, extensions=["attr_list", "abbr", "pymdownx.superfences", ext])
    return BeautifulSoup(out, "lxml")


def abbrs(soup) -> list[tuple[str, str]]:
    return [(a.get_text(), a["title"]) for a in soup.find_all("abbr")]


def test_first_mention_of_each_term_only_every_name_counting():
    soup = render("A Pod runs on a node. Two Pods, one node.\n\nA PVC, then a PersistentVolumeClaim.\n")
    assert abbrs(soup) == [("Pod", TERMS["Pod"][1]), ("node", TERMS["node"][1]), ("PVC", TERMS["PVC"][1])]


def test_text_is_kept_exactly_around_the_tooltips():
    text = "Pod, node and PVC: *a Pod in italics* and **node** again, then the end."
    soup = render(text)
    assert soup.p.get_text() == "Pod, node and PVC: a Pod in italics and node again, then the end."
    assert [a.get_text() for a in soup.p.find_all("abbr")] == ["Pod", "node", "PVC"]


def test_reading_order_across_nested_elements():
    soup = render("Before *a node inside* and a Pod after.\n\n- a PVC in a list\n- a Pod again\n")
    assert [a.get_text() for a in soup.find_all("abbr")] == ["node", "Pod", "PVC"]
    assert soup.find("em").abbr.get_text() == "node"


def test_longest_name_wins_and_word_boundaries_hold():
    soup = render("A PersistentVolumeClaim is not Persistently a Podcast.\n")
    assert abbrs(soup) == [("PersistentVolumeClaim", TERMS["PVC"][1])]


def test_no_tooltips_in_headings_links_code_or_keys():
    soup = render(
        "# A Pod heading { #pods }\n\n"
        "See [the node page](nodes.md) and `Pod` in code, <kbd>PVC</kbd>.\n\n"
        "```yaml\nkind: Pod\n```\n\n"
        "Finally a Pod, a node and a PVC.\n"
    )
    for el in soup.select(SKIPPED):
        assert not el.find("abbr"), el
    assert [a.get_text() for a in soup.find_all("abbr")] == ["Pod", "node", "PVC"]
    assert soup.find_all("p")[-1].find_all("abbr"), "the first mention in running text gets the tooltip"


def test_a_term_link_counts_as_the_mention():
    soup = render('The [Pods](../glossary/#pod "A unit"){ .kb-term } run; each Pod on a node.\n')
    assert [a.get_text() for a in soup.find_all("abbr")] == ["node"]


def test_page_abbreviations_are_left_alone():
    soup = render("The Pod is a K8s thing.\n\n*[K8s]: Kubernetes\n")
    assert abbrs(soup) == [("Pod", TERMS["Pod"][1]), ("K8s", "Kubernetes")]


def test_no_terms_no_change():
    assert render("A Pod.\n", terms={}).find("abbr") is None


# --------------------------------------------------------------------------------------- term links

def render_page(text: str, lang: str = "en", path: str = "kubernetes/architecture.md") -> BeautifulSoup:
    ext = glossary_markdown.GlossaryExtension()
    ext.page(glossary.load(), lang, path, tooltips=False)
    out = markdown.markdown(text, extensions=["attr_list", "tables", "pymdownx.superfences", "admonition",
                                              "pymdownx.tabbed", ext])
    return BeautifulSoup(out, "lxml")


def test_term_link_in_the_page_language_with_the_definition_as_title():
    pod = next(t for t in GLOSSARY if t["id"] == "pod")
    for lang in ("en", "es"):
        a = render_page("A [[pod]] and [[pod|*several* Pods]].\n", lang).find_all("a", class_="kb-term")
        assert [x["href"] for x in a] == ["../reference/glossary.md#pod"] * 2
        assert a[0].get_text() == pod["term"][lang] and a[0]["title"] == pod["short"][lang]
        assert a[1].em.get_text() == "several", "inline Markdown in a label still applies"


def test_references_in_code_stay_as_written():
    soup = render_page("Inline `[[pod]]` here.\n\n```text\n[[pod|Pods]]\n```\n\n"
                       "!!! note\n\n    ```text\n    | [[pod|Pods]] | x |\n    ```\n")
    assert soup.find("a") is None
    assert [c.get_text().strip() for c in soup.find_all("code")][:2] == ["[[pod]]", "[[pod|Pods]]"]
    assert "| [[pod|Pods]] | x |" in soup.find_all("code")[-1].get_text()


def test_a_labelled_reference_in_a_table_row_stays_in_its_cell():
    soup = render_page("| Term | Note |\n| --- | --- |\n| [[pod|Pods]] | `[[node|x]]` and [[node]] |\n")
    cells = soup.select("tbody td")
    assert len(cells) == 2
    assert cells[0].a["href"].endswith("#pod") and cells[0].get_text() == "Pods"
    assert cells[1].code.get_text() == "[[node|x]]"
    assert cells[1].find("a", class_="kb-term")["href"].endswith("#node")


def test_an_unknown_term_stays_as_written():
    soup = render_page("A [[kubelett]] here.\n")
    assert soup.find("a") is None and "[[kubelett]]" in soup.get_text()


# --------------------------------------------------------------------------------------- built site

def test_built_pages_have_one_tooltip_per_term_outside_headings_links_and_code(pages, site):
    checked = 0
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        article = soup.select_one("article")
        if article is None:
            continue
        tips = [a["title"] for a in article.select("abbr[title]")]
        assert len(tips) == len(set(tips)), f"{path.relative_to(site)}: a term has more than one tooltip"
        for el in article.select(SKIPPED):
            assert not el.select("abbr[title]"), f"{path.relative_to(site)}: tooltip inside <{el.name}>"
        checked += bool(tips)
    assert checked >= 10, "tooltips were expected on most pages"


@pytest.mark.parametrize("prefix, lang", [("", "en"), ("es/", "es")])
def test_first_mention_in_the_article_has_the_tooltip(html, prefix, lang):
    """The .local article: the first 'kubelet' in its running text carries the definition."""
    kubelet = next(t for t in GLOSSARY if t["id"] == "kubelet")
    tip = " ".join(kubelet["short"][lang].split())
    article = html(f"{prefix}troubleshooting/local-dns-tanzu/").select_one("article")
    marked = [a for a in article.select("abbr[title]") if a["title"] == tip]
    assert len(marked) == 1
    # No earlier mention of the name in running text (outside headings, links and code).
    name = marked[0].get_text()
    for s in marked[0].find_all_previous(string=True):
        if article in s.parents and not any(p.name in SKIPPED.split(", ") for p in s.parents):
            assert name not in s.split(), f"'{name}' mentioned before its tooltip: {s!r}"
