// Package txsend is the one transaction path of cmt-rewards: it puts one
// contract call (to, data, value) or contract creation (Call.Create: code,
// value) from one key on chain exactly once and waits until it is
// confirmed, whatever crashes, dropped transactions, reorgs or fee spikes
// happen in between. Root votes (package submitter), claims, the
// deployment of the contract and every other contract action of rewardctl
// go through it.
//
// # One call, one record
//
// Every intent has a record key chosen by the caller ("vote/3",
// "claim-0x…-0x…-123"): one key, one intent. Send, for an intent:
//
//  1. simulates the call (eth_call from the key's address at the latest
//     block); a revert is ErrReverted naming the contract's custom error
//     (contracts.DecodeRevert), and nothing is recorded or sent;
//  2. estimates gas, adds 20% (rounded up) and Intent.ExtraGas;
//  3. prices EIP-1559 fees under the configured caps (see Fees) and checks
//     that the balance pays gas × fee cap + value;
//  4. signs, and writes the signed transaction to the Store — durably —
//     before anything is broadcast;
//  5. broadcasts it; an attempt not mined after ResendAfter is broadcast
//     again, and after another ResendAfter replaced on the same nonce with
//     higher fees (also recorded before it is broadcast);
//  6. waits until one attempt's receipt is Confirmations deep in the
//     canonical chain (a reorg that takes the receipt away is noticed and
//     the attempt broadcast again), then records the outcome: Confirmed,
//     or ErrReverted with the custom error found by re-running the call on
//     the state after the receipt's block. Confirmed is final: a reorg
//     deeper than Confirmations after that is not watched, and the record
//     keeps the confirmed transaction.
//
// Later Sends with the same key never sign a second transaction for the
// intent while one of its attempts may still be mined: they resume the
// recorded nonce and signed bytes. A new nonce is signed only when the
// recorded one is consumed without a receipt of ours (another transaction
// of the key took it; Send waits a few polls first, because a node's
// receipt index may lag behind its state), or after our transaction
// reverted (the record is then closed and the next Send starts over from
// step 1). A confirmed record answers every later Send without any RPC.
//
// # Contract creation
//
// An intent with Call.Create (and a zero To) is a contract creation: the
// simulation, the gas estimate and the signed transactions have no
// recipient, and Data is the creation code with the constructor's
// arguments. Everything else is as for a call: the creation is recorded
// before it is broadcast, and a later Send with the same key resumes it
// rather than deploying a second contract. The contract's address follows
// from the key's address and the nonce (Record.Contract); Result.Contract
// is the receipt's once confirmed.
//
// # Cancellation
//
// Send returns when ctx ends, with Status Pending and a nil error. Nothing
// is lost: every transaction signed for the intent was recorded before it
// was broadcast, and one that was broadcast may still be mined after Send
// returned. A later Send with the same key (in this process or another one,
// after a crash) resumes it — same nonce, same signed bytes, the same
// replacement schedule — and never sends a second transaction for the same
// intent. A context that ends in the middle of an RPC call leaves the
// record as it was before the call or after it, never in between (records
// change only in Store.Update, which is atomic). Every RPC call is bounded
// by RPCTimeout and every wait ends with ctx.
//
// # Nonces
//
// A new transaction takes its nonce from NonceAt(latest), not from the
// pending pool: a transaction of the key stuck in the pool must not block
// the call behind it. If a recorded attempt of another intent of the same
// key still holds that nonce (an intent abandoned while pending), the new
// transaction is priced to replace it in the pool (the Store is scanned
// for attempts with the nonce).
//
// # Fees
//
// EIP-1559: tip = SuggestGasTipCap capped at MaxTipCap, fee cap = 2 × head
// base fee + tip capped at MaxFeeCap. A head without a base fee gets a
// legacy transaction at SuggestGasPrice capped at MaxFeeCap. A replacement
// raises both fees by BumpPercent (rounded up, at least 1 wei) or to the
// market price if that is higher, capped. A replacement that the caps would
// keep below go-ethereum's 10% replacement rule is not signed: the last
// attempt is broadcast again at the cap and an error is logged, so that an
// operator raises the cap (a restart with a new Config resumes the record).
//
// # Records
//
// A Store keeps records. rewardd keeps them in its bbolt ledger (package
// submitter adapts its vote records, whose JSON is unchanged since version
// 1); rewardctl uses a FileStore, one JSON file per intent in a directory,
// written atomically and synced. The attempt JSON is shared by both:
//
//	{"nonce":7, "hash":"0x…", "gas":91234,
//	 "tip_cap":1000000000, "fee_cap":3000000000,   // or "gas_price" (legacy)
//	 "raw":"0x02f8…", "created":"2026-…Z"}
//
// # Concurrency
//
// A Sender is safe for concurrent use; Send calls are serialised, because
// they share the key's nonces. At most one Sender (one process) may use a
// key and a Store at a time; a second writer is detected (ErrRecordRace)
// but not prevented.
package txsend
