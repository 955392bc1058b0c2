// Package calc computes one epoch's rewards exactly as rewards-v1 (sections
// 1–5, 9 and 10) defines them: per-validator and per-delegator awards to the
// wei, forfeits, dust and the conservation invariant, plus reading and
// writing the cmt-epoch-input-v1 and cmt-epoch-payouts-v1 formats.
//
// The engine walks the epoch in runs of blocks with a constant state (stakes
// and the active set change only at events) and keeps reward-per-stake
// accumulators per validator, so its cost is O(events·validators +
// delegations), independent of the number of blocks.
package calc
