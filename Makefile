# defrel: `make run` to browse and edit, `make test` to check everything.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test install migrate messages check clean backup restore

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

# One test process per core (pytest-xdist), each with its own test database; a test file
# stays in one process, so a module's fixtures (the curated site of the browser tests) load once;
# the modules go out longest first (tests/conftest.py), not xdist's most tests first.
# Python's compiled modules are kept (__pycache__, ignored by git) even where the environment
# says PYTHONDONTWRITEBYTECODE: each of the suite's Python processes (its workers, the app
# servers and manage.py commands it starts) compiled the project and the tests afresh, 3.5 s
# of a worker's 6 s to collect the tests.
TEST_WORKERS ?= auto
test: install
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

messages: install
	$(PY) manage.py makemessages -l ja --ignore ".venv/*" --ignore "bench/*" --ignore "tests/*"
	$(PY) manage.py compilemessages --ignore ".venv/*"

check: install
	$(PY) manage.py check
	$(PY) manage.py check_provenance

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# The 100,000-meeting benchmark against Datasette and the raw CSV limits (not part of `make test`);
# BASELINE=<git revision> measures that revision too, side by side in the same run (ratio columns);
# with DATABASE_URL=postgres://… it also runs on PostgreSQL. Writes bench/RESULTS.md. A quick run:
# make bench BASELINE=HEAD~1 BENCH_ARGS="--meetings 2000 --requests 5 --cap 3 --import-rows 500 --admin-import-rows 500"
.PHONY: bench
bench: install
	$(PY) bench/run.py $(if $(BASELINE),--baseline $(BASELINE)) $(BENCH_ARGS)

# Backups: `make backup` copies the database into backups/defrel-<time>.sqlite3 (SQLite's online
# backup) or .dump (pg_dump), readable by its owner only; `make restore FILE=backups/…` copies one
# back into an empty database (REPLACE=1: over everything in a database that is not empty).
backup: install
	$(PY) manage.py backup

restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/defrel-….sqlite3 [REPLACE=1]" && exit 2)
	$(PY) manage.py restore $(if $(REPLACE),--replace) "$(FILE)"

# The whole production stack, throw-away, on 127.0.0.1 (defrel/cluster.py, defrel/stack.py): a
# PostgreSQL primary, a streaming replica and pgbouncer (transaction pooling); Redis; two gunicorn
# app servers; nginx in front of them. With the curated data; prints the address and the settings,
# stops and removes everything on Ctrl-C.
.PHONY: cluster
cluster: install
	$(PY) -m defrel.cluster

# Load test (issue 16) against that stack: LOADTEST_USERS locust users (LOADTEST_EDITORS of them
# editors) for LOADTEST_SECONDS through nginx, on LOADTEST_MEETINGS synthetic meetings; the replica
# is killed and brought back and one app server killed during the run (bench/loadtest.py). Not
# part of `make test`. Installs bench/requirements.txt (locust) into the venv if needed. Writes
# bench/LOADTEST.md. A short try: make loadtest LOADTEST_SECONDS=60 LOADTEST_USERS=40 LOADTEST_EDITORS=4 LOADTEST_MEETINGS=2000
LOADTEST_SECONDS ?= 300
LOADTEST_USERS ?= 100
LOADTEST_EDITORS ?= 10
LOADTEST_MEETINGS ?= 20000
.PHONY: loadtest
loadtest: install
	LOADTEST_SECONDS=$(LOADTEST_SECONDS) LOADTEST_USERS=$(LOADTEST_USERS) LOADTEST_EDITORS=$(LOADTEST_EDITORS) \
	  LOADTEST_MEETINGS=$(LOADTEST_MEETINGS) $(PY) bench/loadtest.py $(LOADTEST_ARGS)
