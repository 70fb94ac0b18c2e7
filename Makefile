# presswatch: `make run` runs the pipeline, `make test` runs the tests. Both set everything up first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 60
export GX_ANALYTICS_ENABLED := false
export UV_PYTHON_DOWNLOADS := never

.PHONY: help install run up test dashboard serve lint format bench bench-table bench-dashboard stress eval screenshots clean

help:
	@echo "make run        install (first time) and run the pipeline once on seeds/ and the configured feeds"
	@echo "make up         keep watch: Prefect server, scheduled runs and the dashboard, until Ctrl-C"
	@echo "make test       install (first time) and run the whole test suite (finds or installs Chromium)"
	@echo "make dashboard  start the dashboard on http://127.0.0.1:8501"
	@echo "make serve      run the pipeline on the configured schedule (Prefect flow.serve)"
	@echo "make lint       ruff check + format check"
	@echo "make eval       tagging and alert scores on the labelled sets"
	@echo "make bench      throughput, no-op and memory benchmarks; rewrites the README's figures table"
	@echo "make screenshots  regenerate docs/dashboard-*.png from a run over seeds/"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --python python3.11 --compile-bytecode --quiet
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/presswatch run

up: install
	$(BIN)/presswatch up

# The browser tests are part of the suite: .ci/chromium finds Chromium, installs it, or stops here with
# one line saying how. Two pytest-xdist workers: most tests wait on Prefect servers, subprocesses and a
# browser, and the suite takes ~6 instead of ~11 minutes on two cores.
test: install
	@chromium="$$(bash .ci/chromium)" && PRESSWATCH_CHROMIUM="$$chromium" $(BIN)/pytest -n 2

dashboard: install
	$(BIN)/presswatch dashboard

serve: install
	$(BIN)/presswatch serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: install
	$(BIN)/python bench/eval_tagging.py tests/labelled/tagging tests/labelled/wire tests/labelled/wire2 tests/labelled/wire3 tests/labelled/wire4 tests/labelled/wire5 tests/labelled/wire6 tests/labelled/wire7 tests/labelled/wire8 tests/labelled/wire9 tests/labelled/wire10 tests/labelled/wire11 tests/labelled/wire12 tests/labelled/wire13 tests/labelled/wire14 tests/labelled/holdout tests/labelled/final
	$(BIN)/python bench/eval_alerts.py

bench: install
	$(BIN)/python bench/throughput.py --articles 5000
	$(BIN)/python bench/noop.py
	$(BIN)/python bench/memory.py --articles 50000
	$(BIN)/python bench/readme_table.py

bench-table: install
	$(BIN)/python bench/readme_table.py

screenshots: install
	rm -rf /tmp/presswatch-shots
	$(BIN)/presswatch run --source seeds --db /tmp/presswatch-shots/pw.duckdb
	$(BIN)/python dashboards/screenshots.py --db /tmp/presswatch-shots/pw.duckdb --out docs/

bench-dashboard: install
	$(BIN)/python bench/make_big_db.py --articles 1000000 --out /tmp/presswatch-big.duckdb
	$(BIN)/python bench/dashboard_queries.py --db /tmp/presswatch-big.duckdb

stress: install
	$(BIN)/python bench/stress.py --trials 20

clean:
	rm -rf data/ $(VENV) $(TOOLS)
