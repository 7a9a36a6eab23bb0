"""Build benchmark: a synthetic bilingual knowledge base, built the way the real one is.

`kb bench [--pages N]` copies the project into a temporary folder, adds N generated
pages per language (default 250) that look like the real articles (headings with ids,
glossary references, admonitions, content tabs, Kubernetes manifests and YAML fragments,
cross-links, navigation tab > areas > topics), builds the copy with the project's own configuration
and hooks through `build.build()` (strict), and prints one table:

- build seconds and ms per page at N and 2N pages per language, and t(2N)/t(N);
- the hooks' share of the build (same pages, `hooks:` removed, term references as plain text);
- peak memory, median and largest page HTML, search index and offline archive sizes;
- the 2N build against the stock configuration (same pages, Material + static-i18n
  defaults: no `navigation.prune`, no theme overrides, no project hooks).

Builds are interleaved (one of each variant per round) and reported as medians; rounds stop
when the next would pass the time budget (`--budget`, so that `make bench` ends within five
minutes on 2 cores). The same figures go to a JSON file (default .bench/results.json).
`kb bench --profile` instead builds the N-page copy once under cProfile and shows where the
time goes: phases, hook events, the project's own functions. Contributor notes and recorded
figures: docs/en/contribute/performance.md.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.core.settings import ROOT

PROJECT_PARTS = ["mkdocs.yml", "docs", "data", "overrides", "scripts"]
BENCH_DIR = "bench"           # generated pages live in docs/<lang>/bench/
TOPIC_SIZE = 10               # pages per topic (the first one is the topic's index.md)
DEFAULT_PAGES = 250
DEFAULT_JSON = ROOT / ".bench" / "results.json"
DEFAULT_BUDGET = 270.0        # seconds: `make bench` must finish within 5 minutes on 2 cores
REF = re.compile(r"\[\[(?P<id>[^\]|\n]*)(?:\|(?P<label>[^\]\n]+))?\]\]")

# Hooks that only make the toolchain faster: they stay in the "without hooks" variant,
# so the hooks' share measures what the project's features cost, not what they save.
PERFORMANCE_HOOKS: tuple[str, ...] = ("scripts/hooks/search_speed.py", "scripts/hooks/parallel.py")

# The hooks' share of the build is still reported, no longer a target (issue 16): it measures the
# project's features, not anybody's wait.
TARGETS = {
    "ratio_2n_n": ("t(2N)/t(N)", 2.1),
    "html_median_ratio": ("page HTML median, 2N/N", 1.2),
    "gate_share": ("safety gate + CSP, share of the 2N build's CPU time", 0.03),
    "vs_stock": ("2N build (parallel) / stock 2N build", 0.45),
    "first_search": ("first search result at 2N, slower language (s)", 0.5),
    "preview_2n": ("edit-to-preview at 2N, page edit (s)", 1.0),
}
SEARCH_RESERVE = 60.0  # seconds kept in the budget for the first-search measurement at 2N


# --------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------

AREAS = [
    ("Workloads", "Cargas de trabajo"),
    ("Networking", "Redes"),
    ("Storage", "Almacenamiento"),
    ("Operations", "Operaciones"),
    ("Security", "Seguridad"),
    ("Upgrades", "Actualizaciones"),
]
TAB = ("Field notes", "Notas de campo")
TOPIC_WORD = ("Case files", "Casos")

TOPICS = [
    ("Pods restarting in a loop", "Pods que se reinician en bucle"),
    ("A Service without endpoints", "Un Service sin endpoints"),
    ("Image pulls that fail", "Descargas de imágenes que fallan"),
    ("Volume claims stuck in Pending", "Solicitudes de volumen detenidas en Pending"),
    ("Nodes reported as NotReady", "Nodos informados como NotReady"),
    ("Slow rolling updates", "Actualizaciones graduales lentas"),
    ("Quota exceeded in a namespace", "Cuota excedida en un espacio de nombres"),
    ("Name lookups that time out", "Resoluciones de nombres que agotan el tiempo de espera"),
    ("Moving a VM workload to a Deployment", "Migrar una carga de una VM a un Deployment"),
    ("Sizing requests and limits", "Dimensionar solicitudes y límites"),
]

# Sentences as a native writer would put them in each language; [[id|label]] are glossary
# references (unknown ids become plain text at generation time), {slots} make pages unique.
SENTENCES = [
    ("A [[pod|Pod]] is the smallest thing the scheduler places, much as a VM is for DRS.",
     "Un [[pod|Pod]] es la unidad más pequeña que ubica el planificador, como lo es una VM para DRS."),
    ("Each [[node|node]] of cluster `{cluster}` reports its capacity to the [[kube-apiserver|API server]] every few seconds.",
     "Cada [[node|nodo]] del clúster `{cluster}` informa su capacidad al [[kube-apiserver|servidor de API]] cada pocos segundos."),
    ("Before changing the [[deployment|Deployment]] `{app}`, note its current revision with `kubectl rollout history`.",
     "Antes de cambiar el [[deployment|Deployment]] `{app}`, anote su revisión actual con `kubectl rollout history`."),
    ("The [[service|Service]] `{app}` keeps a stable address while the [[pod|Pods]] behind it come and go.",
     "El [[service|Service]] `{app}` mantiene una dirección estable mientras los [[pod|Pods]] que lo respaldan aparecen y desaparecen."),
    ("Settings that change between environments belong in a [[configmap|ConfigMap]], not in the [[container-image|container image]].",
     "La configuración que cambia entre entornos va en un [[configmap|ConfigMap]], no en la [[container-image|imagen de contenedor]]."),
    ("Namespace `{ns}` has a [[resource-quota|resource quota]], so requests above {cpu} millicores are rejected.",
     "El espacio de nombres `{ns}` tiene una [[resource-quota|cuota de recursos]], así que se rechazan las solicitudes de más de {cpu} milinúcleos."),
    ("In vSphere terms, the [[control-plane|control plane]] plays the part vCenter plays for ESXi hosts.",
     "En términos de vSphere, el [[control-plane|plano de control]] cumple el papel que cumple vCenter para los hosts ESXi."),
    ("The [[kubelet|kubelet]] on each [[node|node]] restarts failed [[container|containers]] without asking anyone.",
     "El [[kubelet|kubelet]] de cada [[node|nodo]] reinicia los [[container|contenedores]] que fallan sin consultar a nadie."),
    ("Keep the [[manifest|manifest]] in Git and apply it with `kubectl apply -f`; the cluster then works toward that [[desired-state|desired state]].",
     "Guarde el [[manifest|manifiesto]] en Git y aplíquelo con `kubectl apply -f`; a partir de ahí el clúster trabaja para alcanzar ese [[desired-state|estado deseado]]."),
    ("A [[rolling-update|rolling update]] replaces the {replicas} replicas a few at a time, so users notice no downtime.",
     "Una [[rolling-update|actualización gradual]] reemplaza las {replicas} réplicas de a pocas, así que los usuarios no notan interrupciones."),
    ("[[label|Labels]] such as `app: {app}` are how the [[selector|selector]] of a Service finds its Pods.",
     "Las [[label|etiquetas]] como `app: {app}` son la forma en que el [[selector|selector]] de un Service encuentra sus Pods."),
    ("If the [[persistent-volume-claim|PersistentVolumeClaim]] stays Pending, the [[storage-class|StorageClass]] probably names a datastore the [[csi|CSI]] driver cannot see.",
     "Si el [[persistent-volume-claim|PersistentVolumeClaim]] queda en Pending, probablemente la [[storage-class|StorageClass]] nombra un datastore que el controlador [[csi|CSI]] no ve."),
    ("A [[network-policy|NetworkPolicy]] works like a distributed firewall rule, but it picks Pods by label instead of by IP address.",
     "Una [[network-policy|NetworkPolicy]] funciona como una regla de firewall distribuido, pero elige los Pods por etiqueta en lugar de por dirección IP."),
    ("Run `kubectl -n {ns} get events --sort-by=.lastTimestamp` and read the newest lines first.",
     "Ejecute `kubectl -n {ns} get events --sort-by=.lastTimestamp` y lea primero las líneas más recientes."),
    ("The [[container-registry|registry]] at `{registry}` must be reachable from every node, or image pulls fail with `ErrImagePull`.",
     "El [[container-registry|registro]] en `{registry}` debe ser accesible desde todos los nodos; si no, la descarga de imágenes falla con `ErrImagePull`."),
    ("[[etcd|etcd]] holds every object of the cluster, so back it up before each upgrade.",
     "[[etcd|etcd]] guarda todos los objetos del clúster, así que respáldelo antes de cada actualización."),
    ("On a [[supervisor-cluster|Supervisor cluster]], the same request goes through vCenter first.",
     "En un [[supervisor-cluster|clúster Supervisor]], la misma solicitud pasa primero por vCenter."),
    ("The [[kube-scheduler|scheduler]] skips nodes without {memory} MiB of free memory for the new Pod.",
     "El [[kube-scheduler|planificador]] descarta los nodos que no tienen {memory} MiB de memoria libre para el Pod nuevo."),
    ("Think of a [[namespace|namespace]] as a resource pool with its own permissions and quotas.",
     "Piense en un [[namespace|espacio de nombres]] como un grupo de recursos con sus propios permisos y cuotas."),
    ("[[self-healing|Self-healing]] only covers what a [[controller|controller]] can see: a wrong image tag stays wrong.",
     "La [[self-healing|autorreparación]] solo cubre lo que un [[controller|controlador]] puede ver: una etiqueta de imagen equivocada sigue equivocada."),
    ("Keep each change small: edit one field, apply it and watch `kubectl get pods -w` for a minute.",
     "Haga cambios pequeños: edite un campo, aplíquelo y observe `kubectl get pods -w` durante un minuto."),
    ("[[helm|Helm]] charts render to the same YAML, so everything on this page applies to them as well.",
     "Los charts de [[helm|Helm]] generan el mismo YAML, así que todo lo de esta página también se aplica a ellos."),
    ("[[kube-proxy|kube-proxy]] programs the rules that send Service traffic to healthy Pods only.",
     "[[kube-proxy|kube-proxy]] programa las reglas que envían el tráfico del Service solo a los Pods sanos."),
    ("With [[tanzu-kubernetes-grid|TKG]], worker nodes boot [[photon-os|Photon OS]] or Ubuntu images that VMware prepares.",
     "Con [[tanzu-kubernetes-grid|TKG]], los nodos de trabajo arrancan imágenes de [[photon-os|Photon OS]] o Ubuntu que prepara VMware."),
]

HEADINGS = {  # id: (en, es)
    "symptoms": ("Symptoms", "Síntomas"),
    "cause": ("Cause", "Causa"),
    "fix": ("Fix", "Solución"),
    "option-kubectl": ("Option 1: change it with kubectl", "Opción 1: cambiarlo con kubectl"),
    "option-manifest": ("Option 2: change the manifest", "Opción 2: cambiar el manifiesto"),
    "verify": ("Verify", "Verificación"),
    "related": ("Related notes", "Notas relacionadas"),
}
WORDS = {
    "before": ("Before you start", "Antes de empezar"),
    "why": ("Why this happens", "Por qué sucede"),
    "tip": ("Tip", "Consejo"),
    "manifest": ("Manifest", "Manifiesto"),
    "check": ("Check", "Comprobación"),
    "command": ("Command", "Comando"),
    "expected": ("Expected result", "Resultado esperado"),
    "rollout": ("The rollout finishes", "El despliegue termina"),
    "endpoints": ("One address per ready Pod", "Una dirección por cada Pod listo"),
    "config": ("The new values are present", "Los valores nuevos están presentes"),
    "see": ("See also", "Consulte también"),
    "fragment": ("Only the container's resources change:", "Solo cambian los recursos del contenedor:"),
    "applies": ("Apply the three objects together:", "Aplique los tres objetos juntos:"),
    "shared": ("Several teams share this ConfigMap:", "Varios equipos comparten este ConfigMap:"),
}
MAX_TERM_LINKS = 10    # the real articles link about one glossary term per 100 words
SHARED_CONFIGMAPS = 6  # a few manifests repeat across pages, as shared snippets do


@dataclass(frozen=True)
class PageRef:
    lang_path: str   # path under docs/<lang>/: bench/networking/topic-02/page-0013.md
    number: int      # 1-based over the whole generated set
    topic: int       # 0-based
    index: bool      # the topic's index page

    @property
    def area(self) -> int:
        return self.topic % len(AREAS)


def layout(pages: int) -> list[list[PageRef]]:
    """Pages grouped in topics of TOPIC_SIZE (the first is the topic's index.md); topics are
    spread over the areas in turn. Navigation: tab > area (section) > topic > pages, the way a
    knowledge base grows: new articles join topics, new topics join the areas."""
    topics: list[list[PageRef]] = []
    for n in range(1, pages + 1):
        t, k = divmod(n - 1, TOPIC_SIZE)
        if k == 0:
            topics.append([])
        folder = f"{BENCH_DIR}/{AREAS[t % len(AREAS)][0].lower()}/topic-{t + 1:03d}"
        topics[t].append(PageRef(f"{folder}/{'index.md' if k == 0 else f'page-{n:04d}.md'}", n, t, k == 0))
    return topics


def area_title(a: int, lang: int) -> str:
    return AREAS[a][lang]


def topic_title(t: int, lang: int) -> str:
    return f"{TOPIC_WORD[lang]} {t + 1:03d}"


def page_names(n: int) -> dict:
    """The slot values that make a page unique."""
    rnd = random.Random(n)
    return {
        "app": f"web-{n:04d}",
        "ns": f"team-{n % 40:02d}",
        "cluster": f"prod-{n % 7}",
        "cpu": 250 * (1 + n % 8),
        "memory": 128 * (1 + n % 16),
        "replicas": 2 + n % 5,
        "registry": f"harbor-{n % 3}.corp.example",
        "port": 8000 + n % 1000,
        "seed": rnd.random(),
    }


def deployment(n: int) -> str:
    v = page_names(n)
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {v['app']}
  namespace: {v['ns']}
  labels:
    app: {v['app']}
spec:
  replicas: {v['replicas']}
  selector:
    matchLabels:
      app: {v['app']}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: {v['app']}
    spec:
      containers:
        - name: web
          image: {v['registry']}/apps/{v['app']}:1.{n % 20}.{n % 7}
          ports:
            - containerPort: {v['port']}
          envFrom:
            - configMapRef:
                name: {v['app']}-settings
          resources:
            requests:
              cpu: {v['cpu']}m
              memory: {v['memory']}Mi
            limits:
              memory: {v['memory'] * 2}Mi
"""


def service(n: int) -> str:
    v = page_names(n)
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {v['app']}
  namespace: {v['ns']}
spec:
  type: ClusterIP
  selector:
    app: {v['app']}
  ports:
    - name: http
      port: 80
      targetPort: {v['port']}
"""


def configmap(n: int) -> str:
    v = page_names(n)
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {v['app']}-settings
  namespace: {v['ns']}
data:
  LOG_LEVEL: info
  UPSTREAM_URL: "http://api-{n % 50}.{v['ns']}.svc.cluster.local"
  TIMEOUT_SECONDS: "{5 + n % 25}"
"""


def shared_configmap(n: int) -> str:
    k = n % SHARED_CONFIGMAPS
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: proxy-settings-{k}
  namespace: shared
data:
  HTTP_PROXY: "http://proxy-{k}.corp.example:3128"
  NO_PROXY: ".svc,.cluster.local,10.0.0.0/8"
"""


def fragment(n: int) -> str:
    v = page_names(n)
    return f"""resources:
  requests:
    cpu: {v['cpu']}m
    memory: {v['memory']}Mi
  limits:
    memory: {v['memory'] * 2}Mi
"""


def manifests(n: int) -> list[str]:
    """Every complete Kubernetes manifest a generated page shows (for tests and sanity checks)."""
    return [deployment(n), service(n), configmap(n), shared_configmap(n)]


def indent(text: str, by: str = "    ") -> str:
    return "".join(by + ln if ln.strip() else ln for ln in text.splitlines(True))


def fence(code: str, lang: str = "yaml", title: str = "") -> str:
    info = f'{lang} title="{title}"' if title else lang
    return f"```{info}\n{code}```"


class Writer:
    """Writes the pages of one language; `terms` maps known glossary ids to their names."""

    def __init__(self, lang: str, terms: dict, plain: bool, refs: dict[int, PageRef]):
        self.lang, self.li = lang, (0 if lang == "en" else 1)
        self.terms, self.plain, self.refs = terms, plain, refs

    def t(self, pair) -> str:
        return pair[self.li]

    def term_refs(self, text: str) -> str:
        """Glossary references as the real articles use them: a term is linked where it first
        appears, up to MAX_TERM_LINKS per page (about one per 100 words); the rest is plain text."""
        def repl(m):
            tid, label = m.group("id"), m.group("label")
            if tid in self.terms and not self.plain and tid not in self.linked \
                    and len(self.linked) < MAX_TERM_LINKS:
                self.linked.add(tid)
                return m.group(0)
            return label or self.terms.get(tid, {}).get(self.lang, tid)
        return REF.sub(repl, text)

    def sentences(self, rnd: random.Random, n: int, count: int) -> str:
        v = page_names(n)
        picks = rnd.sample(SENTENCES, count)
        return " ".join(self.term_refs(self.t(p)).format(**v) for p in picks)

    def heading(self, level: int, hid: str) -> str:
        return f"{'#' * level} {self.t(HEADINGS[hid])} {{ #{hid} }}"

    def link(self, here: PageRef, there: PageRef, anchor: str = "") -> str:
        import posixpath
        rel = posixpath.relpath(there.lang_path, posixpath.dirname(here.lang_path))
        return f"[{self.title(there.number)}]({rel}{'#' + anchor if anchor else ''})"

    def title(self, n: int) -> str:
        return f"{self.t(TOPICS[n % len(TOPICS)])} ({page_names(n)['app']})"

    def page(self, ref: PageRef) -> str:
        n = ref.number
        v = page_names(n)
        self.linked: set = set()
        rnd = random.Random(n * 7919 + self.li)  # same structure, language-specific choice of sentences
        rs = random.Random(n)                   # structure shared by both languages
        w = self.t
        others = [self.refs[k] for k in sorted({rs.randint(1, len(self.refs)) for _ in range(4)} - {n})]
        out = [f"# {self.title(n)} {{ #{ref.lang_path[:-3].replace('/', '-')} }}", "",
               self.sentences(rnd, n, 4), "",
               f'!!! warning "{w(WORDS["before"])}"', "", indent(self.sentences(rnd, n, 2)), "",
               self.heading(2, "symptoms"), "",
               self.sentences(rnd, n, 5), "",
               *[f"- {self.sentences(rnd, n, 1)}" for _ in range(3)], "",
               self.heading(2, "cause"), "",
               self.sentences(rnd, n, 6), "",
               f'??? note "{w(WORDS["why"])}"', "", indent(self.sentences(rnd, n, 3)), "",
               self.sentences(rnd, n, 4), "",
               self.heading(2, "fix"), "",
               self.sentences(rnd, n, 3), "",
               self.heading(3, "option-kubectl"), "",
               '=== "kubectl"', "",
               indent(fence(f"kubectl -n {v['ns']} set resources deployment/{v['app']} "
                            f"--requests=cpu={v['cpu']}m,memory={v['memory']}Mi\n"
                            f"kubectl -n {v['ns']} rollout status deployment/{v['app']}\n", "bash")),
               f'=== "{w(WORDS["manifest"])}"', "",
               indent(w(WORDS["fragment"])), "",
               indent(fence(fragment(n))),
               self.sentences(rnd, n, 3), "",
               self.heading(3, "option-manifest"), "",
               w(WORDS["applies"]), "",
               fence(deployment(n), title="deployment.yaml"), "",
               fence(service(n), title="service.yaml"), "",
               fence(configmap(n), title="configmap.yaml"), "",
               f'!!! tip "{w(WORDS["tip"])}"', "", indent(self.sentences(rnd, n, 2)), "",
               w(WORDS["shared"]), "",
               fence(shared_configmap(n)), "",
               self.heading(2, "verify"), "",
               self.sentences(rnd, n, 3), "",
               f"| {w(WORDS['check'])} | {w(WORDS['command'])} | {w(WORDS['expected'])} |",
               "|---|---|---|",
               f"| Deployment | `kubectl -n {v['ns']} rollout status deployment/{v['app']}` | {w(WORDS['rollout'])} |",
               f"| Service | `kubectl -n {v['ns']} get endpointslices -l kubernetes.io/service-name={v['app']}` | {w(WORDS['endpoints'])} |",
               f"| ConfigMap | `kubectl -n {v['ns']} get configmap {v['app']}-settings -o yaml` | {w(WORDS['config'])} |",
               "",
               self.heading(2, "related"), "",
               self.sentences(rnd, n, 2), "",
               *[f"- {self.link(ref, o, rs.choice(['cause', 'fix', 'verify']))}" for o in others],
               f"- {w(WORDS['see'])}: {self.link(ref, self.refs[1 + n % len(self.refs)], 'symptoms')}",
               ""]
        return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Project copies
# --------------------------------------------------------------------------------------------

VARIANTS = ("project", "nohooks", "stock")


def copy_project(dest: Path, root: Path = ROOT, parts: list[str] = PROJECT_PARTS) -> Path:
    """The parts of the project a build needs (the tests add their lint settings)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in parts:
        src = root / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest


def glossary_terms(project: Path) -> dict:
    """{id: {'en': name, 'es': name}} from the copy's data/glossary.yml (empty when unreadable)."""
    try:
        data = yaml.safe_load((project / "data" / "glossary.yml").read_text(encoding="utf-8")) or {}
        return {t["id"]: dict(t["term"]) for t in data.get("terms", [])}
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return {}


class ConfigError(Exception):
    pass


def _block_end(lines: list[str], start: int) -> int:
    """Index after the last line belonging to the top-level key on lines[start]."""
    end = start + 1
    last = start
    while end < len(lines):
        ln = lines[end]
        if ln.strip() and not ln.startswith((" ", "#")):
            break
        if ln.strip() and not ln.lstrip().startswith("#"):
            last = end
        end += 1
    return last + 1


def _top_level(lines: list[str], key: str) -> int | None:
    for i, ln in enumerate(lines):
        if re.match(rf"^{re.escape(key)}:\s*(#.*)?$", ln):
            return i
    return None


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


RELAXED_VALIDATION = [
    "  nav: {omitted_files: info, not_found: info, absolute_links: info}",
    "  links: {not_found: info, anchors: info, absolute_links: info, unrecognized_links: info}",
]


def configure(text: str, topics: list[list[PageRef]], variant: str) -> str:
    """The copy's mkdocs.yml: generated sections in nav (+ Spanish nav titles); per variant,
    without the project hooks and with link validation reduced to info (nohooks, stock),
    and without navigation.prune, theme overrides and the project's static-i18n search
    setting (stock: Material + static-i18n defaults)."""
    lines = text.splitlines()
    nav = _top_level(lines, "nav")
    if nav is None:
        raise ConfigError("mkdocs.yml has no top-level nav:")
    block = [f"  - {_q(TAB[0])}:"]
    areas = sorted({pages[0].area for pages in topics})
    for a in areas:
        block.append(f"      - {_q(area_title(a, 0))}:")
        for t, pages in enumerate(topics):
            if pages[0].area == a:
                block.append(f"          - {_q(topic_title(t, 0))}:")
                block += [f"              - {p.lang_path}" for p in pages]
    end = _block_end(lines, nav)
    lines[end:end] = block
    tr = [i for i, ln in enumerate(lines) if re.match(r"^\s+nav_translations:\s*$", ln)]
    if len(tr) != 1:
        raise ConfigError("mkdocs.yml: expected one nav_translations: block (Spanish)")
    pad = " " * (len(lines[tr[0]]) - len(lines[tr[0]].lstrip()) + 2)
    names = [TAB] + [(area_title(a, 0), area_title(a, 1)) for a in areas] \
        + [(topic_title(t, 0), topic_title(t, 1)) for t in range(len(topics))]
    lines[tr[0] + 1:tr[0] + 1] = [f"{pad}{_q(en)}: {_q(es)}" for en, es in names]
    if variant in ("nohooks", "stock"):
        hooks = _top_level(lines, "hooks")
        if hooks is not None:
            end = _block_end(lines, hooks)
            keep = [] if variant == "stock" else [ln for ln in lines[hooks + 1:end]
                                                   if ln.strip().lstrip("- ").strip() in PERFORMANCE_HOOKS]
            lines[hooks:end] = (["hooks:"] + keep) if keep else []
    if variant in ("nohooks", "stock"):
        # Pages of the real project rely on what the hooks generate (downloads, glossary anchors):
        # without the hooks their links would be warnings, and strict builds stop on warnings.
        validation = _top_level(lines, "validation")
        if validation is not None:
            del lines[validation:_block_end(lines, validation)]
        lines += ["validation:", *RELAXED_VALIDATION]
    if variant == "stock":
        lines = [ln for ln in lines if not re.match(r"^\s+- navigation\.prune\s*(#.*)?$", ln)
                 and not re.match(r"^\s+(custom_dir|reconfigure_search):", ln)]
    return "\n".join(lines) + "\n"


def mark_translations(dest: Path, refs) -> None:
    """Record the Spanish pages as up-to-date translations, as `kb mark-translated` would
    (a maintained knowledge base has them marked; unmarked ones would all show a notice)."""
    try:
        from kb.content import translations
        key, digest = translations.SOURCE_KEY, translations.source_hash
    except (ImportError, AttributeError):
        return  # no translation tracking in this version of the project
    for ref in refs:
        en = (dest / "docs" / "en" / ref.lang_path).read_text(encoding="utf-8")
        es = dest / "docs" / "es" / ref.lang_path
        es.write_text(f"---\n{key}: {digest(en)}\n---\n\n" + es.read_text(encoding="utf-8"), encoding="utf-8")


def generate(dest: Path, pages: int = DEFAULT_PAGES, variant: str = "project", root: Path = ROOT) -> Path:
    """A copy of the project at `dest` with `pages` generated pages per language."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    if pages < 1:
        raise ValueError("pages must be at least 1")
    copy_project(dest, root)
    terms = glossary_terms(dest)
    topics = layout(pages)
    refs = {p.number: p for t in topics for p in t}
    for lang in ("en", "es"):
        writer = Writer(lang, terms, plain=variant != "project", refs=refs)
        for ref in refs.values():
            path = dest / "docs" / lang / ref.lang_path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(writer.page(ref), encoding="utf-8")
    mark_translations(dest, refs.values())
    cfg = dest / "mkdocs.yml"
    cfg.write_text(configure(cfg.read_text(encoding="utf-8"), topics, variant), encoding="utf-8")
    return dest


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------

def _exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C: `subprocess.run` then kills the running build, `finally` cleans up."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def _build_child(config: str, site: str, offline: bool, parallel: bool, conn) -> None:
    from kb.core import cputime
    from kb.deliver import build as kbbuild
    _exit_on_sigterm()
    times = Path(tempfile.mkdtemp(prefix="kb-cpu-")) / "times.jsonl"
    try:
        t0 = time.perf_counter()
        # the hooks' own measure of the gate and the CSP in each build process (kb.core.cputime)
        kbbuild.build(Path(site), config=Path(config), offline=offline, echo=False, parallel=parallel,
                      env={cputime.ENV: str(times)})
        seconds = time.perf_counter() - t0
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build and the processes it waited for
        conn.send(("ok", seconds, (usage.ru_maxrss, usage.ru_utime + usage.ru_stime, cputime.read(times))))  # KiB
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        log = getattr(exc, "args", [""])[0] if exc.args else repr(exc)
        conn.send(("failed", str(log)[-4000:], (0, 0.0, {})))
    finally:
        shutil.rmtree(times.parent, ignore_errors=True)
        conn.close()


class BenchFailed(Exception):
    pass


def timed_build(project: Path, site: Path, offline: bool = False,
                parallel: bool = True) -> tuple[float, int, float, dict]:
    """(seconds, peak RSS in KiB, CPU seconds of every process, parts) of one strict build.

    In a fresh process, so that the peak and the CPU time are this build's (the build's second
    processes included: source checks and translation state run beside the rendering). `parts`:
    the CPU seconds the hooks measured in named parts of their work, all processes added up
    (kb.core.cputime.read: {"seconds": {"gate": s, "csp": s}, "calls": ..., "processes": k})."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_build_child, args=(str(project / "mkdocs.yml"), str(site), offline, parallel, child))
    proc.start()
    child.close()
    try:
        status, a, b = parent.recv()
    except EOFError:
        status, a, b = "failed", "the build process died", (0, 0.0, {})
    finally:
        if proc.is_alive() and sys.exc_info()[0] is not None:
            proc.terminate()
        proc.join()
    if status != "ok":
        raise BenchFailed(f"build of {project.name} failed:\n{a}")
    return a, b[0], b[1], b[2]


