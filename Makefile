# One command to set up and run the demo, one to run the tests. Python 3.11+ and pip are all it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast browser lint clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,ray]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install citetrail with its models

demo: $(STAMP)  ## ingest corpus/ and check the sample claims
	$(BIN)/citetrail ingest corpus/
	$(BIN)/citetrail check "Russia wants about 6,000 square kilometres it has not yet conquered"
	$(BIN)/citetrail check "Trump met Putin in Moscow"
	$(BIN)/citetrail check "The EU approved new sanctions on Russia"

# The report test and the web app tests (Playwright) open pages in headless Chromium; without it they are skipped, saying why.
browser:  ## Debian's chromium, installed when missing and apt is usable as root
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "chromium could not be installed: the browser tests will be skipped"; }

test: $(STAMP) browser  ## the whole suite, slow tests included (what CI runs)
	$(BIN)/ruff check .
	$(BIN)/pytest -q

test-fast: $(STAMP) browser  ## the suite without the slow tests
	$(BIN)/pytest -q -m "not slow"

clean:
	rm -rf $(VENV) .citetrail build
