package contracts

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/params"
)

// The simulated backend always runs chain ID 1337.
var simChainID = big.NewInt(1337)

const numAccounts = 32

// account is a deterministic test key; accounts 0.. are used as initial
// validators, higher ones as candidates, delegators and bystanders.
type account struct {
	key  *ecdsa.PrivateKey
	addr common.Address
}

func testAccount(i int) account {
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("cmt-rewards validatorset test key %d", i))))
	if err != nil {
		panic(err)
	}
	return account{key: key, addr: crypto.PubkeyToAddress(key.PublicKey)}
}

var accts = func() []account {
	a := make([]account, numAccounts)
	for i := range a {
		a[i] = testAccount(i)
	}
	return a
}()

func ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.Ether)) }

// milli returns n/1000 CMT in wei.
func milli(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.Ether/1000)) }

// env is one simulated chain with one deployed ValidatorSet.
type env struct {
	t      *testing.T
	sim    *simulated.Backend
	client simulated.Client
	vs     *ValidatorSet
	c      *bind.BoundContract
	addr   common.Address
}

func addrs(as []account) []common.Address {
	out := make([]common.Address, len(as))
	for i, a := range as {
		out[i] = a.addr
	}
	return out
}

// newEnv starts a simulated chain where every test account holds 1M CMT and
// deploys a ValidatorSet with accounts 0..validators-1 and the given root
// quorum in basis points.
func newEnv(t *testing.T, validators int, quorumBps uint64) *env {
	t.Helper()
	alloc := types.GenesisAlloc{}
	for _, a := range accts {
		alloc[a.addr] = types.Account{Balance: ether(1_000_000)}
	}
	sim := simulated.NewBackend(alloc)
	t.Cleanup(func() { _ = sim.Close() })
	e := &env{t: t, sim: sim, client: sim.Client(), vs: NewValidatorSet()}
	addr, tx, err := DeployValidatorSet(e.opts(accts[numAccounts-1], nil), e.client, addrs(accts[:validators]), quorumBps)
	if err != nil {
		t.Fatalf("deploy: %s", DecodeRevert(err))
	}
	sim.Commit()
	if r := e.receipt(tx); r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("deploy failed: %+v", r)
	}
	e.addr = addr
	e.c = e.vs.Instance(e.client, addr)
	return e
}

func (e *env) opts(from account, value *big.Int) *bind.TransactOpts {
	o := bind.NewKeyedTransactor(from.key, simChainID)
	o.Value = value
	o.Context = context.Background()
	return o
}

