# cmt-rewards: one module, two commands, one validator contract.
GO ?= go

.PHONY: all build test test-short vet fmt-check contracts contracts-check web web-check bench bench-calc bench-go fuzz clean

all: build

build:
	$(GO) build -o bin/ ./cmd/...

# The one test command (README, CI): static checks, every Go test, and
# checks that the committed contract artifacts and web bundle match their
# sources.
test: vet fmt-check contracts-check web-check
	$(GO) test -count=1 ./...

test-short:
	$(GO) test -short ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Regenerate the contract ABI, bytecode and Go bindings (needs Node/npm).
contracts:
	bash contracts/gen.sh

contracts-check:
	bash contracts/check.sh

# Rebuild the holders' web app bundle web/dist (needs Node/npm).
web:
	bash web/build.sh

web-check:
	bash web/check.sh

# Issue 12's table: every performance figure side by side with its
# baseline, measured in one run (calc vs Python's json.load, calc vs
# OpenZeppelin's tree, follower vs a bare loop on geth, audit, chain).
# ROWS=calc,tree picks rows; ROUNDS=n runs per side (default 3).
bench:
	$(GO) run ./tools/bench -rounds $(or $(ROUNDS),3) $(if $(ROWS),-only $(ROWS))

bench-calc:
	$(GO) run ./tools/bench -rounds $(or $(ROUNDS),3) -only calc,tree

# The Go micro-benchmarks of the calculation and the tree.
bench-go:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./calc/ ./calc/merkle/ ./internal/keccak8/

fuzz:
	$(GO) test -run '^$$' -fuzz 'FuzzDecodeInput$$' -fuzztime 60s ./calc/
	$(GO) test -run '^$$' -fuzz FuzzDecodeInputDifferential -fuzztime 60s ./calc/
	$(GO) test -run '^$$' -fuzz FuzzDecodeResult -fuzztime 30s ./calc/
	$(GO) test -run '^$$' -fuzz FuzzReadDump -fuzztime 30s ./calc/merkle/
	$(GO) test -run '^$$' -fuzz 'FuzzSum256$$' -fuzztime 30s ./internal/keccak8/
	$(GO) test -run '^$$' -fuzz FuzzSum256Twice -fuzztime 20s ./internal/keccak8/
	$(GO) test -run '^$$' -fuzz FuzzSumPairs -fuzztime 20s ./internal/keccak8/
	$(GO) test -run '^$$' -fuzz FuzzHexNodes -fuzztime 20s ./calc/merkle/
	$(GO) test -run '^$$' -fuzz FuzzChecksumHex -fuzztime 20s ./calc/merkle/
	$(GO) test -run '^$$' -fuzz FuzzEncode -fuzztime 20s ./internal/hexdigit/
	$(GO) test -run '^$$' -fuzz FuzzHexAddr512 -fuzztime 20s ./calc/
	$(GO) test -run '^$$' -fuzz FuzzCheck -fuzztime 30s ./internal/seal/

clean:
	rm -rf bin
