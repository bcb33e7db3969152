# The front door: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
MIN_VENV := .venv-minimums
# Tests that need no root, no database server and no browser: the inner loop.
QUICK := -m "not browser and not postgis" -n 2

.PHONY: run test check check-minimums lint format bench lock translations clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The app needs only the runtime packages, exactly as locked (with hashes).
$(RUNTIME): $(VENV)/bin/python pyproject.toml requirements/runtime.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements/runtime.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(RUNTIME)

$(DEV): $(RUNTIME) requirements/dev.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.lock
	touch $(DEV)

# `make run` opens on Dungarpur and offers every district at login; `make run DISTRICT=banswara`
# serves that district alone.
run: $(RUNTIME)
	$(VENV)/bin/streamlit run serve.py --server.headless true --browser.gatherUsageStats false \
		$(if $(DISTRICT),-- --district "$(DISTRICT)")

test: $(DEV)
	scripts/install-system-deps.sh
	scripts/start-test-postgis.sh
	$(PY) -m pytest

check: lint
	$(PY) -m pytest $(QUICK)

# The oldest versions pyproject.toml admits, installed side by side, running the unit tests.
check-minimums: $(DEV)
	rm -rf $(MIN_VENV)
	$(VENV)/bin/uv venv --quiet --python $(PY) $(MIN_VENV)
	$(VENV)/bin/uv pip install --quiet --python $(MIN_VENV)/bin/python --resolution lowest-direct -e '.[dev]'
	$(MIN_VENV)/bin/python -c 'import importlib.metadata as m; print("minimums:", *(f"{p}=={m.version(p)}" for p in ("shapely", "geopandas", "pandas", "numpy", "pyogrio", "folium", "streamlit", "dask", "distributed")))'
	$(MIN_VENV)/bin/python -m pytest $(QUICK) -p no:cacheprovider

lint: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(DEV)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(DEV)
	scripts/install-system-deps.sh
	scripts/start-test-postgis.sh
	$(PY) -m bench.bench_zones
	$(PY) -m bench.bench_units
	$(PY) -m bench.bench_import
	$(PY) -m bench.bench_fieldwork
	$(PY) -m bench.bench_app
	$(PY) -m bench.bench_city
	$(PY) -m bench.bench_store
	$(PY) -m bench.bench_cluster
	$(PY) -m bench.bench_trends
	$(PY) -m bench.bench_state

# Pin every package (with hashes) after changing pyproject.toml: runtime and dev apart.
lock: $(DEV)
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --quiet -o requirements/runtime.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --quiet -o requirements/dev.lock

# Bring containment/locales/hi.po in step with the code: new messages added (empty, for the
# translator), ones the code no longer shows dropped. The tests fail while one is untranslated.
translations: $(DEV)
	$(PY) tools/translations.py

clean:
	rm -rf $(VENV) $(MIN_VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
