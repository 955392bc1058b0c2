// Package follower reads a Clique chain over JSON-RPC: block headers (with
// the sealer recovered from the Clique seal) and the validator contract's
// stake and validator events.
//
// A Fetcher reads and checks; it holds no ledger (audits and exports read a
// node through it). A Follower owns a ledger and follows the chain into it
// through a Fetcher, from the configured start block up to head −
// confirmations, in batches fetched concurrently and committed in order,
// one ledger transaction per batch or per run of batches ready together.
//
// Fetching is pipelined: Concurrency header batches are requested at once,
// and the checks of a batch (decoding, hash, seal recovery) run on every
// core while later batches are being requested and earlier ones stored.
// Headers are read with eth_getHeaderByNumber where the node has it (else
// eth_getBlockByNumber) and decoded without reflection by a scanner for
// the plain shape of a header reply; anything else goes to encoding/json,
// whose verdict and error stand (FuzzFastHeader keeps the two in
// agreement). An in-turn block's seal is first checked against the key of
// the signer whose turn it is (internal/seal, several times cheaper than
// recovery); keys are learned from recovered seals, the turn order from
// checkpoint headers. Any seal not shown that way is recovered.
//
// Every reply is checked before it is used: a header must hash to the
// hash the node reported and link to its parent. Logs are asked for by
// block hash, only for blocks whose logs bloom may hold a log of the
// contract, fetched twice (the replies must agree), and each must be of the
// asked block (hash and number) and the contract, with its address and
// every topic in the block's bloom. A bad reply is retried with jittered
// backoff (internal/retry), never stored. A parent mismatch means a reorg:
// the follower walks back to the common ancestor, rewinds the ledger there
// and ingests the new branch.
package follower
