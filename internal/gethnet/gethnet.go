package gethnet

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
)

// Config describes a network to start.
type Config struct {
	Signers  int                         // number of Clique signers (validators), one geth node each; at least 1
	Period   uint64                      // Clique block period in seconds; 0 means 1
	ChainID  uint64                      // chain and network id; 0 means 1337
	Alloc    map[common.Address]*big.Int // extra funded accounts (wei)
	Dir      string                      // working directory, e.g. t.TempDir(); required
	GethPath string                      // geth 1.13.15 binary; default: FindGeth
	Logf     func(format string, args ...any)
}

// Timeouts used where the API takes no context.
const (
	stopTimeout    = 20 * time.Second // SIGTERM to SIGKILL
	restartTimeout = 2 * time.Minute  // Restart as a whole
	startTimeout   = 3 * time.Minute  // Start, on top of the caller's context
	pollInterval   = 100 * time.Millisecond
)

const password = "gethnet"

// Network is a running Clique network. Its methods may be called from
// several goroutines, but Stop, Restart and Close run one at a time.
type Network struct {
	cfg    Config
	geth   string
	funded *ecdsa.PrivateKey
	nodes  []*node

	opMu sync.Mutex // serialises Stop, Restart, Close
	mu   sync.Mutex // guards node process state (proc, client, enode, ports)
}

type node struct {
	idx      int
	key      *ecdsa.PrivateKey
	addr     common.Address
	dir      string
	datadir  string
	pwFile   string
	confFile string
	logPath  string

	httpPort, p2pPort, authPort int

	proc   *process    // nil while stopped
	client *rpc.Client // nil while stopped
	enode  string      // enode URL on 127.0.0.1, valid while running
}

type process struct {
	pid  int
	kill func(sig os.Signal) error
	done chan struct{}
	err  error // set before done is closed
}

