# smartbank: `make run` starts the whole local stack, `make test` runs every test.
# Both install what they need into .venv first; a second run skips what has not changed.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PROTOS := $(shell find protos -name '*.proto')
GEN    := libs/smartbank/schemas/.generated

.PHONY: help install build run test unit e2e lint fmt bench openapi clean

help:
	@echo "make run    install, build and start the local stack (Ctrl-C stops it)"
	@echo "make test   install, build, lint and run every test"
	@echo "make lint   ruff and mypy"
	@echo "make bench  authorisation and swipe-to-push latency (Envoy and direct), backlog replay"

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

build: $(GEN)

$(GEN): $(INSTALLED) $(PROTOS)
	rm -rf libs/smartbank/schemas
	mkdir -p libs/smartbank/schemas
	$(BIN)/python -m grpc_tools.protoc -Iprotos --plugin=protoc-gen-mypy=$(BIN)/protoc-gen-mypy \
		--python_out=libs --mypy_out=libs $(PROTOS)
	@touch $@

run: build
	$(BIN)/smartbank up

lint: build
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs services tests

test: lint
	$(BIN)/pytest

unit: build
	$(BIN)/pytest -m "not e2e"

e2e: build
	$(BIN)/pytest -m e2e

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: build
	$(BIN)/python -m tests.bench.authorisations
	$(BIN)/python -m tests.bench.pipeline

openapi: build
	$(BIN)/python -m tests.public_api.openapi_doc

clean:
	rm -rf $(VENV) libs/smartbank/schemas .smartbank .mypy_cache .ruff_cache
