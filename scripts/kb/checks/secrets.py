"""Secrets in the shapes infrastructure documentation really carries, anywhere in a file.

Called by kb.checks.safety for every page (front matter, prose, every fence whatever its
language, heredocs included) and every data file, reported at ``PATH:LINE:COL``:

- tokens with a known form: fine-grained and classic GitHub tokens, GitLab, Slack, Google API
  keys, AWS access key ids, Stripe live keys, JWTs;
- an AWS secret access key on its own (40 characters of mixed-case base64 with ``/`` or ``+``);
- passwords in commands: ``PGPASSWORD=``, ``MYSQL_PWD=``, ``mysql -pSECRET``, ``--password=``,
  ``user:pass@`` in URLs (``govc`` ``GOVC_URL``, database URLs), ``kubectl create secret …
  --from-literal=password=…``;
- values of password-, token- and key-named settings in YAML, JSON, env files and shell
  (``VSPHERE_PASSWORD:`` in a TKG cluster configuration, ``harborAdminPassword``, ``GOVC_PASSWORD``,
  a Secret's ``data``/``stringData`` inside a heredoc, kubeconfig ``token``/``client-key-data``);
- PEM private keys (SSH, RSA, EC, PKCS#8), also inside a JSON string with ``\\n`` escapes;
- ``.dockerconfigjson`` / ``auths`` with a real ``auth`` (base64 ``user:password``), also when the
  whole JSON is base64-encoded.

Quiet on placeholders (``<your-token>``, ``changeme``, ``${VAR}``, ``$TOKEN``, ``...``, ``xxxx``,
``REDACTED``, values containing EXAMPLE/fake/dummy…, a line marked ``# fake`` / ``# example``) and
on prose ("Kubernetes accepts Bearer service-account-credentials…": a value must look like one).
detect-secrets was measured against the same corpus (tests/checks/test_secrets.py) before deciding
not to depend on it: see docs/en/contribute/index.md#safety.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import re

from kb.core.problems import Problem

_PLACEHOLDER_WORDS = (
    "changeme", "change-me", "change_me", "replace", "example", "placeholder", "redacted", "dummy", "sample",
    "fake", "your", "my-", "mypass", "password", "passw0rd", "p@ssw0rd", "secret", "s3cr3t", "todo", "test", "demo",
    "not-a-real", "notreal", "xxx", "***", "hunter2", "foo", "bar", "insert", "value", "token-here", "here",
)
_MARKED_FAKE = re.compile(r"(#|//|<!--).*\b(fake|example|placeholder|not a real|dummy|ejemplo|ficticio|falso)\b", re.I)


def is_placeholder(value: str) -> bool:
    v = value.strip().strip("'\"`,;")
    if len(v) < 6:
        return True
    if re.search(r"[<>{}]|\$[A-Za-z_(]|%[A-Za-z_]+%|\.\.\.|…|\*\*\*", v):
        return True  # <password>, ${TOKEN}, $TOKEN, $(cat …), {{ .Values.x }}, %PASS%, ..., ***
    low = v.lower()
    if any(w in low for w in _PLACEHOLDER_WORDS):
        return True
    return len(set(low)) <= 3  # xxxxxx, 000000, abab…


def entropy(s: str) -> float:
    if not s:
        return 0.0
    counts = {c: s.count(c) for c in set(s)}
    return -sum(n / len(s) * math.log2(n / len(s)) for n in counts.values())


def _b64(value: str) -> str | None:
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


_KEYWORD = r"(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?key|credentials?)"
RULES: list[tuple[str, re.Pattern, str]] = [
    ("github", re.compile(r"\b(?P<value>github_pat_[A-Za-z0-9_]{22,}|gh[pousr]_[A-Za-z0-9]{30,})\b"), "a GitHub token"),
    ("gitlab", re.compile(r"\b(?P<value>glpat-[A-Za-z0-9_-]{20,})"), "a GitLab token"),
    ("slack", re.compile(r"\b(?P<value>xox[abprs]-[A-Za-z0-9-]{10,})"), "a Slack token"),
    ("google", re.compile(r"\b(?P<value>AIza[0-9A-Za-z_-]{35})"), "a Google API key"),
    ("stripe", re.compile(r"\b(?P<value>[sr]k_live_[0-9A-Za-z]{20,})"), "a Stripe live key"),
    ("aws-id", re.compile(r"\b(?P<value>(?:AKIA|ASIA)[0-9A-Z]{16})\b"), "an AWS access key id"),
    ("aws-secret", re.compile(r"(?<![A-Za-z0-9/+=])(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"), "an AWS secret access key"),
    ("jwt", re.compile(r"\b(?P<value>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"), "a JSON Web Token"),
    ("bearer", re.compile(r"\b[Bb]earer[ \t]+(?P<value>[A-Za-z0-9\-._~+/]{16,}=*)"), "a bearer token"),
    ("pg", re.compile(r"\b(?:PGPASSWORD|MYSQL_PWD|REDISCLI_AUTH)=(?P<value>'[^']+'|\"[^\"]+\"|[^\s;&|]+)"), "a database password"),
    ("mysql-p", re.compile(r"\bmysql(?:dump|admin)?\b[^\n]*?\s-p(?P<value>[^\s'\"]{3,}|'[^']+'|\"[^\"]+\")"), "a MySQL password (-p…)"),
    ("password-flag", re.compile(r"--(?:password|passwd|token|client-secret)[= ](?P<value>'[^']+'|\"[^\"]+\"|[^\s\\]+)"), "a password on the command line"),
    ("url-userinfo", re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:'\"]+:(?P<value>[^\s/'\"]+)@[A-Za-z0-9.-]+"), "a password in a URL (user:password@host)"),
    ("from-literal", re.compile(r"--from-literal=(?P<key>[\w.-]+)=(?P<value>'[^']+'|\"[^\"]+\"|[^\s\\]+)"), "a Secret value on the kubectl command line"),
    ("setting", re.compile(r"(?P<key>[\"']?[\w.-]*" + _KEYWORD + r"[\w.-]*[\"']?)[ \t]*(?::|=|:=)[ \t]*(?P<value>\"[^\"\n]*\"|'[^'\n]*'|[^\s#,}\]]+)",
                           re.I), "a password, token or key"),
    ("kubeconfig", re.compile(r"^[ \t>-]*(?P<key>client-key-data|token|id-token|refresh-token|auth)[ \t]*:[ \t]*(?P<value>[^\s#]+)", re.M),
     "a kubeconfig credential"),
    ("docker-auth", re.compile(r"[\"']auth[\"'][ \t]*:[ \t]*[\"'](?P<value>[A-Za-z0-9+/=]{8,})[\"']"), "a registry login (.dockerconfigjson auth)"),
    ("dockerconfigjson", re.compile(r"\.dockerconfigjson[\"']?[ \t]*:[ \t]*[\"']?(?P<value>[A-Za-z0-9+/=]{20,})"), "a registry login (.dockerconfigjson)"),
]
_PEM = re.compile(r"-----BEGIN (?P<kind>(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----(?P<sep>\\n|\\r\\n|\r?\n)?")
_PEM_BODY = re.compile(r"[A-Za-z0-9+/=]{32,}")


def _value_ok(rule: str, value: str, key: str = "") -> bool:
    """True when the value looks like a real secret for this rule."""
    raw = value.strip().strip("'\"")
    if is_placeholder(raw):
        return False
    if rule == "aws-secret":
        return (bool(re.search(r"[a-z]", raw) and re.search(r"[A-Z]", raw) and re.search(r"[0-9]", raw)
                and re.search(r"[/+]", raw)) and entropy(raw) > 4.3)
    if rule == "bearer":
        return bool(re.search(r"\d", raw) and re.search(r"[A-Za-z]", raw)) or raw.startswith("eyJ")
    if rule in ("setting", "kubeconfig"):
        low = key.strip("'\"").lower()
        if rule == "kubeconfig" and low == "auth":
            return False  # handled by docker-auth
        if rule == "setting" and not re.search(_KEYWORD, low, re.I):
            return False
        if re.search(r"(file|path|ref|name|secretname|_env|keyref|length|policy|type|mode|id|count|ttl|expir|url|endpoint)$", low):
            return False  # tokenFile: /path, secretName: x, passwordPolicy...: not secrets
        if raw.lower() in ("true", "false", "null", "none", "yes", "no", "required", "optional", "[]", "{}", "|", ">", "|-", ">-"):
            return False
        decoded = _b64(raw) if re.fullmatch(r"[A-Za-z0-9+/]{8,}={0,2}", raw) else None
        if decoded and decoded.isprintable() and is_placeholder(decoded):
            return False  # a Secret's data: base64 of "changeme"
        if re.fullmatch(r"[a-z][a-z-]*", raw) and len(raw) < 24:
            return False  # a word: "secret: generic", "token: bootstrap"
        return len(raw) >= 8 or bool(re.search(r"\d", raw))
    if rule == "from-literal":
        return bool(re.search(_KEYWORD, key, re.I))
    if rule == "docker-auth":
        decoded = _b64(raw)
        return bool(decoded and ":" in decoded and not is_placeholder(decoded.split(":", 1)[1]))
    if rule == "dockerconfigjson":
        decoded = _b64(raw)
        if not decoded:
            return False
        try:
            auths = json.loads(decoded).get("auths", {})
        except (ValueError, AttributeError):
            return False
        for entry in auths.values() if isinstance(auths, dict) else []:
            auth = (entry or {}).get("auth") or ""
            pw = (entry or {}).get("password") or ""
            user_pw = _b64(auth) or ""
            if (":" in user_pw and not is_placeholder(user_pw.split(":", 1)[1])) or (pw and not is_placeholder(pw)):
                return True
        return False
    if rule == "url-userinfo":
        return not raw.startswith("$")
    return True


_KEYWORD_RE = re.compile(_KEYWORD, re.I)
# Text every match of a rule contains (one of these, case as written): a rule whose needles are all
# absent from a file cannot match in it, and `in` finds that faster than the regex can (the regex
# tries every position of a 5 MB page).
NEEDLES = {
    "github": ("github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    "gitlab": ("glpat-",),
    "slack": ("xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"),
    "google": ("AIza",),
    "stripe": ("k_live_",),
    "aws-id": ("AKIA", "ASIA"),
    "jwt": ("eyJ",),
    "bearer": ("earer",),
    "pg": ("PGPASSWORD=", "MYSQL_PWD=", "REDISCLI_AUTH="),
    "mysql-p": ("mysql",),
    "password-flag": ("--",),
    "url-userinfo": ("://",),
    "from-literal": ("--from-literal=",),
    "docker-auth": ("auth",),
    "dockerconfigjson": (".dockerconfigjson",),
}


def _matches(rule: str, rx: re.Pattern, text: str):
    r"""rx.finditer(text); nothing when none of the rule's NEEDLES is in the text; for the "setting"
    rule, only on the lines that hold one of its keywords.

    Its key part (``[\w.-]*KEYWORD[\w.-]*``) backtracks over every word of the text: 4.8 s on a
    5 MB page. A match never crosses a line (nothing in the pattern matches a newline) and always
    holds a keyword, so searching only the lines with a keyword finds the same matches."""
    if rule != "setting":
        if rule not in NEEDLES or any(n in text for n in NEEDLES[rule]):
            yield from rx.finditer(text)
        return
    pos = 0
    for k in _KEYWORD_RE.finditer(text):
        if k.start() < pos:
            continue
        start = text.rfind("\n", 0, k.start()) + 1
        end = text.find("\n", k.end())
        end = len(text) if end < 0 else end
        yield from rx.finditer(text, start, end)
        pos = end


def scan(text: str, rel: str) -> list[Problem]:
    """Every secret in a file, one report per line (the most specific rule)."""
    found: dict[int, Problem] = {}
    lines = text.split("\n")

    def at(offset: int, message: str):
        line = text.count("\n", 0, offset)
        if line in found or _MARKED_FAKE.search(lines[line]):
            return
        col = offset - (text.rfind("\n", 0, offset) + 1)
        found[line] = Problem(rel, line + 1, col + 1, message)

    for m in _PEM.finditer(text):
        body = text[m.end():m.end() + 4000]
        end = body.find("-----END")
        body = body[: end if end >= 0 else 400]
        chunks = _PEM_BODY.findall(body.replace("\\n", "\n"))
        if chunks and not any(is_placeholder(c) for c in chunks[:1]) and not is_placeholder(body):
            at(m.start(), f"a {m.group('kind').lower()} in the file: replace its body with '...'")
    for rule, rx, what in RULES:
        for m in _matches(rule, rx, text):
            value = m.group("value")
            key = m.groupdict().get("key") or ""
            if _value_ok(rule, value, key):
                at(m.start("value") + (1 if value[:1] in "'\"" else 0), f"{what} looks real here: use a placeholder such as <password>, $TOKEN or "
                                     f"changeme (or mark an invented value '# fake')")
    return [found[k] for k in sorted(found)]
