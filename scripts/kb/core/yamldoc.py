"""YAML with positions: parse, find duplicate keys, and validate against JSON Schema.

PyYAML loses positions once data is constructed and accepts duplicate keys silently.
This module keeps the node tree beside the data, so every problem can point at the
line of the offending key or value. Used by the snippet checker and by the loaders
of the data files (glossary, mapping, mkdocs.yml's settings): the project's one YAML loader.

- Positions follow the project's one line rule (kb.core.source): PyYAML's marks also count
  ``\\x85``, U+2028 and U+2029 as line breaks, so marks are mapped back to ``\\n`` lines.
- Duplicate keys are compared by the value they resolve to (``true``/``True``, ``0x10``/``16``,
  ``null``/``~`` are the same key: one of them would be lost).
- Bounded work: a document whose aliases expand to more than ALIAS_BUDGET nodes beyond the ones
  written (a "billion laughs"), or that nests deeper than MAX_DEPTH, is an issue at its line, and
  is not constructed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import jsonschema
import yaml

Path_ = tuple  # a JSON path: tuple of str keys and int indexes

MAX_DEPTH = 100          # nesting levels: far above any manifest or data file, well below Python's stack
ALIAS_BUDGET = 100_000   # nodes aliases may add to a document beyond the ones written
_PYYAML_BREAKS = re.compile("[\x85\u2028\u2029\n]")


@dataclass
class Issue:
    """A problem inside one YAML text; line and col are 0-based, relative to that text."""

    line: int
    col: int
    message: str
    syntax: bool = False  # the parser stopped here (later documents were not read)


@dataclass
class Document:
    data: Any
    node: yaml.Node
    index: int  # position in the stream (0 = first document)
    issues: list[Issue] = field(default_factory=list)

    def mark(self, path: Iterable, key: bool = False) -> tuple[int, int]:
        """(line, col) of the node at `path`; with key=True, of its mapping key."""
        return locate(self.node, tuple(path), key=key)


class _Loader(yaml.SafeLoader):
    """SafeLoader that tolerates unknown tags (``!Ref``, ``!ENV``…) as plain values."""


def _unknown_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


_Loader.add_multi_constructor("!", _unknown_tag)

if getattr(yaml, "__with_libyaml__", False):
    class _CLoader(yaml.CSafeLoader):
        """The same with libyaml's parser: about 15 times faster, and as lenient as the YAML
        parsers Kubernetes tools use (a tab after ``key:`` is accepted, as kubectl does)."""

    _CLoader.add_multi_constructor("!", _unknown_tag)
else:  # pragma: no cover - PyYAML built without libyaml
    _CLoader = None


def _env_tag(loader, suffix, node):
    """mkdocs.yml: ``!ENV [NAME, default]`` reads as its default (the last item), other ``!`` tags plainly."""
    value = _unknown_tag(loader, suffix, node)
    if suffix == "ENV" and isinstance(value, list):
        return value[-1] if value else None
    return value


def _python_name(loader, suffix, node):
    """mkdocs.yml: ``!!python/name:module.attr`` kept as a name to import: ("python-name", "module.attr")."""
    return ("python-name", suffix)


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml's YAML: MkDocs' tags read as plain values (no code runs)."""


_ConfigLoader.add_multi_constructor("!", _env_tag)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _unknown_tag)
if _CLoader is not None:
    class _CConfigLoader(yaml.CSafeLoader):
        pass

    _CConfigLoader.add_multi_constructor("!", _env_tag)
    _CConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
    _CConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _unknown_tag)
else:  # pragma: no cover
    _CConfigLoader = None


class _NotPlain(Exception):
    """The document needs PyYAML's full constructor (merge keys, sets, custom tags, odd keys…)."""


_T = "tag:yaml.org,2002:"
_SCALARS = {_T + "int": "construct_yaml_int", _T + "float": "construct_yaml_float",
            _T + "timestamp": "construct_yaml_timestamp", _T + "binary": "construct_yaml_binary"}


