# defrel: `make run` to browse and edit, `make test` to check everything.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test install migrate messages check clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

# Curated data goes into a new database only: an editor's work is never overwritten.
run: migrate
	DEBUG=1 $(PY) manage.py load_curated --if-empty
	@echo "Create an admin user with: $(PY) manage.py createsuperuser"
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

messages: install
	cd defrel && ../$(PY) ../manage.py makemessages -l ja --ignore "../.venv/*"
	$(PY) manage.py compilemessages --ignore ".venv/*"

check: install
	$(PY) manage.py check
	python3 ../shared/tools/check_provenance.py fixtures/

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
