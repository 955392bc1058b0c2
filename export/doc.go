// Package export turns chain data — the ledger, or a node read directly —
// into a cmt-epoch-input-v1 epoch: its block range by timestamp, the stakes
// and active set in force at its first block, the events inside it, and the
// runs of blocks in which a validator was not in good standing, with the
// missed blocks as evidence.
package export
