// Package merkle builds the cumulative payout tree of rewards-v1 section 6: a
// Merkle tree over (account, cumulative) leaves that is byte-for-byte
// compatible with OpenZeppelin's StandardMerkleTree (@openzeppelin/merkle-tree
// v1.0.8) for the leaf encoding ["address","uint256"], so its root and proofs
// verify with OpenZeppelin's MerkleProof.verify on-chain and its dump loads
// with StandardMerkleTree.load.
//
// # Hashes
//
// A leaf is keccak256(keccak256(abi.encode(account, cumulative))), where
// abi.encode is 64 bytes: the 20-byte account left-padded with 12 zero bytes,
// then the cumulative amount as 32 bytes big-endian. An inner node is
// keccak256(min(a, b) ‖ max(a, b)) of its two children a and b, with min and
// max in bytewise (big-endian) order, so proofs carry no left/right flags.
//
// # Layout
//
// For n ≥ 1 leaves the tree is an array of 2n−1 hashes, exactly as OZ's
// makeMerkleTree lays it out: the leaf hashes sorted ascending go to the end
// of the array in reverse order (the smallest at index 2n−2), node i has
// children 2i+1 and 2i+2, and node 0 is the root. A proof lists the siblings
// of the nodes on the path from a leaf up to (not including) the root,
// bottom-up; the sibling of node i > 0 is i+1 when i is odd and i−1 when it is
// even. One leaf gives root = leaf hash and an empty proof. No leaves gives
// the all-zero root (rewards-v1 §6; OZ itself refuses to build such a tree).
//
// # Dumps
//
// WriteDump writes OZ's "standard-v1" JSON and ReadDump reads it back,
// checking every node. See WriteDump for the exact byte layout.
//
// # Concurrency
//
// A Tree is immutable once Build or ReadDump returns it and is safe for
// concurrent use by any number of goroutines. Build itself hashes on up to
// GOMAXPROCS goroutines for large inputs.
package merkle
