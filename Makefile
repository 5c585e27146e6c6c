# The README names these targets. `make run` and `make test` set everything up first.
VENV := .venv/bin
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup run ingest chat test test-fast lint eval bench soak clean

setup:
	@bash scripts/setup.sh

run: setup ingest
	$(VENV)/rag ui

ingest: setup
	$(VENV)/rag ingest

chat: setup ingest
	$(VENV)/rag chat

test:
	@bash scripts/setup.sh --browser
	$(VENV)/lint-imports --no-logo
	$(VENV)/python -m pytest

test-fast: setup
	$(VENV)/python -m pytest -m "not integration and not llm and not e2e and not slow"

lint: setup
	$(VENV)/lint-imports --no-logo
	$(VENV)/ruff check rag ui evals tests
	$(VENV)/ruff format --check rag ui evals tests
	$(VENV)/mypy

eval: setup
	$(VENV)/rag eval

bench: setup
	$(VENV)/python evals/bench_ingest.py --data ../shared/datasets/scifact

soak: setup
	$(VENV)/python evals/soak_ingest.py --iterations 200

clean:
	rm -rf .rag test-artifacts evals/reports
