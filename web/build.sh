#!/usr/bin/env bash
# Builds the holders' web app into dist/ (index.html, app.js, app.css), the
# bundle rewardd embeds (package web): npm ci from package-lock.json, then
# esbuild, minified, without source maps or build paths in the output, so a
# build from the same sources is the same bytes (check.sh relies on it).
#
# Usage: bash web/build.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
mkdir -p dist
node_modules/.bin/esbuild src/app.js --bundle --format=esm --platform=browser --target=es2020 \
	--minify --legal-comments=none --charset=utf8 --loader:.abi=json \
	--outfile=dist/app.js --log-level=warning
node_modules/.bin/esbuild src/app.css --minify --outfile=dist/app.css --log-level=warning
cp src/index.html dist/index.html
echo "build.sh: dist/ $(wc -c <dist/app.js) bytes app.js, $(gzip -9n <dist/app.js | wc -c) gzipped"