// Start generates keys, genesis and keystores under cfg.Dir, initialises and
// starts one geth node per signer, peers them all, lets them seal, and
// returns once every node has N-1 peers and the chain has advanced to
// block 2. On error everything started is stopped again.
func Start(ctx context.Context, cfg Config) (_ *Network, err error) {
	if cfg.Signers < 1 {
		return nil, fmt.Errorf("gethnet: Signers must be at least 1, got %d", cfg.Signers)
	}
	if cfg.Dir == "" {
		return nil, errors.New("gethnet: Config.Dir is required")
	}
	if cfg.Period == 0 {
		cfg.Period = 1
	}
	if cfg.ChainID == 0 {
		cfg.ChainID = 1337
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.GethPath == "" {
		p, err := FindGeth()
		if err != nil {
			return nil, err
		}
		cfg.GethPath = p
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	n := &Network{cfg: cfg, geth: cfg.GethPath, funded: fundedKey()}
	began := time.Now()

	// Keys, genesis.
	keys := signerKeys(cfg.Signers)
	alloc := map[common.Address]*big.Int{
		crypto.PubkeyToAddress(n.funded.PublicKey): DefaultBalance,
	}
	signers := make([]common.Address, len(keys))
	for i, k := range keys {
		signers[i] = crypto.PubkeyToAddress(k.PublicKey)
		alloc[signers[i]] = DefaultBalance
	}
	for a, b := range cfg.Alloc {
		alloc[a] = b
	}
	genesis, err := genesisJSON(cfg.ChainID, cfg.Period, signers, alloc, time.Now())
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("gethnet: %w", err)
	}
	genesisPath := filepath.Join(cfg.Dir, "genesis.json")
	if err := os.WriteFile(genesisPath, genesis, 0o644); err != nil {
		return nil, fmt.Errorf("gethnet: %w", err)
	}

	ports, err := freePorts(3 * cfg.Signers)
	if err != nil {
		return nil, err
	}
	for i, k := range keys {
		dir := filepath.Join(cfg.Dir, fmt.Sprintf("node%d", i))
		nd := &node{
			idx:      i,
			key:      k,
			addr:     signers[i],
			dir:      dir,
			datadir:  filepath.Join(dir, "data"),
			pwFile:   filepath.Join(dir, "password.txt"),
			confFile: filepath.Join(dir, "config.toml"),
			logPath:  filepath.Join(dir, "geth.log"),
			httpPort: ports[3*i],
			p2pPort:  ports[3*i+1],
			authPort: ports[3*i+2],
		}
		n.nodes = append(n.nodes, nd)
	}
	defer func() {
		if err != nil {
			n.Close()
		}
	}()

	// Keystores, password files, geth init (in parallel: each takes a second
	// or so, mostly process start-up).
	errs := make([]error, len(n.nodes))
	var wg sync.WaitGroup
	for i, nd := range n.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = n.prepare(ctx, nd, genesisPath)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cfg.Logf("gethnet: %d nodes initialised in %s (geth %s)", len(n.nodes), time.Since(began).Round(time.Millisecond), n.geth)

	// Start every node without sealing; peer them; then seal. A node that
	// seals before it has peers makes a private fork at block 1.
	for _, nd := range n.nodes {
		if err := n.startNode(nd); err != nil {
			return nil, err
		}
	}
	for _, nd := range n.nodes {
		if err := n.waitReady(ctx, nd); err != nil {
			return nil, err
		}
	}
	for i, a := range n.nodes {
		for _, b := range n.nodes[i+1:] {
			if err := n.addPeer(ctx, a, b); err != nil {
				return nil, err
			}
		}
	}
	if err := n.waitPeers(ctx); err != nil {
		return nil, err
	}
	for _, nd := range n.nodes {
		if err := n.startSealing(ctx, nd); err != nil {
			return nil, err
		}
	}
	if err := n.WaitBlock(ctx, 2); err != nil {
		return nil, fmt.Errorf("gethnet: chain does not advance: %w", err)
	}
	cfg.Logf("gethnet: %d signers sealing after %s; RPC %s", len(n.nodes), time.Since(began).Round(time.Millisecond), n.RPC(0))
	return n, nil
}

// prepare writes node nd's keystore, password file and config file and runs
// geth init.
func (n *Network) prepare(ctx context.Context, nd *node, genesisPath string) error {
	if err := os.MkdirAll(nd.datadir, 0o755); err != nil {
		return fmt.Errorf("gethnet: %w", err)
	}
	if err := os.WriteFile(nd.pwFile, []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("gethnet: %w", err)
	}
	// Light scrypt parameters: unlocking at start-up takes milliseconds.
	ks := keystore.NewKeyStore(filepath.Join(nd.datadir, "keystore"), keystore.LightScryptN, keystore.LightScryptP)
	if _, err := ks.ImportECDSA(nd.key, password); err != nil {
		return fmt.Errorf("gethnet: node %d keystore: %w", nd.idx, err)
	}
	if err := n.writeConfig(nd); err != nil {
		return err
	}
	out, err := runGeth(ctx, n.geth, nd.logPath, "init", "--datadir", nd.datadir, genesisPath)
	if err != nil {
		return fmt.Errorf("gethnet: node %d: geth init: %w\n%s", nd.idx, err, out)
	}
	return nil
}

// writeConfig writes the TOML config that binds the p2p listener to
// loopback: geth's --port flag would listen on all interfaces.
func (n *Network) writeConfig(nd *node) error {
	conf := fmt.Sprintf("[Node.P2P]\nListenAddr = %q\n", net.JoinHostPort("127.0.0.1", strconv.Itoa(nd.p2pPort)))
	if err := os.WriteFile(nd.confFile, []byte(conf), 0o644); err != nil {
		return fmt.Errorf("gethnet: %w", err)
	}
	return nil
}

// args returns node nd's geth command line. Sealing is not enabled here
// (no --mine): startSealing calls miner_start once the node has peers and
// is in sync.
func (n *Network) args(nd *node) []string {
	addr := nd.addr.Hex()
	return []string{
		"--config", nd.confFile, // p2p ListenAddr 127.0.0.1:port
		"--datadir", nd.datadir,
		"--networkid", strconv.FormatUint(n.cfg.ChainID, 10),
		"--nat", "none",
		"--nodiscover",
		"--maxpeers", strconv.Itoa(max(25, 2*len(n.nodes))),
		"--http",
		"--http.addr", "127.0.0.1",
		"--http.port", strconv.Itoa(nd.httpPort),
		"--http.api", "eth,net,web3,clique,admin,txpool,miner",
		"--authrpc.addr", "127.0.0.1",
		"--authrpc.port", strconv.Itoa(nd.authPort),
		"--ipcdisable",
		"--miner.etherbase", addr,
		"--unlock", addr,
		"--password", nd.pwFile,
		"--allow-insecure-unlock",
		"--syncmode", "full",
		"--gcmode", "archive", // historical state for tests; nothing to lose on SIGKILL
		"--cache", "256",
		"--verbosity", "2",
	}
}

// startNode starts node nd's geth process, appending to its log file.
func (n *Network) startNode(nd *node) error {
	p, err := startGeth(n.geth, nd.logPath, n.args(nd)...)
	if err != nil {
		return fmt.Errorf("gethnet: node %d: %w", nd.idx, err)
	}
	client, err := rpc.DialOptions(context.Background(), n.rpcURL(nd.httpPort))
	if err != nil {
		_ = stopProcess(p)
		return fmt.Errorf("gethnet: node %d: %w", nd.idx, err)
	}
	n.mu.Lock()
	nd.proc, nd.client, nd.enode = p, client, ""
	n.mu.Unlock()
	n.cfg.Logf("gethnet: node %d (signer %s) started, pid %d, RPC %s, log %s", nd.idx, nd.addr.Hex(), p.pid, n.rpcURL(nd.httpPort), nd.logPath)
	return nil
}

// state returns node nd's process and client under the lock.
func (n *Network) state(nd *node) (*process, *rpc.Client) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return nd.proc, nd.client
}

