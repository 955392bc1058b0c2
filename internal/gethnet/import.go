package gethnet

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/rpc"
)

// BlockSource is the part of go-ethereum's *core.BlockChain ExportChain
// reads blocks through.
type BlockSource interface {
	GetBlockByNumber(number uint64) *types.Block
}

// Export is a chain written by ExportChain, in the files geth's init and
// import commands read.
type Export struct {
	GenesisPath string      // genesis JSON for geth 1.13.15 (`geth init`)
	BlocksPath  string      // blocks 1..Head, RLP, one after the other (`geth import`)
	GenesisHash common.Hash // the genesis block's hash, as the exporting node has it
	Head        uint64      // the last exported block
	HeadHash    common.Hash // its hash
}

// gethKnownConfig is the chain-config keys geth 1.13.15 reads; newer
// go-ethereum versions marshal more (blobSchedule, later forks), which
// geth 1.13 would ignore.
var gethKnownConfig = map[string]bool{
	"chainId": true, "homesteadBlock": true, "daoForkBlock": true, "daoForkSupport": true,
	"eip150Block": true, "eip155Block": true, "eip158Block": true, "byzantiumBlock": true,
	"constantinopleBlock": true, "petersburgBlock": true, "istanbulBlock": true, "muirGlacierBlock": true,
	"berlinBlock": true, "londonBlock": true, "arrowGlacierBlock": true, "grayGlacierBlock": true,
	"mergeNetsplitBlock": true, "ethash": true, "clique": true,
}

