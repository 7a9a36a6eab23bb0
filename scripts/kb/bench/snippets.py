"""Benchmark of the YAML snippet checker (not a test: it prints figures, it asserts nothing).

`kb bench-snippets [--pages N] [--build]` reports

- the CLI's throughput: `kb check-snippets` on N synthetic pages per language (a fresh
  process: imports, schema loading and all), as snippets per second;
- where the time goes, in one process: finding the blocks (mdscan), validating with cold
  schemas, and the cost per manifest once schemas are compiled;
- with --build: the hook's share of a strict build, on the real site and on the synthetic
  site of `kb bench` (scripts/kb/bench/site.py), whose pages carry five YAML blocks each.

The synthetic pages mix what real pages hold: manifests of several kinds, custom resources,
ytt overlays, named-schema blocks and fragments, at top level and inside admonitions, tabs and
list items; the Spanish page repeats the English YAML (as translations do), so half of the
snippets are duplicates the checker validates once.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kb.core.settings import ROOT

KINDS = ("deployment", "service", "configmap", "cluster", "machine", "overlay", "netplan", "tkg", "fragment")


def _snippet(kind: str, n: int) -> tuple[str, str]:
    """(directive line or "", YAML) of one snippet, distinct for each n."""
    app = f"app-{n}"
    if kind == "deployment":
        return "", (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n  labels: {{app: {app}}}\n"
                    f"spec:\n  replicas: {1 + n % 5}\n  selector:\n    matchLabels: {{app: {app}}}\n  template:\n"
                    f"    metadata:\n      labels: {{app: {app}}}\n    spec:\n      containers:\n        - name: web\n"
                    f"          image: registry.example.org/{app}:1.{n % 9}\n          ports:\n"
                    f"            - containerPort: {8000 + n % 1000}\n          resources:\n"
                    f"            requests: {{cpu: {100 + n % 400}m, memory: {128 + n % 512}Mi}}\n")
    if kind == "service":
        return "", (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\nspec:\n  selector:\n    app: {app}\n"
                    f"  ports:\n    - port: 80\n      targetPort: {8000 + n % 1000}\n")
    if kind == "configmap":
        return "", (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-settings\ndata:\n"
                    f"  LOG_LEVEL: info\n  TIMEOUT_SECONDS: \"{5 + n % 30}\"\n")
    if kind == "cluster":
        return "", (f"apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nmetadata:\n  name: wl-{n}\n"
                    f"spec:\n  topology:\n    class: tkg-vsphere-default-v1.0.0\n    version: v1.26.{n % 9}\n"
                    f"    controlPlane:\n      replicas: 3\n    workers:\n      machineDeployments:\n"
                    f"        - class: tkg-worker\n          name: md-0\n          replicas: {1 + n % 6}\n"
                    f"    variables:\n      - name: worker\n        value:\n          network:\n"
                    f"            searchDomains: [\"corp{n}.example\"]\n")
    if kind == "machine":
        return "", (f"apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: VSphereMachineTemplate\n"
                    f"metadata:\n  name: wl-{n}-worker\nspec:\n  template:\n    spec:\n      numCPUs: {2 + n % 6}\n"
                    f"      memoryMiB: 8192\n      network:\n        devices:\n          - networkName: net-{n}\n"
                    f"            dhcp4: true\n            nameservers: [\"192.0.2.{n % 250}\"]\n")
    if kind == "overlay":
        return "", (f"#@ load(\"@ytt:overlay\", \"overlay\")\n#@overlay/match by=overlay.subset({{\"kind\": "
                    f"\"VSphereMachineTemplate\"}})\n---\nspec:\n  template:\n    spec:\n      network:\n"
                    f"        devices:\n        #@overlay/match by=overlay.all\n        -\n"
                    f"          #@overlay/match missing_ok=True\n          searchDomains: [\"corp{n}.example\"]\n")
    if kind == "netplan":
        return "<!-- snippet: schema netplan -->", (
            f"network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n      nameservers:\n"
            f"        addresses: [192.0.2.{n % 250}]\n        search: [corp{n}.example]\n")
    if kind == "tkg":
        return "<!-- snippet: schema tkg-cluster-config -->", (
            f"CLUSTER_NAME: wl-{n}\nCLUSTER_PLAN: prod\nWORKER_MACHINE_COUNT: {1 + n % 9}\n"
            f"WORKER_NODE_SEARCH_DOMAINS: \"corp{n}.example\"\n")
    return "", f"resources:\n  requests:\n    cpu: {100 + n % 400}m\n"


def _page(n: int, lang: str, per_page: int) -> str:
    title = ("Page", "Página")[lang == "es"]
    out = ["---", f"title: {title} {n}", "---", "", f"# {title} {n} {{ #page-{n} }}", ""]
    for k in range(per_page):
        kind = KINDS[(n + k) % len(KINDS)]
        directive, yaml_text = _snippet(kind, n * per_page + k)
        block = ([directive] if directive else []) + ["```yaml"] + yaml_text.rstrip("\n").split("\n") + ["```"]
        place = k % 4
        out += [f"## {title} {n}.{k} {{ #s{k} }}", "", "Some text about the snippet below. " * 3, ""]
        if place == 0:
            out += block
        elif place == 1:
            out += ['!!! note "Note"', ""] + ["    " + ln if ln else "" for ln in block]
        elif place == 2:
            out += ['=== "YAML"', ""] + ["    " + ln if ln else "" for ln in block]
        else:
            out += ["1. Apply this:", ""] + ["    " + ln if ln else "" for ln in block]
        out.append("")
    return "\n".join(out)


def synthetic_docs(dest: Path, pages: int, per_page: int = 8) -> int:
    """Write `pages` pages per language into dest/en and dest/es; return the number of YAML blocks."""
    for lang in ("en", "es"):
        (dest / lang).mkdir(parents=True, exist_ok=True)
        for n in range(pages):
            (dest / lang / f"page-{n:04}.md").write_text(_page(n, lang, per_page), encoding="utf-8")
    return 2 * pages * per_page


def cli_throughput(folder: Path) -> dict:
    """One `kb check-snippets FOLDER --stats` run in a fresh process."""
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kb", "check-snippets", str(folder), "--stats"],
                          cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    m = re.search(r"(\d+) YAML snippets \((\d+) distinct validated, (\d+) documents, (\d+) manifests\)", proc.stderr)
    snippets_n = int(m[1]) if m else 0
    return {"exit": proc.returncode, "problems": len(proc.stdout.splitlines()), "seconds": wall,
            "snippets": snippets_n, "distinct": int(m[2]) if m else 0, "manifests": int(m[4]) if m else 0,
            "snippets_per_second": snippets_n / wall if wall else 0.0}


def in_process(folder: Path) -> dict:
    """Where the time goes: scanning, validation with cold schemas, then per manifest with warm ones."""
    from kb.checks import snippets
    from kb.views import mdscan

    files = sorted(folder.rglob("*.md"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    mdscan._scan_cached.cache_clear()
    t0 = time.perf_counter()
    blocks = sum(len(mdscan.fences(t)) for t in texts)
    scan = time.perf_counter() - t0
    mdscan._scan_cached.cache_clear()

    def run() -> tuple[float, float, int]:
        snippets.clear_cache()
        snippets.STATS.reset()
        t = time.perf_counter()
        problems = snippets.check_paths([folder])
        assert not problems, problems[:3]
        return time.perf_counter() - t, snippets.STATS.validate_seconds, snippets.STATS.manifests

    cold_total, cold_validate, manifests = run()
    warm_total, warm_validate, _ = run()  # compiled schemas and scanned pages are kept; results are not
    return {"files": len(files), "blocks": blocks, "scan_seconds": scan, "cold_seconds": cold_total,
            "cold_validate_seconds": cold_validate, "warm_validate_seconds": warm_validate,
            "manifests": manifests, "ms_per_manifest": 1000 * warm_validate / max(manifests, 1),
            "ms_per_page_scan": 1000 * scan / max(len(files), 1)}


def per_manifest(folder: Path, sample: int = 300) -> dict:
    """The cost of one snippet's parts: YAML parsing, and the schema check of a manifest three ways."""
    import kubernetes_validate

    from kb.checks import snippets
    from kb.core import yamldoc
    from kb.views import mdscan

    texts = sorted({f.text for p in sorted(folder.rglob("*.md"))
                    for f in mdscan.fences(p.read_text(encoding="utf-8")) if f.lang in ("yaml", "yml")})
    t0 = time.perf_counter()
    parsed = [yamldoc.parse(t)[0] for t in texts]
    parse = (time.perf_counter() - t0) / max(len(texts), 1)
    manifests = []
    for docs in parsed:
        for d in docs:
            data = snippets._jsonable(d.data)
            if isinstance(data, dict) and "apiVersion" in data and "kind" in data:
                kind = snippets.kind_schema(data["apiVersion"], data["kind"])
                if kind is not None:
                    manifests.append((kind, data))
    manifests = manifests[:sample]
    for kind, data in manifests:  # compile outside the timings
        kind.fast()
        next(iter(kind.validator.iter_errors(data)), None)

    def timed(fn) -> float:
        t = time.perf_counter()
        for kind, data in manifests:
            fn(kind, data)
        return 1000 * (time.perf_counter() - t) / max(len(manifests), 1)

    version = snippets.resolve_version()[0]
    core = [(k, d) for k, d in manifests if "Kubernetes" in k.context][:100]
    t = time.perf_counter()
    for _, data in core:
        kubernetes_validate.validate(data, version, strict=True)
    return {"snippets": len(texts), "manifests": len(manifests), "ms_parse_per_snippet": 1000 * parse,
            "ms_fast": timed(lambda k, d: k.fast()(d)),
            "ms_jsonschema": timed(lambda k, d: list(k.validator.iter_errors(d))),
            "ms_kubernetes_validate": 1000 * (time.perf_counter() - t) / max(len(core), 1)}


