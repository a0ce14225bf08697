# Điểm Tựa: `make run` starts the bot, `make test` runs every check. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Install, migrate the database, load sample service points into an empty directory, start: Telegram if TELEGRAM_BOT_TOKEN is set, else the console chat.
run: $(STAMP)
	$(BIN)/python -m bot db upgrade
	$(BIN)/python -m bot points load-sample
	$(BIN)/python -m bot run

## Lint, type-check and run the whole test suite.
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Re-extract messages from the code and merge them into the Vietnamese catalog (then translate the new ones).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o locales/messages.pot --no-location --sort-output \
		--project "Điểm Tựa" --version 0.1 bot core domain handlers services storage data
	$(BIN)/python locales/merge.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
