"""Secrets in the shapes infrastructure docs carry (kb.checks.secrets), and quiet placeholders.

SECRETS and QUIET are also the corpus detect-secrets was measured on (issue 11): see
docs/en/contribute/index.md#safety for the figures.
"""
from __future__ import annotations

import base64
import json

import pytest

from kb.checks import safety, secrets
from support import ROOT

_AUTH = base64.b64encode(b"robot$ci:Zq8rT2vLw9xKp4").decode()
_DOCKER = base64.b64encode(json.dumps({"auths": {"harbor.corp.local": {"auth": _AUTH}}}).encode()).decode()
_PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"

# (text, the part of it the report must point at)
SECRETS = [
    ("token: github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV01", "github_pat_"),
    ("export GITHUB_TOKEN=ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "ghp_"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Lk2Tz9A", "wJalr"),
    ("The key is Zk3pQ9vLm2Xr7Tb+Wc4Ny8Hd1Fs6Ga5Je0Ku3Iab", "Zk3pQ"),
    ("PGPASSWORD=Vw3rTx9Lq2 psql -h db.corp.local -U app", "Vw3rTx9Lq2"),
    ("mysql -u root -pQx7Lm2Vr9z -h 10.0.0.5", "Qx7Lm2Vr9z"),
    ("govc ls -u 'https://administrator@vsphere.local:Vc3nt3r!Pw@vcenter.corp.local/sdk'", "Vc3nt3r"),
    ("export GOVC_URL=https://svc-govc:Hq8zP2mX4w@vc01.corp.local", "Hq8zP2mX4w"),
    ("kubectl create secret generic db --from-literal=password=Tz9Lq2Vw3r", "Tz9Lq2Vw3r"),
    ("VSPHERE_PASSWORD: \"Tkg!2024#Prod\"", "Tkg!2024"),
    ("VSPHERE_PASSWORD: <encoded:VGtnITIwMjQjUHJvZA==>", None),  # TKG's encoded form is a placeholder shape: quiet
    ("cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Secret\nstringData:\n  password: Rk2Lm9Qx7V\nEOF", "Rk2Lm9Qx7V"),
    ('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n' + _PEM_BODY + '\\n-----END PRIVATE KEY-----\\n"}',
     "-----BEGIN"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----",
     "-----BEGIN"),
    ('{"auths": {"harbor.corp.local": {"auth": "' + _AUTH + '"}}}', _AUTH[:8]),
    (".dockerconfigjson: " + _DOCKER, _DOCKER[:8]),
    ("users:\n- name: admin\n  user:\n    token: kq9x2v7m4t8zl3pn6rw1yb5hc0dj", "kq9x2v"),
    ("    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVB", "LS0tLS1C"),
    ("harborAdminPassword: Hb7Rq2Lx9Zw", "Hb7Rq2Lx9Zw"),
    ("GOVC_PASSWORD='Vm4rKq8Lz2'", "Vm4rKq8Lz2"),
    ("curl -H 'Authorization: Bearer 7f3kLq9Zx2Vm8Rt4Wn6Yp1Hs'", "7f3kLq9"),
    ("id_token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlMTIzNDU2Nzg", "eyJhbGci"),
    ("AKIAZ7VQ4LMN2XRT8KWP", "AKIA"),
    ("key=AIzaSyD-7Hq2Lm9Xv4Rt8Zk1Wp6Ns3Jb0Fc5Ge8", "AIza"),
    ("vcenter_password: Vsph3re!Adm1n", "Vsph3re"),
    ("stripe: sk_live_4eC39HqLyjWDarjtT1zdp7dc9", "sk_live_"),
]
QUIET = [
    "token: <your-token>",
    "password: changeme",
    "export GITHUB_TOKEN=${GITHUB_TOKEN}",
    "PGPASSWORD=$PGPASSWORD psql -h db",
    "mysql -u root -p -h 10.0.0.5",
    "kubectl create secret generic db --from-literal=password=...",
    "Kubernetes accepts Bearer service-account-credentials issued by the API server.",
    "VSPHERE_PASSWORD: <encoded:...>",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AKIAIOSFODNN7EXAMPLE",
    "password: Tz9Lq2Vw3r  # fake, for the example",
    "govc ls -u 'https://user:pass@vcenter/sdk'",
    "secretName: harbor-tls",
    "tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token",
    "passwordPolicy: strict",
    "commit 3f1e9a7c2b8d4e6f0a1b2c3d4e5f6a7b8c9d0e1f",
    "image: registry.k8s.io/pause@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097",
    "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
    "token: bootstrap",
    "The Secret holds a password and a token; rotate both.",
    "cluster-api-token: $(kubectl get secret x -o jsonpath='{.data.token}' | base64 -d)",
]


