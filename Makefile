# Kasir: the two set-up commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Qt's runtime libraries, and poppler-utils (the day-close wizard's PDF preview, pdftoppm; the
# tests read PDFs back with pdftotext).
QT_LIBS := libgl1 libegl1 libfontconfig1 libxkbcommon0 libglib2.0-0 libdbus-1-3 poppler-utils

.PHONY: run test bench lint qt-libs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Kasir needs Python 3.11 or newer"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
		echo "Cannot create a virtualenv. On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

qt-libs:
	@sh scripts/qt-libs.sh $(QT_LIBS)

run: $(STAMP) qt-libs
	$(VENV)/bin/kasir --demo

test: $(STAMP) qt-libs
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP) qt-libs
	QT_QPA_PLATFORM=offscreen $(PY) -m kasir.bench

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests migrations
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
