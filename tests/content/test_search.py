"""scripts/kb/content/search.py: one search index per language, with stem forms; and what the build writes."""
from __future__ import annotations

import json

import pytest

from kb.content import search

CONFIG = {"lang": ["en", "es"], "separator": r"[\s\-]+", "pipeline": ["stopWordFilter"],
          "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}}}


def doc(location, title="T", text="<p>x</p>"):
    return {"location": location, "title": title, "text": text}


def passes():
    en = {"config": CONFIG, "docs": [doc(""), doc("a/", "Nodes", "<p>Nodes run Pods.</p>"), doc("a/#run", "Run"),
                                     doc("b/", "Only English")]}
    es = {"config": CONFIG, "docs": [doc("es/"), doc("es/a/", "Nodos", "<p>Los nodos ejecutan Pods.</p>"),
                                     doc("es/b/", "Only English"), doc("es/c/", "Solo en español", "<p>Un nodo.</p>")]}
    sources = {"": "en", "a/": "en", "b/": "en", "es/": "es", "es/a/": "es", "es/b/": "en", "es/c/": "es"}
    return {"en": en, "es": es}, sources


def test_each_language_gets_its_own_pages_relative_to_its_root():
    out = search.split(*passes())
    es_locations = [d["location"] for d in out["es"]["docs"]]
    # The Spanish build's own pages (and the English original shown where no translation exists).
    assert es_locations == ["", "a/", "b/", "c/"]
    en_locations = [d["location"] for d in out["en"]["docs"]]
    # English pages, plus the page that exists only in Spanish.
    assert en_locations == ["", "a/", "a/#run", "b/", "es/c/"]


def test_index_languages_follow_the_pages_it_holds():
    out = search.split(*passes())
    assert out["en"]["config"]["lang"] == ["en", "es"]  # es/c/ exists only in Spanish
    assert out["es"]["config"]["lang"] == ["es", "en"]  # b/ is an English fallback
    assert out["es"]["config"]["separator"] == CONFIG["separator"]


def test_relocate_climbs_out_of_a_language_folder():
    assert search.relocate("es/a/#x", "es/") == "a/#x"
    assert search.relocate("a/b.html", "es/") == "../a/b.html"
    assert search.relocate("es/a/", "") == "es/a/"


def test_forms_link_words_of_one_stem_across_sections():
    docs = [doc("a/", "Configuración", "<p>La configuración del nodo.</p>"),
            doc("b/", "Pasos", "<p>Para configurar los nodos, edite el archivo.</p>"),
            doc("c/", "Other", "<p>Nothing in common.</p>")]
    out = search.with_forms(docs, ["es", "es", "es"], CONFIG["separator"])
    assert set(out[0]["forms"].split()) == {"configurar", "nodos"}
    assert set(out[1]["forms"].split()) == {"configuración", "nodo"}
    assert "forms" not in out[2]


def test_forms_use_the_stemmer_of_the_page_language():
    docs = [doc("a/", "Running", "<p>running nodes</p>"), doc("b/", "Run", "<p>run a node</p>")]
    out = search.with_forms(docs, ["en", "en"], CONFIG["separator"])
    assert set(out[0]["forms"].split()) == {"run", "node"}
    # A language without a stemmer gets no forms rather than wrong ones.
    assert all("forms" not in d for d in search.with_forms(docs, ["xx", "xx"], CONFIG["separator"]))


def test_words_ignore_markup_punctuation_and_short_tokens():
    found = search.words("<p>¿Qué <code>kubectl</code> usa? A 42 &amp; x-y.</p>", CONFIG["separator"])
    assert found == {"qué", "kubectl", "usa"}


def test_forms_field_is_declared_with_a_low_boost():
    out = search.split(*passes())
    assert out["es"]["config"]["fields"]["forms"] == {"boost": search.FORMS_BOOST}
    assert search.FORMS_BOOST < CONFIG["fields"]["text"]["boost"]


def test_built_site_has_one_index_per_language(site):
    en = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    es = json.loads((site / "es" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert en["config"]["lang"][0] == "en" and es["config"]["lang"][0] == "es"
    assert not any(d["location"].startswith("es/") and (site / d["location"].split("#")[0][3:]).exists()
                   for d in en["docs"]), "a Spanish page with an English twin is in the English index"
    assert not any(d["location"].startswith("../") for d in es["docs"]), "the Spanish index links out of es/"
    spanish_pages = {d["location"].split("#")[0] for d in es["docs"]}
    assert "" in spanish_pages and "kubernetes/architecture/" in spanish_pages


def test_spanish_pages_search_from_their_language_folder(html):
    config = json.loads(html("es/kubernetes/architecture/").find("script", id="__config").string)
    assert config["base"] == "../../../es/"
    config = json.loads(html("kubernetes/architecture/").find("script", id="__config").string)
    assert config["base"] == "../.."


# --------------------------------------------------------------------------- indexing speed (no output change)

def test_light_for_index_drops_only_highlighting_tags_inside_pre():
    page = ('<p>A <span class="x">span</span> and <code>inline <span>code</span></code>.</p>'
            '<div class="highlight"><pre><span></span><code><a id="__codelineno-0-1" name="__codelineno-0-1" '
            'href="#__codelineno-0-1"></a><span class="nt">kind</span><span class="p">:</span> Pod\n'
            '<a id="l2" href="#l2"></a>x: <span class="s">&quot;y&quot;</span>\n</code></pre></div>')
    light = search.light_for_index(page)
    assert light.startswith('<p>A <span class="x">span</span> and <code>inline <span>code</span></code>.</p>')
    assert '<pre><code>kind: Pod\nx: &quot;y&quot;\n</code></pre>' in light
    assert search.light_for_index("<p>no code</p>") == "<p>no code</p>"


@pytest.mark.slow
def test_the_speed_hook_changes_no_search_index(site, project):
    """The same site built without scripts/hooks/search_speed.py has byte-identical search indexes."""
    import re

    from support import build_copy

    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "scripts/hooks/search_speed.py" in text
    config.write_text(re.sub(r"\n\s+- scripts/hooks/search_speed\.py", "", text), encoding="utf-8")
    proc = build_copy(project)
    assert proc.returncode == 0, proc.stdout
    for rel in ("search/search_index.json", "es/search/search_index.json"):
        assert (project / "site" / rel).read_bytes() == (site / rel).read_bytes(), rel


def test_the_speed_hook_is_in_place_in_the_real_configuration():
    """If Material's search plugin changed shape the hook would step aside silently: fail here instead."""
    from mkdocs.config import load_config

    from support import ROOT

    config = load_config(str(ROOT / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    index = config.plugins["material/search"].search_index
    assert getattr(index.add_entry_from_context, "kb_light", False)
