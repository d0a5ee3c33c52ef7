# Set-up on a fresh machine: `make demo` and `make test` create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install bench model clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tieline demo --db tieline.duckdb

# lint (ruff: style, import order, bugbear, complexity at most 15) and types (mypy), then the tests
test: $(STAMP)
	$(BIN)/ruff check tieline tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# Rebuild the learned event model from corpus/labels and ../shared (under an hour on 2 cores);
# the model it writes to tieline/data/model/ is versioned, so demo and test never train.
model: $(STAMP)
	$(BIN)/pip install --quiet -e ".[train]"
	$(BIN)/python -m scripts.train_model all

bench: $(STAMP)
	$(BIN)/python -m benchmarks.throughput --n 1000 --events hybrid rules --workers 2 --rounds 3

clean:
	rm -rf $(VENV) tieline.duckdb *.egg-info