def _plain(root: yaml.Node, loader) -> tuple[Any, list[Issue]]:
    """Data and duplicate keys of a document made of plain maps, lists and standard scalars.

    Three times faster than ``construct_document`` plus ``_duplicate_keys``, with the same
    result; anything unusual raises _NotPlain and the caller takes the general path.
    """
    dups: list[Issue] = []
    memo: dict = {}
    busy = object()

    def conv(node):
        tag = node.tag
        if tag == _T + "str":
            return node.value
        got = memo.get(id(node))
        if got is not None:
            if got is busy:
                raise _NotPlain  # a recursive alias
            return got
        if tag == _T + "map":
            memo[id(node)] = busy
            out: dict = {}
            seen: dict = {}
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode) or k.tag == _T + "merge":
                    raise _NotPlain
                key = conv(k)
                first = seen.get(key)
                if first is not None:
                    dups.append(_duplicate(k, first))
                else:
                    seen[key] = k
                out[key] = conv(v)
            memo[id(node)] = out
            return out
        if tag == _T + "seq":
            memo[id(node)] = busy
            out_list = [conv(v) for v in node.value]
            memo[id(node)] = out_list
            return out_list
        if tag == _T + "null":
            return None
        if tag == _T + "bool":
            return loader.bool_values[node.value.lower()]
        method = _SCALARS.get(tag)
        if method is None or not isinstance(node, yaml.ScalarNode):
            raise _NotPlain
        try:
            return getattr(loader, method)(node)
        except Exception as exc:  # let the general path report it
            raise _NotPlain from exc

    try:
        data = conv(root)
    except (RecursionError, TypeError, KeyError):
        raise _NotPlain
    return data, sorted(dups, key=lambda i: (i.line, i.col))


def _duplicate(key: yaml.Node, first: yaml.Node) -> Issue:
    above = key.start_mark.line - first.start_mark.line
    where = f"{above} line{'s' if above != 1 else ''} above" if above else "on the same line"
    same = "" if first.value == key.value else f" as '{first.value}', the same key once read"
    return Issue(key.start_mark.line, key.start_mark.column, f"duplicate key '{key.value}' (already defined {where}{same})")


def _key_value(loader, node: yaml.ScalarNode):
    """What a scalar key resolves to (hashable), for comparing keys as the data will hold them."""
    tag = node.tag
    try:
        if tag == _T + "null":
            return None
        if tag == _T + "bool":
            return loader.bool_values[node.value.lower()]
        method = _SCALARS.get(tag)
        if method is not None:
            value = getattr(loader, method)(node)
            hash(value)
            return value
    except Exception:
        pass
    return node.value if tag == _T + "str" else (tag, node.value)


def _duplicate_keys(node: yaml.Node, seen_ids: set, loader=None) -> list[Issue]:
    loader = loader if loader is not None else _Loader("")
    issues: list[Issue] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in seen_ids:  # aliases can make cycles
            continue
        seen_ids.add(id(n))
        if isinstance(n, yaml.MappingNode):
            keys: dict = {}
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    value = _key_value(loader, k)
                    if value in keys:
                        issues.append(_duplicate(k, keys[value]))
                    else:
                        keys[value] = k
                stack.append(k)
                stack.append(v)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return sorted(issues, key=lambda i: (i.line, i.col))


