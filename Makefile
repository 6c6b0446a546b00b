# The two commands of the README: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	bash scripts/install-system-packages.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job on the embedded default: check the two bundled sample reports, fill the
# SQLite ledger with demo agencies, users and two years of requests, and serve it.
run: setup
	@# Exit status 1 means the samples have errors: they do, and that is what is shown.
	$(BIN)/ogi check src/ogi/data/samples/*.txt || test $$? -eq 1
	$(BIN)/ogi demo
	$(BIN)/ogi serve

# The whole suite on SQLite, then the web tests again on the machine's PostgreSQL (the browser
# tests once: what they add is the browser, not the database).
test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -n 2
	@if url=$$(bash scripts/postgres.sh); then \
	  echo "PostgreSQL: $$url"; OGI_DATABASE_URL=$$url $(BIN)/pytest -n 2 -m "not browser" tests/web; \
	else echo "没有可用的 PostgreSQL，只在 SQLite 上运行了网页测试"; fi

lint: setup
	$(BIN)/ruff check src tests bench

bench: setup
	$(BIN)/python bench/text_reports.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/compile.py
	$(BIN)/python bench/speed.py
	$(BIN)/python bench/accuracy.py --ocr

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
