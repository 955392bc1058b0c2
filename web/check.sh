#!/usr/bin/env bash
# Fails (exit 1) when the committed bundle web/dist/ differs from what
# build.sh produces from the committed sources: builds a scratch copy of
# web/ (fresh npm ci from package-lock.json, with the contract ABI the app
# imports), then compares file by file.
#
# Usage: bash web/check.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module_root="$(cd "$here/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Inputs only: sources, build script, npm manifests, and the ABI.
mkdir -p "$scratch/web" "$scratch/contracts/build"
cp -R "$here/src" "$here/build.sh" "$here/package.json" "$here/package-lock.json" "$scratch/web/"
cp "$module_root/contracts/build/ValidatorSet.abi" "$scratch/contracts/build/"
bash "$scratch/web/build.sh" >"$scratch/build.log" 2>&1 || {
	cat "$scratch/build.log" >&2
	echo "check.sh: build failed" >&2
	exit 1
}

artifacts=(dist/index.html dist/app.js dist/app.css package-lock.json)
stale=0
for f in "${artifacts[@]}"; do
	if [[ ! -f "$here/$f" ]]; then
		echo "check.sh: missing committed artifact web/$f" >&2
		stale=1
	elif ! cmp -s "$here/$f" "$scratch/web/$f"; then
		echo "check.sh: web/$f differs from a fresh build: committed $(wc -c <"$here/$f") bytes," \
			"rebuilt $(wc -c <"$scratch/web/$f") bytes" >&2
		stale=1
	fi
done
# Anything build.sh writes must be listed above (and embedded).
for f in "$scratch"/web/dist/* "$here"/dist/*; do
	name="dist/$(basename "$f")"
	if [[ ! " ${artifacts[*]} " == *" $name "* ]]; then
		echo "check.sh: $name is not compared by check.sh" >&2
		stale=1
	fi
done
if ((stale)); then
	echo "check.sh: the web bundle is stale; run: bash web/build.sh" >&2
	exit 1
fi
echo "check.sh: web/dist matches a fresh build of web/src"
