# cmt-rewards: one module, two commands, one validator contract.
GO ?= go

.PHONY: all build test test-short vet fmt-check contracts contracts-check bench fuzz clean

all: build

build:
	$(GO) build -o bin/ ./cmd/...

# The one test command (README, CI): static checks, every Go test, and a
# check that the committed contract artifacts match their sources.
test: vet fmt-check contracts-check
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

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./calc/ ./calc/merkle/

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodeInput -fuzztime 60s ./calc/
	$(GO) test -run '^$$' -fuzz FuzzDecodeResult -fuzztime 30s ./calc/
	$(GO) test -run '^$$' -fuzz FuzzReadDump -fuzztime 30s ./calc/merkle/

clean:
	rm -rf bin
