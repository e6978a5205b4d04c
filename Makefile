# Hostico Billing. `make run` serves the demo on 127.0.0.1:8080; `make test` runs every test against real peers.
SWIFT ?= swift
PORT ?= 8080
BIN := .build/debug/hostico

.PHONY: run test test-lifecycle format bench bench-billing bench-notify bench-pdf bench-web bench-login-flood build deps clean

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build --product hostico

run: build
	@mkdir -p data
	$(BIN) migrate
	$(BIN) demo seed --if-empty
	@echo "Open http://127.0.0.1:$(PORT)/ — API at /api/v1 (key printed above on first run), OpenAPI at /api/openapi.json"
	$(BIN) serve --port $(PORT)

test: deps
	@scripts/test.sh

# The billing-lifecycle model check alone (500 random two-year sequences per database, as in `make test`; about 17 minutes).
test-lifecycle: deps
	@scripts/test-lifecycle.sh

bench: bench-billing bench-notify bench-pdf bench-web

bench-billing: deps
	@scripts/bench.sh

bench-notify: deps
	@scripts/bench-notify.sh

bench-pdf: deps
	@scripts/bench-pdf.sh

clean:
	rm -rf .build data

# Formats the Swift sources as .swift-format says (CI fails on a file that this would change).
format:
	$(SWIFT) format format --in-place --recursive --parallel Sources Tests Package.swift

bench-web: deps
	@scripts/bench-web.sh

# Logins under a sign-up flood (real bcrypt, release build): quiet and flooded login times, sign-up answers by status.
bench-login-flood: deps
	@scripts/bench-login-flood.sh
