"""Terminology: `kb check-terms` holds the Spanish prose of pages and data files to data/terminology.yml."""
from __future__ import annotations

import os
import re

import pytest

from kb.checks import runner
from support import ROOT, build_copy, kb

PAGE = "docs/es/kubernetes/index.md"


def plant(project, text: str, page: str = PAGE) -> int:
    """Append `text` to a page of the copy; return the 1-based line number where it starts."""
    path = project / page
    body = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(body + text, encoding="utf-8")
    return body.count("\n") + 1


def problems(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"^[^:\s]+:\d+:\d+: ", line)]


def test_the_docs_and_data_files_pass():
    result = kb(ROOT, "check-terms")
    assert result.returncode == 0, result.stdout
    assert problems(result.stdout) == []


def test_a_variant_in_a_page_is_reported_at_its_line_and_column(project):
    line = plant(project, "Las consultas van por DNS multicast al segmento local.\n")
    result = kb(project, "check-terms")
    assert result.returncode == 1
    assert problems(result.stdout) == [
        f'{PAGE}:{line}:23: use "DNS multidifusión" instead of "DNS multicast"; '
        'mDNS after the first mention; the RFC\'s title "Multicast DNS" is quoted in English'
    ]


def test_every_variant_is_reported_at_once_also_across_a_line_break(project):
    line = plant(project, "Un resolvedor consulta al DNS\nunicast; la release de Helm y dos VMs.\n")
    result = kb(project, "check-terms")
    assert result.returncode == 1
    found = problems(result.stdout)
    assert [p.split(": use ")[0] for p in found] == [
        f"{PAGE}:{line}:4", f"{PAGE}:{line}:27", f"{PAGE}:{line + 1}:10", f"{PAGE}:{line + 1}:35"]
    assert 'use "resolutor" instead of "resolvedor"' in found[0]
    assert 'use "DNS unidifusión" instead of "DNS unicast"' in found[1]  # the variant as one phrase
    assert 'use "el release" instead of "la release"' in found[2]
    assert 'use "VM" instead of "VMs"' in found[3]


def test_capitals_follow_the_text(project):
    line = plant(project, "Resolvedor local del nodo.\n")
    result = kb(project, "check-terms")
    assert problems(result.stdout) == [f'{PAGE}:{line}:1: use "Resolutor" instead of "Resolvedor"']


def test_code_urls_ids_comments_quotations_and_allowed_phrases_are_not_prose(project):
    plant(project, "\n".join([
        "```bash",
        "echo 'DNS multicast resolvedor VMs'",
        "```",
        "",
        "Un comando `resolvectl --resolvedor VMs` y otro en dos líneas: `tanzu cluster",
        "create`.",
        "",
        "Un [enlace](https://example.org/resolvedor/plugin) y <https://example.org/VMs>.",
        "El [[container-runtime|entorno de ejecución de contenedores]] sigue la Container Runtime Interface.",
        "<!-- snippet: resolvedor -->",
        'La documentación dice "management clusters on AWS" y usa un grupo de recursos (resource pool).',
        "Un término en inglés una sola vez: (*container runtime*).",
        "",
    ]))
    result = kb(project, "check-terms")
    assert result.returncode == 0, result.stdout


def test_a_variant_in_a_data_file_is_reported_at_its_line_and_column(project):
    path = project / "data/glossary.yml"
    lines = path.read_text(encoding="utf-8").split("\n")
    # The Spanish short text of the first term: a plain scalar, `      es: <text>`.
    n = next(i for i, text in enumerate(lines) if re.match(r"^\s+es: [A-Z]", text) and "short" in lines[i - 2])
    start = lines[n].index("es: ") + 4
    lines[n] = lines[n][:start] + "Un resource pool. " + lines[n][start:]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = kb(project, "check-terms")
    assert result.returncode == 1
    assert problems(result.stdout) == [
        f'data/glossary.yml:{n + 1}:{start + 4}: use "grupo de recursos" instead of "resource pool"; '
        "the vSphere Client's Spanish name; the English name may follow once in parentheses"
    ]


def test_a_variant_in_a_folded_data_text_and_aka_lists(project):
    path = project / "data/vsphere-to-kubernetes.yml"
    text = path.read_text(encoding="utf-8")
    marker = re.search(r"\n(\s+)es: >-\n(\s+)", text)  # the first folded Spanish explanation
    assert marker
    at = marker.end()
    text = text[:at] + "Varias VMs.\n" + marker.group(2) + text[at:]
    path.write_text(text, encoding="utf-8")
    line = text[:at].count("\n") + 1
    col = len(marker.group(2)) + 8
    glossary = project / "data/glossary.yml"
    g = glossary.read_text(encoding="utf-8")
    assert "runtime de contenedores" in g  # an aka name: kept on purpose, not reported
    result = kb(project, "check-terms")
    assert problems(result.stdout) == [
        f'data/vsphere-to-kubernetes.yml:{line}:{col}: use "VM" instead of "VMs"; acronyms take no plural s in Spanish (las VM)'
    ]


