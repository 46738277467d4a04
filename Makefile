# Two commands: `make run` and `make test`. Everything installs into .venv from pyproject.toml.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint messages bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=1 $(PY) manage.py migrate --no-input -v0
	DEBUG=1 $(PY) manage.py compile_translations
	DEBUG=1 $(PY) manage.py load_demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the task worker)"
	DEBUG=1 $(PY) manage.py db_worker --interval 1 --no-reload & WORKER=$$!; \
	DEBUG=1 $(PY) manage.py run_scheduler & SCHED=$$!; \
	trap "kill $$WORKER $$SCHED 2>/dev/null" EXIT INT TERM; \
	DEBUG=1 $(VENV)/bin/uvicorn workstyle.asgi:application --host $(HOST) --port $(PORT) --ws websockets-sansio --lifespan off

test: install
	TESTING=1 $(PY) manage.py compile_translations
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

messages: install
	for app in workstyle desks telework meetings paper_metrics training; do \
	  DEBUG=1 $(PY) manage.py app_messages --app $$app -l ja -l en --no-obsolete --no-location; done

clean:
	rm -rf $(VENV) db.sqlite3* staticfiles