@pytest.mark.parametrize("text, at", SECRETS)
def test_secret_shapes_are_found_at_their_line_and_column(text, at):
    found = secrets.scan(text, "docs/en/x.md")
    if at is None:
        assert found == []
        return
    assert found, text
    offset = text.index(at)
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    assert (found[0].line, found[0].col) == (line, col), (found, text)


@pytest.mark.parametrize("text", QUIET)
def test_placeholders_and_prose_stay_quiet(text):
    assert secrets.scan(text, "docs/en/x.md") == []


@pytest.mark.parametrize("fence", ["bash", "yaml", "json", "ini", "text", "console", "powershell", ""])
def test_every_fence_language_and_front_matter_is_scanned(fence):
    page = (f"---\ntitle: Tokens\ndescription: uses ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789\n---\n\n# T\n\n"
            f"```{fence}\nexport PGPASSWORD=Vw3rTx9Lq2\n```\n")
    lines = [p.line for p in safety.secret_problems(page, "docs/en/x.md")]
    assert 3 in lines and 9 in lines, lines


def test_data_file_values_are_scanned(tmp_path):
    data = tmp_path / "glossary.yml"
    data.write_text("terms:\n  - id: x\n    definition:\n      en: >-\n        Log in with PGPASSWORD=Vw3rTx9Lq2 first.\n",
                    encoding="utf-8")
    assert [(p.line, p.col) for p in safety.check_data_file(data) if "password" in p.message] == [(5, 32)]


def test_the_real_pages_and_data_files_have_no_false_alarm():
    found = []
    for path in sorted((ROOT / "docs").rglob("*.md")) + sorted((ROOT / "data").glob("*.yml")):
        found += secrets.scan(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    assert [str(p) for p in found] == []


def _corpus_texts() -> list[str]:
    """The real pages and data files, the corpus above and the planted secrets, and a 'setting' key on
    the first and last line, next to a newline and with nothing around it (scan's line-bounded search)."""
    files = sorted((ROOT / "docs").rglob("*.md")) + sorted((ROOT / "data").glob("*.yml"))
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    texts += ["\n".join(t for t, _ in SECRETS), "\n".join(QUIET), "\n\n".join(t for t, _ in SECRETS + [(q, 0) for q in QUIET])]
    texts += ["password: Tz9Lq2Vw3r", "\npassword=Tz9Lq2Vw3r\n", "x\nDB_PASSWORD: 'a b'\ntoken:\n\napi-key := Qx7Lm2Vr9z",
              "passpasswordpassword: x password: y", "Secret_Token=1 MY.secret-key:2,apikey='z'\n" * 3]
    return texts


def test_line_bounded_setting_search_finds_what_the_plain_search_finds():
    """scan() looks for the "setting" rule only on lines holding a keyword (linear on a 5 MB page):
    every rule still yields exactly the matches of rx.finditer over the whole text."""
    for text in _corpus_texts():
        for rule, rx, _ in secrets.RULES:
            fast = [(m.span(), m.group(0)) for m in secrets._matches(rule, rx, text)]
            plain = [(m.span(), m.group(0)) for m in rx.finditer(text)]
            assert fast == plain, (rule, text[:80])