def parse(text: str, *, mkdocs: bool = False) -> tuple[list[Document], list[Issue]]:
    """Parse every document of a YAML stream.

    Returns the documents that parsed, and the issues: syntax errors (at the parser's
    mark; parsing stops there), construction errors such as unhashable keys, and
    duplicate keys. Never raises for bad input.

    libyaml decides (when PyYAML has it); when it finds a syntax error, the pure-Python
    parser runs again for its more precise message (it names the offending character).
    Lines and columns follow the one line rule (``\\r\\n``/``\\r`` are read as ``\\n``).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    too_deep = _too_deep(text)
    if too_deep is not None:
        return [], [too_deep]
    fast, slow = (_CConfigLoader, _ConfigLoader) if mkdocs else (_CLoader, _Loader)
    if fast is None:
        docs, issues = _parse(text, slow)
    else:
        docs, issues = _parse(text, fast)
        if any(i.syntax for i in issues):
            slow_docs, slow_issues = _parse(text, slow)
            if any(i.syntax for i in slow_issues):
                docs, issues = slow_docs, slow_issues
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        _remap(text, docs, issues)
    return docs, issues


def _depth_bound(text: str) -> int:
    """An upper bound of the nesting depth, cheaply: block levels start within a line's leading
    run of spaces, '-', '?' and ':' (plus one for a mapping in a list item), flow levels need a '['
    or '{' each."""
    lead = 0
    for line in text.split("\n"):
        n = len(line) - len(line.lstrip(" -?:"))
        if n > lead:
            lead = n
    return lead + 2 + text.count("[") + text.count("{")


def _too_deep(text: str) -> Issue | None:
    """An issue when the text nests deeper than MAX_DEPTH (checked on the event stream, which
    libyaml produces without recursion, before anything recursive reads it), else None."""
    if _depth_bound(text) <= MAX_DEPTH:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_CLoader or _Loader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    m = event.start_mark
                    return _syntax(Issue(m.line, m.column, f"YAML nested more than {MAX_DEPTH} levels deep: "
                                                           "too deep to read (is a closing bracket missing?)"))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except (yaml.YAMLError, ValueError, RecursionError):
        return None  # a syntax error: the parse below reports it
    return None


def _expansion_issue(root: yaml.Node) -> Issue | None:
    """An issue when aliases make the document larger than the text by more than ALIAS_BUDGET
    nodes (a "billion laughs"), counted without expanding anything; None otherwise."""
    size: dict = {}
    on_path: set = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if isinstance(node, yaml.MappingNode):
            children = [c for kv in node.value for c in kv]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            size[nid] = 1
            continue
        if not done:
            if nid in size or nid in on_path:
                continue
            on_path.add(nid)
            stack.append((node, True))
            stack.extend((c, False) for c in children)
            continue
        on_path.discard(nid)
        total = 1 + sum(size.get(id(c), 1) for c in children)
        size[nid] = total
        if total > len(size) + ALIAS_BUDGET:
            return Issue(node.start_mark.line, node.start_mark.column,
                         f"YAML aliases expand this to {total:,} nodes, more than {ALIAS_BUDGET:,} beyond the ones "
                         "written (a 'billion laughs' document?): write the values out, or use fewer aliases")
    return None


def _remap(text: str, docs: list, issues: list) -> None:
    """PyYAML counts \\x85, U+2028 and U+2029 as line breaks: map every mark and issue back to
    \\n-only lines (same character offset, real line and column)."""
    starts = [0] + [m.end() for m in _PYYAML_BREAKS.finditer(text)]
    real = [0] + [m.end() for m in re.finditer("\n", text)]
    import bisect

    def fix(line: int, col: int) -> tuple[int, int]:
        if line >= len(starts):
            return line, col
        offset = starts[line] + col
        n = bisect.bisect_right(real, offset) - 1
        return n, offset - real[n]

    seen: set = set()
    for doc in docs:
        stack = [doc.node]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            for attr in ("start_mark", "end_mark"):
                mark = getattr(node, attr)
                if mark is not None:  # libyaml's marks are read-only: new ones
                    line, col = fix(mark.line, mark.column)
                    setattr(node, attr, yaml.error.Mark(mark.name, mark.index, line, col, None, None))
            if isinstance(node, yaml.MappingNode):
                stack.extend(c for kv in node.value for c in kv)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
    done: set = set()
    for issue in issues + [i for d in docs for i in d.issues]:
        if id(issue) not in done:
            done.add(id(issue))
            issue.line, issue.col = fix(issue.line, issue.col)


def _parse(text: str, loader_class) -> tuple[list[Document], list[Issue]]:
    docs: list[Document] = []
    issues: list[Issue] = []
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:  # control characters are refused up front
        return [], [_reader_issue(text, exc)]
    except (yaml.YAMLError, ValueError) as exc:
        return [], [_syntax(Issue(0, 0, f"YAML syntax error: {exc}"))]
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                index += 1
                continue
            budget = _expansion_issue(node)
            if budget is not None:
                issues.append(budget)
                index += 1
                continue
            try:
                data, dups = _plain(node, loader)  # the common case, without PyYAML's constructor
                docs.append(Document(data, node, index, dups))
                issues.extend(dups)
                index += 1
                continue
            except _NotPlain:
                pass
            dups = _duplicate_keys(node, set(), loader)
            try:
                data = loader.construct_document(node)
            except yaml.MarkedYAMLError as exc:
                m = exc.problem_mark or exc.context_mark
                issues.append(Issue(m.line if m else node.start_mark.line, m.column if m else 0,
                                    _yaml_message(exc)))
                issues.extend(dups)
                index += 1
                continue
            except (TypeError, ValueError, RecursionError) as exc:
                issues.append(Issue(node.start_mark.line, node.start_mark.column, f"cannot read YAML: {exc}"))
                index += 1
                continue
            doc = Document(data, node, index, dups)
            issues.extend(dups)
            docs.append(doc)
            index += 1
    except yaml.MarkedYAMLError as exc:
        m = exc.problem_mark or exc.context_mark
        issues.append(_syntax(Issue(m.line if m else 0, m.column if m else 0, _yaml_message(exc))))
    except yaml.reader.ReaderError as exc:  # control characters and the like
        issues.append(_reader_issue(text, exc))
    except (yaml.YAMLError, ValueError) as exc:
        issues.append(_syntax(Issue(0, 0, f"YAML syntax error: {exc}")))
    except RecursionError:
        issues.append(_syntax(Issue(0, 0, f"YAML nested more than {MAX_DEPTH} levels deep: too deep to read")))
    finally:
        loader.dispose()
    return docs, issues


def _reader_issue(text: str, exc) -> Issue:
    char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    position = exc.position if isinstance(exc.position, int) else 0
    if not (0 <= position < len(text) and ord(text[position]) == char):  # libyaml counts bytes
        found = text.find(chr(char))
        position = found if found >= 0 else 0
    line, col = _offset_to_line_col(text, position)
    return _syntax(Issue(line, col, f"YAML syntax error: character #x{char:04x} is not allowed in YAML "
                                    f"({exc.reason})"))


def _syntax(issue: Issue) -> Issue:
    issue.syntax = True
    return issue


def _offset_to_line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n"), offset - (before.rfind("\n") + 1)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    text = "; ".join(parts) if parts else str(exc).splitlines()[0]
    if "\t" in text or "'\\t'" in text:
        text += " (tabs are not allowed for indentation in YAML)"
    return f"YAML syntax error: {text}"


def locate(node: yaml.Node, path: tuple, key: bool = False) -> tuple[int, int]:
    """Best (line, col) for a JSON path inside a node tree (0-based)."""
    current = node
    key_node = None
    for part in path:
        nxt = None
        if isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                    key_node, nxt = k, v
                    break
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(current.value):
                key_node, nxt = None, current.value[part]
        if nxt is None:
            break
        current = nxt
    target = key_node if (key and key_node is not None) else current
    return target.start_mark.line, target.start_mark.column


def key_mark(node: yaml.Node, path: tuple, name: str) -> tuple[int, int] | None:
    """(line, col) of key `name` inside the mapping at `path`, if present."""
    line_col = None
    current = node
    for part in path:
        found = None
        if isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                    found = v
                    break
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            found = current.value[part]
        if found is None:
            return None
        current = found
    if isinstance(current, yaml.MappingNode):
        for k, _ in current.value:
            if isinstance(k, yaml.ScalarNode) and k.value == name:
                line_col = (k.start_mark.line, k.start_mark.column)
    return line_col


def dotted(path: Iterable) -> str:
    """JSON path as readers know it: spec.template.spec.containers[0].image"""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(document)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def schema_issues(doc: Document, validator: jsonschema.protocols.Validator, context: str = "") -> list[Issue]:
    """Validate a document; one Issue per error, at the line a contributor has to fix."""
    issues = []
    suffix = f" ({context})" if context else ""
    for err in _leaf_errors(validator.iter_errors(doc.data)):
        path = tuple(err.absolute_path)
        where = dotted(path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set((err.schema or {}).get("properties", {}))
            patterns = list((err.schema or {}).get("patternProperties", {}))
            import re
            extras = [k for k in err.instance if k not in allowed
                      and not any(re.search(p, str(k)) for p in patterns)]
            for extra in extras or [None]:
                mark = key_mark(doc.node, path, str(extra)) if extra is not None else None
                line, col = mark or doc.mark(path, key=True)
                name = dotted(path + (extra,)) if extra is not None else where
                hint = _suggest(str(extra), allowed) if extra is not None else ""
                issues.append(Issue(line, col, f"{name}: unknown field{hint}{suffix}"))
            continue
        if err.validator == "required":
            line, col = doc.mark(path, key=True)
            issues.append(Issue(line, col, f"{where}: {err.message}{suffix}"))
            continue
        line, col = doc.mark(path)
        if err.validator in ("type", "enum", "const", "pattern", "format", "minimum", "maximum",
                             "minLength", "maxLength"):
            issues.append(Issue(line, col, f"{where}: {_short(err.instance)} {_after_instance(err)}{suffix}"))
        else:
            issues.append(Issue(line, col, f"{where}: {err.message}{suffix}"))
    return sorted(issues, key=lambda i: (i.line, i.col, i.message))


def _after_instance(err) -> str:
    msg = err.message
    rep = repr(err.instance)
    if msg.startswith(rep):
        msg = msg[len(rep):].strip()
    # Kubernetes schemas allow null everywhere ("type": ["integer", "null"]): name the real type
    msg = msg.replace(", 'null'", "").replace("'null', ", "")
    return msg.replace("'integer'", "integer").replace("'string'", "string").replace(
        "'object'", "object").replace("'array'", "array").replace("'boolean'", "boolean").replace(
        "'number'", "number")


def _leaf_errors(errors):
    """Flatten anyOf/oneOf noise: prefer the most specific sub-errors."""
    for err in errors:
        if err.validator in ("anyOf", "oneOf") and err.context:
            best = jsonschema.exceptions.best_match(err.context)
            yield best if best is not None else err
        else:
            yield err


def _suggest(name: str, allowed: set) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""
