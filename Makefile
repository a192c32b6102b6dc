# Partsedge: the two commands a fresh machine needs are `make run` and `make test`.
GO        ?= go
BIN       ?= bin
FUZZTIME  ?= 3s
BENCHCOUNT ?= 5
DEMO_DATA ?= data/demo
DEMO_TOKEN ?= demo-admin-token-change-me

export CGO_ENABLED ?= 1

.PHONY: all build run test check unit property fuzz bench bench-store bench-http bench-scale deps clean

all: build

## build: the binaries into bin/
build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...

## run: the full demo on one machine (cmd/partsedge-demo): hqd on :8090 with the
## embedded MQTT broker on :1883, depots DEMO-1 (:8080) and DEMO-2 (:8081) with
## demo data and simulated scanners and RFID readers; data in $(DEMO_DATA),
## no broker to install. It prints the URLs and tokens; Ctrl-C stops it all.
run: build
	$(BIN)/partsedge-demo --bin $(BIN) --data $(DEMO_DATA) --token $(DEMO_TOKEN)

## deps: install the system packages the build and tests need, when missing
deps:
	@sh .ci/install-deps

## test: everything CI checks (formatting, vet, race-checked tests, the full
## property test, short fuzzing of every parser)
test: deps check unit property fuzz

check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@# Targets without libusb build without cgo: USB is left out, all else works.
	CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/...

unit:
	$(GO) test -race -count=1 -timeout 15m ./...

# The race run does a few hundred random sequences; this does the thousands.
property:
	$(GO) test -count=1 -run 'TestProperty' -timeout 10m ./inventory/

fuzz:
	@FUZZTIME=$(FUZZTIME) GO=$(GO) sh .ci/fuzz-short

## bench: every benchmark, BENCHCOUNT runs each, then a table of medians against the budgets
bench: build
	@mkdir -p $(BIN)/bench
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) -timeout 60m ./... | tee $(BIN)/bench/raw.txt
	@$(GO) run ./cmd/internal/benchsum < $(BIN)/bench/raw.txt

clean:
	rm -rf $(BIN)
