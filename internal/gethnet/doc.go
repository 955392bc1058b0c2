// Package gethnet runs a real geth Clique (proof-of-authority) network on
// loopback, for end-to-end tests.
//
// It needs the geth binary of release v1.13.15, the last geth release that
// seals Clique blocks; .ci/install-geth.sh installs it (FindGeth looks in PATH
// and in $(go env GOPATH)/bin). Tests that use the package should skip when
// FindGeth fails outside CI, and fail inside it.
//
// Start generates deterministic keys, a London genesis (no Shanghai/Cancun,
// no terminal total difficulty, which geth 1.13's Clique requires), keystores
// with password files, runs `geth init` for every node and starts one geth
// process per signer, each with its own datadir, log file and free loopback
// ports (HTTP RPC, p2p, auth RPC; IPC and discovery are off), full sync and
// archive state (old state stays queryable). The nodes are peered with
// admin_addPeer and only then told to seal: instead of --mine, the harness
// calls miner_start (hence "miner" in --http.api) once a node has its peers
// and has unlocked its signer account, so no node seals a private fork
// before it has peers, or a stale block after a restart. (geth 1.13 serves
// RPC before it unlocks --unlock accounts; sealing started in between fails
// once and stalls the chain, so the harness waits for eth_sign to work.)
//
// Signers are sorted by address: node i's signer is the i-th signer in the
// Clique signer list, so node i is in turn for block numbers n with
// n % Signers == i (in-turn blocks have difficulty 2, out-of-turn blocks
// difficulty 1).
//
// Stop and Restart take a validator offline and bring it back: Restart starts
// the node without sealing, re-peers it, waits until it has synced to the
// other nodes' head, and only then lets it seal again. Note that geth 1.13
// starts a sync with fewer than 5 peers only on its 10-second forced-sync
// cycle, so Restart usually takes about 10 s.
//
// ExportChain and Import serve a chain built elsewhere (say, mined fast by
// the embedded devchain) from one real geth: ExportChain writes a genesis
// file geth 1.13.15 accepts and the blocks as RLP, and Import runs
// `geth init` and `geth import` and starts geth with HTTP JSON-RPC on
// loopback, no peers and no sealing (stock geth knows no block award, so
// the chain must have none). Benchmarks run against it as against a node
// in its own process.
//
// Everything listens on 127.0.0.1 only: HTTP and auth RPC via flags, the p2p
// listener via a config file (geth has no flag for the p2p listen host).
package gethnet
