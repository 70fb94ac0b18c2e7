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

.PHONY: help install run test dashboard serve lint format bench eval screenshots clean

help:
	@echo "make run        install (first time) and run the pipeline once on seeds/ and the configured feeds"
	@echo "make test       install (first time) and run the whole test suite"
	@echo "make dashboard  start the dashboard on http://127.0.0.1:8501"
	@echo "make serve      run the pipeline on the configured schedule (Prefect flow.serve)"
	@echo "make lint       ruff check + format check"
	@echo "make eval       tagging and alert scores on the labelled sets"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --python python3.11 --quiet
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/presswatch run

test: install
	$(BIN)/pytest

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
	$(BIN)/python bench/eval_tagging.py --texts tests/labelled/tagging --gold tests/labelled/tagging/gold.jsonl
	$(BIN)/python bench/eval_alerts.py

clean:
	rm -rf data/ $(VENV) $(TOOLS)