def gate_in_builds(runs: list[tuple[dict, float]]) -> dict:
    """The gate's and the CSP's CPU seconds as the hooks measured them in each 2N build
    (kb.core.cputime), against that build's CPU time; the median build's figures."""
    rows = []
    for measured, cpu in runs:
        sec = measured.get("seconds", {}) if measured else {}
        gate, policy = sec.get("gate"), sec.get("csp")
        seen = gate is not None and policy is not None and cpu > 0  # no line: the hooks did not measure
        gate, policy = gate or 0.0, policy or 0.0
        rows.append({"gate_s": round(gate, 3), "csp_s": round(policy, 3), "total_s": round(gate + policy, 3),
                     "build_cpu_s": round(cpu, 3), "share": round((gate + policy) / cpu, 4) if seen else None,
                     "gate_calls": measured.get("calls", {}).get("gate", 0) if measured else 0,
                     "processes": measured.get("processes", 0) if measured else 0})
    # Not measured counts as the worst; of an even number of builds the higher middle one is taken,
    # so that two builds never report the more favourable share against an upper limit.
    rows.sort(key=lambda r: (r["share"] is None, r["share"] or 0))
    out = dict(rows[len(rows) // 2])
    out["runs"] = [r["share"] for r in rows]
    out["method"] = ("CPU seconds spent in the gate's and the CSP's hooks (scripts/hooks/safety.py, csp.py) "
                     "during each 2N build, every build process added up (kb.core.cputime), over that "
                     "build's CPU time; the median of the 2N builds")
    return out


def html_sizes(site: Path) -> list[int]:
    """Sizes of the built article pages (404 pages left out)."""
    return sorted(p.stat().st_size for p in site.rglob("*.html") if p.name != "404.html")


def gzip_median(site: Path) -> int:
    """Median size of the article pages compressed as a web server would send them."""
    import gzip
    return statistics.median(len(gzip.compress(p.read_bytes(), 6))
                             for p in site.rglob("*.html") if p.name != "404.html")


def search_index_size(site: Path) -> int | None:
    for name in ("search/search_index.json", "search/search_index.js"):
        if (site / name).is_file():
            return (site / name).stat().st_size
    return None


def offline_archive_size(project: Path, work: Path) -> tuple[int | None, str]:
    """Size of the offline archive built from the copy by the project's own offline command, if any."""
    if not (project / "scripts" / "kb" / "deliver" / "offline.py").is_file():
        return None, "scripts/kb/deliver/offline.py does not exist"
    out = work / f"{project.name}-offline"
    from kb.deliver.build import mkdocs_env
    proc = subprocess.run([sys.executable, str(project / "scripts" / "kb.py"), "offline", "--dist", str(out)],
                          cwd=project, env=mkdocs_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    archives = sorted(p for p in out.rglob("*") if p.is_file() and p.suffix in (".zip", ".gz", ".tgz", ".xz")) \
        if out.exists() else []
    if proc.returncode != 0 or not archives:
        return None, f"kb offline failed (exit {proc.returncode}): {proc.stdout.strip()[-300:]}"
    return sum(p.stat().st_size for p in archives), ""


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "system": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


PREVIEW_DRIVER = ("import json, sys\nfrom kb.engine import serve\n"
                  "print('RESULT ' + json.dumps(serve.replay(sys.argv[1], json.loads(sys.argv[2]))))")


def edit_to_preview(project: Path, site: Path, pages: int, data_edit: bool) -> dict:
    """`kb serve` on a project copy (kb.engine.serve.replay, in the copy's folder): after its full build,
    the seconds from saving a page edit (an English page: it and its Spanish twin's notice) and a data
    file edit (everything) to the new pages being written. The server's file watcher adds up to 0.6 s."""
    from kb.deliver.build import mkdocs_env
    page = f"docs/en/{layout(pages)[0][min(2, pages - 1)].lang_path}"
    edits = [(page, "\n## ", "\nA sentence added while previewing.\n\n## ")]
    if data_edit:
        edits.append(("data/glossary.yml", "\nterms:", "\nterms:  # edited while previewing"))
    proc = subprocess.run([sys.executable, "-c", PREVIEW_DRIVER, str(site), json.dumps(edits)], cwd=project,
                          env=mkdocs_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0 or "RESULT " not in proc.stdout:
        return {"note": f"kb serve replay failed: {proc.stdout.strip()[-300:]}"}
    runs = json.loads(proc.stdout.rsplit("RESULT ", 1)[1])
    out = {"page_edit_s": runs[0]["seconds"], "page_edit_kind": runs[0]["kind"],
           "page_edit_pages": len(runs[0]["pages"] or [])}
    if runs[0].get("deferred"):  # the status pages, written after the reload
        out.update(status_pages_s=runs[0]["deferred"]["seconds"], status_pages=len(runs[0]["deferred"]["pages"]))
    if data_edit:
        out.update(data_edit_s=runs[1]["seconds"], data_edit_kind=runs[1]["kind"])
    else:
        out["data_edit_note"] = "skipped to stay within the time budget"
    return out


def first_search(site: Path, repeat: int, progress=print) -> dict:
    """First-search latency per language on a built site (kb.bench.search), or why it was not measured."""
    if not repeat:
        return {"note": "skipped (--search-repeat 0)"}
    from kb.bench import search as bsearch
    why = bsearch.available()
    if why:
        return {"note": f"not measured: {why}"}
    progress(f"  first search result at 2N, cold Chromium, {repeat} run(s) per language")
    return bsearch.measure(site, repeat)


def run(pages: int = DEFAULT_PAGES, repeat: int = 3, stock_repeat: int = 2, work: Path | None = None,
        offline: bool = True, budget: float | None = DEFAULT_BUDGET, hooks_at_2n: bool = False,
        progress=print, search: int = 2, preview: bool = True) -> dict:
    """Generate, build and measure; returns the results dict (see module docstring).

    Builds run in interleaved rounds, one of each variant per round, `repeat` rounds (`stock_repeat`
    for the stock build). With a `budget` (seconds), a round after the first leaves out what does
    not fit, least important first: extra stock runs, then extra 2N runs; the runs without hooks
    go with the project runs they are compared to, or the rounds stop. The offline archive is
    built at N, and at 2N when the budget allows. Fewer runs than asked are reported as such."""
    own_work = work is None
    work = Path(tempfile.mkdtemp(prefix="kb-bench-")) if own_work else Path(work)
    try:
        sizes = {"n": pages, "2n": 2 * pages}
        load_at_start = [round(x, 2) for x in os.getloadavg()]
        order = [("project", "n"), ("nohooks", "n"), ("project", "2n"), ("sequential", "2n")] \
            + ([("nohooks", "2n")] if hooks_at_2n else []) + [("stock", "2n")]
        t0 = time.perf_counter()
        projects = {k: generate(work / f"{k[0]}-{k[1]}", sizes[k[1]], k[0]) for k in order if k[0] != "sequential"}
        projects[("sequential", "2n")] = projects[("project", "2n")]  # the same copy, static-i18n's sequential build
        progress(f"generated {len(projects)} project copies in {time.perf_counter() - t0:.1f} s ({work})")
        times: dict = {k: [] for k in order}
        peaks: dict = {k: 0 for k in order}
        cpus: dict = {k: [] for k in order}
        parts: dict = {k: [] for k in order}  # what the hooks measured in each build, with its CPU time
        wanted = {k: stock_repeat if k[0] == "stock" else repeat for k in order}
        elapsed = lambda: time.perf_counter() - t0  # noqa: E731
        offline_n = lambda: (1.6 * median(times[("project", "n")]) if offline else 0.0) \
            + (SEARCH_RESERVE if search else 0.0) \
            + (1.2 * median(times[("project", "n")]) if preview else 0.0)  # noqa: E731
        cut_by_budget = False
        for r in range(max(wanted.values())):
            keys = [k for k in order if r < wanted[k]]
            if r and budget is not None:
                fits = lambda ks: elapsed() + sum(median(times[k]) for k in ks) + offline_n() <= budget  # noqa: E731
                for least in (("sequential", "2n"), ("stock", "2n"), ("nohooks", "2n"), ("project", "2n")):
                    if least in keys and not fits(keys):
                        keys.remove(least)
                        cut_by_budget = True
                if not fits(keys):  # the N pair is measured together or not at all
                    keys, cut_by_budget = [], True
                if not keys:
                    progress(f"  stopping after {r} round(s): another would pass the {budget:.0f} s budget")
                    break
            for key in keys:
                secs, peak, cpu, measured = timed_build(projects[key], work / f"site-{key[0]}-{key[1]}",
                                                        parallel=key[0] != "sequential")
                times[key].append(secs)
                cpus[key].append(cpu)
                parts[key].append((measured, cpu))
                peaks[key] = max(peaks[key], peak)
                progress(f"  round {r + 1}: {key[0]:8} {key[1]:3} {secs:6.2f} s")
        archives = {}
        for key in sizes:
            if not offline:
                archives[key] = (None, "skipped (--no-offline)")
            elif budget is not None and elapsed() + 1.6 * median(times[("project", key)]) > budget:
                # At N too: `kb offline` also renders the PDF editions now, so the archive can take
                # longer than a build; past the budget it waits for a run with --budget 0.
                archives[key] = (None, "skipped to stay within the time budget (--budget 0 to build it)")
            else:
                progress(f"  offline archive at {key.upper()}")
                archives[key] = offline_archive_size(projects[("project", key)], work)
        res: dict = {"pages_per_language": sizes, "sizes": {}, "variants": {}}
        res["search"] = first_search(work / "site-project-2n", search, progress)
        res["preview"] = {}
        for key in sizes:
            build_s = median(times[("project", key)])
            if preview and (budget is None or elapsed() + 1.2 * build_s <= budget or key == "n"):
                data = budget is None or elapsed() + 2.4 * build_s <= budget
                progress(f"  edit-to-preview at {key.upper()} (kb serve: full build, page edit"
                         f"{', data file edit' if data else ''})")
                res["preview"][key] = edit_to_preview(projects[("project", key)], work / f"preview-{key}",
                                                      sizes[key], data)
            else:
                res["preview"][key] = {"note": "skipped" + (" (--no-preview)" if not preview else
                                                            " to stay within the time budget")}
        for key in order:
            res["variants"][f"{key[0]}_{key[1]}"] = {
                "runs_s": [round(x, 3) for x in times[key]], "median_s": round(median(times[key]), 3),
                "cpu_s": [round(x, 3) for x in cpus[key]], "median_cpu_s": round(median(cpus[key]), 3),
                "html_pages": len(html_sizes(work / f"site-{key[0]}-{key[1]}")),
                "peak_rss_mib": round(peaks[key] / 1024, 1)}
        for key in sizes:
            site = work / f"site-project-{key}"
            html = html_sizes(site)
            t = median(times[("project", key)])
            t_off = median(times[("nohooks", key)]) if times.get(("nohooks", key)) else None
            cpu, cpu_off = median(cpus[("project", key)]), median(cpus[("nohooks", key)]) if t_off else None
            arch, why = archives[key]
            index = search_index_size(site)
            res["sizes"][key] = {
                "pages_per_language": sizes[key], "html_pages": len(html),
                "build_s": round(t, 3), "ms_per_page": round(1000 * t / len(html), 2),
                "build_without_hooks_s": round(t_off, 3) if t_off else None,
                "hooks_share": round((t - t_off) / t, 4) if t_off else None,
                "cpu_s": round(cpu, 3), "cpu_without_hooks_s": round(cpu_off, 3) if cpu_off else None,
                "hooks_cpu_share": round((cpu - cpu_off) / cpu, 4) if cpu_off else None,
                "peak_rss_mib": round(peaks[("project", key)] / 1024, 1),
                "html_median_kib": round(statistics.median(html) / 1024, 1),
                "html_max_kib": round(max(html) / 1024, 1),
                "html_median_gzip_kib": round(gzip_median(site) / 1024, 1),
                "search_index_kib": round(index / 1024, 1) if index else None,
                "offline_archive_kib": round(arch / 1024, 1) if arch else None,
            }
            if why:
                res["sizes"][key]["offline_archive_note"] = why
        n, n2 = res["sizes"]["n"], res["sizes"]["2n"]
        stock = median(times[("stock", "2n")])
        res["stock_2n_s"] = round(stock, 3)
        sequential = median(times[("sequential", "2n")])
        res["sequential_2n_s"] = round(sequential, 3)
        slowest = max((v["first_result_s"] for v in res["search"].values() if isinstance(v, dict)), default=None)
        res["ratios"] = {
            "ratio_2n_n": round(n2["build_s"] / n["build_s"], 3),
            "html_median_ratio": round(n2["html_median_kib"] / n["html_median_kib"], 3),
            "hooks_share": max(x for x in (n["hooks_share"], n2["hooks_share"]) if x is not None),
            "vs_stock": round(n2["build_s"] / stock, 3),
            "parallel_vs_sequential": round(n2["build_s"] / sequential, 3),
            "first_search": slowest,
            "preview_2n": res["preview"].get("2n", {}).get("page_edit_s"),
        }
        if parts[("project", "2n")]:  # the safety gate and the CSP in the 2N builds (issue 11)
            res["gate"] = gate_in_builds(parts[("project", "2n")])
            res["ratios"]["gate_share"] = res["gate"]["share"]
        res["targets"] = {k: {"what": what, "value": res["ratios"][k], "limit": limit,
                              "ok": res["ratios"][k] is not None and res["ratios"][k] <= limit}
                          for k, (what, limit) in TARGETS.items()}
        res["machine"] = dict(machine(), load_average_at_start=load_at_start)
        res["method"] = {
            "repeat": len(times[("project", "n")]), "repeat_2n": len(times[("project", "2n")]),
            "stock_repeat": len(times[("stock", "2n")]),
            "repeat_asked": repeat, "stock_repeat_asked": stock_repeat,
            "budget_s": budget, "cut_by_budget": cut_by_budget, "interleaved": True, "statistic": "median",
            "build": "scripts/kb/deliver/build.py build() (strict), one fresh process per build",
            "nohooks": "hooks: removed from the copy's mkdocs.yml, [[term]] references as plain text, "
                       "link validation at info level (real pages link to files the hooks generate)"
                       + (f"; kept: {', '.join(PERFORMANCE_HOOKS)}" if PERFORMANCE_HOOKS else ""),
            "stock": "no project hooks at all (the performance hooks neither), link validation at info level, "
                     "and without navigation.prune, theme.custom_dir and i18n reconfigure_search "
                     "(Material + static-i18n defaults)",
            "hooks_share": "(t - t_nohooks) / t" + (", the larger of N and 2N" if hooks_at_2n else ", at N"),
            "parallel": "project builds: kb build (the Spanish pass in a second process, kb.engine.parallel); "
                        "sequential: the same copy with parallel=False (static-i18n's one-language-after-the-other build)",
            "preview": "kb.engine.serve.replay in the project copy: full build, then a body edit of an English page "
                       "and an edit of data/glossary.yml, seconds from the save to the pages written (watcher not included)",
            "search": "kb.bench.search: cold Chromium per run, home page of each language on 127.0.0.1, the first query "
                      "typed once the page has loaded, seconds until the first result shows; medians",
        }
        res["total_s"] = round(elapsed(), 1)
        return res
    finally:
        if own_work:
            shutil.rmtree(work, ignore_errors=True)


# Where a build's time goes: cumulative seconds of these functions (file fragment, function).
PHASES = [
    ("Markdown to HTML (all extensions)", "mkdocs/structure/pages.py", "render"),
    ("page templates (Jinja, navigation)", "jinja2/environment.py", "render"),
    ("search index entries (HTML parsing)", "material/plugins/search/plugin.py", "on_page_context"),
    ("static-i18n search de-duplication", "mkdocs_static_i18n/reconfigure.py", "reconfigure_search_duplicates"),
    ("search index written", "material/plugins/search/plugin.py", "on_post_build"),
    ("syntax highlighting (Pygments)", "pymdownx/highlight.py", "highlight"),
    ("link resolution (MkDocs)", "mkdocs/structure/pages.py", "path_to_url"),
]


def profile(pages: int, out: Path, work: Path, top: int = 25) -> str:
    """Build the generated project once under cProfile; a readable breakdown of where time goes."""
    import pstats

    project = generate(work / "profile", pages, "project")
    from kb.deliver.build import mkdocs_env
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "mkdocs", "build",
                           "--config-file", str(project / "mkdocs.yml"), "--site-dir", str(work / "profile-site")],
                          cwd=project, env=mkdocs_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise BenchFailed(f"profiled build failed:\n{proc.stdout[-4000:]}")
    cum: dict = {}
    own: list = []
    for (file, _line, fn), (_cc, calls, tottime, cumtime, _callers) in pstats.Stats(str(out)).stats.items():
        cum[(file, fn)] = max(cum.get((file, fn), 0.0), cumtime)
        if f"{os.sep}scripts{os.sep}" in file and project.as_posix() in Path(file).as_posix():
            own.append((cumtime, tottime, calls, f"{Path(file).relative_to(project).as_posix()}:{fn}"))
    total = max(cum.values())
    lines = [f"profiled build of {pages} pages per language: {wall:.1f} s wall under cProfile "
             f"(profiling slows Python code 2-3x; compare shares, not seconds)", "",
             "phase                                     seconds  share"]
    for name, frag, fn in PHASES:
        t = max([v for (f, n), v in cum.items() if frag in Path(f).as_posix() and n == fn] or [0.0])
        lines.append(f"{name:40} {t:8.2f} {100 * t / total:5.1f}%")
    hooks = {}
    for (f, fn), v in cum.items():
        pf = Path(f).as_posix()
        if "/scripts/hooks/" in pf and fn.startswith("on_"):
            key = f"{pf.rsplit('/', 1)[1]} {fn}"
            hooks[key] = hooks.get(key, 0.0) + v
    lines += ["", "hook event                                seconds  share"]
    for key, v in sorted(hooks.items(), key=lambda kv: -kv[1]):
        if v >= 0.005 * total:
            lines.append(f"{key:40} {v:8.2f} {100 * v / total:5.1f}%")
    lines += [f"{'all hook events':40} {sum(hooks.values()):8.2f} {100 * sum(hooks.values()) / total:5.1f}%", "",
              f"project functions (scripts/), top {top} by cumulative time", "   cumul     own     calls  function"]
    for c, t, n, name in sorted(own, reverse=True)[:top]:
        lines.append(f"{c:8.2f} {t:7.2f} {n:9}  {name}")
    lines += ["", f"full profile: {out} (python -m pstats {out}; sort cumulative; stats 40)"]
    return "\n".join(lines)


def _fmt(v, unit="") -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.2f}{unit}" if unit != "%" else f"{100 * v:.1f}%"
    return f"{v}{unit}"


def table(res: dict) -> str:
    n, n2 = res["sizes"]["n"], res["sizes"]["2n"]
    r, tg = res["ratios"], res["targets"]
    rows = [
        ("pages per language", n["pages_per_language"], n2["pages_per_language"], ""),
        ("HTML pages built (en+es)", n["html_pages"], n2["html_pages"], ""),
        ("build, median (s)", _fmt(n["build_s"]), _fmt(n2["build_s"]), ""),
        ("ms per page", _fmt(n["ms_per_page"]), _fmt(n2["ms_per_page"]), ""),
        ("build without hooks (s)", _fmt(n["build_without_hooks_s"]), _fmt(n2["build_without_hooks_s"]), ""),
        ("hooks' share of build", _fmt(n["hooks_share"], "%"), _fmt(n2["hooks_share"], "%"), "no longer a target"),
        ("CPU, all processes (s)", _fmt(n.get("cpu_s")), _fmt(n2.get("cpu_s")), ""),
        ("CPU without hooks (s)", _fmt(n.get("cpu_without_hooks_s")), _fmt(n2.get("cpu_without_hooks_s")), ""),
        ("hooks' share of CPU time", _fmt(n.get("hooks_cpu_share"), "%"), _fmt(n2.get("hooks_cpu_share"), "%"),
         "second processes included"),
        ("peak memory (MiB)", _fmt(n["peak_rss_mib"]), _fmt(n2["peak_rss_mib"]), ""),
        ("page HTML median (KiB)", _fmt(n["html_median_kib"]), _fmt(n2["html_median_kib"]),
         _status(tg["html_median_ratio"])),
        ("page HTML median, gzip (KiB)", _fmt(n["html_median_gzip_kib"]), _fmt(n2["html_median_gzip_kib"]), ""),
        ("page HTML largest (KiB)", _fmt(n["html_max_kib"]), _fmt(n2["html_max_kib"]), ""),
        ("search index (KiB)", _fmt(n["search_index_kib"]), _fmt(n2["search_index_kib"]), ""),
        ("offline archive (KiB)", _fmt(n["offline_archive_kib"]), _fmt(n2["offline_archive_kib"]), ""),
        ("t(2N)/t(N)", "", _fmt(r["ratio_2n_n"]), _status(tg["ratio_2n_n"])),
        ("sequential build, 2N (s)", "", _fmt(res.get("sequential_2n_s")), "static-i18n's order, one core"),
        ("parallel / sequential", "", _fmt(r.get("parallel_vs_sequential")), ""),
        ("stock configuration (s)", "", _fmt(res["stock_2n_s"]), ""),
        ("build / stock build", "", _fmt(r["vs_stock"]), _status(tg["vs_stock"])),
        ("safety gate + CSP, 2N (s)", "", _fmt(res.get("gate", {}).get("total_s")),
         _status(tg["gate_share"]) if "gate_share" in tg else ""),
    ]
    pv = res.get("preview", {})
    for what, key in (("page edit", "page_edit_s"), ("data file edit", "data_edit_s")):
        cells = [_fmt(pv.get(k, {}).get(key)) for k in ("n", "2n")]
        pages = pv.get("n", {}).get("page_edit_pages") if key == "page_edit_s" else None
        rows.append((f"edit-to-preview, {what} (s)", *cells,
                     f"{pages} pages re-rendered" if pages else ("full build" if key == "data_edit_s" else "")))
        if key == "page_edit_s" and any("status_pages_s" in pv.get(k, {}) for k in ("n", "2n")):
            rows.append(("  status pages written, after the save (s)",
                         *[_fmt(pv.get(k, {}).get("status_pages_s")) for k in ("n", "2n")],
                         "after the reload, in the background"))
    for lang, v in sorted(res.get("search", {}).items()):
        if isinstance(v, dict):
            rows += [(f"first search result, {lang} (s)", "", _fmt(v["first_result_s"]), f"query '{v['query']}'"),
                     (f"  index download / parse, {lang} (ms)", "", f"{v['download_ms']:.0f} / {v['parse_ms']:.0f}",
                      f"{v['index_kib']:.0f} KiB")]
            if "worker_index_ms" in v:  # Material's worker alone: Lunr index built, then one query answered
                rows.append((f"  worker: index built / query answered, {lang} (ms)", "",
                             f"{v['worker_index_ms']:.0f} / {v['worker_query_ms']:.0f}",
                             f"{v['worker_sections']} matching sections highlighted"))
    if "preview_2n" in tg:
        rows.append(("edit-to-preview target, 2N", "", _fmt(r.get("preview_2n")), _status(tg["preview_2n"])))
    if "first_search" in tg:
        rows.append(("first search, slower language", "", _fmt(r.get("first_search")), _status(tg["first_search"])))
    head = ("", "N", "2N", "target")
    widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(4)]
    line = lambda cells: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) if i < 3 else str(c)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    m = res["machine"]
    out = [line(head), line(["-" * w for w in widths]), *map(line, rows), "",
           f"{m['cpus']} CPUs ({m['cpu']}), {m['system']}, Python {m['python']}; load average "
           f"{m['load_average_at_start'][0]} at start, {m['load_average'][0]} at end; medians of "
           f"{res['method']['repeat']} interleaved runs ({res['method']['repeat_2n']} at 2N, "
           f"{res['method']['stock_repeat']} for stock"
           f"{', fewer than asked: time budget' if res['method']['cut_by_budget'] else ''}); "
           f"{res['total_s']} s in all."]
    busiest = max(m["load_average_at_start"][0], m["load_average"][0])
    if m["cpus"] and busiest > m["cpus"] + 0.5:
        out.append(f"warning: the machine was busy (load average {busiest} on {m['cpus']} CPUs): "
                   "the times are not comparable; run again when it is idle")
    for key in ("n", "2n"):
        note = res.get("preview", {}).get(key, {}).get("note")
        if note:
            out.append(f"edit-to-preview ({key.upper()}): n/a, {note}")
    if res.get("search", {}).get("note"):
        out.append(f"first search result: {res['search']['note']}")
    for key in ("n", "2n"):
        note = res["sizes"][key].get("offline_archive_note")
        if note:
            out.append(f"offline archive ({key.upper()}): n/a, {note}")
    return "\n".join(out)


