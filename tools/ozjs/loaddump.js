'use strict';
// Loads a standard-v1 dump (e.g. one written by calc/merkle's WriteDump) with
// @openzeppelin/merkle-tree's StandardMerkleTree.load, which validates it, and
// prints the root. With --proofs it then prints, one line per value in dump
// order, OZ's proof for that value as comma-separated hashes.
// Usage: node loaddump.js FILE [--proofs]
// Exit status 1 if OZ rejects the dump.

const fs = require('fs');
const { StandardMerkleTree } = require('@openzeppelin/merkle-tree');

const file = process.argv[2];
if (!file) {
  console.error('usage: node loaddump.js FILE [--proofs]');
  process.exit(2);
}
let tree;
try {
  tree = StandardMerkleTree.load(JSON.parse(fs.readFileSync(file, 'utf8')));
} catch (e) {
  console.error(`load failed: ${e.message}`);
  process.exit(1);
}
const out = [tree.root];
if (process.argv.includes('--proofs')) {
  for (let i = 0; i < tree.length; i++) out.push(tree.getProof(i).join(','));
}
process.stdout.write(out.join('\n') + '\n');
