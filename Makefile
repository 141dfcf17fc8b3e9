# One command to run the app, one to run the tests (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run stack test install bench lint clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(BIN)/activate

install: $(BIN)/activate

run: install
	$(BIN)/python app.py

stack: install
	deploy/start

test: install
	tools/test-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 -m "not serial"
	$(BIN)/python -m pytest -m serial

bench: install
	$(BIN)/python bench/queries.py
	$(BIN)/python bench/polling.py
	$(BIN)/python bench/relay.py

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var .pytest_cache screenshots
