# Two commands on a fresh machine: `make run` and `make test`. Each installs what it needs.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := reclamations bench tests
# Use the machine's Python; never download one.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Compile the installed packages once: where PYTHONDONTWRITEBYTECODE is set, every new process
# (each worker the tests start and kill) would otherwise compile them again from source.
export UV_COMPILE_BYTECODE := 1

.PHONY: install run test test-fast lint format bench mutation clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

# The project's own modules too (only those changed since are compiled again): the workflow
# sandbox imports them afresh for each workflow run that does not pass them through.
install: $(VENV)/.installed
	$(BIN)/python -m compileall -q $(PACKAGES)

run: install
	$(BIN)/complaints run

test: install lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite without its slow groups (docs/testing.md): a few minutes.
test-fast: install lint
	$(BIN)/python -m pytest -m "not faults and not fuzz and not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (not tests): figures printed and written to bench/results/. Optionally
# BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres for PostgreSQL too.
bench: install
	$(BIN)/python -m bench.run

# Mutation testing (not in CI: it takes an hour on 2 cores): the modules that keep legal
# promises, each small change run against the domain's tests; the score and the survivors left
# on purpose are in docs/testing.md. MUTATION_ARGS narrows it to some mutants ("reclamations.domain.access*").
mutation: install
	$(BIN)/mutmut run --max-children 2 $(MUTATION_ARGS)
	$(BIN)/mutmut results --all true | awk -F': ' '{count[$$2]++; all++} END {for (s in count) printf "%-12s %5d\n", s, count[s]; printf "killed %.1f %% of %d\n", 100 * count["killed"] / all, all}'

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache mutants
