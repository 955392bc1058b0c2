// Package ledger is the daemon's memory: a bbolt file holding, for every
// block from the configured start block to the follower's head, the header
// fields settlement needs (hash, parent, time, difficulty, Clique sealer and
// vote) and the validator contract's stake and validator events in
// (block, log_index) order.
//
// Every write is one bbolt transaction, so a crash at any point leaves the
// ledger as it was before or after a whole batch. The bucket layout lives in
// schema.go with a schema version that Open checks: a newer or unknown
// schema is an error, never rewritten silently.
//
// A Ledger is safe for concurrent use; bbolt serialises writers and gives
// readers consistent snapshots.
package ledger
