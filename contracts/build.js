#!/usr/bin/env node
// Compiles the contracts in src/ with the pinned solc-js (standard JSON) and
// writes, for each contract in CONTRACTS, build/<Name>.abi (JSON) and
// build/<Name>.bin (creation bytecode, hex without 0x and without a trailing
// newline, as abigen embeds it verbatim), plus build/<Name>.metadata.json for
// source verification.
//
// The output is byte-for-byte reproducible: fixed source unit names, the
// pinned compiler, and no metadata hash in the bytecode (bytecodeHash "none").
//
// Usage: node build.js [outDir]   (default: build, relative to this file)
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

const ROOT = __dirname;
const OUT = path.resolve(ROOT, process.argv[2] || 'build');

// Source unit name -> file, relative to ROOT. The test-only contract is built
// with the same compiler so that the reentrancy test runs real bytecode.
const SOURCES = {
  'src/ValidatorSet.sol': 'src/ValidatorSet.sol',
  'src/test/Reenterer.sol': 'src/test/Reenterer.sol',
};
const CONTRACTS = [
  ['src/ValidatorSet.sol', 'ValidatorSet'],
  ['src/test/Reenterer.sol', 'Reenterer'],
];

const EXPECTED_SOLC = require('./package.json').dependencies.solc;

function readImport(unit) {
  // Only OpenZeppelin imports are expected; resolve them inside node_modules.
  const file = path.join(ROOT, 'node_modules', unit);
  if (!unit.startsWith('@openzeppelin/contracts/') || !fs.existsSync(file)) {
    return { error: `import not found: ${unit}` };
  }
  return { contents: fs.readFileSync(file, 'utf8') };
}

function main() {
  const version = solc.version();
  if (!version.startsWith(EXPECTED_SOLC + '+')) {
    throw new Error(`solc ${version} does not match the pinned ${EXPECTED_SOLC}; run npm ci`);
  }

  const sources = {};
  for (const [unit, file] of Object.entries(SOURCES)) {
    sources[unit] = { content: fs.readFileSync(path.join(ROOT, file), 'utf8') };
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: 'london', // CyberMiles 2.0 is a geth 1.10.25 fork: no PUSH0
      optimizer: { enabled: true, runs: 200 },
      metadata: { bytecodeHash: 'none' },
      outputSelection: {
        '*': { '*': ['abi', 'evm.bytecode.object', 'metadata'] },
      },
    },
  };

  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: readImport }));
  let failed = false;
  for (const e of output.errors || []) {
    process.stderr.write(e.formattedMessage || e.message);
    if (e.severity === 'error') failed = true;
  }
  if (failed) throw new Error('compilation failed');

  fs.mkdirSync(OUT, { recursive: true });
  for (const [unit, name] of CONTRACTS) {
    const c = output.contracts[unit][name];
    const bin = c.evm.bytecode.object;
    if (!/^[0-9a-f]+$/.test(bin)) throw new Error(`${name}: unlinked or empty bytecode`);
    fs.writeFileSync(path.join(OUT, `${name}.abi`), JSON.stringify(c.abi, null, 2) + '\n');
    fs.writeFileSync(path.join(OUT, `${name}.bin`), bin);
    fs.writeFileSync(path.join(OUT, `${name}.metadata.json`), c.metadata + '\n');
    console.log(`${name}: ${bin.length / 2} bytes of creation code -> ${path.relative(process.cwd(), OUT)}`);
  }
  console.log(`compiled with solc ${version}`);
}

try {
  main();
} catch (err) {
  console.error(`build.js: ${err.message}`);
  process.exit(1);
}
