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
// # Write-ahead record
//
// Every signed transaction is stored in the ledger (bucket "submitter")
// before it is broadcast, so a crash at any point leaves either nothing
// sent or a record that the next Submit resumes with the same nonce and the
// same signed bytes. One record per epoch, key "vote/" + epoch as 8
// big-endian bytes, value JSON:
//
//	{"version":1, "epoch":3, "root":"0x…", "total":123, "result_hash":"0x…",
//	 "state":"open",                    // open | closed | confirmed | already-voted | accepted | disputed
//	 "attempts":[{"nonce":7, "hash":"0x…", "gas":91234,
//	              "tip_cap":1000000000, "fee_cap":3000000000,   // or "gas_price" (legacy)
//	              "raw":"0x02f8…", "created":"2026-…Z"}, …],
//	 "final":{"tx":"0x…", "block":1234, "accepted":{…}, "at":"…"}}
//
// "open" means the last attempt's nonce may still be mined; "closed" that
// it was consumed without our vote (our transaction reverted) and the next
// Submit starts again from a fresh simulation; the other states are final
// and a later Submit for the epoch returns them without any RPC. A record
// for the same epoch but a different vote is refused (ErrConflictingVote):
// a validator never votes twice differently.
//
// # Nonces
//
// A new transaction takes its nonce from NonceAt(latest), not from the
// pending pool. This key sends nothing but root votes, one epoch at a time,
// and every one of them is in the record: a pending transaction at that
// nonce is either one of our own stale attempts (for an epoch that others
// accepted meanwhile), which the new vote is priced to replace, or a
// foreign transaction stuck in the pool, which must not block the vote
// behind it. A pending nonce would queue the vote behind such a
// transaction instead. If the recorded nonce is consumed by a transaction
// that is not ours (NonceAt(latest) > nonce, no receipt of ours), Submit
// reconciles from the chain again and only then signs a new nonce, after a
// new simulation.
//
// # Fees
//
// EIP-1559: tip = SuggestGasTipCap capped at MaxTipCap, fee cap = 2 ×
// head base fee + tip capped at MaxFeeCap. A head without a base fee gets a
// legacy transaction at SuggestGasPrice capped at MaxFeeCap. Gas is the
// estimate plus 20% plus 100k, the cost of completing the quorum, which
// the estimate cannot foresee. An attempt not mined after ResendAfter is broadcast
// again; after another ResendAfter it is replaced: same nonce, both fees
// raised by BumpPercent (rounded up, at least 1 wei) or to the market
// price if that is higher, capped. A replacement that the caps would keep
// below geth's 10% replacement rule is not signed: the last attempt is
// broadcast again at the cap and an error is logged, so that an operator
// raises the cap (a restart with a new Config resumes the record).
//
// # Concurrency
//
// A Submitter is safe for concurrent use; Submit calls are serialised.
// At most one Submitter (one process) may use a key and a ledger.
package submitter
