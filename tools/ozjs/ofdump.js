'use strict';
// Times @openzeppelin/merkle-tree's StandardMerkleTree.of (the tree build
// alone) on the values of a standard-v1 dump, e.g. the --tree output of
// `rewardctl calc`, and prints the root it gets so a caller can check that
// both built the same tree.
// Usage: node ofdump.js FILE [runs=1]
// Prints: leaves=N root=0x… best=MS ms wall

const fs = require('fs');
const { StandardMerkleTree } = require('@openzeppelin/merkle-tree');

const file = process.argv[2];
const runs = Number(process.argv[3] || 1);
if (!file) {
  console.error('usage: node ofdump.js FILE [runs]');
  process.exit(2);
}
const dump = JSON.parse(fs.readFileSync(file, 'utf8'));
const values = dump.values.map((v) => v.value);
let best = Infinity;
let root;
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  const tree = StandardMerkleTree.of(values, dump.leafEncoding);
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  root = tree.root;
}
console.log(`leaves=${values.length} root=${root} best=${best.toFixed(0)} ms wall`);
