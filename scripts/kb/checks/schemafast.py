"""A fast yes/no JSON Schema check for the subset Kubernetes' and the project's schemas use.

`jsonschema` validates a Deployment in about 0.6 ms (it builds an evolving validator per
keyword and resolves every $ref); a documentation site has thousands of snippets, nearly all
valid. ``compile_schema`` turns a schema into nested Python closures once, so the common answer,
"valid", costs a few microseconds per field. Only when it says "invalid" does the snippet
checker run jsonschema for the full, positioned list of errors — so messages and positions
always come from jsonschema, and this module only has to be right about validity.

It is deliberately conservative: a keyword it does not know raises ``Unsupported`` at compile
time, and the caller then uses jsonschema for every document of that schema. Annotations
(description, title, format — not asserted by jsonschema without a format checker —, x-…)
are ignored, like jsonschema ignores them.
"""
from __future__ import annotations

import re
from typing import Any, Callable

Check = Callable[[Any], bool]

ANNOTATIONS = {"description", "title", "$comment", "default", "examples", "readOnly", "writeOnly", "deprecated",
               "$schema", "$id", "$defs", "definitions", "format", "contentEncoding", "contentMediaType"}


class Unsupported(Exception):
    """The schema uses a keyword this module does not implement."""


def _is_integer(x) -> bool:
    return (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer())


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


_TYPES: dict[str, Check] = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "integer": _is_integer,
    "number": _is_number,
}


def json_equal(a, b) -> bool:
    """Equality as JSON Schema defines it: 1 == 1.0, but True != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if _is_number(a) and _is_number(b):
        return a == b
    return type(a) is type(b) and a == b


def compile_schema(schema, resolver, *, required: bool = True) -> Check:
    """A predicate: True exactly when jsonschema (Draft 2020-12, no format checker) finds no error.

    `resolver` is a ``referencing`` resolver for the schema (``registry.resolver(base_uri)``).
    With required=False, `required` is not checked (for partial documents such as ytt overlays).
    """
    compiled: dict = {}

    def ref(target: str, res) -> Check:
        resolved = res.lookup(target)
        key = id(resolved.contents)
        cell: list = compiled.get(key)
        if cell is None:
            cell = compiled[key] = [None]
            cell[0] = comp(resolved.contents, resolved.resolver)
        return lambda x, cell=cell: cell[0](x)

    def comp(node, res) -> Check:
        if node is True or node == {}:
            return lambda x: True
        if node is False:
            return lambda x: False
        if not isinstance(node, dict):
            raise Unsupported(f"schema {node!r}")
        if "$id" in node and node is not schema and not _is_document_root(node, res):
            raise Unsupported("$id inside a schema")  # a new base URI for relative references
        checks: list[Check] = []
        obj: dict = {}
        for kw, val in node.items():
            if kw in ANNOTATIONS or kw.startswith("x-"):
                continue
            if kw == "type":
                names = [val] if isinstance(val, str) else list(val)
                preds = [_TYPES[n] for n in names]
                checks.append(preds[0] if len(preds) == 1 else (lambda x, p=tuple(preds): any(f(x) for f in p)))
            elif kw == "$ref":
                checks.append(ref(val, res))
            elif kw == "enum":
                values = list(val)
                checks.append(lambda x, v=values: any(json_equal(x, e) for e in v))
            elif kw == "const":
                checks.append(lambda x, v=val: json_equal(x, v))
            elif kw in ("properties", "patternProperties", "additionalProperties", "required", "propertyNames",
                        "maxProperties", "minProperties"):
                obj[kw] = val
            elif kw == "items":
                item = comp(val, res)
                checks.append(lambda x, f=item: not isinstance(x, list) or all(f(v) for v in x))
            elif kw in ("minItems", "maxItems"):
                n = val
                checks.append((lambda x, n=n: not isinstance(x, list) or len(x) >= n) if kw == "minItems"
                              else (lambda x, n=n: not isinstance(x, list) or len(x) <= n))
            elif kw in ("minLength", "maxLength"):
                n = val
                checks.append((lambda x, n=n: not isinstance(x, str) or len(x) >= n) if kw == "minLength"
                              else (lambda x, n=n: not isinstance(x, str) or len(x) <= n))
            elif kw == "pattern":
                rx = re.compile(val)
                checks.append(lambda x, rx=rx: not isinstance(x, str) or rx.search(x) is not None)
            elif kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                op = {"minimum": lambda x, n: x >= n, "maximum": lambda x, n: x <= n,
                      "exclusiveMinimum": lambda x, n: x > n, "exclusiveMaximum": lambda x, n: x < n}[kw]
                checks.append(lambda x, n=val, op=op: not _is_number(x) or op(x, n))
            elif kw in ("anyOf", "oneOf", "allOf"):
                subs = [comp(s, res) for s in val]
                if kw == "anyOf":
                    checks.append(lambda x, s=subs: any(f(x) for f in s))
                elif kw == "allOf":
                    checks.append(lambda x, s=subs: all(f(x) for f in s))
                else:
                    checks.append(lambda x, s=subs: sum(1 for f in s if f(x)) == 1)
            elif kw == "not":
                sub = comp(val, res)
                checks.append(lambda x, f=sub: not f(x))
            else:
                raise Unsupported(kw)
        if obj:
            checks.append(_object_check(obj, res, comp, required))
        if not checks:
            return lambda x: True
        if len(checks) == 1:
            return checks[0]
        return lambda x, c=tuple(checks): all(f(x) for f in c)

    return comp(schema, resolver)


def _is_document_root(node, res) -> bool:
    """True when `node` is the whole document `res` resolves against (a $ref to another file)."""
    try:
        return res.lookup("").contents is node
    except Exception:
        return False


def _object_check(obj: dict, res, comp, check_required: bool) -> Check:
    props = {k: comp(v, res) for k, v in (obj.get("properties") or {}).items()}
    patterns = [(re.compile(p), comp(v, res)) for p, v in (obj.get("patternProperties") or {}).items()]
    extra = obj.get("additionalProperties", True)
    extra_check = None if extra is True or extra == {} else (False if extra is False else comp(extra, res))
    required = tuple(obj.get("required") or ()) if check_required else ()
    names = comp(obj["propertyNames"], res) if "propertyNames" in obj else None
    most, least = obj.get("maxProperties"), obj.get("minProperties")

    def check(x) -> bool:
        if not isinstance(x, dict):
            return True
        for r in required:
            if r not in x:
                return False
        if most is not None and len(x) > most:
            return False
        if least is not None and len(x) < least:
            return False
        for k, v in x.items():
            if names is not None and not names(k):
                return False
            f = props.get(k)
            matched = f is not None
            if matched and not f(v):
                return False
            for rx, g in patterns:
                if rx.search(k):
                    matched = True
                    if not g(v):
                        return False
            if not matched and extra_check is not None:
                if extra_check is False or not extra_check(v):
                    return False
        return True

    return check
