// Package devchain runs a real Clique proof-of-authority chain inside the
// current process, for tests and for a development daemon.
//
// A Chain is a go-ethereum node with the stock eth service (blockchain, tx
// pool, JSON-RPC API) on a Clique genesis with London rules and no Shanghai.
// go-ethereum no longer seals Clique blocks itself, so devchain drives block
// production: the stock miner builds each block (pending pool transactions,
// EIP-1559 base fee, Clique's Prepare for extraData and difficulty), devchain
// signs clique.SealHash with the chosen signer's key, and the block goes
// through BlockChain.InsertChain, where the Clique engine verifies the seal,
// the signer set, the in-turn difficulty, the recency rule and the timestamp.
// A block that Clique forbids is rejected by the engine and the error is
// returned to the caller; nothing is bypassed.
//
// Blocks are produced only on demand (Mine, MineBy, MineN, Run, Commit,
// Reorg), never by a timer, and never wait for the wall clock.
//
// # Timestamps
//
// Block time is synthetic: parent.Time + Period, plus whatever AdjustTime
// added. Clique rejects any block whose timestamp is ahead of the wall clock
// ("block in the future"), so synthetic time can never pass the real time.
// By default the genesis is dated one year in the past (see
// DefaultGenesisAge), which leaves that much room for blocks and for
// AdjustTime; a block that would be dated in the future fails with
// ErrFutureBlock before anything is built.
//
// # Block award
//
// With Config.BlockReward set, every block after the genesis credits that
// many wei to Config.RewardCollector, as CyberMiles 2.0 (a geth 1.10.25
// fork) does in clique.Finalize for its genesis-configured config.clique.reward
// address; the block's signer gets only its transaction tips. The credit is
// made by the consensus engine's Finalize, which both the miner and the
// blockchain's import run, so it is part of the state root that import
// verifies and shows in eth_getBalance like any balance; reorgs undo it with
// the blocks. go-ethereum offers no way to give eth.New another engine, so
// New swaps the inner engine of the node's beacon engine for an awarding
// Clique before the node starts (see installAward).
//
// # Fork choice
//
// go-ethereum v1.17 has no total-difficulty fork choice any more (the last
// block inserted with InsertChain becomes the head). Reorg therefore applies
// Clique's rule itself: the new branch must have a strictly higher total
// difficulty than the blocks it replaces. The branch's blocks are verified by
// the engine as they are inserted and then made canonical in one step with
// BlockChain.SetCanonical.
//
// # RPC
//
// With Config.HTTP the node serves JSON-RPC over HTTP on 127.0.0.1 with an
// OS-assigned port (namespaces eth, net, web3 and clique; eth includes the
// filter API, so eth_getLogs works). Client always returns an in-process
// client that needs no network. The clique namespace is implemented here:
// go-ethereum v1.17 dropped clique.API, so clique_getSigners,
// clique_getSignersAtHash and clique_getSigner are devchain's own.
//
// # Bulk generation
//
// Generate appends blocks to a chain in a data directory without running
// the node: the blocks Mine would produce with every signer online, with
// the transactions the caller gives, executed by go-ethereum's state
// processor and written with go-ethereum's database accessors (old blocks
// straight to the freezer, every block's state, the transaction index,
// Clique's signer snapshots). It is not re-verified on the way in, which
// makes it several times faster than MineN; Import feeds such blocks
// through the engine, and the tests do so. ExportRLP and GenesisJSON give
// a chain to stock geth (`geth init`, `geth import`) when it has no block
// award.
//
// # Limits
//
// Signer voting is not supported: the signer set is the genesis set for the
// whole chain. Without Config.DataDir, state is kept for the most recent
// blocks only (path scheme, 128 in-memory layers), so Reorg cannot fork
// deeper than MaxReorgDepth blocks below the head, and the chain lives in
// a temporary directory that Close removes (pebble: go-ethereum's
// in-memory database makes chains past 90,000 blocks quadratic, as its
// freezer scans the whole store for every block it moves). With
// Config.DataDir the chain keeps every block's state (hash scheme, archive
// mode) and syncs the database after every block, so a process killed at
// any moment reopens at the last block it produced.
package devchain
