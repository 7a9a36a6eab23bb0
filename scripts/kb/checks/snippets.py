"""Validate every YAML snippet of the docs and point at the Markdown line to fix.

Which blocks: the fenced blocks Python-Markdown + pymdownx.superfences render with the
language ``yaml`` or ``yml`` (found by ``mdscan``: top level, list items, admonitions, tabs,
tilde or backtick fences of any length, with options such as ``title="…"``).

What is checked, per YAML document (``---`` separates documents):

1. YAML syntax (tabs used for indentation, bad indentation, unclosed ``[`` / ``{``…);
2. duplicate mapping keys (PyYAML keeps the last one silently);
3. a document with ``apiVersion`` and ``kind`` is validated strictly (unknown fields are errors)
   against the schema of that kind: Kubernetes' own (the schemas kubernetes-validate ships, for
   ``extra.kb.kubernetes_version`` in mkdocs.yml) or a custom resource schema kept in
   ``data/schemas/k8s/<group>_<version>_<kind>.json``. An ``apiVersion``/``kind`` with no schema is
   an error: that is how removed APIs (``extensions/v1beta1`` Ingress…) are caught. Blocks with ytt
   annotations (``#@``) are templates and overlays: their documents are partial, so missing
   required fields are not reported, everything else is;
4. a block preceded by ``<!-- snippet: schema NAME -->`` is validated against
   ``data/schemas/snippets/NAME.schema.json`` (netplan, TKG cluster configuration files…);
   ``<!-- snippet: skip -->`` skips a block that is deliberately wrong or partial.

Every problem is reported at the Markdown line (and column) of the offending key or value.
Schemas are compiled once per process; identical snippets (the same YAML in the English and
Spanish page, a page rebuilt by ``mkdocs serve``) are validated once.
"""
from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jsonschema
from referencing import Registry, Resource

from kb.checks import schemafast
from kb.core import source, yamldoc
from kb.core.problems import Problem, relpath, report
from kb.core.settings import DATA, DOCS, ROOT, kb_setting
from kb.views import mdscan

YAML_LANGUAGES = ("yaml", "yml")
SCHEMAS = DATA / "schemas"
CRD_SCHEMAS = SCHEMAS / "k8s"          # <group>_<version>_<kind lower-case>.json
NAMED_SCHEMAS = SCHEMAS / "snippets"   # <name>.schema.json
DEFINITIONS_ID = "https://kubernetes.io/api/_definitions.json"

_DIRECTIVE = re.compile(r"^[ \t>]*<!--\s*snippet\s*:\s*(?P<body>.*?)\s*-->[ \t]*$")
_SCHEMA_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_YTT = re.compile(r"^[ \t]*#@", re.M)


@dataclass
class Stats:
    """What the last runs did (for the benchmark and the hook's timing line)."""

    files: int = 0
    snippets: int = 0        # YAML blocks seen (skipped ones included)
    documents: int = 0       # YAML documents validated
    validated: int = 0       # distinct snippets actually validated (cache misses)
    manifests: int = 0       # documents checked against a Kubernetes / custom resource schema
    seconds: float = 0.0
    validate_seconds: float = 0.0

    def reset(self) -> None:
        self.__init__()

    def line(self) -> str:
        return (f"kb-snippets: {self.files} files, {self.snippets} YAML snippets ({self.validated} distinct "
                f"validated, {self.documents} documents, {self.manifests} manifests) in {self.seconds:.3f} s")


STATS = Stats()


# --------------------------------------------------------------------------- Kubernetes version

class ConfigError(Exception):
    """The project configuration asks for something impossible (reported, never a traceback)."""


def _kv():
    import kubernetes_validate.utils as kvu

    return kvu


def available_versions() -> list[str]:
    """Kubernetes versions whose schemas kubernetes-validate ships ('1.25' … '1.37')."""
    kvu = _kv()
    return [kvu.major_minor(v) for v in kvu.all_versions()]


@lru_cache(maxsize=None)
def resolve_version(wanted: str | None = None) -> tuple[str, str]:
    """(the version named in messages, the schema release used): ('1.37', '1.37.0')."""
    kvu = _kv()
    releases = kvu.all_versions()
    if wanted in (None, ""):
        wanted = kb_setting("kubernetes_version") or kvu.major_minor(releases[-1])
    wanted = str(wanted).lstrip("v")
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?", wanted):
        raise ConfigError(f"kubernetes_version '{wanted}' is not a version like 1.37")
    mm = kvu.major_minor(wanted)
    key = tuple(int(x) for x in mm.split("."))
    usable = [r for r in releases if tuple(int(x) for x in kvu.major_minor(r).split(".")) <= key]
    if not usable or key > tuple(int(x) for x in kvu.major_minor(releases[-1]).split(".")):
        first, last = kvu.major_minor(releases[0]), kvu.major_minor(releases[-1])
        raise ConfigError(f"kubernetes_version {mm} has no schemas (kubernetes-validate ships {first} to {last})")
    return mm, usable[-1]


