#!/usr/bin/env bash
# make bench-calc: `rewardctl calc` on a full epoch (216,000 blocks, 21
# validators, 1,000,000 delegations, 50,000 events), end to end with the
# built binary, side by side with Python's json.load of the same file; and
# the payout tree of 50,000 leaves (build + every proof) side by side with
# OpenZeppelin's StandardMerkleTree (tools/ozjs, when node and its
# node_modules are there). Runs alternate A/B, and the figures compared are
# the medians of the runs, so that a busy machine hurts both sides alike.
#
#   ROUNDS=5 tools/bench-calc.sh
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
ROUNDS=${ROUNDS:-3}
version=$(sed -n 's/^const Version = \([0-9]*\)$/\1/p' internal/benchgen/benchgen.go)
cache="${TMPDIR:-/tmp}/cmt-rewards-bench"
input="$cache/full-epoch-v$version.json"
mkdir -p "$cache"
if [ ! -s "$input" ]; then
	echo "generating $input (benchgen v$version) ..."
	BENCH_WRITE_INPUT="$input.tmp" $GO test -count=1 -run '^TestWriteFullEpochInput$' ./calc/ >/dev/null
	mv "$input.tmp" "$input"
fi
$GO build -o "$cache/rewardctl" ./cmd/rewardctl
out="$cache/out"
mkdir -p "$out"

# run LABEL CMD...: prints "seconds peak-KiB" of one run.
run() {
	python3 - "$@" <<'PY'
import os, resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.monotonic() - t
if p.returncode:
    sys.exit(p.returncode)
print(f"{wall:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "input: $input ($(du -h "$input" | cut -f1)), $ROUNDS rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
calc_t=() py_t=() calc_m=()
for r in $(seq "$ROUNDS"); do
	read -r t m < <(run "$cache/rewardctl" calc --input "$input" --out "$out/result.json" --tree "$out/tree.json")
	calc_t+=("$t") calc_m+=("$m")
	read -r pt pm < <(run python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$input")
	py_t+=("$pt")
	echo "round $r: rewardctl calc ${t}s (peak ${m} KiB)   python json.load ${pt}s (peak ${pm} KiB)"
done
ct=$(printf '%s\n' "${calc_t[@]}" | median)
pt=$(printf '%s\n' "${py_t[@]}" | median)
cm=$(printf '%s\n' "${calc_m[@]}" | sort -n | tail -1)
awk -v c="$ct" -v p="$pt" -v m="$cm" 'BEGIN {printf "calc: median %.2fs, python json.load median %.2fs, ratio %.2f (goal <= 0.5); peak RSS %.0f MiB (goal <= 1024)\n", c, p, c/p, m/1024}'

if command -v node >/dev/null && [ -d tools/ozjs/node_modules ]; then
	gt=() ot=()
	for r in $(seq "$ROUNDS"); do
		ns=$($GO test -run '^$' -bench '^BenchmarkBuildAllProofs50k$' -benchtime 5x ./calc/merkle/ | awk '/^BenchmarkBuildAllProofs50k/ {print $3}')
		ms=$(cd tools/ozjs && node bench.js 50000 1 | sed -n 's/.*best=\([0-9]*\) ms wall.*/\1/p')
		gt+=("$(awk -v n="$ns" 'BEGIN {print n/1e6}')") ot+=("$ms")
		echo "round $r: Go build + 50,000 proofs ${gt[-1]} ms   OZ StandardMerkleTree.of + getProof ${ms} ms"
	done
	g=$(printf '%s\n' "${gt[@]}" | median)
	o=$(printf '%s\n' "${ot[@]}" | median)
	awk -v g="$g" -v o="$o" 'BEGIN {printf "tree: Go median %.1f ms, OZ median %.0f ms, ratio %.4f (goal <= 0.05)\n", g, o, g/o}'
else
	echo "tree: skipped (needs node and tools/ozjs/node_modules: cd tools/ozjs && npm ci)"
fi
