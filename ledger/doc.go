// Package ledger is the daemon's memory: a bbolt file holding, for every
// block from the configured start block to the follower's head, the header
// fields settlement needs (hash, parent, time, difficulty, Clique sealer and
// vote) and the validator contract's stake and validator events in
// (block, log_index) order; and the records settlement and the submitter
// keep per epoch.
//
// Every write is one bbolt transaction, so a crash at any point leaves the
// ledger as it was before or after a whole batch. Every bucket and key
// shape, of this package and of the packages that store records here, is
// declared in schema.go under one schema version that Open checks: a newer
// or unknown schema is an error, never rewritten silently; an older one is
// migrated in one transaction. Other packages never build keys: they use
// typed accessors (the Epoch methods for settlement, Records for a
// declared Bucket).
//
// A Ledger is safe for concurrent use; bbolt serialises writers and gives
// readers consistent snapshots.
package ledger
