# The two commands a newcomer needs:  make run  and  make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench lighthouse device-bundle faults cluster fuzz screenshots lint format messages compile-messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# Test tooling from npm, never served: axe-core (injected by the browser tests), openapi-typescript and tsc
# (the generated client's types must compile), lighthouse (the bench's step of that name). Without npm the
# tests and the bench step that need it are skipped, with a message (the tests fail in CI, where REQUIRE_BROWSER=1).
node_modules/.package-lock.json: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; else echo "npm not found: the accessibility tests and the bench's lighthouse step will be skipped"; fi

run: $(VENV)/.runtime  ## the whole platform on http://127.0.0.1:$${PORT:-8000}, served as in production (DEBUG=1 make run: development mode)
	$(BIN)/python -m config.launch run

test: $(VENV)/.dev node_modules/.package-lock.json  ## lint, then the test suite (browser tests included when Chromium is installed)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m config.launch test $(ARGS)

bench: $(VENV)/.dev node_modules/.package-lock.json  ## performance figures, written to bench/results.json
	$(BIN)/python -m config.launch bench

lighthouse: $(VENV)/.dev node_modules/.package-lock.json  ## the bench's lighthouse step alone: 7 pages × 2 languages on a throttled phone profile
	BENCH_ONLY=lighthouse $(BIN)/python -m config.launch bench

DEVICE_PYTHON ?= 3.12
device-bundle: $(VENV)/.dev  ## wheels for a GPU machine's own Python and PyTorch, in var/device (see bench/device.sh)
	rm -rf var/device && mkdir -p var/device
	grep -v -E '^(torch|numpy|scikit-learn)==' requirements.txt > var/device/requirements.txt
	$(BIN)/pip download --quiet --dest var/device/wheels --only-binary=:all: --implementation cp \
		--python-version $(DEVICE_PYTHON) --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
		-r var/device/requirements.txt
	du -sh var/device

screenshots: $(VENV)/.dev node_modules/.package-lock.json  ## refresh docs/screenshots from the browser tests
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m config.launch test -m browser $(ARGS)

faults: $(VENV)/.dev  ## the fault tests alone (make test runs them too): worker killed, Redis restarted (also under make run), a child of make run killed, database down (a JSON 503 under /api/), read-only or full, a burst, the event stream's rules
	$(BIN)/python -m config.launch test trainer/tests/test_faults.py trainer/tests/test_event_stream.py core/tests/test_database_faults.py core/tests/test_security.py::DatabaseDownTests core/tests/test_api_limits.py::JsonErrorTests core/tests/test_healthz.py $(ARGS)

cluster: $(VENV)/.dev  ## the cluster rehearsal alone (make test runs it too): HAProxy (deploy/haproxy.cfg), two web nodes and three worker nodes as compose starts them, a beat, on PostgreSQL; a node killed, paused, cut off from Redis, a rolling restart (needs PostgreSQL and HAProxy; see cluster/rehearsal.py)
	$(BIN)/python -m config.launch test -m cluster cluster $(ARGS)

fuzz: $(VENV)/.dev  ## schemathesis against /api/schema/ on a fresh platform (FUZZ_EXAMPLES=50)
	$(BIN)/python -m config.launch fuzz

lint: $(VENV)/.dev
	$(BIN)/ruff check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(VENV)/.dev  ## refresh the catalogs after changing user-visible strings (needs GNU gettext)
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'courses/*'
	$(BIN)/python manage.py makemessages -d djangojs -l zh_Hans -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'static/vendor/*'
	for f in locale/en/LC_MESSAGES/*.po; do msgen --no-wrap $$f -o $$f; done  # English is the source language
	@echo "Now translate the new entries in locale/zh_Hans/LC_MESSAGES/*.po, then: make compile-messages"

compile-messages: $(VENV)/.dev
	$(BIN)/python manage.py compilemessages -l zh_Hans -l en --ignore .venv
