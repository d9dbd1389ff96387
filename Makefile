# FlowTime Registry: `make run` and `make test` set everything up from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SERVE_STAMP := $(VENV)/.installed-serve
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
# Optional backends for `make run` / `make install-serve`: EXTRAS=postgres,s3 (the test install has both).
EXTRAS ?=
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run serve-proxied test install install-serve migrate lint bench bench-engine clean

# What serving needs (pinned by constraints.txt); `make test` adds the test tools and both backends.
$(SERVE_STAMP): pyproject.toml setup.py constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.$(if $(EXTRAS),[$(EXTRAS)])'
	touch $(SERVE_STAMP)

$(STAMP): $(SERVE_STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,postgres,s3]'
	touch $(STAMP)

install-serve: $(SERVE_STAMP)

install: $(STAMP)

# The benchmarks' extra (Datasette, the workload benchmark's reference column).
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,postgres,s3,bench]'
	touch $(BENCH_STAMP)

migrate: install-serve
	$(FLASK) db upgrade

run: migrate
	$(FLASK) registry seed --demo --if-empty
	$(BIN)/flowtime-registry serve --host $(HOST) --port $(PORT)

# The one-machine deployment: nginx on HOST:PORT (buffering slow clients) in front of gunicorn on loopback.
# Needs nginx (scripts/install-nginx.sh).
serve-proxied: migrate
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) scripts/serve-proxied.sh

test: install
	$(BIN)/python -m pytest -n 2 --dist loadscope $(PYTEST_ARGS)

# What CI runs (.ci/run): the PostgreSQL, browser and nginx tests installed and required, not skipped (root).
.PHONY: test-all
test-all: install
	scripts/install-browser.sh
	scripts/install-postgres.sh
	scripts/install-nginx.sh
	scripts/install-containers.sh
	FLOWTIME_E2E_REQUIRED=1 FLOWTIME_BACKENDS_REQUIRED=1 $(MAKE) test

lint: install
	$(BIN)/ruff check app tests bench
	$(BIN)/lint-imports --config setup.cfg

# Each suite is followed by the workload benchmark on the same cached corpus (bench/README.md).
WORKLOAD_ARGS ?=
bench: $(BENCH_STAMP)
	$(BIN)/python bench/run_suite.py --count 100000 --reuse
	$(BIN)/python bench/workload.py --count 100000 --write-rate 10 --reuse $(WORKLOAD_ARGS)

.PHONY: bench-1m bench-workload bench-ui
bench-1m: $(BENCH_STAMP)
	$(BIN)/python bench/run_suite.py --count 1000000 --reuse --results-md bench/RESULTS-1m.md
	$(BIN)/python bench/workload.py --count 1000000 --write-rate 2 --reuse $(WORKLOAD_ARGS)

# Distinct Zipf-drawn reads on 4 threads + a background writer; ours vs Datasette vs the in-process floor.
bench-workload: $(BENCH_STAMP)
	$(BIN)/python bench/workload.py --count 100000 --write-rate 10 --reuse $(WORKLOAD_ARGS)

# The UI's bounds at 100k (real Chromium: scripts/install-browser.sh first).
bench-ui: $(BENCH_STAMP)
	$(BIN)/python bench/ui_timing.py --count 100000 --reuse

bench-engine: install
	$(BIN)/python bench/bench_engine.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
