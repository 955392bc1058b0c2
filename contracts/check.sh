#!/usr/bin/env bash
# Fails (exit 1) when a committed generated artifact differs from what gen.sh
# produces from the committed sources: regenerates into a scratch copy of
# contracts/ (fresh npm ci from package-lock.json), then compares.
#
# Usage: bash contracts/check.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module_root="$(cd "$here/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Inputs only: sources, build script, generator and the npm manifests.
mkdir -p "$scratch/contracts"
cp -R "$here/src" "$here/build.js" "$here/gen.sh" "$here/package.json" "$here/package-lock.json" \
	"$scratch/contracts/"
CMT_MODULE_ROOT="$module_root" bash "$scratch/contracts/gen.sh" >"$scratch/gen.log" 2>&1 || {
	cat "$scratch/gen.log" >&2
	echo "check.sh: regeneration failed" >&2
	exit 1
}

artifacts=(
	build/ValidatorSet.abi build/ValidatorSet.bin build/ValidatorSet.metadata.json
	build/Reenterer.abi build/Reenterer.bin build/Reenterer.metadata.json
	validatorset.go reenterer_gen_test.go package-lock.json
)
stale=0
for f in "${artifacts[@]}"; do
	if [[ ! -f "$here/$f" ]]; then
		echo "check.sh: missing committed artifact contracts/$f" >&2
		stale=1
	elif ! cmp -s "$here/$f" "$scratch/contracts/$f"; then
		echo "check.sh: contracts/$f differs from a fresh build:" >&2
		if (($(wc -l <"$here/$f") <= 1)); then # one long line (.bin, metadata): say where
			echo "  committed $(wc -c <"$here/$f") bytes, regenerated $(wc -c <"$scratch/contracts/$f") bytes;" \
				"$(cmp "$here/$f" "$scratch/contracts/$f" 2>&1 | sed "s|$here/||; s|$scratch/contracts/|regenerated/|")" >&2
		else
			diff -u --label "committed/$f" --label "regenerated/$f" "$here/$f" "$scratch/contracts/$f" |
				head -n 20 | cut -c1-160 >&2 || true
		fi
		stale=1
	fi
done
# Anything build.js writes must be listed above.
for f in "$scratch"/contracts/build/*; do
	name="build/$(basename "$f")"
	if [[ ! " ${artifacts[*]} " == *" $name "* ]]; then
		echo "check.sh: build.js wrote $name, which check.sh does not compare" >&2
		stale=1
	fi
done
if ((stale)); then
	echo "check.sh: generated artifacts are stale; run: bash contracts/gen.sh" >&2
	exit 1
fi
echo "check.sh: all ${#artifacts[@]} generated artifacts match the sources"
