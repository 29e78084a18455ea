# Two commands do all the set-up: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app app
CHROMIUM ?= /usr/bin/chromium
PORT ?= 5000
SINK_PORT ?= 8025

export HTI_ENV ?= development

.PHONY: run test install browser proxy dictionary imap a11y-tools clean bench load-generator mutation

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The browser tests drive Debian's chromium through Playwright; never a downloaded browser.
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
	    || echo "Could not install chromium; browser tests will be skipped (outside CI)."; \
	fi

# The production-shaped tests (tests/test_production_shape.py) put gunicorn behind Debian's nginx, which
# terminates TLS as the proxy in production does. In CI a missing nginx fails here, never as a skipped test.
NGINX ?= /usr/sbin/nginx
VARNISHD ?= /usr/sbin/varnishd

proxy:
	@if [ ! -x "$(NGINX)" ] && ! command -v nginx >/dev/null; then \
	  echo "Installing Debian's nginx for the production-shaped tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nginx >/dev/null \
	    || { if [ -n "$$CI" ]; then echo "Could not install nginx, and CI must run the production-shaped tests." >&2; exit 1; fi; \
	         echo "Could not install nginx; the production-shaped tests will be skipped (outside CI)."; }; \
	fi
	@# Varnish caches the public pages in front of gunicorn (deploy/varnish/hti.vcl; tests/operations/test_proxy.py).
	@if [ ! -x "$(VARNISHD)" ] && ! command -v varnishd >/dev/null; then \
	  echo "Installing Debian's varnish for the caching-proxy tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends varnish >/dev/null \
	    || { if [ -n "$$CI" ]; then echo "Could not install varnish, and CI must run the caching-proxy tests." >&2; exit 1; fi; \
	         echo "Could not install varnish; the caching-proxy tests will be skipped (outside CI)."; }; \
	fi
	@# systemd-analyze verifies the units in deploy/systemd (tests/operations/test_deploy.py).
	@if ! command -v systemd-analyze >/dev/null; then \
	  echo "Installing Debian's systemd for systemd-analyze…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends systemd >/dev/null \
	    || { if [ -n "$$CI" ]; then echo "Could not install systemd, and CI must verify the units." >&2; exit 1; fi; \
	         echo "Could not install systemd; the units will not be verified (outside CI)."; }; \
	fi

# The language check (tests/language) reads Debian's Swedish Hunspell dictionary. In CI (CI=true) a dictionary
# that cannot be installed stops `make test` here, and the language tests fail without it rather than skip.
HUNSPELL_SV ?= /usr/share/hunspell/sv_SE.dic

dictionary:
	@if [ ! -f "$(HUNSPELL_SV)" ]; then \
	  echo "Installing Debian's hunspell-sv for the language check…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq hunspell-sv >/dev/null \
	    || { if [ -n "$$CI" ]; then echo "Could not install hunspell-sv, which the language check needs." >&2; exit 1; fi; \
	         echo "Could not install hunspell-sv; the language tests will be skipped (outside CI)."; }; \
	fi

# The bounce mailbox tests (tests/bounces/test_imap.py) start their own Debian dovecot on a free port, with a
# configuration in a temporary directory (never the system service). In CI a missing dovecot fails here.
DOVECOT ?= /usr/sbin/dovecot

imap:
	@if [ ! -x "$(DOVECOT)" ]; then \
	  echo "Installing Debian's dovecot-imapd for the bounce mailbox tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null \
	    || { if [ -n "$$CI" ]; then echo "Could not install dovecot-imapd, which the IMAP tests need." >&2; exit 1; fi; \
	         echo "Could not install dovecot-imapd; the IMAP tests will be skipped (outside CI)."; }; \
	fi

# axe-core for the accessibility tests, pinned in tests/a11y/package-lock.json (npm ci; Debian's nodejs when missing).
A11Y := tests/a11y
A11Y_STAMP := $(A11Y)/node_modules/.package-lock.json

a11y-tools: $(A11Y_STAMP)

$(A11Y_STAMP): $(A11Y)/package-lock.json
	@if ! command -v npm >/dev/null; then \
	  echo "Installing Debian's nodejs and npm for the accessibility tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null \
	    || echo "Could not install npm; the accessibility tests will be skipped (outside CI)."; \
	fi
	@if command -v npm >/dev/null; then cd $(A11Y) && npm ci --no-audit --no-fund --loglevel=error; fi

run: install
	@mkdir -p instance
	$(FLASK) hti init-db --demo
	@# Web app, scheduler, send worker and mail sink together; Ctrl-C stops all four.
	$(FLASK) hti dev --port $(PORT) --sink-port $(SINK_PORT)

# Four test processes (TEST_WORKERS=0 runs in this process alone, for a debugger or -x). More than the two cores:
# a quarter of the suite's time is tests waiting for other processes (workers, the scheduler, gunicorn, a proxy).
TEST_WORKERS ?= 4

test: install browser proxy dictionary imap a11y-tools
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=30 $(PYTEST_ARGS)

# The web benchmarks (bench/web.py, bench/proxy.py) load the servers with Debian's wrk: a load generator in C, so
# that on two cores the generator does not take the CPU the measured server needs (without it they fall back to a
# Python generator and say so).
load-generator:
	@if ! command -v wrk >/dev/null; then \
	  echo "Installing Debian's wrk for the web benchmarks…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null \
	    || echo "Could not install wrk; the web benchmarks use their Python load generator."; \
	fi

bench: install proxy imap load-generator
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Mutation testing of the five modules where a silent bug is public and irreversible (README: "Mutation testing").
# About an hour on two cores: never part of `make test` or CI. One line per module:
# `mutation score MODULE: KILLED/RUN = 0.NN`. MUTATION_MODULES="hti_comms/tokens.py" runs one.
MUTATION_MODULES ?=

mutation: install
	@$(BIN)/python -c 'import mutmut' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[mutation]'
	@$(BIN)/python mutation/run.py $(MUTATION_MODULES)

clean:
	rm -rf $(VENV) .pytest_cache .mutation