def _config_problem(message: str) -> Problem:
    config = ROOT / "mkdocs.yml"
    line = 1
    try:
        for n, text in enumerate(config.read_text(encoding="utf-8").splitlines(), 1):
            if text.strip().startswith("kubernetes_version:"):
                line = n
                break
    except OSError:
        pass
    return Problem(relpath(config), line, 1, message)


# --------------------------------------------------------------------------- schemas (compiled once)

@lru_cache(maxsize=None)
def _definitions(release: str) -> dict:
    return _kv().schema_contents(f"kubernetes-json-schema/v{release}-local-strict/_definitions.json", release)


@lru_cache(maxsize=None)
def _registry(release: str) -> Registry:
    """Kubernetes' shared definitions, which the custom resource schemas may $ref as well."""
    defs = _definitions(release)
    return Registry().with_resource(defs.get("$id", DEFINITIONS_ID), Resource.from_contents(defs))


@lru_cache(maxsize=None)
def _served(release: str) -> dict:
    """kind -> sorted apiVersions that Kubernetes serves it under, from the definitions."""
    out: dict = {}
    for d in _definitions(release).get("$defs", {}).values():
        for gvk in d.get("x-kubernetes-group-version-kind", []) or []:
            api = f"{gvk['group']}/{gvk['version']}" if gvk.get("group") else gvk["version"]
            out.setdefault(gvk["kind"], set()).add(api)
    return {k: sorted(v) for k, v in out.items()}


def _crd_file(api_version: str, kind: str) -> Path | None:
    group, _, version = api_version.rpartition("/")
    if not group or not version:
        return None
    path = CRD_SCHEMAS / f"{group}_{version}_{kind.lower()}.json"
    return path if path.is_file() else None


@lru_cache(maxsize=None)
def _crd_index() -> dict:
    """kind -> apiVersions with a project schema."""
    out: dict = {}
    for path in sorted(CRD_SCHEMAS.glob("*.json")):
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        props = schema.get("properties", {})
        kinds = _consts(props.get("kind", {}))
        apis = _consts(props.get("apiVersion", {}))
        for k in kinds:
            out.setdefault(k, set()).update(apis)
    return {k: sorted(v) for k, v in out.items()}


def _consts(prop: dict) -> list:
    if "const" in prop:
        return [prop["const"]]
    return list(prop.get("enum", []))


_PartialValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"required": lambda validator, required, instance, schema: iter(())})


class Kind:
    """A compiled schema: a Kubernetes kind in one version, a custom resource, or a named schema."""

    def __init__(self, schema: dict, registry: Registry, context: str):
        self.context = context  # "Deployment, Kubernetes 1.37" / "Cluster, cluster.x-k8s.io/v1beta1"
        registry = Resource.from_contents(schema) @ registry
        self.validator = jsonschema.Draft202012Validator(schema, registry=registry)
        self._schema, self._registry = schema, registry
        self._partial = None
        self._fast: dict = {}

    @property
    def partial(self):
        """The same schema without `required`: for ytt overlays, which list only what they change."""
        if self._partial is None:
            self._partial = _PartialValidator(self._schema, registry=self._registry)
        return self._partial

    def fast(self, partial: bool = False):
        """schemafast's yes/no check for this schema (None when it cannot compile it)."""
        if partial not in self._fast:
            try:
                resolver = self._registry.resolver(base_uri=self._schema.get("$id", ""))
                self._fast[partial] = schemafast.compile_schema(self._schema, resolver, required=not partial)
            except schemafast.Unsupported:
                self._fast[partial] = None
        return self._fast[partial]

    def findings(self, doc, data, partial: bool = False):
        """The positioned problems of one document: none when the fast check says it is valid."""
        context = self.context + (", ytt template" if partial else "")
        check = self.fast(partial)
        if check is not None and check(data):
            return
        probe = yamldoc.Document(data, doc.node, doc.index)
        for i in yamldoc.schema_issues(probe, self.partial if partial else self.validator, context):
            yield Finding(i.line, i.col, i.message)


