'use strict';
// Shared helpers for the calc/merkle cross-check scripts.

const { keccak256 } = require('ethereum-cryptography/keccak');

const LEAF_ENCODING = ['address', 'uint256'];
const MAX_UINT256 = (1n << 256n) - 1n;

function hex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

// EIP-55 mixed-case checksum of a 20-byte address given as 0x-hex (any case).
function toChecksumAddress(addr) {
  const lower = addr.toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{40}$/.test(lower)) throw new Error(`bad address ${addr}`);
  const h = hex(keccak256(Buffer.from(lower, 'ascii')));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    out += parseInt(h[i], 16) >= 8 ? lower[i].toUpperCase() : lower[i];
  }
  return out;
}

// uint256 big-endian 32-byte encoding of a non-negative BigInt.
function u256(n) {
  return Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
}

// Deterministic leaf generator, identical to the Go benchmarks' genLeaves
// (calc/merkle/bench_test.go):
//   account(i) = last 20 bytes of keccak256(uint256(i) as 32 bytes big-endian)
//   amount(i)  = i * 10^15 + 1
// for i = 0 .. n-1, then sorted by account ascending (as callers pass leaves).
function genAccount(i) {
  return toChecksumAddress('0x' + hex(keccak256(u256(BigInt(i)))).slice(24));
}

function genAmount(i) {
  return BigInt(i) * 10n ** 15n + 1n;
}

function genValues(n) {
  const values = [];
  for (let i = 0; i < n; i++) values.push([genAccount(i), genAmount(i).toString()]);
  return sortByAddress(values);
}

function sortByAddress(values) {
  return values.sort((a, b) => {
    const x = a[0].toLowerCase();
    const y = b[0].toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

module.exports = {
  LEAF_ENCODING,
  MAX_UINT256,
  toChecksumAddress,
  genAccount,
  genAmount,
  genValues,
  sortByAddress,
};
