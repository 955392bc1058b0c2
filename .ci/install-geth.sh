#!/usr/bin/env bash
# Installs geth v1.13.15 (the last release that seals Clique blocks), which
# internal/gethnet runs as a local Clique network for end-to-end tests.
#
# Idempotent: if a geth reporting version 1.13.15 is already in PATH or in
# $(go env GOPATH)/bin, nothing is built. Prints the path of the geth binary
# on stdout (progress goes to stderr).
#
# geth v1.13.15 is a different module version from the go-ethereum in our
# go.mod, so it is built outside this module with `go install pkg@version`.
# GOFLAGS is cleared for that command because flags such as -mod=readonly
# (set by .ci/run) are rejected by `go install pkg@version`.
# -checklinkname=0 is needed to link it with current Go toolchains.
set -euo pipefail

want=1.13.15

version_ok() {
	# `geth version` prints e.g. "Version: 1.13.15-stable".
	"$1" version 2>/dev/null | grep -Eq "^Version: ${want//./\\.}(-|$)"
}

gobin="$(GOFLAGS= go env GOBIN)"
if [ -z "$gobin" ]; then
	gobin="$(GOFLAGS= go env GOPATH | cut -d: -f1)/bin"
fi

candidates=()
if p="$(command -v geth 2>/dev/null)"; then
	candidates+=("$p")
fi
candidates+=("$gobin/geth")

for c in "${candidates[@]}"; do
	if [ -x "$c" ] && version_ok "$c"; then
		echo "$c"
		exit 0
	fi
done

echo "install-geth: building geth v$want into $gobin (takes a few minutes)" >&2
start=$SECONDS
GOFLAGS= GOBIN="$gobin" go install -ldflags=-checklinkname=0 \
	"github.com/ethereum/go-ethereum/cmd/geth@v$want"
echo "install-geth: built in $((SECONDS - start))s" >&2

if ! version_ok "$gobin/geth"; then
	echo "install-geth: $gobin/geth does not report version $want:" >&2
	"$gobin/geth" version >&2 || true
	exit 1
fi
echo "$gobin/geth"
