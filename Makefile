# AskProAI backend. `make help` lists the targets.
#
# Every Go target loops over MODULES: `./...` at the root does not cross module boundaries, so a
# module missing from this list would silently go untested.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

MODULES := migrations pkg deploy services/gateway services/routing services/call services/booking services/database services/calcom

# Tool versions, pinned here and nowhere else (promtool and amtool: in scripts/tools.sh, which
# installs them from Debian's packages).
GOLANGCI_LINT_VERSION := v2.15.0
BIN := $(CURDIR)/bin
GOLANGCI_LINT := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)

# Load the URLs written by scripts/services.sh unless the caller set them.
LOAD_ENV := if [ -z "$${REDIS_URL:-}" ] || [ -z "$${DATABASE_URL:-}" ]; then . .dev/env; fi

.PHONY: help
help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build every module the way the Dockerfiles do (GOWORK=off)
	@for m in $(MODULES); do echo "build $$m"; (cd $$m && GOWORK=off go build ./...); done

.PHONY: test
test: services-up ## every module's tests (-race -shuffle=on) on real Redis and PostgreSQL, the alerting checks, then short fuzz runs
	@$(LOAD_ENV); failed=""; \
	for m in $(MODULES); do \
		echo "== test $$m"; \
		(cd $$m && GOWORK=off go test -race -shuffle=on -count=1 ./...) || failed="$$failed $$m"; \
	done; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi
	@$(MAKE) -s test-alerts
	@$(MAKE) -s fuzz

.PHONY: test-alerts
test-alerts: ## alert rules and their unit tests (promtool), Alertmanager config and routes (amtool); installs both, pinned, via scripts/tools.sh
	@echo "== test alerts"
	@bash scripts/test-alerts.sh

.PHONY: test-stress
test-stress: ## make test while stress-ng keeps every core busy (installs stress-ng if missing); prints wall time and PASS/FAIL
	@bash scripts/test-stress.sh

.PHONY: fuzz
fuzz: services-up ## short fuzz runs (a fixed count each; FUZZTIME=2m for longer): bus decoder, webhook and function handlers, signatures, intent parser
	@$(LOAD_ENV); bash scripts/fuzz.sh

.PHONY: bench-rpc
bench-rpc: services-up ## pkg/rpc call round trips vs raw go-redis PING on the same Redis, concurrency 1 and 64
	@$(LOAD_ENV); cd pkg && GOWORK=off go run ./rpc/cmd/rpcbench

N ?= 200
DURATION ?= 30s

.PHONY: load
load: services-up ## N concurrent simulated Retell calls for DURATION on a fresh system; prints p50/p95/p99, checks invariants (N=200 DURATION=30s)
	@$(LOAD_ENV); cd services/gateway && GOWORK=off go run ./cmd/loadgen -n $(N) -duration $(DURATION)

.PHONY: chaos
chaos: services-up ## fault tests: kill -9 a booking instance, restart Redis, stop PostgreSQL, a failing Cal.com (several minutes)
	@$(LOAD_ENV); cd services/gateway && ASKPRO_CHAOS=1 GOWORK=off go test -count=1 -v -timeout 20m ./internal/chaos/

.PHONY: test-security
test-security: services-up ## the attacker's suite (issue 26) on one whole system with two tenants: every case checks the answer and that PostgreSQL did not change (under a minute)
	@$(LOAD_ENV); cd services/gateway && ASKPRO_SECURITY=1 GOWORK=off go test -count=1 -v -timeout 10m -run '^TestSecurity$$' ./internal/security/ \
		| grep -v -E '^\s*=== (RUN|NAME|PAUSE|CONT)'

.PHONY: bench-webhook
bench-webhook: services-up ## signed Retell webhooks at 500/s for 10s against the gateway on real Redis: p50/p99 of the 204
	@$(LOAD_ENV); cd services/gateway && GOWORK=off go run ./cmd/webhookbench -rate 500 -duration 10s

.PHONY: bench-auth
bench-auth: services-up ## a valid tenant's /rpc p50/p99 at baseline and during a flood of 10,000 bad API keys/s (real gateway, database service, Redis, PostgreSQL)
	@$(LOAD_ENV); cd services/gateway && GOWORK=off go run ./cmd/authbench -flood 10000 -duration 10s

.PHONY: bench
bench: services-up ## the RPC, intent, booking, webhook, call-save and hot-read benchmarks, then one summary table
	@$(LOAD_ENV); scripts/bench.sh

.PHONY: lint
lint: $(GOLANGCI_LINT) ## gofmt, go vet and golangci-lint over every module
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@for m in $(MODULES); do echo "lint $$m"; (cd $$m && GOWORK=off go vet ./... && GOWORK=off $(GOLANGCI_LINT) run --config $(CURDIR)/.golangci.yml ./...); done

$(GOLANGCI_LINT):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	@mv $(BIN)/golangci-lint $(GOLANGCI_LINT)

.PHONY: vulncheck
vulncheck: ## govulncheck over every module when vuln.go.dev can be reached; says plainly when it cannot
	@bash scripts/vulncheck.sh

.PHONY: tidy
tidy: ## go mod tidy in every module, then go work sync
	@for m in $(MODULES); do echo "tidy $$m"; (cd $$m && GOWORK=off go mod tidy); done
	go work sync

.PHONY: generate
generate: services-up ## write proto-schemas/<service>.openrpc.json from each running service's rpc.discover
	@$(LOAD_ENV); for s in routing call booking database calcom; do \
		echo "generate proto-schemas/$$s.openrpc.json"; \
		(cd services/$$s && ASKPRO_UPDATE_SCHEMAS=1 GOWORK=off go test -count=1 -run 'TestRunServesReadyAndStopsCleanly|TestServiceThroughItsClient' . >/dev/null); \
	done

.PHONY: migrate
migrate: ## apply migrations/ to DATABASE_URL (or to the local database of `make run`)
	@if [ -z "$${DATABASE_URL:-}" ]; then $(MAKE) -s services-up >/dev/null; . .dev/env; DATABASE_URL=$$(scripts/run.sh appdb-url); fi; \
	cd migrations && DATABASE_URL="$$DATABASE_URL" GOWORK=off go run ./cmd/migrate

.PHONY: run
run: services-up ## Redis + PostgreSQL, migrate, seed the demo salon, start calsim and every service (Ctrl-C stops all)
	@$(LOAD_ENV); scripts/run.sh

.PHONY: demo
demo: ## play a signed German call against `make run` and print what happened (askpro simulate-call)
	@$(LOAD_ENV); scripts/run.sh demo

.PHONY: askpro
askpro: ## build the operators' CLI into bin/askpro (askpro help lists its commands)
	@mkdir -p $(BIN); cd services/database && GOWORK=off go build -o $(BIN)/askpro ./cmd/askpro

.PHONY: services-up
services-up: ## make Redis >= 7 and PostgreSQL >= 15 available; prints their URLs
	@scripts/services.sh up

.PHONY: services-down
services-down: ## stop the private Redis and PostgreSQL started by services-up
	@scripts/services.sh down

.PHONY: up
up: ## docker compose up (for machines with Docker)
	docker compose up -d

.PHONY: down
down: ## docker compose down
	docker compose down
