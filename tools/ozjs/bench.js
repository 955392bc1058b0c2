'use strict';
// Times @openzeppelin/merkle-tree's StandardMerkleTree.of plus getProof(i) for
// every leaf, on the same leaves as BenchmarkBuildAllProofs100k in
// calc/merkle/bench_test.go:
//   account(i) = last 20 bytes of keccak256(uint256(i) as 32 bytes big-endian)
//   amount(i)  = i * 10^15 + 1,  i = 0 .. n-1, sorted by account ascending.
// Usage: node bench.js [n=100000] [runs=3]

const { StandardMerkleTree } = require('@openzeppelin/merkle-tree');
const { LEAF_ENCODING, genValues } = require('./lib');

const n = Number(process.argv[2] || 100000);
const runs = Number(process.argv[3] || 3);
const values = genValues(n);

let best = Infinity;
let bestCpu = Infinity;
let root;
for (let r = 0; r < runs; r++) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const tree = StandardMerkleTree.of(values, LEAF_ENCODING);
  const ofMs = Number(process.hrtime.bigint() - t0) / 1e6;
  let proofNodes = 0;
  for (let i = 0; i < n; i++) proofNodes += tree.getProof(i).length;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1e3;
  root = tree.root;
  best = Math.min(best, ms);
  bestCpu = Math.min(bestCpu, cpuMs);
  console.log(`run ${r + 1}: of + ${n} getProof = ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU; of alone ${ofMs.toFixed(0)} ms (${proofNodes} proof nodes)`);
}
console.log(`leaves=${n} root=${root} best=${best.toFixed(0)} ms wall, ${bestCpu.toFixed(0)} ms CPU`);
