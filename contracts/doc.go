// Package contracts holds the CyberMiles 2.0 validator contract, ValidatorSet,
// and its Go bindings.
//
// The Solidity source is src/ValidatorSet.sol. It is compiled by build.js with
// the solc-js and OpenZeppelin versions pinned in package.json (evmVersion
// london, optimizer 200 runs, no metadata hash), which writes
// build/ValidatorSet.abi and build/ValidatorSet.bin; validatorset.go is
// generated from them by abigen --v2 of the go-ethereum version in go.mod.
// Never edit the generated files: change the source and run
//
//	bash contracts/gen.sh
//
// (or go generate ./contracts). bash contracts/check.sh rebuilds everything in
// a scratch copy and fails if a committed artifact differs.
//
// What the daemon relies on:
//   - Stakes and the active validator set at any block are rebuildable from
//     the contract's logs alone, from its deployment block: the constructor
//     emits ValidatorAdded for each initial validator, and every later change
//     emits Staked, Unstaked, ValidatorAdded or ValidatorRemoved.
//   - Epoch roots are accepted strictly in order (submitRoot(nextEpoch, ...))
//     once rootQuorum() active validators voted for the same (root, total,
//     resultHash). rootQuorum() follows the active set: the larger of a strict
//     majority and rootQuorumBps (fixed at deployment, 5000 to 10000) of it.
//   - Root votes for the open epoch are replaceable: a new vote replaces the
//     voter's old one, withdrawRootVote drops it, and removing a validator
//     withdraws its vote (and may accept a root the remaining votes now carry,
//     the quorum having dropped). Every tally change is a log (RootVoted +1,
//     RootVoteWithdrawn -1), so tallies are countable from logs alone; a
//     RootAccepted can come from a submitRoot or a voteRemove transaction.
//   - Every stake unlocks LOCK_PERIOD after its own block; a delegation keeps
//     at most MAX_LOCKED_LOTS locked lots (a stake into a full queue joins the
//     newest lot). unlockedStakeOf and lockedLotsOf show what unstake accepts.
//   - The active set is never empty (removing the last validator reverts).
//   - DecodeRevert turns a failed call's revert data into the custom error's
//     name and arguments, for logs.
//
// src/test/Reenterer.sol is a test-only contract used by the reentrancy tests;
// its bindings live in a _test.go file and are not part of the package API.
package contracts

//go:generate bash gen.sh
