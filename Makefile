# Tongxin: `make run` sets up and serves the portal on its embedded default (SQLite + demo data)
# and runs its task worker alongside (scripts/serve supervises both);
# `make test` installs the test tools and runs lint and the whole suite on SQLite and PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
APT_GET := $(shell command -v apt-get 2>/dev/null)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-test browser frontend catalogs messages lint pytest pytest-sqlite pytest-postgres migrate worker clean

run: export TONGXIN_ENV ?= development
run: export PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(FLASK) db upgrade
	$(FLASK) demo-data --scale small --if-empty
	@$(FLASK) demo-logins
	@echo "Serving on http://127.0.0.1:$(PORT), with the task worker (Ctrl-C stops both)"
	$(BIN)/python scripts/serve --host 127.0.0.1 --port $(PORT)

install: $(VENV)/.installed frontend catalogs

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3-venv is missing: installing it from Debian's packages"; \
	  $(SUDO) $(APT_GET) update -qq && $(SUDO) $(APT_GET) install -y -qq python3-venv >/dev/null; \
	  rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip==26.3
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[test,compare]'
	# MovieLens 100K, the real data set of the recommender's evaluation, ships inside recbole's
	# wheel; only its data files are read, so none of its (heavy) dependencies are installed.
	$(BIN)/pip install -q --no-deps recbole==1.2.1
	touch $@

# localstripe (the Stripe API fake of the payment tests) pulls aiohttp and friends: it lives in its
# own venv, from exact pins, so it never disturbs the portal's pinned packages.
LOCALSTRIPE_VENV := .venv-localstripe

$(LOCALSTRIPE_VENV)/.installed: tests/stripe_fake/requirements.txt | $(BIN)/python
	rm -rf $(LOCALSTRIPE_VENV)
	$(PYTHON) -m venv $(LOCALSTRIPE_VENV)
	$(LOCALSTRIPE_VENV)/bin/pip install -q --upgrade pip==26.3
	$(LOCALSTRIPE_VENV)/bin/pip install -q --no-deps -r tests/stripe_fake/requirements.txt
	$(LOCALSTRIPE_VENV)/bin/pip check
	touch $@

install-test: install $(VENV)/.installed-test $(LOCALSTRIPE_VENV)/.installed

# Front-end packages and the division codes come from the npm registry at install time.
frontend: node_modules/.installed static/vendor/htmx.min.js static/vendor/echarts.min.js

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { $(SUDO) $(APT_GET) update -qq && $(SUDO) $(APT_GET) install -y -qq nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/htmx.min.js: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

# The dashboards' charts: ECharts' "common" build (bar, line, pie: all the dashboards draw).
static/vendor/echarts.min.js: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/echarts/dist/echarts.common.min.js $@

catalogs: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations

# Re-extract the messages after changing user-facing strings, then translate the new ones.
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -o translations/messages.pot --no-location --sort-output portal templates
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

# The two suites run side by side (each is mostly one Python process waiting on its database or
# its browser half the time): on the 2-core machine that is about 15 minutes instead of 23.
test: install-test browser lint
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest-sqlite pytest-postgres

# Browser journeys drive Debian's Chromium (never a browser download); a CJK font makes the
# screenshots in test-artifacts/ readable.
browser:
	@command -v chromium >/dev/null || { $(SUDO) $(APT_GET) update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) $(APT_GET) install -y -qq chromium fonts-wqy-zenhei >/dev/null; }

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

pytest-sqlite: install-test
	TONGXIN_ENV=testing $(BIN)/pytest -q

pytest-postgres: install-test
	scripts/with-postgres env TONGXIN_ENV=testing $(BIN)/pytest -q

migrate: install
	$(FLASK) db upgrade

worker: install
	$(FLASK) worker

clean:
	rm -rf $(VENV) $(LOCALSTRIPE_VENV) node_modules static/vendor instance translations/*/LC_MESSAGES/*.mo