def hook_share(project: Path, site: Path) -> dict:
    """A strict build with the hook's timing line on: hook seconds / build seconds."""
    from kb.deliver import build as kbbuild

    t0 = time.perf_counter()
    log = kbbuild.build(site, config=project / "mkdocs.yml", echo=False, env={"KB_SNIPPETS_TIMING": "1"})
    total = time.perf_counter() - t0
    m = re.search(r"kb-snippets: (\d+) files, (\d+) YAML snippets .* in ([0-9.]+) s", log)
    hook = float(m[3]) if m else float("nan")
    return {"build_seconds": total, "hook_seconds": hook, "share": hook / total if total else 0.0,
            "snippets": int(m[2]) if m else 0, "files": int(m[1]) if m else 0}


def cli(argv: list[str]) -> int:
    """`kb bench-snippets`: how fast the snippet checker is (CLI and, with --build, in the build)."""
    ap = argparse.ArgumentParser(prog="kb bench-snippets", description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=250, help="synthetic pages per language (default 250)")
    ap.add_argument("--per-page", type=int, default=8, help="YAML blocks per synthetic page (default 8)")
    ap.add_argument("--build", action="store_true",
                    help="also measure the hook's share of build time (real site, and kb bench's synthetic site)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args(argv)
    if args.pages < 1 or args.per_page < 1:
        print("kb bench-snippets: --pages and --per-page must be at least 1", file=sys.stderr)
        return 2
    res: dict = {}
    with tempfile.TemporaryDirectory(prefix="kb-bench-snippets-") as tmp:
        folder = Path(tmp) / "docs"
        res["generated_blocks"] = synthetic_docs(folder, args.pages, args.per_page)
        res["cli"] = cli_throughput(folder)
        res["real_docs_cli"] = cli_throughput(ROOT / "docs")
        res["in_process"] = in_process(folder)
        res["per_manifest"] = per_manifest(folder)
        if args.build:
            from kb.bench import site as bench

            res["build_real"] = hook_share(ROOT, Path(tmp) / "site-real")
            synthetic = bench.generate(Path(tmp) / "project", pages=args.pages)
            res["build_synthetic"] = hook_share(synthetic, Path(tmp) / "site-synthetic")
    print(table(res, args))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    return 0


def table(res: dict, args) -> str:
    c, r, p = res["cli"], res["real_docs_cli"], res["in_process"]
    rows = [
        ("synthetic pages (en+es) / YAML blocks", f"{2 * args.pages} / {c['snippets']}"),
        ("distinct snippets validated / manifests", f"{c['distinct']} / {c['manifests']}"),
        ("CLI, fresh process: seconds", f"{c['seconds']:.2f}"),
        ("CLI: snippets per second", f"{c['snippets_per_second']:.0f}"),
        ("real docs, CLI: snippets / seconds", f"{r['snippets']} / {r['seconds']:.2f}"),
        ("finding blocks (mdscan): ms per page", f"{p['ms_per_page_scan']:.3f}"),
        ("in process, cold schemas: seconds", f"{p['cold_seconds']:.2f} (validation {p['cold_validate_seconds']:.2f})"),
        ("in process, schemas compiled: seconds", f"{p['warm_validate_seconds']:.2f} to validate {c['distinct']} distinct snippets"),
    ]
    m = res["per_manifest"]
    rows += [
        ("YAML parsing (yamldoc): ms per snippet", f"{m['ms_parse_per_snippet']:.3f}"),
        ("schema check: ms per manifest", f"{m['ms_fast']:.3f} (jsonschema alone {m['ms_jsonschema']:.3f}; "
                                          f"kubernetes_validate.validate() {m['ms_kubernetes_validate']:.2f})"),
    ]
    for key, label in (("build_real", "real site"), ("build_synthetic", f"kb bench site, {args.pages} pages/lang")):
        if key in res:
            b = res[key]
            rows.append((f"snippet check during the build (second process), {label}",
                         f"{b['hook_seconds']:.2f} s of {b['build_seconds']:.1f} s = {100 * b['share']:.1f}% "
                         f"({b['snippets']} snippets; target < 5%)"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)
