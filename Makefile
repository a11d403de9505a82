# narrator: `make demo` builds the sample audiobook, `make test` runs the whole suite.
# Both install what is missing first: Debian's espeak-ng and ffmpeg, a virtual environment, the package.
# `make clean` removes tool caches only (never output/), `make distclean` the virtual environment too.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STORY  ?= stories/the-lamplighters-apprentice.txt
EXTRAS ?= dev,piper

.PHONY: demo test system venv lint bench clean distclean

demo: venv
	$(BIN)/narrator build $(STORY)
	@echo "The audiobook is in output/. Next: $(BIN)/narrator script $(STORY)"

test: venv
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check narrator tests benchmarks

bench: venv
	$(BIN)/python benchmarks/throughput.py

# Debian packages: installed only when missing, with sudo when not root.
system:
	@missing=""; \
	command -v espeak-ng >/dev/null 2>&1 || missing="$$missing espeak-ng"; \
	command -v ffmpeg >/dev/null 2>&1 || missing="$$missing ffmpeg"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	  else echo "error: need$$missing; install them as root: apt-get install$$missing" >&2; exit 1; fi; \
	  if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "error: need$$missing and this is not a Debian/Ubuntu system; install them with your package manager" >&2; exit 1; fi; \
	  echo "installing$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

venv: system $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[$(EXTRAS)]"
	touch $@

# Only what the tools made: caches and packaging leftovers. output/ holds the user's audiobooks and is never
# touched here (`narrator clean` empties its segment caches); the venv goes only with distclean.
clean:
	rm -rf .pytest_cache .ruff_cache .hypothesis .mypy_cache build dist *.egg-info
	find . \( -path './$(VENV)' -o -path ./output -o -path ./.git \) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

# clean, and the virtual environment: the next `make test` or `make demo` builds it again.
distclean: clean
	rm -rf $(VENV)
