PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := $(CURDIR)/.briefing-demo
DB := $(DEMO)/briefing.db
# The demo's own database, config and reader state: your config's feeds are not fetched into
# it, and its view mode and sort order are not saved over yours.
DEMO_ENV := BRIEFING_DB=$(DB) BRIEFING_CONFIG=$(DEMO)/config.toml BRIEFING_STATE=$(DEMO)/state.toml

.PHONY: run test lint bench demo-db clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo-db: $(STAMP)
	@mkdir -p $(DEMO)
	@[ -e $(DEMO)/config.toml ] || echo "# The demo's settings (README: Configuration)." > $(DEMO)/config.toml
	@# Subscribed, not fetched once: then `r` in the app fetches the samples again.
	$(DEMO_ENV) $(BIN)/briefing feeds add sample_feeds/ >/dev/null
	$(DEMO_ENV) $(BIN)/briefing fetch || [ $$? -eq 1 ]

run: demo-db
	$(DEMO_ENV) $(BIN)/briefing

# Four test processes: most of the suite waits on loopback servers, subprocesses and timers,
# so the waits overlap even on two cores (a busy 2-core machine: 9:41 against 11:37 with three,
# the cores 69% busy).
test: $(STAMP)
	$(BIN)/ruff check briefing tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q -n 4

lint: $(STAMP)
	$(BIN)/ruff check briefing tests bench
	$(BIN)/mypy

# Benchmarks, not tests: each prints a table and writes JSON under bench/results/.
bench: $(STAMP)
	$(BIN)/python -m bench.tag_bench
	$(BIN)/python -m bench.extract_bench
	$(BIN)/python -m bench.story_bench
	$(BIN)/python -m bench.tui_bench
	$(BIN)/python -m bench.memory_bench
	$(BIN)/python -m bench.fetch_bench --sizes 100,1000 --repeat 3
	$(BIN)/python -m bench.write_bench
	$(BIN)/python -m bench.big_bench
	$(BIN)/python -m bench.folder_bench
	$(BIN)/python -m bench.translate_bench --feeds 100

clean:
	rm -rf $(VENV) .briefing-demo .pytest_cache .mypy_cache .ruff_cache
