# The two commands: `make run` (embedded mode unless the environment names services) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

# Services the tests run against; override on the command line or in the environment. The role
# `platform` is made by scripts/test-prerequisites (LOGIN CREATEDB, this password) when it is missing.
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://platform:platform@127.0.0.1:5432/platform
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
CHROMIUM ?= /usr/bin/chromium
export TEST_DATABASE_URL TEST_REDIS_URL CHROMIUM

.PHONY: run test bench prerequisites worker beat migrate clean-venv messages js

$(VENV)/.runtime: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

migrate: $(VENV)/.runtime
	$(MANAGE) migrate --noinput

run: migrate
	$(MANAGE) load_demo
	$(MANAGE) runplatform --port $(PORT)

worker: $(VENV)/.runtime
	$(BIN)/celery -A config worker --loglevel=INFO

beat: $(VENV)/.runtime
	$(BIN)/celery -A config beat --loglevel=INFO --schedule=$${PLATFORM_VAR_DIR:-var}/celerybeat-schedule

# Installs (apt-get, as root) and starts what the suite needs on this machine, or says what is missing.
prerequisites:
	scripts/test-prerequisites

test: prerequisites $(VENV)/.test
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) PLATFORM_VAR_DIR=$(CURDIR)/var/test \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: prerequisites $(VENV)/.test
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) PLATFORM_VAR_DIR=$(CURDIR)/var/bench \
		$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

# Translations are committed compiled, so `make run` needs no gettext; run this after editing a .po file.
messages: $(VENV)/.runtime
	$(MANAGE) makemessages -l zh_Hans -l en --ignore=.venv --ignore=var
	$(MANAGE) compilemessages --ignore=.venv

clean-venv:
	rm -rf $(VENV)

# The browser sealer's bundle (@hpke/core, noble SHA-256) is committed; rebuild it only when
# frontend/package.json changes. Needs Node and npm; `make run` does not.
js:
	cd frontend && npm ci && npm run build
