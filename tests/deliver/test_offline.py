"""kb.py offline (scripts/kb/deliver/offline.py): the archive, its assets, reproducibility, all-or-nothing.

What a reader sees when opening the bundle from file:// is in tests/test_browser.py.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import subprocess
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from kb.core.problems import ProblemsError
from kb.core.settings import kb_setting
from kb.deliver import offline
from support import ROOT, kb

MB = 10 * 2**20
SHIM = "assets/javascripts/iframe-worker/shim.js"


def zip_time(epoch: int) -> tuple:
    """A time as a zip entry stores it (two-second resolution)."""
    return time.gmtime(epoch - epoch % 2)[:6]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git(cwd: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, stdout=subprocess.PIPE, text=True,
                          env={**os.environ, **(env or {})}).stdout.strip()


@pytest.fixture(scope="module")
def bundle(offline_bundle) -> zipfile.ZipFile:
    with zipfile.ZipFile(offline_bundle) as zf:
        yield zf


# --------------------------------------------------------------------------- the archive

def built_commit(offline_bundle: Path) -> str:
    """The commit the bundle says it was built from (the working tree's HEAD moves under a long session)."""
    version = offline_bundle.stem.removeprefix(f"{kb_setting('project')}-offline-").removesuffix("-dirty")
    return version.rsplit("-g", 1)[-1]


@pytest.mark.slow
def test_archive_is_named_after_project_and_version(offline_bundle):
    commit = built_commit(offline_bundle)
    described = git(ROOT, "describe", "--tags", "--always", commit)
    assert offline_bundle.name in (f"{kb_setting('project')}-offline-{described}.zip",
                                   f"{kb_setting('project')}-offline-{described}-dirty.zip")
    assert [p.name for p in offline_bundle.parent.iterdir()] == [offline_bundle.name]


@pytest.mark.slow
def test_archive_unpacks_into_one_folder_with_both_homes(offline_bundle, bundle):
    top = offline_bundle.stem
    names = bundle.namelist()
    assert all(n == f"{top}/" or n.startswith(f"{top}/") for n in names)
    english = bundle.read(f"{top}/index.html").decode()
    spanish = bundle.read(f"{top}/es/index.html").decode()
    assert '<html lang="en"' in english and '<html lang="es"' in spanish


@pytest.mark.slow
def test_archive_entries_are_sorted_with_fixed_times_and_permissions(offline_bundle, bundle):
    infos = bundle.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    epoch = int(git(ROOT, "log", "-1", "--format=%ct", built_commit(offline_bundle)))
    assert {i.date_time for i in infos} == {zip_time(epoch)}
    for info in infos:
        mode = info.external_attr >> 16
        assert mode == (0o40755 if info.is_dir() else 0o100644), info.filename


@pytest.mark.slow
def test_archive_is_small(offline_bundle):
    size = offline_bundle.stat().st_size
    print(f"offline bundle: {size:,} bytes ({size / 2**20:.2f} MiB)")
    assert size < MB


@pytest.mark.slow  # reads the offline bundle: a second (offline) build of the site
def test_server_only_files_stay_out(bundle):
    shipped = {Path(n).name for n in bundle.namelist()}
    assert not shipped & offline.NOT_SHIPPED


@pytest.mark.slow
def test_pages_load_the_pinned_shim_from_the_bundle(offline_bundle, bundle):
    top = offline_bundle.stem
    shim = bundle.read(f"{top}/{SHIM}")
    asset = next(a for a in offline.assets() if a.name == "iframe-worker")
    with tarfile.open(fileobj=io.BytesIO(offline.tarball(asset)), mode="r:gz") as tar:
        pinned = tar.extractfile("package/shim/index.js").read().decode("utf-8")
    # The pinned shim, with only the worker's URL in the script it writes made constant (so that the
    # pages' Content-Security-Policy can allow that script by its hash: kb.deliver.csp).
    from kb.deliver import csp

    assert shim.decode("utf-8") == csp.shim_for_csp(pinned)
    assert pinned.replace(csp.SHIM_FILENAME, csp.SHIM_CONSTANT).replace("if(r===`${this.url}`)", 'if(r==="search-worker")') \
        == shim.decode("utf-8") != pinned
    assert csp.sha256(csp.shim_inline_script(shim.decode("utf-8"))) in bundle.read(f"{top}/index.html").decode()
    assert f"{top}/assets/javascripts/iframe-worker/LICENSE.txt" in bundle.namelist()
    pages = [n for n in bundle.namelist() if n.endswith(".html")]
    for name in pages:
        html = bundle.read(name).decode()
        assert "iframe-worker/shim.js" in html, name
        assert "unpkg.com" not in html and "fonts.googleapis" not in html, name


@pytest.mark.slow
def test_search_index_per_language_as_scripts(offline_bundle, bundle):
    top = offline_bundle.stem
    for folder in ("", "es/"):
        script = bundle.read(f"{top}/{folder}search/search_index.js").decode()
        assert script.startswith("var __index = {")


def test_bundle_is_checked_for_outside_loads(tmp_path):
    page = tmp_path / "es" / "page.html"
    page.parent.mkdir()
    page.write_text('<html><head>\n<link rel="stylesheet" href="https://cdn.example.net/x.css">\n'
                    '<link rel="canonical" href="https://kb.example.org/">\n</head>\n<body>\n'
                    '<a href="https://example.org/">a plain link is fine</a>\n'
                    '<img src="/logo.png"><img src="data:image/png;base64,AAAA">\n'
                    '<iframe src="//video.example.com/embed"></iframe>\n</body></html>\n', encoding="utf-8")
    (tmp_path / "x.css").write_text("a{}\n@import 'https://fonts.example.com/f.css';\nb{background:url(../i.png)}\n",
                                    encoding="utf-8")
    found = [str(p) for p in offline.outside_loads(tmp_path)]
    assert found == [
        "es/page.html:2:1: <link> loads https://cdn.example.net/x.css from outside the site",
        "es/page.html:7:1: <img> loads /logo.png from outside the site",
        "es/page.html:8:1: <iframe> loads //video.example.com/embed from outside the site",
        "x.css:2:1: stylesheet loads https://fonts.example.com/f.css from outside the site",
    ]


def test_outside_loads_are_read_as_the_browser_parses_the_page(tmp_path):
    """The check reads pages with the gate's HTML5 parser: where Python's html.parser and a browser
    disagree, it sees what the browser loads. `<!-->` is a whole (empty) comment to a browser, so the
    image after it loads; html.parser reads a comment up to the next `-->` and never sees the <img>.
    Text inside <noscript> is markup to a reader without JavaScript: that image is reported too."""
    from html.parser import HTMLParser

    page = tmp_path / "page.html"
    html = ('<html><body>\n<p>a<!--><img src="https://tracker.example.com/p.png">--></p>\n'
            '<noscript><img src="https://tracker.example.com/n.png"></noscript>\n'
            '<img src="https://tracker.example.com/p.png" alt="the same image again">\n</body></html>\n')
    page.write_text(html, encoding="utf-8")

    class Tags(HTMLParser):
        imgs = 0

        def handle_starttag(self, tag, attrs):
            self.imgs += tag == "img"

    old = Tags()
    old.feed(html)
    assert old.imgs == 2  # html.parser: the first image is inside a comment
    found = [str(p) for p in offline.outside_loads(tmp_path)]
    assert found == [
        "page.html:2:10: <img> loads https://tracker.example.com/p.png from outside the site",
        "page.html:3:11: <img> loads https://tracker.example.com/n.png from outside the site",
        "page.html:4:1: <img> loads https://tracker.example.com/p.png from outside the site",
    ]


# --------------------------------------------------------------------------- pinned assets

@pytest.fixture
def fake_npm(tmp_path, monkeypatch):
    """An `npm` on PATH that packs a tarball we control, and an empty cache: no network involved."""
    bin_dir, cache = tmp_path / "bin", tmp_path / "cache"
    bin_dir.mkdir()
    monkeypatch.setenv("KB_CACHE_DIR", str(cache))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    def make(files: dict[str, bytes]) -> tuple[Path, str]:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        tgz = tmp_path / "pkg.tgz"
        tgz.write_bytes(buf.getvalue())
        npm = bin_dir / "npm"
        npm.write_text('#!/bin/sh\n# fake npm pack: copy the tarball to --pack-destination\n'
                       'while [ $# -gt 0 ]; do [ "$1" = --pack-destination ] && dest=$2; shift; done\n'
                       f'cp "{tgz}" "$dest/pkg.tgz" && echo \'[{{"filename": "pkg.tgz"}}]\'\n')
        npm.chmod(npm.stat().st_mode | stat.S_IEXEC)
        return tgz, offline.integrity(tgz.read_bytes())

    return make


def manifest(tmp_path: Path, integrity: str) -> Path:
    path = tmp_path / "browser-assets.yml"
    path.write_text("# test manifest\nshim-pkg:\n  version: 1.0.0\n"
                    f"  integrity: {integrity}\n  license: MIT\n  why: test\n"
                    "  files:\n    package/shim.js: assets/javascripts/shim-pkg/shim.js\n"
                    "  polyfill: assets/javascripts/shim-pkg/shim.js\n", encoding="utf-8")
    return path


def test_pinned_asset_is_fetched_verified_cached_and_installed(fake_npm, tmp_path):
    _, good = fake_npm({"package/shim.js": b"shim();\n"})
    path = manifest(tmp_path, good)
    site = tmp_path / "site"
    assert offline.install(site, path) == ["assets/javascripts/shim-pkg/shim.js"]
    assert (site / "assets/javascripts/shim-pkg/shim.js").read_bytes() == b"shim();\n"
    assert offline.polyfills(path) == ["assets/javascripts/shim-pkg/shim.js"]
    cached = Path(os.environ["KB_CACHE_DIR"]) / "npm" / "shim-pkg-1.0.0.tgz"
    assert cached.is_file() and ROOT not in cached.parents
    # A cache hit needs no npm at all.
    (tmp_path / "bin" / "npm").unlink()
    assert offline.install(tmp_path / "site2", path) == ["assets/javascripts/shim-pkg/shim.js"]


def test_integrity_mismatch_is_refused_and_nothing_cached(fake_npm, tmp_path):
    _, good = fake_npm({"package/shim.js": b"tampered();\n"})
    pinned = "sha512-" + "A" * 86 + "=="
    path = manifest(tmp_path, pinned)
    with pytest.raises(ProblemsError) as exc:
        offline.install(tmp_path / "site", path)
    (problem,) = exc.value.problems
    assert (problem.line, problem.col) == (2, 1)
    assert problem.message == f"shim-pkg@1.0.0: integrity mismatch: pinned {pinned}, received {good}"
    assert not (tmp_path / "site").exists()
    assert not list(Path(os.environ["KB_CACHE_DIR"]).rglob("*.tgz"))


def test_corrupt_cache_entry_is_fetched_again(fake_npm, tmp_path):
    _, good = fake_npm({"package/shim.js": b"shim();\n"})
    cached = Path(os.environ["KB_CACHE_DIR"]) / "npm" / "shim-pkg-1.0.0.tgz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"garbage")
    offline.install(tmp_path / "site", manifest(tmp_path, good))
    assert offline.integrity(cached.read_bytes()) == good


def test_missing_npm_and_missing_file_are_reported(fake_npm, tmp_path, monkeypatch):
    _, good = fake_npm({"package/other.js": b"x"})
    path = manifest(tmp_path, good)
    with pytest.raises(ProblemsError) as exc:
        offline.install(tmp_path / "site", path)
    assert [p.message for p in exc.value.problems] == ["shim-pkg@1.0.0: not in the package: package/shim.js"]
    shutil.rmtree(os.environ["KB_CACHE_DIR"])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ProblemsError) as exc:
        offline.install(tmp_path / "site", path)
    assert [p.message for p in exc.value.problems] == [
        "shim-pkg@1.0.0: npm is not installed; it fetches this package at build time"]


