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

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## audit: known vulnerabilities in the pinned requirements (needs PyPI's JSON API) and bandit on the code
audit: $(VENV)/.dev
	$(BIN)/pip-audit --requirement requirements.txt --no-deps --disable-pip --strict
	$(BIN)/bandit --quiet --recursive --configfile pyproject.toml clients config diagnostics sessions_app storage manage.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# --- Benchmarks (issue 9): never part of `make test`; bench-only deps in bench/requirements.txt ---
.PHONY: bench bench-quick

$(VENV)/.bench: requirements.txt requirements-dev.txt bench/requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r bench/requirements.txt
	touch $@ $(VENV)/.dev $(VENV)/.runtime

## bench: every benchmark at full scale (100,000 clients, up to 1,000,000 sessions), report in bench/results/
bench: $(VENV)/.bench
	$(BIN)/python -m bench.run

## bench-quick: the same comparisons at smaller counts, under two minutes
bench-quick: $(VENV)/.bench
	$(BIN)/python -m bench.run --quick