@lru_cache(maxsize=None)
def kind_schema(api_version: str, kind: str, version: str | None = None) -> Kind | None:
    """The compiled schema of a kind, or None when there is none. Cached per process."""
    mm, release = resolve_version(version)
    crd = _crd_file(api_version, kind)
    if crd is not None:
        schema = json.loads(crd.read_text(encoding="utf-8"))
        props = schema.get("properties", {})
        if kind in _consts(props.get("kind", {})) and api_version in _consts(props.get("apiVersion", {})):
            return Kind(schema, _registry(release), f"{kind}, {api_version}")
    prefix = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    if not re.fullmatch(r"[A-Za-z0-9-]+", prefix) or not re.fullmatch(r"[A-Za-z0-9]+", kind):
        return None
    try:
        schema = _kv().schema_contents(
            f"kubernetes-json-schema/v{release}-local-strict/{kind.lower()}-{prefix}.json", release)
    except Exception:  # no such file (kubernetes-validate raises its own errors too)
        return None
    props = schema.get("properties", {})
    if kind not in _consts(props.get("kind", {})) or api_version not in _consts(props.get("apiVersion", {})):
        return None  # e.g. apps.example.com/v1 Deployment would otherwise hit apps/v1's file
    return Kind(schema, _registry(release), f"{kind}, Kubernetes {mm}")


def _no_schema_message(api_version: str, kind: str, version: str | None) -> tuple[str, bool]:
    """(message, blame the kind line rather than the apiVersion line)."""
    mm, release = resolve_version(version)
    served = _served(release)
    crds = _crd_index()
    apis_for_kind = [a for a in served.get(kind, []) if kind_schema(a, kind, version)] + crds.get(kind, [])
    known_api = any(api_version in apis for apis in served.values()) or any(
        api_version in apis for apis in crds.values())
    message = f"no schema for {api_version} {kind} (Kubernetes {mm})"
    if apis_for_kind:
        message += f": {kind} is served as {', '.join(sorted(set(apis_for_kind)))}"
        return message, False
    lower = {k.lower(): k for k in list(served) + list(crds)}
    if kind.lower() in lower and lower[kind.lower()] != kind:
        return message + f": did you mean kind {lower[kind.lower()]}?", True
    if known_api:
        return message + f": {api_version} has no kind {kind}", True
    return (message + ": a custom resource needs a schema in data/schemas/k8s/ "
            "(or mark the block <!-- snippet: skip -->)"), False


@lru_cache(maxsize=None)
def named_schema(name: str):
    """The compiled schema data/schemas/snippets/NAME.schema.json, or None."""
    if not _SCHEMA_NAME.match(name):
        return None
    path = NAMED_SCHEMAS / f"{name}.schema.json"
    if not path.is_file():
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Kind(schema, Registry(), f"{name} schema")


def named_schemas() -> list[str]:
    return sorted(p.name[: -len(".schema.json")] for p in NAMED_SCHEMAS.glob("*.schema.json"))


# --------------------------------------------------------------------------- one snippet