def _status(t: dict, unit: str = "") -> str:
    limit = f"{100 * t['limit']:.0f}%" if unit == "%" else f"{t['limit']}"
    value = _fmt(t["value"], unit)
    return f"{value} <= {limit} {'ok' if t['ok'] else 'MISSED'}"


def cli(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="kb bench", description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=DEFAULT_PAGES, help=f"pages per language, N (default {DEFAULT_PAGES})")
    ap.add_argument("--json", default=str(DEFAULT_JSON), help="write the figures here (default .bench/results.json)")
    ap.add_argument("--repeat", type=int, default=3, help="builds per variant; medians are reported (default 3)")
    ap.add_argument("--stock-repeat", type=int, default=2, help="builds of the stock configuration (default 2)")
    ap.add_argument("--hooks-at-2n", action="store_true", help="also measure the hooks' share at 2N (a build more per round)")
    ap.add_argument("--budget", type=float, default=DEFAULT_BUDGET,
                    help=f"stop adding rounds when the next would pass this many seconds (default {DEFAULT_BUDGET:.0f}; "
                         "0: no limit); the first round always runs")
    ap.add_argument("--no-offline", action="store_true", help="skip the offline archive")
    ap.add_argument("--no-preview", action="store_true", help="skip the edit-to-preview measurement (kb serve)")
    ap.add_argument("--search-repeat", type=int, default=2,
                    help="cold-Chromium runs per language for the first search result at 2N (default 2; 0: skip)")
    ap.add_argument("--work", help="keep the generated project copies and sites in this folder")
    ap.add_argument("--generate", metavar="DIR",
                    help="only write a project copy with the generated pages to DIR (for profiling or serve)")
    ap.add_argument("--variant", choices=VARIANTS, default="project", help="with --generate: which configuration")
    ap.add_argument("--profile", nargs="?", const=str(ROOT / ".bench" / "build.prof"), metavar="PROF",
                    help="instead of the benchmark: build the N-page project once under cProfile and show "
                         "where the time goes (profile saved to PROF, default .bench/build.prof)")
    args = ap.parse_args(argv)
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        _exit_on_sigterm()  # run without kb.cli, which already turns SIGTERM into a clean exit 143
    if args.pages < 1 or args.repeat < 1 or args.stock_repeat < 1:
        print("kb bench: --pages, --repeat and --stock-repeat must be at least 1", file=sys.stderr)
        return 2
    try:
        if args.generate:
            dest = Path(args.generate)
            if dest.exists() and any(dest.iterdir()):
                print(f"kb bench: {dest} exists and is not empty", file=sys.stderr)
                return 2
            generate(dest, args.pages, args.variant)
            print(f"wrote {dest} ({args.pages} pages per language, {args.variant} configuration)")
            return 0
        if args.profile:
            with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
                print(profile(args.pages, Path(args.profile).resolve(), Path(tmp)))
            return 0
        work = Path(args.work) if args.work else None
        if work and work.exists() and any(work.iterdir()):
            print(f"kb bench: {work} exists and is not empty", file=sys.stderr)
            return 2
        res = run(args.pages, args.repeat, args.stock_repeat, work, offline=not args.no_offline,
                  budget=args.budget or None, hooks_at_2n=args.hooks_at_2n, search=args.search_repeat, preview=not args.no_preview, progress=lambda s: print(s, file=sys.stderr, flush=True))
    except (ConfigError, BenchFailed) as exc:
        print(f"kb bench: {exc}", file=sys.stderr)
        return 1
    print(table(res))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"figures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
