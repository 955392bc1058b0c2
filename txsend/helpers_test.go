package txsend

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"path/filepath"
	"sync"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/internal/txtest"
)

var vs = contracts.NewValidatorSet()

// env is one test's chain with the validator contract, and a node
// endpoint through a proxy that counts (and can drop) broadcasts. Its
// calls are stakes: payable, by anyone, each one a new transaction.
type env struct {
	t     *testing.T
	net   *testnet.Net
	proxy *txtest.SendProxy
	key   *ecdsa.PrivateKey // the sender: a funded user that is not the deployer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	n := testnet.New(t, testnet.Options{Validators: 1})
	return &env{t: t, net: n, proxy: txtest.StartSendProxy(t, n.Chain.RPCURL()), key: n.Users[1]}
}

// stake is a call staking wei with validator 0.
func (e *env) stake(wei int64) Call {
	return Call{To: e.net.Contract, Data: vs.PackStake(testnet.Addr(e.net.Signers[0])), Value: big.NewInt(wei)}
}

// config is a fast test configuration: 2 confirmations, polls every 20ms,
// no resend within the test unless a test asks for one.
func (e *env) config() Config {
	return Config{ChainID: devchain.DefaultChainID, Confirmations: 2, ResendAfter: time.Hour,
		PollInterval: 20 * time.Millisecond, RPCTimeout: 5 * time.Second}
}

// client dials the node through the proxy.
func (e *env) client() *ethclient.Client { return txtest.Dial(e.t, e.proxy.URL()) }

// store opens a FileStore in a fresh directory.
func (e *env) store() *FileStore {
	s, err := OpenFileStore(filepath.Join(e.t.TempDir(), "tx"))
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// sender builds a Sender of e.key through the proxy (b nil) or b; log and
// now may be nil.
func (e *env) sender(cfg Config, store Store, b Backend, log *zap.Logger, now func() time.Time) *Sender {
	e.t.Helper()
	if b == nil {
		b = e.client()
	}
	if log == nil {
		log = zaptest.NewLogger(e.t, zaptest.Level(zapcore.WarnLevel))
	}
	s, err := New(context.Background(), cfg, b, e.key, store, log, now)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// nonce is how many transactions a has sent (read directly, not through
// the proxy).
func (e *env) nonce(a common.Address) uint64 {
	e.t.Helper()
	n, err := e.net.Chain.Client().NonceAt(context.Background(), a, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) from() common.Address { return testnet.Addr(e.key) }

// mineEvery mines a block every d until the returned stop is called or
// the test ends.
func (e *env) mineEvery(d time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	wait := e.net.KeepMining(ctx, d)
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wait() }) }
	e.t.Cleanup(stop)
	return stop
}

// tx returns a mined transaction and its receipt.
func (e *env) tx(h common.Hash) (*types.Transaction, *types.Receipt) {
	e.t.Helper()
	tx, _, err := e.net.Chain.Client().TransactionByHash(context.Background(), h)
	if err != nil {
		e.t.Fatalf("transaction %s: %v", h, err)
	}
	r, err := e.net.Chain.Client().TransactionReceipt(context.Background(), h)
	if err != nil {
		e.t.Fatalf("receipt %s: %v", h, err)
	}
	return tx, r
}

// fundedKey returns a new key holding wei.
func (e *env) fundedKey(wei *big.Int) *ecdsa.PrivateKey {
	e.t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		e.t.Fatal(err)
	}
	to := testnet.Addr(k)
	tx, err := e.net.Chain.SendTx(context.Background(), e.net.Users[0], &to, wei, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.net.Commit(e.t, tx)
	return k
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// lyingBackend hides reverts from the simulation at the latest block and
// from the gas estimate, so that a reverting call gets mined.
type lyingBackend struct{ Backend }

func (b lyingBackend) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	if block == nil {
		return nil, nil
	}
	return b.Backend.CallContract(ctx, msg, block)
}

func (b lyingBackend) EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error) {
	if g, err := b.Backend.EstimateGas(ctx, msg); err == nil {
		return g, nil
	}
	return 200_000, nil
}

// fakeClock is a clock that moves by step every time it is read: an hour
// of ResendAfter passes in a few polls.
type fakeClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// readRecord reads key's record straight from the store's file.
func readRecord(t *testing.T, s *FileStore, key string) *Record {
	t.Helper()
	r, err := s.Load(key)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