def _jsonable(value, depth: int = 0):
    """YAML data as JSON sees it: string keys, dates as strings (as Kubernetes' YAML reader does)."""
    if depth > 200:
        raise RecursionError("nested too deeply")
    if isinstance(value, dict):
        return {(k if isinstance(k, str) else _key(k)): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    if isinstance(value, set):
        return {str(v): None for v in value}
    return value


def _key(k) -> str:
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    return str(k)


@dataclass(frozen=True)
class Finding:
    """A problem inside one YAML text (0-based line/col relative to that text)."""

    line: int
    col: int
    message: str


def validate_yaml(text: str, schema: str | None = None, version: str | None = None) -> tuple[Finding, ...]:
    """Every problem in one YAML snippet. `schema`: a named schema for non-Kubernetes YAML."""
    key = (text, schema, version)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    t0 = time.perf_counter()
    found = tuple(_validate(text, schema, version))
    STATS.validate_seconds += time.perf_counter() - t0
    STATS.validated += 1
    _CACHE[key] = found
    return found


_CACHE: dict = {}


def clear_cache() -> None:
    _CACHE.clear()


def _validate(text: str, schema: str | None, version: str | None):
    docs, issues = yamldoc.parse(text)
    lines = text.split("\n")
    for i in issues:
        message = i.message
        if "{{" in (lines[i.line] if 0 <= i.line < len(lines) else ""):
            message += " (a template placeholder such as {{ value }} is not YAML: quote it, or mark the block <!-- snippet: skip -->)"
        yield Finding(i.line, i.col, message)
    template = bool(_YTT.search(text))
    for doc in docs:
        STATS.documents += 1
        try:
            data = _jsonable(doc.data)
        except RecursionError:
            yield Finding(doc.node.start_mark.line, doc.node.start_mark.column,
                          "YAML document refers to itself (a recursive alias) and cannot be validated")
            continue
        if schema is not None:
            named = named_schema(schema)
            if named is not None:
                yield from _guarded(doc, named, data, False)
            continue
        if not (isinstance(data, dict) and "apiVersion" in data and "kind" in data):
            continue
        yield from _manifest_findings(doc, data, version, template)


def _manifest_findings(doc, data: dict, version: str | None, template: bool):
    api, kind = data["apiVersion"], data["kind"]
    for name, value in (("apiVersion", api), ("kind", kind)):
        if not isinstance(value, str) or not value:
            line, col = doc.mark((name,))
            yield Finding(line, col, f"{name}: {value!r} is not a string"
                          + (" (a ytt expression?)" if template else ""))
            return
    STATS.manifests += 1
    compiled = kind_schema(api, kind, version)
    if compiled is None:
        message, blame_kind = _no_schema_message(api, kind, version)
        line, col = doc.mark(("kind",) if blame_kind else ("apiVersion",), key=True)
        yield Finding(line, col, message)
        return
    yield from _guarded(doc, compiled, data, template)


def _guarded(doc, compiled: Kind, data, partial: bool):
    try:
        yield from list(compiled.findings(doc, data, partial))
    except RecursionError:
        yield Finding(doc.node.start_mark.line, doc.node.start_mark.column,
                      f"document is nested too deeply to validate ({compiled.context})")


# --------------------------------------------------------------------------- one Markdown page

@dataclass
class Snippet:
    """A YAML block of a page, with what its directive says."""

    fence: mdscan.Fence
    skip: bool = False
    schema: str | None = None


@dataclass
class Page:
    rel: str
    snippets: list[Snippet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def decode(data: bytes, rel: str) -> tuple[str, list[Problem]]:
    """UTF-8 text of a file (kb.core.source.decode); a byte that is not UTF-8 is a problem at its line and column."""
    text, problems, _ = source.decode(data, rel)
    return text, problems


def scan_page(text: str, rel: str) -> Page:
    """The YAML blocks of a page and the problems with its snippet directives."""
    page = Page(rel)
    deep = mdscan.too_deep(text)
    if deep:  # no views for such a page: the renderer cannot read it (the build would crash)
        page.problems.append(Problem(rel, deep[1] + 1, 1, f"nested {deep[0]} levels deep (lists, quotes or "
                                     f"containers): more than the Markdown renderer can read ({mdscan.MAX_NESTING}); "
                                     "flatten it"))
        return page
    lines = mdscan.split_lines(text[1:] if text.startswith("\ufeff") else text)
    found = mdscan.fences(text)
    openings = {f.start: f for f in found}
    directives: dict = {}
    commented = [n for n, line in enumerate(lines) if "<!--" in line] if "<!--" in text else []
    if commented:
        mask = [False] * len(lines)
        for f in found:
            mask[f.start:f.end + 1] = [True] * (f.end + 1 - f.start)
        commented = [n for n in commented if not mask[n]]
    for n in commented:
        line = lines[n]
        m = _DIRECTIVE.match(line)
        col = line.index("<!--") + 1
        if m is None:
            if re.match(r"<!--\s*snippets?\b", line.lstrip(" \t>"), re.I):
                page.problems.append(Problem(rel, n + 1, col, "malformed snippet directive: write "
                                             "<!-- snippet: skip --> or <!-- snippet: schema NAME -->"))
            continue
        words = m.group("body").split()
        if words == ["skip"]:
            directive = ("skip", None)
        elif len(words) == 2 and words[0] == "schema":
            directive = ("schema", words[1])
            if named_schema(words[1]) is None:
                known = ", ".join(named_schemas()) or "none yet"
                page.problems.append(Problem(rel, n + 1, col, f"unknown snippet schema '{words[1]}' "
                                             f"(data/schemas/snippets/ has: {known})"))
                directive = ("skip", None)  # the block is not also reported against nothing
        else:
            page.problems.append(Problem(rel, n + 1, col, f"unknown snippet directive '{m.group('body')}' "
                                         "(expected 'skip' or 'schema NAME')"))
            continue
        target = openings.get(n + 1)
        if target is None or target.lang not in YAML_LANGUAGES:
            page.problems.append(Problem(rel, n + 1, col, "snippet directive has no effect: the next line "
                                         "must open a ```yaml block"))
            continue
        directives[target.start] = directive
    for f in found:
        if f.lang in YAML_LANGUAGES:
            kind, name = directives.get(f.start, (None, None))
            page.snippets.append(Snippet(f, skip=(kind == "skip"), schema=name if kind == "schema" else None))
    for u in mdscan.unclosed(text):
        if u.lang in YAML_LANGUAGES and not (u.start > 0 and _is_skip(lines[u.start - 1])):
            col = len(lines[u.start]) - len(lines[u.start].lstrip(" \t>")) + 1
            page.problems.append(Problem(rel, u.start + 1, col, f"this {u.fence}{u.lang} block is not rendered as code: "
                                         f"the fence is never closed (it stops at line {u.end + 1}); close it with "
                                         f"{u.fence} at the same indentation"))
    return page


def _is_skip(line: str) -> bool:
    m = _DIRECTIVE.match(line)
    return bool(m and m.group("body").split() == ["skip"])


def check_text(text: str, rel: str, version: str | None = None) -> list[Problem]:
    """Every snippet problem of one page (its text as stored, front matter included)."""
    page = scan_page(text, rel)
    problems = list(page.problems)
    for s in page.snippets:
        STATS.snippets += 1
        if s.skip:
            continue
        f = s.fence
        for finding in validate_yaml(f.text, s.schema, version):
            problems.append(_at(rel, f, finding))
    return problems


def _at(rel: str, f: mdscan.Fence, finding: Finding) -> Problem:
    """Markdown line and column of a finding inside a block."""
    if finding.line < len(f.lines):
        return Problem(rel, f.body_start + finding.line + 1, f.cols[finding.line] + finding.col + 1,
                       finding.message)
    return Problem(rel, f.end + 1, len(f.indent) + 1, finding.message)  # end of the block


def check_file(path: Path, version: str | None = None) -> list[Problem]:
    rel = relpath(path)
    STATS.files += 1
    src = source.read(Path(path))
    if src.text is None:
        return src.problems
    return src.problems + check_text(src.text, rel, version)


def markdown_files(paths, problems: list | None = None) -> list[Path]:
    """The pages under these files / folders; entries named *.md that are not files (folders,
    dangling symlinks) go to `problems` (kb.core.source.markdown_files)."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir() and not p.name.endswith(".md"):
            found, bad = source.markdown_files(p)
            files += found
            if problems is not None:
                problems += bad
        else:
            files.append(p)
    return files


def check_paths(paths=None, version: str | None = None) -> list[Problem]:
    """All snippet problems in these Markdown files / folders (default: docs/), at once."""
    t0 = time.perf_counter()
    try:
        resolve_version(version)
    except ConfigError as exc:
        return [_config_problem(str(exc))]
    problems: list[Problem] = []
    for path in markdown_files(paths or [DOCS], problems):
        problems += check_file(path, version)
    STATS.seconds += time.perf_counter() - t0
    return sorted(set(problems))


def check_tree(docs_dir: Path) -> list[Problem]:
    """The MkDocs hook's entry point: the whole docs folder."""
    return check_paths([docs_dir])


# --------------------------------------------------------------------------- command line

def cli(argv: list[str]) -> int:
    """`kb check-snippets [PATH ...]`: validate the YAML snippets of Markdown files."""
    ap = argparse.ArgumentParser(
        prog="kb check-snippets",
        description="Validate every YAML snippet (```yaml blocks) of Markdown files: syntax, duplicate keys, "
                    "Kubernetes and custom resource schemas, named schemas. Problems are printed as "
                    "PATH:LINE:COL: MESSAGE; exit 0 when clean, 1 on problems, 2 on usage errors.")
    ap.add_argument("paths", nargs="*", help="Markdown files or folders searched recursively (default: docs/)")
    ap.add_argument("--kubernetes-version", metavar="X.Y",
                    help="validate against this Kubernetes version (default: extra.kb.kubernetes_version)")
    ap.add_argument("--stats", action="store_true", help="print counts and timing to stderr")
    args = ap.parse_args(argv)
    for p in args.paths:
        if not Path(p).exists():
            print(f"kb check-snippets: no such file or folder: {p}", file=sys.stderr)
            return 2
    if args.kubernetes_version:
        try:
            resolve_version(args.kubernetes_version)
        except ConfigError as exc:
            print(f"kb check-snippets: {exc}", file=sys.stderr)
            return 2
    STATS.reset()
    problems = check_paths([Path(p) for p in args.paths] or None, args.kubernetes_version)
    report(problems)
    if args.stats:
        print(STATS.line(), file=sys.stderr)
    return 1 if problems else 0