def test_a_broken_terminology_file_is_reported_at_its_line(project):
    path = project / "data/terminology.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    reject: [resolvedor, resolvedora]\n", "    reject: [resolvedor, resolvedora]\n    colour: red\n", 1)
    path.write_text(text, encoding="utf-8")
    line = text[: text.index("    colour: red")].count("\n") + 1
    result = kb(project, "check-terms")
    assert result.returncode == 1
    assert problems(result.stdout)[0].startswith(f"data/terminology.yml:{line}:")
    assert "colour" in problems(result.stdout)[0]


def test_a_variant_rejected_twice_or_inside_its_own_preferred_term(project):
    path = project / "data/terminology.yml"
    text = path.read_text(encoding="utf-8")
    text += "  - preferred: resolutor local\n    reject: [resolvedor]\n    language: es\n"
    text += "  - preferred: runtime nuevo\n    reject: [runtime nuevo]\n    language: es\n"
    path.write_text(text, encoding="utf-8")
    result = kb(project, "check-terms")
    assert result.returncode == 1
    found = problems(result.stdout)
    assert any('"resolvedor" is already rejected in favour of "resolutor"' in p for p in found), found
    assert any('contains its own rejected variant "runtime nuevo"' in p for p in found), found


def test_check_terms_is_part_of_kb_check_and_of_the_build():
    assert "check-terms" in [name for name, _ in runner.CHECKS]
    assert "terms" in runner.BUILD_CHECKS


def test_check_build_reports_a_planted_variant(project):
    line = plant(project, "Un plugin CNI.\n")
    result = kb(project, "check-build")
    assert result.returncode == 1
    assert f'{PAGE}:{line}:4: use "complemento" instead of "plugin"' in result.stdout


@pytest.mark.slow
def test_a_rejected_variant_fails_the_strict_build_with_file_and_line(project):
    line = plant(project, "Dos VMs por nodo.\n")
    proc = build_copy(project)
    assert proc.returncode != 0
    assert f'{PAGE}:{line}:5: use "VM" instead of "VMs"' in proc.stdout, proc.stdout[-3000:]
    assert not (project / "site").exists()


# --------------------------------------------------------------------------- the prefilter

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kb.checks import terms  # noqa: E402


def _real_rules():
    rules, found = terms.load(ROOT / "data" / "terminology.yml")
    assert rules and not found
    return rules


def test_the_prefilter_finds_what_every_rule_finds_on_the_docs_and_data():
    """scan() with its word prefilter = scan() running every rule's expression, on every page's prose
    and every data file of the tree, for the rules of each language."""
    rules = _real_rules()
    texts = [terms.markdown_prose(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "docs").rglob("*.md"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data").glob("*.yml"))]
    hits = 0
    for language in {r.language for r in rules}:
        mine = [r for r in rules if r.language == language]
        for text in texts:
            fast = terms.scan(text, mine)
            assert fast == terms.scan(text, mine, prefilter=False)
            hits += len(fast)
    assert hits > 0  # the data files name rejected variants (terminology.yml itself is among them)


_VARIANT_WORDS = sorted({w for r in _real_rules() for w in re.findall(r"\w+", r.variant)})
# Text made of the rules' own words in changed case, accented and special letters the regular
# expression engine folds in its own way (U+0130, U+0131, U+017F, U+212A, final sigma, micro sign),
# and the characters that sit at word edges.
_PIECES = st.one_of(
    st.sampled_from(_VARIANT_WORDS).map(lambda w: w.upper() if len(w) % 2 else w.title()),
    st.sampled_from(_VARIANT_WORDS),
    st.sampled_from([" ", "  ", "\n", "-", ".", "/", "'", "_", "é", "É", "ñ", "\u0130", "\u0131", "\u017f",
                     "\u212a", "ς", "µ", "ß", "“", "”", "x", "de", "la", "worker", "release"]),
)


@settings(max_examples=int(os.environ.get("KB_FUZZ_EXAMPLES", "300")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_the_prefilter_agrees_with_every_rule_on_generated_text(text):
    rules = _real_rules()
    for language in {r.language for r in rules}:
        mine = [r for r in rules if r.language == language]
        assert terms.scan(text, mine) == terms.scan(text, mine, prefilter=False)


def test_the_prefilter_keeps_rules_with_letters_the_engine_folds_onto_ascii():
    """A variant holding U+017F (long s) matches "s" in any case: its rule always runs."""
    rule = terms.Rule("es", "x", "cla\u017fe", terms._compile("cla\u017fe", False), (), None, 1)
    assert terms.scan("una CLASE nueva", [rule]) == terms.scan("una CLASE nueva", [rule], prefilter=False) != []
    kelvin = terms.Rule("es", "x", "kit", terms._compile("kit", False), (), None, 1)
    assert terms.scan("un \u212aIT", [kelvin]) == terms.scan("un \u212aIT", [kelvin], prefilter=False) != []
