'use strict';
// Writes calc/merkle/testdata/oz-vectors.json: trees built by
// @openzeppelin/merkle-tree's StandardMerkleTree.of with leaf encoding
// ["address","uint256"] for several deterministic leaf sets, with each tree's
// root, every value's proof (in value order) and JSON.stringify of its dump().
// Values are given as [EIP-55 address, decimal string], the form calc/merkle
// writes, so the Go dump must equal the OZ dump byte for byte.
// Usage: node vectors.js [OUT]

const fs = require('fs');
const path = require('path');
const { StandardMerkleTree } = require('@openzeppelin/merkle-tree');
const {
  LEAF_ENCODING,
  MAX_UINT256,
  toChecksumAddress,
  genAccount,
  genAmount,
  sortByAddress,
} = require('./lib');

const ozVersion = require('@openzeppelin/merkle-tree/package.json').version;
const out = process.argv[2] || path.join(__dirname, '..', '..', 'calc', 'merkle', 'testdata', 'oz-vectors.json');

const ZERO_ADDR = '0x0000000000000000000000000000000000000000';
const FF_ADDR = '0xffffffffffffffffffffffffffffffffffffffff';

// Amounts cycled through by the larger sets: edge values first.
const SPECIAL = [
  0n,
  1n,
  MAX_UINT256,
  (1n << 64n) - 1n,
  1n << 64n,
  (1n << 128n) + 7n,
  10n ** 18n,
  MAX_UINT256 - 1n,
];

function amountFor(i, base) {
  return i < SPECIAL.length ? SPECIAL[i] : genAmount(base + i);
}

// n generated leaves starting at generator index base; the first two accounts
// are replaced by the all-zero and all-0xff addresses when edges is set.
function makeSet(n, base, { edges = true, sorted = true } = {}) {
  const values = [];
  for (let i = 0; i < n; i++) {
    let account = genAccount(base + i);
    if (edges && i === 0) account = ZERO_ADDR;
    if (edges && i === 1) account = FF_ADDR;
    values.push([toChecksumAddress(account), amountFor(i, base).toString()]);
  }
  return sorted ? sortByAddress(values) : values;
}

const sets = [
  { name: 'one', values: [[toChecksumAddress('0x5b38da6a701c568545dcfcb03fcb875f56beddc4'), '1']] },
  { name: 'one-max', values: [[toChecksumAddress(FF_ADDR), MAX_UINT256.toString()]] },
  { name: 'two', values: makeSet(2, 1000) },
  { name: 'three', values: makeSet(3, 2000) },
  // Not sorted by address: the dump must keep the caller's order.
  { name: 'seven-unsorted', values: makeSet(7, 3000, { sorted: false }) },
  { name: 'sixty-four', values: makeSet(64, 4000) },
  { name: 'thousand', values: makeSet(1000, 5000) },
  { name: 'generated-100', values: sortByAddress(Array.from({ length: 100 }, (_, i) => [genAccount(i), genAmount(i).toString()])) },
];

const result = {
  generator: 'tools/ozjs/vectors.js',
  package: `@openzeppelin/merkle-tree@${ozVersion}`,
  leafEncoding: LEAF_ENCODING,
  sets: sets.map(({ name, values }) => {
    const tree = StandardMerkleTree.of(values, LEAF_ENCODING);
    const proofs = values.map((_, i) => tree.getProof(i));
    // Sanity: OZ loads its own dump and verifies every proof.
    const loaded = StandardMerkleTree.load(JSON.parse(JSON.stringify(tree.dump())));
    values.forEach((v, i) => {
      if (!StandardMerkleTree.verify(loaded.root, LEAF_ENCODING, v, proofs[i])) throw new Error(`${name}: proof ${i} fails`);
    });
    return { name, values, root: tree.root, proofs, dump: JSON.stringify(tree.dump()) };
  }),
};

fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(result) + '\n');
console.log(`wrote ${out}: ${result.sets.map(s => `${s.name}(${s.values.length})`).join(' ')}`);
