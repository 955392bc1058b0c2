// Package epoch turns Clique block headers into the standing data of
// rewards-v1: the signer set in force at every block (section 7), the
// missed slots charged to in-turn signers (section 7), the runs of blocks in
// which a validator is not in good standing (sections 4 and 7), and the
// block range of each reward epoch (section 8).
//
// Everything here is pure, deterministic computation over values the caller
// supplies; the package does no I/O, keeps no package-level state and never
// reads the clock. The chain follower feeds headers in block order:
//
//   - SignerTracker replays go-ethereum's Clique voting rules
//     (consensus/clique Snapshot.apply) from a checkpoint header and yields
//     signers(b), the set in force for the next block.
//   - MissTracker wraps a SignerTracker and the recent sealers and decides,
//     block by block, whether a miss is charged to the in-turn signer.
//   - SignerHistory records signers(b) from MissTracker's slots, one entry
//     per change of the set.
//   - NotGoodRuns and MissCounts turn the misses, the signer history and the
//     validators' active ranges into not-good runs (the epoch input's
//     not_in_good_standing, reasons missed-slots and not-a-signer) and a
//     per-validator summary, in time linear in misses, runs, ranges and
//     signer-set changes, independent of the number of blocks.
//   - SetDrift lists where the contract's active set and the Clique signer
//     set disagree, for operators.
//   - Schedule and Locate map epoch numbers to block ranges by timestamp with
//     O(log head) header lookups.
//
// Headers come in as the small Header struct; HeaderFromGeth builds one from
// a go-ethereum header (recovering the sealer from the seal in extraData).
package epoch
