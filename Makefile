# Developer entry points. Everything runs from the project's .venv, which
# scripts/venv.sh creates and keeps in step with pyproject.toml.

.PHONY: serve test lint fmt bench clean venv

# Local server on 127.0.0.1:$(PORT) (default 8000) with a demo login and API key.
serve:
	scripts/serve.sh

# Whole test suite against a throw-away PostgreSQL and Redis; pass pytest
# arguments with ARGS, e.g. make test ARGS='-k funnels'.
test:
	scripts/test.sh $(ARGS)

# Style, the layer contracts (docs/architecture.md) and types; `make test` runs it first.
lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	DEBUG=1 .venv/bin/mypy --follow-imports=silent queries insights_server sharing exports web charts definitions activity actions persons dashboards insights alerts ingestion cohorts config

fmt: venv
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# Benchmarks on generated data (10M events, generated once into .data/bench): make bench ARGS='--only hogql'
bench:
	scripts/venv.sh
	.venv/bin/python bench/run.py $(ARGS)
	.venv/bin/python bench/query_cache.py
	.venv/bin/python bench/parse.py
	.venv/bin/python bench/hogql_http.py
	.venv/bin/python bench/capture.py
	.venv/bin/python bench/hog.py

clean:
	rm -rf .data

venv:
	scripts/venv.sh