// call makes a JSON-RPC call to node nd, failing at once if its process has
// exited.
func (n *Network) call(ctx context.Context, nd *node, result any, method string, args ...any) error {
	p, c := n.state(nd)
	if p == nil {
		return fmt.Errorf("gethnet: node %d is stopped", nd.idx)
	}
	if err := n.exited(nd, p); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.CallContext(cctx, result, method, args...); err != nil {
		if err := n.exited(nd, p); err != nil {
			return err
		}
		return fmt.Errorf("gethnet: node %d: %s: %w", nd.idx, method, err)
	}
	return nil
}

// exited reports an error with the log's tail if process p has exited.
func (n *Network) exited(nd *node, p *process) error {
	select {
	case <-p.done:
		return fmt.Errorf("gethnet: node %d: geth exited (%v); log %s ends:\n%s", nd.idx, p.err, nd.logPath, logTail(nd.logPath, 3000))
	default:
		return nil
	}
}

// poll calls f every pollInterval until it reports done or fails, or ctx
// ends (then the last error f saw, if any, is part of the error).
func poll(ctx context.Context, what string, f func() (done bool, err error)) error {
	var last error
	for {
		done, err := f()
		if done {
			return nil
		}
		var fatal fatalError
		if errors.As(err, &fatal) {
			return fatal.error
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("gethnet: %s: %w (last error: %v)", what, ctx.Err(), last)
			}
			return fmt.Errorf("gethnet: %s: %w", what, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// fatalError stops poll at once.
type fatalError struct{ error }

// fatalIfExited wraps err as fatal when node nd's process has exited.
func (n *Network) fatalIfExited(nd *node, err error) error {
	if p, _ := n.state(nd); p == nil {
		return fatalError{fmt.Errorf("gethnet: node %d is stopped", nd.idx)}
	} else if e := n.exited(nd, p); e != nil {
		return fatalError{e}
	}
	return err
}

// waitReady waits until node nd answers admin_nodeInfo and has unlocked its
// signer account, and records its enode URL, rewritten to 127.0.0.1 and its
// p2p port.
func (n *Network) waitReady(ctx context.Context, nd *node) error {
	var info struct {
		Enode string `json:"enode"`
	}
	err := poll(ctx, fmt.Sprintf("node %d RPC", nd.idx), func() (bool, error) {
		if err := n.call(ctx, nd, &info, "admin_nodeInfo"); err != nil {
			return false, n.fatalIfExited(nd, err)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	// geth 1.13 serves RPC before it unlocks the --unlock account; a
	// miner_start in between makes sealing fail ("authentication needed")
	// without a retry, and the chain stalls. eth_sign succeeds once the
	// account is unlocked.
	err = poll(ctx, fmt.Sprintf("node %d unlocking its signer", nd.idx), func() (bool, error) {
		var sig hexutil.Bytes
		if err := n.call(ctx, nd, &sig, "eth_sign", nd.addr, hexutil.Bytes("gethnet")); err != nil {
			return false, n.fatalIfExited(nd, err)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	u, err := url.Parse(info.Enode)
	if err != nil || u.Scheme != "enode" || u.User == nil {
		return fmt.Errorf("gethnet: node %d: bad enode %q", nd.idx, info.Enode)
	}
	u.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(nd.p2pPort))
	n.mu.Lock()
	nd.enode = u.String()
	n.mu.Unlock()
	return nil
}

func (n *Network) enodeOf(nd *node) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return nd.enode
}

// addPeer makes node a dial node b (a static peer of a). Only one side of a
// pair dials: if both did at once, each side could keep a different one of
// the two connections and drop the other, leaving the pair unconnected
// until geth's 35 s redial back-off expires.
func (n *Network) addPeer(ctx context.Context, a, b *node) error {
	var ok bool
	if err := n.call(ctx, a, &ok, "admin_addPeer", n.enodeOf(b)); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("gethnet: node %d: admin_addPeer(node %d) returned false", a.idx, b.idx)
	}
	return nil
}

// running returns the nodes whose process is running (or at least not
// stopped by us).
func (n *Network) running() []*node {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []*node
	for _, nd := range n.nodes {
		if nd.proc != nil {
			out = append(out, nd)
		}
	}
	return out
}

// waitPeers waits until every running node has all other running nodes as
// peers.
func (n *Network) waitPeers(ctx context.Context) error {
	nodes := n.running()
	want := uint64(len(nodes) - 1)
	return poll(ctx, fmt.Sprintf("waiting for %d peers each", want), func() (bool, error) {
		for _, nd := range nodes {
			var count hexutil.Uint64
			if err := n.call(ctx, nd, &count, "net_peerCount"); err != nil {
				return false, n.fatalIfExited(nd, err)
			}
			if uint64(count) < want {
				return false, fmt.Errorf("node %d has %d peers", nd.idx, count)
			}
		}
		return true, nil
	})
}

// startSealing unlocks sealing on node nd (miner_start; the signer account
// is unlocked with --unlock).
func (n *Network) startSealing(ctx context.Context, nd *node) error {
	return n.call(ctx, nd, nil, "miner_start")
}

type head struct {
	Number hexutil.Uint64 `json:"number"`
	Hash   common.Hash    `json:"hash"`
}

// blockOf returns node nd's block at number ("latest" when number < 0).
func (n *Network) blockOf(ctx context.Context, nd *node, number int64) (*head, error) {
	tag := "latest"
	if number >= 0 {
		tag = hexutil.EncodeUint64(uint64(number))
	}
	var h *head
	if err := n.call(ctx, nd, &h, "eth_getBlockByNumber", tag, false); err != nil {
		return nil, err
	}
	return h, nil // nil when the node does not have the block
}

// WaitBlock waits until every running node's head is at least at block
// number.
func (n *Network) WaitBlock(ctx context.Context, number uint64) error {
	return poll(ctx, fmt.Sprintf("waiting for block %d", number), func() (bool, error) {
		nodes := n.running()
		if len(nodes) == 0 {
			return false, fatalError{errors.New("gethnet: no node is running")}
		}
		for _, nd := range nodes {
			h, err := n.blockOf(ctx, nd, -1)
			if err != nil {
				if p, _ := n.state(nd); p == nil {
					continue // stopped meanwhile
				}
				return false, n.fatalIfExited(nd, err)
			}
			if uint64(h.Number) < number {
				return false, fmt.Errorf("node %d is at block %d", nd.idx, h.Number)
			}
		}
		return true, nil
	})
}

// Stop stops node i's process (SIGTERM, then SIGKILL after 20 s): its
// validator goes offline. The other nodes drop it as a peer.
func (n *Network) Stop(i int) error {
	n.opMu.Lock()
	defer n.opMu.Unlock()
	nd := n.nodes[i]
	if p, _ := n.state(nd); p == nil {
		return fmt.Errorf("gethnet: node %d is already stopped", i)
	}
	enode := n.enodeOf(nd)
	err := n.stopNode(nd)
	// Forget the stopped node on the others, so that they do not keep
	// redialling it and Restart has a single dialling side.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, other := range n.running() {
		if enode == "" {
			break
		}
		var ok bool
		if e := n.call(ctx, other, &ok, "admin_removePeer", enode); e != nil {
			err = errors.Join(err, e)
		}
	}
	return err
}

// stopNode stops node nd's process and waits for it.
func (n *Network) stopNode(nd *node) error {
	n.mu.Lock()
	p, c := nd.proc, nd.client
	nd.proc, nd.client, nd.enode = nil, nil, ""
	n.mu.Unlock()
	if p == nil {
		return nil
	}
	c.Close()
	select {
	case <-p.done:
		// It exited before we stopped it: worth reporting.
		return fmt.Errorf("gethnet: node %d had exited by itself (%v); log %s ends:\n%s", nd.idx, p.err, nd.logPath, logTail(nd.logPath, 3000))
	default:
	}
	if err := stopProcess(p); err != nil {
		return fmt.Errorf("gethnet: node %d: %w", nd.idx, err)
	}
	n.cfg.Logf("gethnet: node %d stopped", nd.idx)
	return nil
}

// Restart starts stopped node i again with the same datadir (and the same
// ports when they are still free), re-peers it with the running nodes,
// waits until it has synced to their head, and then lets it seal again.
func (n *Network) Restart(i int) (err error) {
	n.opMu.Lock()
	defer n.opMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), restartTimeout)
	defer cancel()
	nd := n.nodes[i]
	if p, _ := n.state(nd); p != nil {
		return fmt.Errorf("gethnet: node %d is running", i)
	}
	began := time.Now()
	if !portsFree(nd.httpPort, nd.p2pPort, nd.authPort) {
		ports, err := freePorts(3)
		if err != nil {
			return err
		}
		n.mu.Lock()
		nd.httpPort, nd.p2pPort, nd.authPort = ports[0], ports[1], ports[2]
		n.mu.Unlock()
		if err := n.writeConfig(nd); err != nil {
			return err
		}
	}
	if err := n.startNode(nd); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = n.stopNode(nd)
		}
	}()
	if err := n.waitReady(ctx, nd); err != nil {
		return err
	}
	for _, other := range n.running() {
		if other != nd {
			if err := n.addPeer(ctx, nd, other); err != nil {
				return err
			}
		}
	}
	if err := n.waitPeers(ctx); err != nil {
		return err
	}
	// Sync: nd must have the others' current head block (re-read on
	// every poll, as the chain keeps moving). geth 1.13 starts a sync with
	// fewer than 5 peers only on its 10 s forced-sync cycle; after that,
	// nd follows the head through block propagation.
	var synced uint64
	err = poll(ctx, fmt.Sprintf("node %d syncing to the others' head", i), func() (bool, error) {
		var target *head
		for _, other := range n.running() {
			if other == nd {
				continue
			}
			h, err := n.blockOf(ctx, other, -1)
			if err != nil {
				return false, err
			}
			if target == nil || h.Number > target.Number {
				target = h
			}
		}
		if target == nil {
			return true, nil // nd is the only running node
		}
		h, err := n.blockOf(ctx, nd, int64(target.Number))
		if err != nil {
			return false, n.fatalIfExited(nd, err)
		}
		if h == nil || h.Hash != target.Hash {
			return false, fmt.Errorf("others are at block %d", target.Number)
		}
		synced = uint64(target.Number)
		return true, nil
	})
	if err != nil {
		return err
	}
	if err := n.startSealing(ctx, nd); err != nil {
		return err
	}
	n.cfg.Logf("gethnet: node %d restarted and synced to block %d in %s", i, synced, time.Since(began).Round(time.Millisecond))
	return nil
}

// Close stops all nodes (SIGTERM, then SIGKILL after 20 s) and waits for
// them. It may be called more than once.
func (n *Network) Close() error {
	n.opMu.Lock()
	defer n.opMu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, len(n.nodes))
	for i, nd := range n.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = n.stopNode(nd)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (n *Network) rpcURL(port int) string {
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// Nodes returns the number of nodes (= signers).
func (n *Network) Nodes() int { return len(n.nodes) }

// RPC returns node i's HTTP JSON-RPC URL, http://127.0.0.1:port.
func (n *Network) RPC(i int) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.rpcURL(n.nodes[i].httpPort)
}

// Signer returns node i's signer address; signers are sorted by address,
// so node i is in turn at blocks n with n % Nodes() == i.
func (n *Network) Signer(i int) common.Address { return n.nodes[i].addr }

// SignerKey returns node i's signer key.
func (n *Network) SignerKey(i int) *ecdsa.PrivateKey { return n.nodes[i].key }

// FundedKey returns the key of a prefunded account (DefaultBalance) that is
// not a signer, for deploying contracts and staking.
func (n *Network) FundedKey() *ecdsa.PrivateKey { return n.funded }

// ChainID returns the chain id.
func (n *Network) ChainID() *big.Int { return new(big.Int).SetUint64(n.cfg.ChainID) }

// LogPath returns node i's log file (all of its runs, appended).
func (n *Network) LogPath(i int) string { return n.nodes[i].logPath }

// freePorts returns k distinct free TCP ports on 127.0.0.1, holding all the
// listeners until the set is complete.
func freePorts(k int) ([]int, error) {
	ports := make([]int, 0, k)
	for range k {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("gethnet: free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// portsFree reports whether the TCP ports can be bound on 127.0.0.1.
func portsFree(ports ...int) bool {
	for _, p := range ports {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// logTail returns the last limit bytes of a file.
func logTail(path string, limit int64) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err.Error()
	}
	off := st.Size() - limit
	if off < 0 {
		off = 0
	}
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil {
		return err.Error()
	}
	return strings.TrimRight(string(buf), "\n")
}
