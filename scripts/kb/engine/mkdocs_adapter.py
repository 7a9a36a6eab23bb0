"""The little the hooks need to know about MkDocs and mkdocs-static-i18n.

Kept in one place so that moving to another engine (ProperDocs, Zensical) means
rewriting this file and the few-line hooks, not the logic modules.
"""
from __future__ import annotations

from mkdocs.exceptions import PluginError

from kb.core.problems import Problem, ProblemsError
from kb.core.settings import DEFAULT_LANGUAGE, LANGUAGES


def _i18n(config):
    try:
        return config.plugins["i18n"]
    except (KeyError, AttributeError):
        return None


def language(config) -> str:
    """Language being built now (static-i18n builds the site once per language)."""
    i18n = _i18n(config)
    return getattr(i18n, "current_language", None) or DEFAULT_LANGUAGE


def first_language_pass(config) -> bool:
    """True during the first (default-language) build of a `mkdocs build` / rebuild.

    Checks that cover the whole docs tree run here, once per build, not once per language.
    """
    i18n = _i18n(config)
    return i18n is None or not getattr(i18n, "building", False)


def page_path(page) -> str:
    """Page source path relative to its language folder: 'kubernetes/architecture.md'."""
    uri = page.file.src_uri
    head, _, rest = uri.partition("/")
    return rest if head in LANGUAGES and rest else uri


def page_locale(page) -> str:
    """Language of the page's source file; differs from language(config) for fallback pages."""
    return getattr(page.file, "locale", None) or DEFAULT_LANGUAGE


def add_markdown_extension(config, cls):
    """The instance of Markdown extension `cls` every page is rendered with (added once).

    MkDocs builds a new Markdown instance per page from config.markdown_extensions, which
    may hold extension objects: a hook can change the object's state between pages.
    """
    for ext in config.markdown_extensions:
        if isinstance(ext, cls):
            return ext
    ext = cls()
    config.markdown_extensions.append(ext)
    return ext


def load_or_fail(loader, what: str = "problem"):
    """loader() (loading or writing), or abort the build listing the problems it raised (ProblemsError)."""
    try:
        return loader()
    except ProblemsError as exc:
        fail_on(exc.problems, what)


def fail_on(problems: list[Problem], what: str = "problem") -> None:
    """Abort the build listing every problem, one `PATH:LINE:COL: MESSAGE` per line."""
    if problems:
        fail_on_groups({what: problems})


def describe(groups: dict[str, list[Problem]]) -> str:
    """'3 snippet problems found:' and the problems, for each kind of problem."""
    parts = []
    for what, problems in groups.items():
        if problems:
            n = len(problems)
            lines = "\n".join(str(p) for p in sorted(problems))
            parts.append(f"{n} {what}{'s' if n != 1 else ''} found:\n{lines}")
    return "\n".join(parts)


def fail_on_groups(groups: dict[str, list[Problem]]) -> None:
    """Abort the build listing the problems of several checks at once, by kind."""
    if any(groups.values()):
        raise PluginError(describe(groups))
