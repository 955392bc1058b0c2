# cmt-rewards: one module, two commands, one validator contract.
GO ?= go

.PHONY: all build test test-short vet fmt-check contracts contracts-check web web-check bench fuzz clean

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

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./calc/ ./calc/merkle/

# rewardctl calc end to end on a full epoch vs Python's json.load of the
# same file, and the tree vs OpenZeppelin's (ROUNDS=n, default 3).
bench-calc:
	GO=$(GO) bash tools/bench-calc.sh

fuzz:
	$(GO) test -run '^$$' -fuzz 'FuzzDecodeInput$$' -fuzztime 60s ./calc/
	$(GO) test -run '^$$' -fuzz FuzzDecodeInputDifferential -fuzztime 60s ./calc/
	$(GO) test -run '^$$' -fuzz FuzzDecodeResult -fuzztime 30s ./calc/
	$(GO) test -run '^$$' -fuzz FuzzReadDump -fuzztime 30s ./calc/merkle/

clean:
	rm -rf bin
