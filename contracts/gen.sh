#!/usr/bin/env bash
# Regenerates every artifact derived from src/*.sol, in this directory:
#   node_modules/          npm ci (versions pinned in package.json / package-lock.json)
#   build/<Name>.abi|.bin|.metadata.json   node build.js (solc-js standard JSON)
#   validatorset.go        abigen --v2 (go-ethereum version from go.mod)
#   reenterer_gen_test.go  abigen --v2 for the test-only Reenterer contract
#
# Usage: bash contracts/gen.sh        (from anywhere; also run by go generate)
# check.sh runs a copy of this script in a scratch directory and sets
# CMT_MODULE_ROOT to the Go module to take abigen from.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module_root="${CMT_MODULE_ROOT:-$(cd "$here/.." && pwd)}"

cd "$here"
npm ci --no-audit --no-fund --loglevel=error
node build.js

abigen() {
	(cd "$module_root" && go run github.com/ethereum/go-ethereum/cmd/abigen --v2 "$@")
}
abigen --pkg contracts --type ValidatorSet \
	--abi "$here/build/ValidatorSet.abi" --bin "$here/build/ValidatorSet.bin" \
	--out "$here/validatorset.go"
abigen --pkg contracts --type Reenterer \
	--abi "$here/build/Reenterer.abi" --bin "$here/build/Reenterer.bin" \
	--out "$here/reenterer_gen_test.go"
echo "gen.sh: regenerated build/, validatorset.go and reenterer_gen_test.go"