func (e *env) receipt(tx *types.Transaction) *types.Receipt {
	e.t.Helper()
	for i := 0; ; i++ {
		r, err := e.client.TransactionReceipt(context.Background(), tx.Hash())
		if err == nil {
			return r
		}
		if i == 100 {
			e.t.Fatalf("no receipt for %s: %v", tx.Hash(), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// send submits a call (gas estimated first, so a revert comes back as an
// error carrying the revert data), mines it and returns its receipt.
func (e *env) sendTo(c *bind.BoundContract, from account, data []byte, value *big.Int) (*types.Receipt, error) {
	e.t.Helper()
	tx, err := bind.Transact(c, e.opts(from, value), data)
	if err != nil {
		return nil, err
	}
	e.sim.Commit()
	r := e.receipt(tx)
	if r.Status != types.ReceiptStatusSuccessful {
		return r, errors.New("transaction mined but failed")
	}
	return r, nil
}

// sendBlock submits several calls and mines them all in one block (so they
// share block.timestamp); every one has to succeed.
func (e *env) sendBlock(calls ...call) []*types.Receipt {
	e.t.Helper()
	var txs []*types.Transaction
	for _, c := range calls {
		tx, err := bind.Transact(e.c, e.opts(c.from, c.value), c.data)
		if err != nil {
			e.t.Fatalf("unexpected failure: %s", DecodeRevert(err))
		}
		txs = append(txs, tx)
	}
	e.sim.Commit()
	var rs []*types.Receipt
	for _, tx := range txs {
		r := e.receipt(tx)
		if r.Status != types.ReceiptStatusSuccessful {
			e.t.Fatalf("transaction %s mined but failed", tx.Hash())
		}
		rs = append(rs, r)
	}
	if rs[0].BlockNumber.Cmp(rs[len(rs)-1].BlockNumber) != 0 {
		e.t.Fatalf("calls mined in blocks %s..%s, want one block", rs[0].BlockNumber, rs[len(rs)-1].BlockNumber)
	}
	return rs
}

// call is one transaction for sendBlock.
type call struct {
	from  account
	data  []byte
	value *big.Int
}

func (e *env) send(from account, data []byte, value *big.Int) (*types.Receipt, error) {
	e.t.Helper()
	return e.sendTo(e.c, from, data, value)
}

// must sends a call to the ValidatorSet that has to succeed.
func (e *env) must(from account, data []byte, value *big.Int) *types.Receipt {
	e.t.Helper()
	r, err := e.send(from, data, value)
	if err != nil {
		e.t.Fatalf("unexpected failure: %s", DecodeRevert(err))
	}
	return r
}

// reverts sends a call to the ValidatorSet that has to revert with exactly want
// (as rendered by DecodeRevert).
func (e *env) reverts(from account, data []byte, value *big.Int, want string) {
	e.t.Helper()
	_, err := e.send(from, data, value)
	if err == nil {
		e.t.Fatalf("call succeeded, want revert %s", want)
	}
	if got := DecodeRevert(err); got != want {
		e.t.Fatalf("revert = %s, want %s", got, want)
	}
}

// fund sends CMT to the contract's receive().
func (e *env) fund(from account, amount *big.Int) *types.Receipt {
	e.t.Helper()
	tx, err := e.c.Transfer(e.opts(from, amount))
	if err != nil {
		e.t.Fatalf("fund: %s", DecodeRevert(err))
	}
	e.sim.Commit()
	return e.receipt(tx)
}

// view calls a ValidatorSet view at the latest block.
func view[T any](e *env, data []byte, unpack func([]byte) (T, error)) T {
	e.t.Helper()
	return viewOn(e, e.c, data, unpack)
}

// viewOn calls a view of another contract at the latest block.
func viewOn[T any](e *env, c *bind.BoundContract, data []byte, unpack func([]byte) (T, error)) T {
	e.t.Helper()
	v, err := bind.Call(c, nil, data, unpack)
	if err != nil {
		e.t.Fatalf("view: %s", DecodeRevert(err))
	}
	return v
}

func (e *env) balance(a common.Address) *big.Int {
	e.t.Helper()
	b, err := e.client.BalanceAt(context.Background(), a, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// latestTime is the timestamp of the head block.
func (e *env) latestTime() uint64 {
	e.t.Helper()
	h, err := e.client.HeaderByNumber(context.Background(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return h.Time
}

// blockTime is the timestamp of the block a receipt is in.
func (e *env) blockTime(r *types.Receipt) uint64 {
	e.t.Helper()
	h, err := e.client.HeaderByNumber(context.Background(), r.BlockNumber)
	if err != nil {
		e.t.Fatal(err)
	}
	return h.Time
}

// setLatestTime moves the head block's timestamp to ts (by sealing an empty
// block), so that calls estimated against it see block.timestamp == ts.
func (e *env) setLatestTime(ts uint64) {
	e.t.Helper()
	now := e.latestTime()
	if ts <= now {
		e.t.Fatalf("setLatestTime(%d): head is already at %d", ts, now)
	}
	// The pool forgets mined transactions asynchronously after a Commit, and
	// AdjustTime refuses while it still lists any as pending: wait for it.
	for i := 0; ; i++ {
		err := e.sim.AdjustTime(time.Duration(ts-now) * time.Second)
		if err == nil {
			break
		}
		if i == 200 || !strings.Contains(err.Error(), "non-empty block") {
			e.t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := e.latestTime(); got != ts {
		e.t.Fatalf("head time %d after AdjustTime, want %d", got, ts)
	}
}

// gasCost is what a receipt's sender paid in fees.
func gasCost(r *types.Receipt) *big.Int {
	return new(big.Int).Mul(new(big.Int).SetUint64(r.GasUsed), r.EffectiveGasPrice)
}

// eventNames lists the ValidatorSet events in a receipt, in log order.
func (e *env) eventNames(r *types.Receipt) []string {
	e.t.Helper()
	var names []string
	for _, l := range r.Logs {
		if l.Address != e.addr {
			continue
		}
		ev, err := e.vs.abi.EventByID(l.Topics[0])
		if err != nil {
			e.t.Fatalf("unknown event %s", l.Topics[0])
		}
		names = append(names, ev.Name)
	}
	return names
}

// allLogs returns every log the ValidatorSet emitted since genesis.
func (e *env) allLogs() []types.Log {
	e.t.Helper()
	logs, err := e.client.FilterLogs(context.Background(), ethereum.FilterQuery{
		FromBlock: big.NewInt(0),
		Addresses: []common.Address{e.addr},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return logs
}

func wantBig(t *testing.T, what string, got, want *big.Int) {
	t.Helper()
	if got.Cmp(want) != 0 {
		t.Fatalf("%s = %s, want %s", what, got, want)
	}
}

func wantEq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func wantNames(t *testing.T, got []string, want ...string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
}

func pubkey(seed byte) []byte {
	k := make([]byte, 64)
	for i := range k {
		k[i] = seed + byte(i)
	}
	return k
}
