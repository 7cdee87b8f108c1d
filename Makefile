# Every target bootstraps what it needs, so `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# System packages the tests need: a real Secret Service (gnome-keyring under dbus), Chromium, and
# libfaketime (the test that runs the pictures with the machine clock a year ahead), and PostgreSQL
# (the store's tests run on SQLite and on a real PostgreSQL server the tests start themselves).
SYSTEM_PACKAGES := gnome-keyring dbus chromium faketime postgresql

.PHONY: run demo test screenshots bench lint setup system-deps node-deps clean mutate

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/linkdeck

demo: $(STAMP)
	$(VENV)/bin/linkdeck demo

system-deps:
	@missing=""; \
	command -v gnome-keyring-daemon >/dev/null || missing="$$missing gnome-keyring"; \
	command -v dbus-run-session >/dev/null || missing="$$missing dbus"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v faketime >/dev/null || missing="$$missing faketime"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); \
	fi

# Every folder under tests/servers with a committed lock file gets exactly what it pins.
node-deps:
	@for lock in $$(find tests/servers -name package-lock.json -not -path '*/node_modules/*'); do \
		dir=$$(dirname $$lock); \
		[ "$$dir/node_modules/.package-lock.json" -nt "$$lock" ] && continue; \
		echo "npm ci in $$dir"; \
		(cd $$dir && npm ci --no-audit --no-fund --loglevel=error) || exit 1; \
	done

# The whole suite runs inside one throw-away D-Bus session with an unlocked gnome-keyring, so the
# vault is tested against a real Secret Service. Servers the tests need are started by the tests.
# LINKDECK_TEST_STRICT=1: a missing part (node, the PDS, Chromium, the Secret Service) is an error,
# never a skip or a quiet fall-back to plaintext secrets (tests/support/required.py).
test: $(STAMP) system-deps node-deps
	$(VENV)/bin/lint-imports
	LINKDECK_TEST_STRICT=1 TEXTUAL_ANIMATIONS=none tests/with_keyring.sh $(PY) -m pytest -q -rs $(PYTEST_ARGS)

screenshots: $(STAMP)
	TEXTUAL_ANIMATIONS=none $(PY) -m tests.screenshots screenshots

bench: $(STAMP)
	$(PY) bench/startup.py
	$(PY) bench/media.py
	$(PY) bench/fanout.py
	$(PY) bench/queue_start.py

# Mutation testing of the engine's critical parts (issue 18; not part of `make test`): the auth
# callback checks and PKCE, the loopback listener's request judging, the vault's token merge, the
# delivery state machine, crash recovery and the media judge. Configured in pyproject's
# [tool.mutmut]; these globs pick the functions. Survivors: `.venv/bin/mutmut results`, one in
# detail: `.venv/bin/mutmut show NAME`. Results are cached in mutants/ (a rerun only redoes what
# changed); `rm -rf mutants` for a clean run. What survives, and why, is in docs/mutation.md.
MUTATE_FUNCTIONS := \
	'providers.outbox.recovery.*' \
	'providers.media.judge.*' \
	'providers.store.transitions.*' \
	'providers.store.machine.*' \
	'providers.vault.xǁVaultǁmerge_token__mutmut_*' \
	'providers.auth.pkce.*' \
	'providers.auth.callback.*' \
	'providers.auth.loopback.xǁLoopbackListenerǁ_decide__mutmut_*' \
	'providers.auth.loopback.xǁLoopbackListenerǁ_parse__mutmut_*' \
	'providers.auth.loopback.xǁLoopbackListenerǁ_headers__mutmut_*'

mutate: $(STAMP) system-deps node-deps
	time TEXTUAL_ANIMATIONS=none tests/with_keyring.sh $(VENV)/bin/mutmut run --max-children 2 $(MUTATE_FUNCTIONS)
	$(VENV)/bin/mutmut results

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/servers/node_modules
