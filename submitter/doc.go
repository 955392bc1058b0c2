// Package submitter puts this validator's root vote for an epoch,
// submitRoot(epoch, root, total, resultHash) on the ValidatorSet contract,
// on chain exactly once and waits for it to be confirmed, whatever
// crashes, dropped transactions, reorgs or fee spikes happen in between.
//
// # Deciding from the chain
//
// Submit decides from the contract's state on every poll, so a restart, a
// doubled call or a vote sent by someone else is harmless:
//
//   - nextEpoch() > epoch: the epoch is accepted. Its epochRoot is compared
//     with our vote: equal gives Accepted, different gives Disputed (logged
//     at error level). Nothing is sent.
//   - hasVoted(epoch, us): our vote is on chain. With a write-ahead record
//     the mined attempt is found by its receipt and followed to Confirmed;
//     without one (an earlier run lost its ledger) the result is
//     AlreadyVoted.
//   - nextEpoch() < epoch: an earlier epoch is not accepted yet; an error.
//   - otherwise our vote is needed: resume the recorded transaction, or
//     simulate, sign, record and broadcast a new one.
//
// Verdicts that come from reads (Accepted, Disputed, AlreadyVoted) are
// returned only once they hold at the confirmed height, head −
// Confirmations + 1; Confirmed needs our receipt at that depth in the
// canonical chain. The contract itself refuses a second vote of the same
// validator, so the worst any race can cost is a reverted transaction.
//
// # One transaction path
//
// The vote is sent through package txsend, the transaction path every
// contract action of cmt-rewards shares: simulation, gas estimate, fees
// under a cap, the write-ahead record, broadcast, resend and replacement
// on the same nonce, confirmation at depth, reorgs, decoded reverts, and
// its cancellation contract. What is a vote's own stays here: the Watch
// that reads voteOf, epochRoot and nextEpoch at every poll and turns them
// into verdicts (Confirmed, AlreadyVoted, Accepted, Disputed, Conflict),
// the replacement of our own confirmed vote, and the gas margin for the
// quorum: every vote's gas is the estimate plus 20% plus 100k, the cost of
// completing the quorum, which the estimate cannot foresee (two validators
// estimating at once both see it unreached). Unused gas is not paid for.
//
// # Write-ahead record
//
// Every signed transaction is stored in the ledger (ledger.BucketSubmitter)
// before it is broadcast, so a crash at any point leaves either nothing
// sent or a record that the next Submit resumes with the same nonce and the
// same signed bytes. One record per epoch, keyed by the epoch (txsend key
// "vote/" + epoch in decimal), value JSON, version 1:
//
//	{"version":1, "epoch":3, "root":"0x…", "total":123, "result_hash":"0x…",
//	 "state":"open",                    // open | closed | confirmed | already-voted | accepted | disputed | conflict
//	 "attempts":[{"nonce":7, "hash":"0x…", "gas":91234,
//	              "tip_cap":1000000000, "fee_cap":3000000000,   // or "gas_price" (legacy)
//	              "raw":"0x02f8…", "created":"2026-…Z"}, …],
//	 "final":{"tx":"0x…", "block":1234, "accepted":{…}, "at":"…"},
//	 "replaced":[{"vote":{…}, "attempts":[…]}, …]}
//
// txsend writes the transaction half (state open or closed, attempts:
// txsend.Attempt, whose JSON is this one), the submitter the rest. The
// shape is the one of the first release byte for byte, so ledgers written
// before the move to txsend are read and resumed as they are.
//
// "open" means the last attempt's nonce may still be mined; "closed" that
// it was consumed without our vote (our transaction reverted) and the next
// Submit starts again from a fresh simulation; the other states are final
// and a later Submit for the epoch returns them without any RPC. A record
// for the same epoch but a different vote is refused (ErrConflictingVote),
// unless our recorded vote is confirmed on chain and the epoch still open:
// then the old vote and its attempts move to "replaced" and the new vote
// starts over.
//
// # Nonces and fees
//
// As txsend does them: a new transaction takes its nonce from
// NonceAt(latest), and is priced to replace a stale attempt of ours (of an
// epoch accepted without it) that may still hold the nonce in the pool.
// If the recorded nonce is consumed by a transaction that is not ours,
// the Watch reads the contract again and only then is a new nonce signed,
// after a new simulation. EIP-1559 fees are capped by MaxFeeCap and
// MaxTipCap; a replacement the caps would keep below geth's 10% rule is
// not signed, the last attempt is broadcast again and an error logged, so
// that an operator raises the cap (a restart with a new Config resumes the
// record).
//
// # Concurrency
//
// A Submitter is safe for concurrent use; Submit calls are serialised.
// At most one Submitter (one process) may use a key and a ledger.
package submitter