// ExportChain writes the genesis of db (a go-ethereum v1.17 chain database,
// e.g. an embedded node's ChainDb) as a genesis file geth 1.13.15 accepts,
// and blocks 1..head of chain as an RLP stream, into dir (created if
// needed). The genesis keeps the chain config geth 1.13.15 knows and drops
// terminalTotalDifficulty (geth 1.13's Clique importer wants none); a fork
// geth 1.13.15 does not know, or a post-merge fork, is an error. The
// genesis hash does not depend on the config, so geth computes the same
// one; Import checks it. Cancelling ctx stops the export between blocks.
func ExportChain(ctx context.Context, db ethdb.Database, chain BlockSource, head uint64, dir string) (*Export, error) {
	g, err := core.ReadGenesis(db)
	if err != nil {
		return nil, fmt.Errorf("gethnet: read genesis: %w", err)
	}
	genesis, err := gethGenesis(g)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("gethnet: %w", err)
	}
	ex := &Export{
		GenesisPath: filepath.Join(dir, "genesis.json"),
		BlocksPath:  filepath.Join(dir, "blocks.rlp"),
		GenesisHash: g.ToBlock().Hash(),
		Head:        head,
	}
	if b := chain.GetBlockByNumber(0); b == nil || b.Hash() != ex.GenesisHash {
		return nil, fmt.Errorf("gethnet: the stored genesis does not hash to the chain's block 0")
	}
	if err := os.WriteFile(ex.GenesisPath, genesis, 0o644); err != nil {
		return nil, fmt.Errorf("gethnet: %w", err)
	}
	f, err := os.Create(ex.BlocksPath)
	if err != nil {
		return nil, fmt.Errorf("gethnet: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	for n := uint64(1); n <= head; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		b := chain.GetBlockByNumber(n)
		if b == nil {
			return nil, fmt.Errorf("gethnet: export: no block %d", n)
		}
		if err := rlp.Encode(w, b); err != nil {
			return nil, fmt.Errorf("gethnet: export block %d: %w", n, err)
		}
		ex.HeadHash = b.Hash()
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("gethnet: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("gethnet: %w", err)
	}
	return ex, nil
}

// gethGenesis marshals g for geth 1.13.15 (see ExportChain).
func gethGenesis(g *core.Genesis) ([]byte, error) {
	raw, err := json.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("gethnet: marshal genesis: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("gethnet: genesis: %w", err)
	}
	var conf map[string]json.RawMessage
	if err := json.Unmarshal(m["config"], &conf); err != nil {
		return nil, fmt.Errorf("gethnet: genesis config: %w", err)
	}
	for k, v := range conf {
		switch {
		case gethKnownConfig[k]:
		case k == "terminalTotalDifficulty" || string(v) == "null" || string(v) == "false" || string(v) == `"`+common.Address{}.Hex()+`"`:
			delete(conf, k)
		default:
			return nil, fmt.Errorf("gethnet: genesis config %s=%s: not a fork geth %s runs Clique with", k, v, GethVersion)
		}
	}
	if m["config"], err = json.Marshal(conf); err != nil {
		return nil, err
	}
	for k, v := range m {
		if string(v) == "null" {
			delete(m, k)
		}
	}
	return json.MarshalIndent(m, "", "  ")
}

// ImportConfig describes a geth node to serve an exported chain.
type ImportConfig struct {
	Dir         string      // the node's directory (datadir, log); required. A Dir that already holds an initialised datadir is reused: no init, and import only if Blocks is set
	Genesis     string      // genesis file for `geth init`; needed unless Dir is initialised
	Blocks      string      // RLP blocks for `geth import`; "" imports nothing
	GenesisHash common.Hash // when set, the served block 0 must have this hash
	ChainID     uint64      // network id; 0 means 1337
	GethPath    string      // geth 1.13.15 binary; default: FindGeth
	Logf        func(format string, args ...any)
}

// Node is one geth process serving a chain over loopback HTTP JSON-RPC,
// with no peers and no sealing. Its methods may be called concurrently;
// Close may be called more than once.
type Node struct {
	url     string
	logPath string
	proc    *process
	client  *rpc.Client
}

// Import initialises a geth 1.13.15 datadir under cfg.Dir with cfg.Genesis
// (unless it is initialised already), imports cfg.Blocks into it with
// `geth import`, and starts geth on it: HTTP JSON-RPC on a free loopback
// port (eth, net, web3), no discovery, no peers, no sealing, archive
// state. It returns once the node answers, and checks its genesis hash
// against cfg.GenesisHash when that is set. ctx bounds init and import
// (which may take minutes for 100,000 blocks) and the start-up; the node
// then runs until Close. The caller must Close the node.
func Import(ctx context.Context, cfg ImportConfig) (_ *Node, err error) {
	if cfg.Dir == "" {
		return nil, errors.New("gethnet: ImportConfig.Dir is required")
	}
	if cfg.ChainID == 0 {
		cfg.ChainID = 1337
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.GethPath == "" {
		if cfg.GethPath, err = FindGeth(); err != nil {
			return nil, err
		}
	}
	datadir := filepath.Join(cfg.Dir, "data")
	logPath := filepath.Join(cfg.Dir, "geth.log")
	if err := os.MkdirAll(datadir, 0o755); err != nil {
		return nil, fmt.Errorf("gethnet: %w", err)
	}
	if _, err := os.Stat(filepath.Join(datadir, "geth", "chaindata")); err != nil {
		if cfg.Genesis == "" {
			return nil, fmt.Errorf("gethnet: %s is not initialised and no genesis is given", datadir)
		}
		if out, err := runGeth(ctx, cfg.GethPath, logPath, "init", "--datadir", datadir, "--state.scheme", "hash", cfg.Genesis); err != nil {
			return nil, fmt.Errorf("gethnet: geth init: %w\n%s", err, out)
		}
	}
	if cfg.Blocks != "" {
		began := time.Now()
		if out, err := runGeth(ctx, cfg.GethPath, logPath, "import", "--datadir", datadir, "--state.scheme", "hash", "--gcmode", "archive", cfg.Blocks); err != nil {
			return nil, fmt.Errorf("gethnet: geth import: %w\n%s", err, out)
		}
		cfg.Logf("gethnet: imported %s in %s", cfg.Blocks, time.Since(began).Round(time.Millisecond))
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(cfg.Dir, "config.toml")
	if err := os.WriteFile(conf, fmt.Appendf(nil, "[Node.P2P]\nListenAddr = \"127.0.0.1:%d\"\n", ports[1]), 0o644); err != nil {
		return nil, fmt.Errorf("gethnet: %w", err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	p, err := startGeth(cfg.GethPath, logPath,
		"--config", conf,
		"--datadir", datadir,
		"--networkid", strconv.FormatUint(cfg.ChainID, 10),
		"--nat", "none", "--nodiscover", "--maxpeers", "0",
		"--http", "--http.addr", "127.0.0.1", "--http.port", strconv.Itoa(ports[0]), "--http.api", "eth,net,web3",
		"--authrpc.addr", "127.0.0.1", "--authrpc.port", strconv.Itoa(ports[2]),
		"--ipcdisable", "--syncmode", "full", "--state.scheme", "hash", "--gcmode", "archive", "--verbosity", "2",
	)
	if err != nil {
		return nil, fmt.Errorf("gethnet: %w", err)
	}
	nd := &Node{url: url, logPath: logPath, proc: p}
	defer func() {
		if err != nil {
			nd.Close()
		}
	}()
	if nd.client, err = rpc.DialOptions(context.Background(), url); err != nil {
		return nil, fmt.Errorf("gethnet: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var genesis *head
	err = poll(ctx, "imported node RPC", func() (bool, error) {
		select {
		case <-p.done:
			return false, fatalError{fmt.Errorf("gethnet: geth exited (%v); log %s ends:\n%s", p.err, logPath, logTail(logPath, 3000))}
		default:
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := nd.client.CallContext(cctx, &genesis, "eth_getBlockByNumber", "0x0", false); err != nil {
			return false, err
		}
		return genesis != nil, nil
	})
	if err != nil {
		return nil, err
	}
	if cfg.GenesisHash != (common.Hash{}) && genesis.Hash != cfg.GenesisHash {
		return nil, fmt.Errorf("gethnet: geth's genesis hash is %s, want %s", genesis.Hash.Hex(), cfg.GenesisHash.Hex())
	}
	cfg.Logf("gethnet: geth pid %d serves %s (log %s)", p.pid, url, logPath)
	return nd, nil
}

// URL returns the node's HTTP JSON-RPC URL, http://127.0.0.1:port.
func (nd *Node) URL() string { return nd.url }

// PID returns the geth process's id.
func (nd *Node) PID() int { return nd.proc.pid }

// LogPath returns the node's log file.
func (nd *Node) LogPath() string { return nd.logPath }

// Head returns the number and hash of the node's head block.
func (nd *Node) Head(ctx context.Context) (uint64, common.Hash, error) {
	var h *head
	if err := nd.client.CallContext(ctx, &h, "eth_getBlockByNumber", "latest", false); err != nil {
		return 0, common.Hash{}, fmt.Errorf("gethnet: head: %w", err)
	}
	if h == nil {
		return 0, common.Hash{}, errors.New("gethnet: head: no block")
	}
	return uint64(h.Number), h.Hash, nil
}

// Close stops the geth process (SIGTERM, then SIGKILL after 20 s) and
// waits for it.
func (nd *Node) Close() error {
	if nd.client != nil {
		nd.client.Close()
	}
	return stopProcess(nd.proc)
}
