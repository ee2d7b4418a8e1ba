# The two commands: `make demo` and `make test`. Everything else is a helper they call.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install system-deps databricks-cli demo test lint format bench bench-pipeline bench-dashboard docs dashboard package-lambda clean verify positions metrics

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@echo ">> creating $(VENV) and installing the locked dependencies"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade "pip>=24" "uv>=0.5,<1"
	@# --compile-bytecode: write the .pyc files now. Without them every Python process (each dbt
	@# command) compiles dbt's modules again wherever PYTHONDONTWRITEBYTECODE is set (about 3 s).
	@$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

# The `spark` target's Java libraries (Delta Lake from Maven Central, the ANSI mode extension).
SPARK_JARS_STAMP := .cache/spark-jars/.installed

$(SPARK_JARS_STAMP): scripts/install-spark-jars.sh scripts/spark-jars/pom.xml $(wildcard scripts/spark-jars/src/lakehouse/spark/*.java) $(STAMP)
	@bash scripts/install-spark-jars.sh

profiles.yml: profiles.yml.example
	@test -f $@ || { cp $< $@; echo ">> created profiles.yml from profiles.yml.example"; }

install: $(STAMP) profiles.yml $(SPARK_JARS_STAMP) ## Create .venv, install the locked dependencies and the Spark jars

system-deps: ## Install a JDK and Maven (Spark) and Chromium (dashboard tests) when missing
	@bash scripts/install-system-deps.sh

databricks-cli: ## Build the pinned Databricks CLI from its Go module into .cache/databricks-cli (bundle checks)
	@bash scripts/install-databricks-cli.sh

demo: system-deps install ## Run the whole job locally: generate, dbt build, dashboard, notify
	@$(BIN)/python -m orchestration run --seed 42 --batches 3 --orders-per-batch 5000 --with-docs

# Three workers on the 2-core machine, a test file each at a time (the files' module fixtures
# stay in one process): a fresh clone's `make test` took 29 min, against 39 on two workers
# (docs/development.md). The e2e suites (the Spark parity and recovery suites are the slowest)
# come first in testpaths, so they never run last.
test: system-deps install databricks-cli lint ## Lint and run every test
	@$(BIN)/python -m pytest -n 3 --dist loadfile

# sqlfluff compiles the project against a throwaway in-memory DuckDB: linting needs no data/
# folder and never locks the pipeline's database file.
SQLFLUFF := LAKEHOUSE_DUCKDB_PATH=:memory: $(BIN)/sqlfluff

lint: install ## ruff + sqlfluff + dbt-bouncer (the dbt conventions, dbt-bouncer.yml)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(SQLFLUFF) lint models macros tests snapshots analyses
	@$(SQLFLUFF) lint --templater raw bench
	@LAKEHOUSE_DUCKDB_PATH=:memory: $(BIN)/dbt compile --quiet --target-path target/lint --select resource_type:model
	@# the SQL the engine runs: every model compiled, macros expanded (layout and the style of
	@# macro output aside: quoted relation names, literal quotes, adapter type names)
	@$(BIN)/sqlfluff lint --templater raw --exclude-rules layout,ST06,CV10,RF06,CP05 \
		target/lint/compiled/lakehouse/models/*/*.sql
	@$(BIN)/dbt-bouncer run --config-file dbt-bouncer.yml

format: install ## Apply ruff and sqlfluff fixes
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .
	@$(SQLFLUFF) fix models macros tests snapshots analyses
	@$(SQLFLUFF) fix --templater raw bench

verify: install ## Full verification: every data test on every row, incl. those over all history (tag full_verification)
	@$(BIN)/dbt test --selector full_verification --vars '{full_verification: true}'

# MetricFlow reads the semantic manifest from target/, which `dbt parse` writes first.
QUERY ?= --saved-query revenue_by_country

metrics: install ## Answer metrics from the semantic layer (MetricFlow), e.g. make metrics QUERY="--metrics revenue --group-by order__country"
	@$(BIN)/dbt parse --quiet --target-path target
	@$(BIN)/mf query $(QUERY)

positions: install ## Where every model stands and what is behind (docs/runbook.md)
	@$(BIN)/dbt run-operation report_positions --quiet

bench: install ## Benchmark the generator against the CSV-writer floor
	@$(BIN)/python -m lambda_generator.bench

# The pipeline benchmark's size: full (the figures: ~1 M and ~10 M orders, many minutes on
# 2 cores) or tiny (seconds of data, to try it); BENCH_SMALL_BATCHES, BENCH_LARGE_BATCHES,
# BENCH_ORDERS_PER_BATCH, BENCH_NEW_BATCH_ORDERS override the scale's numbers, BENCH_DAILY_BUILD
# the dbt command(s) of a daily build (see bench/pipeline.py).
BENCH_SCALE ?= full

bench-pipeline: install ## Benchmark dbt builds on two histories against a hand-written floor (BENCH_SCALE=full|tiny)
	@$(BIN)/python -m bench.pipeline --scale $(BENCH_SCALE)

DASHBOARD_PORT ?= 8765

dashboard: install ## Serve the interactive dashboard over the warehouse on http://127.0.0.1:8765 (DASHBOARD_PORT)
	@$(BIN)/python -m orchestration dashboard --port $(DASHBOARD_PORT)

bench-dashboard: install ## Time the dashboard server's answers over ~10 M synthetic orders (BENCH_DASHBOARD_ORDERS)
	@$(BIN)/python -m bench.dashboard --orders $(or $(BENCH_DASHBOARD_ORDERS),10000000)

package-lambda: install ## Zip the generator Lambda with its locked dependencies (build/)
	@$(BIN)/python -m lambda_generator.package

docs: install ## Generate the dbt docs (lineage incl. the dashboard exposure) and serve them
	@$(BIN)/python -m orchestration docs --serve

lock: ## Re-resolve requirements.lock from pyproject.toml
	@$(BIN)/uv pip compile --quiet --python-version 3.11 --extra dev pyproject.toml -o requirements.lock

clean: ## Remove generated data and dbt outputs
	rm -rf data target logs