def test_invalid_manifest_is_reported_at_its_line(tmp_path):
    path = manifest(tmp_path, "md5-nope")
    with pytest.raises(ProblemsError) as exc:
        offline.assets(path)
    assert [(p.line, p.col) for p in exc.value.problems] == [(4, 14)]
    assert "md5-nope" in exc.value.problems[0].message


def test_pinned_manifest_is_valid():
    (asset,) = offline.assets()
    assert asset.spec == "iframe-worker@1.0.4"
    assert "iframe-worker" in asset.polyfill  # keeps Material's offline plugin from adding its CDN copy


# --------------------------------------------------------------------------- make offline

def git_project(project: Path) -> str:
    """Make a project copy a git checkout with one commit at a fixed time; return that time."""
    for part in ("Makefile", "requirements.txt", ".gitignore"):
        shutil.copy2(ROOT / part, project / part)
    when = "1767225600"  # 2026-01-01T00:00:00Z
    env = {"GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "snapshot", env=env)
    git(project, "tag", "v1.2.0", env=env)
    return when


@pytest.mark.slow
def test_make_offline_twice_gives_identical_archives(project):
    when = git_project(project)
    hashes = []
    for _ in range(2):
        proc = subprocess.run(["make", "offline", f"VENV={ROOT / '.venv'}"], cwd=project, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        assert proc.returncode == 0, proc.stdout[-3000:]
        archives = sorted((project / "dist").iterdir())
        assert [a.name for a in archives] == [f"{kb_setting('project')}-offline-v1.2.0.zip"]
        assert "MiB" in proc.stdout  # the size is reported
        hashes.append(sha256(archives[0]))
    assert hashes[0] == hashes[1]
    with zipfile.ZipFile(archives[0]) as zf:
        assert {i.date_time for i in zf.infolist()} == {zip_time(int(when))}


@pytest.mark.slow
def test_failed_build_leaves_no_archive_old_or_new(project, offline_bundle):
    dist = project / "dist"
    dist.mkdir()
    previous = dist / f"{kb_setting('project')}-offline-previous.zip"
    shutil.copy2(offline_bundle, previous)
    page = project / "docs" / "en" / "kubernetes" / "index.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    lines.append("See [[no-such-term]] for more.")
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = kb(project, "offline")
    assert proc.returncode == 1, proc.stdout
    assert f"docs/en/kubernetes/index.md:{len(lines)}:5:" in proc.stdout
    assert not previous.exists()
    assert list(dist.iterdir()) == []
