# Two commands: `make demo` serves the demo on SQLite with jobs inline (no PostgreSQL,
# no Redis); `make test` runs the whole suite (PostgreSQL and Redis when they answer;
# with CI=true both are required).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
ECHARTS := app/static/vendor/echarts/echarts.min.js

.PHONY: demo test test-fast setup assets translations system-deps lint format bench clean

demo: setup
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi demo seed --if-empty
	@echo "Serving http://127.0.0.1:$(PORT)  (演示密码 / demo password: $${DEMO_PASSWORD:-demo-pass-2024})"
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

test: setup system-deps
	$(BIN)/python -m pytest
	TEST_DB=sqlite $(BIN)/python -m pytest -q -m "not browser and not postgres and not bench"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# While iterating: no browser, no benchmarks.
test-fast: setup
	$(BIN)/python -m pytest -q -m "not browser and not bench"

setup: $(BIN)/.installed assets translations

$(BIN)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11+ / Python 3.11+ is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# ECharts comes from the npm registry at set-up and is served by the app: no CDN.
assets: $(ECHARTS)

$(ECHARTS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "需要 npm 安装图表资源 / npm is required for the chart assets"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $@)
	cp node_modules/echarts/dist/echarts.min.js $@

translations: $(BIN)/.installed
	$(BIN)/pybabel compile -d app/translations

# The browser tests need Debian's Chromium and a CJK font (or Chinese renders as boxes);
# the dashboard load benchmark drives the app with wrk.
system-deps:
	@if command -v chromium >/dev/null && command -v wrk >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  echo "chromium, wrk and fonts-noto-cjk present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk wrk >/dev/null; \
	else \
	  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk wrk >/dev/null; \
	fi

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup system-deps
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules app/static/vendor instance .pytest_cache
