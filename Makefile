# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint check-deploy audit clean serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## run: development server on http://127.0.0.1:8000/ (DEBUG, JSON files unless REDIS_URL is set)
## Leaves a development .env (DEBUG=true, a generated SECRET_KEY) when there is none, so that the
## README's commands run as written afterwards.
run: $(VENV)/.runtime
	$(BIN)/python -m config.dev_env
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	@echo ""
	@echo "  Create an admin user with:  $(BIN)/python manage.py createsuperuser"
	@echo "  Then open http://127.0.0.1:8000/admin/"
	@echo ""
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:8000

## serve: production server: gunicorn (config/gunicorn.conf.py), DEBUG off, static files by whitenoise.
## Needs the production variables (README "Production serving"): SECRET_KEY, ALLOWED_HOSTS, REDIS_URL...
serve: $(VENV)/.runtime
	DEBUG=false $(BIN)/python manage.py check --deploy
	DEBUG=false $(BIN)/python manage.py migrate --noinput
	DEBUG=false $(BIN)/python manage.py collectstatic --noinput
	DEBUG=false exec $(BIN)/gunicorn --config config/gunicorn.conf.py

## test: the whole suite (real redis-server processes on free loopback ports)
test: $(VENV)/.dev
	$(BIN)/python -m pytest

## lint: ruff, and the import rules of docs/architecture.md (import-linter contracts in pyproject.toml)
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## audit: known vulnerabilities in the pinned requirements (needs PyPI's JSON API) and bandit on the code
audit: $(VENV)/.dev
	$(BIN)/pip-audit --requirement requirements.txt --no-deps --disable-pip --strict
	$(BIN)/bandit --quiet --recursive --configfile pyproject.toml clients config diagnostics sessions_app storage manage.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# --- Benchmarks: never part of `make test`; bench-only deps in bench/requirements.txt, wrk from apt ---
.PHONY: bench bench-quick bench-tools

$(VENV)/.bench: requirements.txt requirements-dev.txt bench/requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r bench/requirements.txt
	touch $@ $(VENV)/.dev $(VENV)/.runtime

# The API benchmark's load generator: wrk (Debian package), installed when apt-get can, else a clear stop.
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
		&& apt-get install -y -qq wrk >/dev/null; } || true
	@command -v wrk >/dev/null 2>&1 || { echo "make bench needs wrk (the HTTP load generator): install it with" \
		"'apt-get install wrk' (Debian/Ubuntu) (or build wg/wrk from source), then run again." >&2; exit 1; }
	@command -v redis-server >/dev/null 2>&1 || { echo "make bench needs redis-server on PATH." >&2; exit 1; }

## bench: every figure at full scale (100,000 clients, up to 1,000,000 sessions), report in bench/results/
bench: $(VENV)/.bench bench-tools
	$(BIN)/python -m bench.run

## bench-quick: every figure at smaller counts, about three minutes
bench-quick: $(VENV)/.bench bench-tools
	$(BIN)/python -m bench.run --quick

# --- Figures and mutation testing: never part of `make test` ---
.PHONY: figures mutate
FIGURES_DIR ?= /tmp/reliability-figures

## figures: the whole suite with real Redis required, then docs/reliability.md's figures section from that run
figures: $(VENV)/.dev
	rm -rf $(FIGURES_DIR)
	-REQUIRE_REAL_REDIS=1 RELIABILITY_FIGURES_DIR=$(FIGURES_DIR) $(BIN)/python -m pytest -q -p no:cacheprovider --junitxml=$(FIGURES_DIR)/junit.xml
	$(BIN)/python -m tests.figures_report $(FIGURES_DIR) "make figures"

## mutate: mutmut over the storage core ([tool.mutmut] in pyproject.toml), then the Lua hand mutations;
## writes docs/mutation-testing.md. Slow (hours on 2 cores): MUTATE_CHILDREN=1 on a shared machine,
## MUTANTS='storage.retry*' (mutmut's name globs) for one module: the report keeps the other files'
## figures from their last run (tests/mutation/runs.json, committed). mutmut keeps its old copy of
## the files in ./mutants, so every run starts from an empty one.
MUTATE_CHILDREN ?= 2
MUTANTS ?=
mutate: $(VENV)/.dev
	rm -rf mutants
	commit=$$(git rev-parse --short HEAD); \
	  REQUIRE_REAL_REDIS=1 $(BIN)/mutmut run --max-children $(MUTATE_CHILDREN) $(MUTANTS); \
	  mkdir -p mutants && echo $$commit > mutants/run-commit
	REQUIRE_REAL_REDIS=1 $(BIN)/python -m tests.mutation.lua_mutants --json mutants/lua.json
	$(BIN)/python -m tests.mutation.report "make mutate"
