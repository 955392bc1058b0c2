package txsend

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// TestTxConfirms sends one stake on a real chain whose node loses some
// broadcasts: the stake is confirmed exactly once (the sender's nonce
// moves by one), with the fees bumped on the same nonce when a resend is
// lost too, and a second Send answers from the record without any RPC.
func TestTxConfirms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		drops        int64
		resendAfter  time.Duration
		clock        bool // an injected clock that moves an hour per reading
		wantAttempts int
	}{
		{name: "confirms", wantAttempts: 1},
		{name: "dropped broadcast is repeated", drops: 1, resendAfter: 300 * time.Millisecond, wantAttempts: 1},
		{name: "dropped twice is replaced", drops: 2, resendAfter: 300 * time.Millisecond, wantAttempts: 2},
		{name: "replaced on the injected clock", drops: 2, resendAfter: time.Hour, clock: true, wantAttempts: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.mineEvery(30 * time.Millisecond)
			cfg := e.config()
			if tc.resendAfter != 0 {
				cfg.ResendAfter = tc.resendAfter
			}
			var now func() time.Time
			if tc.clock {
				now = (&fakeClock{now: time.Unix(1_800_000_000, 0), step: time.Hour}).Now
			}
			e.proxy.Drop.Store(tc.drops)
			store := e.store()
			s := e.sender(cfg, store, nil, nil, now)
			before := e.nonce(e.from())
			var steps []string
			in := Intent{Key: "stake-1", Name: "stake", Call: e.stake(1e18), OnStep: func(step string) { steps = append(steps, step) }}

			res, err := s.Send(ctxFor(t, 20*time.Second), in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != Confirmed || res.Attempts != tc.wantAttempts {
				t.Fatalf("result %+v, want Confirmed after %d attempts", res, tc.wantAttempts)
			}
			tx, rcpt := e.tx(res.TxHash)
			if rcpt.Status != types.ReceiptStatusSuccessful || rcpt.BlockNumber.Uint64() != res.Block || rcpt.GasUsed != res.GasUsed ||
				res.Fee.Cmp(new(big.Int).Mul(rcpt.EffectiveGasPrice, new(big.Int).SetUint64(rcpt.GasUsed))) != 0 {
				t.Fatalf("receipt block %d status %d gas %d; result %+v", rcpt.BlockNumber, rcpt.Status, rcpt.GasUsed, res)
			}
			if head := e.net.Chain.Head().Number.Uint64(); head+1-res.Block < cfg.Confirmations {
				t.Fatalf("confirmed at depth %d, want ≥ %d", head+1-res.Block, cfg.Confirmations)
			}
			if tx.Nonce() != before || tx.Value().Cmp(in.Call.Value) != 0 {
				t.Fatalf("mined nonce %d value %s, want nonce %d value %s", tx.Nonce(), tx.Value(), before, in.Call.Value)
			}
			if n := e.nonce(e.from()); n != before+1 {
				t.Fatalf("the sender sent %d transactions, want 1", n-before)
			}
			if sends := e.proxy.Sends.Load(); sends < tc.drops+1 {
				t.Fatalf("%d broadcasts, want ≥ %d", sends, tc.drops+1)
			}
			rec := readRecord(t, store, in.Key)
			if rec.State != RecordConfirmed || rec.Final.Tx != res.TxHash || len(rec.Attempts) != tc.wantAttempts || !rec.Call.Equal(in.Call) {
				t.Fatalf("record %+v", rec)
			}
			if tc.wantAttempts == 2 {
				a, b := rec.Attempts[0], rec.Attempts[1]
				if a.Nonce != b.Nonce || !replaces(b.fees(), a.fees()) {
					t.Fatalf("replacement %+v does not replace %+v", b, a)
				}
			}
			if steps[0] != StepRecorded || !contains(steps, StepBroadcast) || !contains(steps, StepMined) {
				t.Fatalf("steps %v", steps)
			}

			reqs := e.proxy.Requests.Load()
			again, err := s.Send(ctxFor(t, 5*time.Second), in)
			if err != nil || again.Status != Confirmed || again.TxHash != res.TxHash || again.Block != res.Block {
				t.Fatalf("second Send: %+v, %v; want %+v", again, err, res)
			}
			if n := e.proxy.Requests.Load() - reqs; n != 0 {
				t.Fatalf("the second Send made %d requests", n)
			}
		})
	}
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// TestTxRefused: what Send refuses before it records anything, and what
// it refuses to mix up; nothing is broadcast in any case.
func TestTxRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	poor := e.fundedKey(big.NewInt(1e15)) // pays the stake's value, not its gas
	for _, tc := range []struct {
		name   string
		key    func() Intent
		sender func(e *env) *Sender
		isErr  error
		want   string
	}{
		{name: "simulation reverts", key: func() Intent { return Intent{Key: "zero", Call: e.stake(0)} },
			isErr: ErrReverted, want: "reverted: ZeroAmount()"},
		{name: "custom error with arguments", key: func() Intent {
			return Intent{Key: "nobody", Call: Call{To: e.net.Contract, Data: vs.PackStake(common.Address{7}), Value: big.NewInt(1)}}
		}, isErr: ErrReverted, want: "reverted: NotValidatorOrCandidate(account=0x0700000000000000000000000000000000000000)"},
		{name: "value above the balance", key: func() Intent { return Intent{Key: "rich", Call: e.stake(1e15 + 1)} },
			sender: func(e *env) *Sender { return e.withKey(poor) }, isErr: ErrInsufficientFunds},
		{name: "gas above the balance", key: func() Intent { return Intent{Key: "gas", Call: e.stake(1e15)} },
			sender: func(e *env) *Sender { return e.withKey(poor) }, isErr: ErrInsufficientFunds, want: "the transaction may cost"},
		{name: "no key", key: func() Intent { return Intent{Call: e.stake(1)} }, isErr: ErrInvalidIntent},
		{name: "no contract", key: func() Intent { return Intent{Key: "x", Call: Call{Data: []byte{1}}} }, isErr: ErrInvalidIntent},
		{name: "negative value", key: func() Intent { return Intent{Key: "x", Call: e.stake(-1)} }, isErr: ErrInvalidIntent},
		{name: "creation with a contract address", key: func() Intent {
			return Intent{Key: "x", Call: Call{To: e.net.Contract, Data: []byte{1}, Create: true}}
		}, isErr: ErrInvalidIntent, want: "a contract creation has no contract address"},
		{name: "creation without a key", key: func() Intent { return Intent{Call: Call{Data: []byte{1}, Create: true}} }, isErr: ErrInvalidIntent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := e.sub(t)
			store := e.store()
			s := e.sender(e.config(), store, nil, nil, nil)
			if tc.sender != nil {
				s = tc.sender(e)
				store = s.store.(*FileStore)
			}
			sends := e.proxy.Sends.Load()
			in := tc.key()
			res, err := s.Send(ctxFor(t, 10*time.Second), in)
			if !errors.Is(err, tc.isErr) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %v containing %q", err, tc.isErr, tc.want)
			}
			if res.Status != Pending || res.Attempts != 0 {
				t.Fatalf("result %+v", res)
			}
			if n := e.proxy.Sends.Load() - sends; n != 0 {
				t.Fatalf("%d broadcasts", n)
			}
			n := 0
			if err := store.Each(func(*Record) error { n++; return nil }); err != nil || n != 0 {
				t.Fatalf("%d records stored (%v)", n, err)
			}
		})
	}

	t.Run("one key, one intent", func(t *testing.T) {
		e := e.sub(t)
		store := e.store()
		s := e.sender(e.config(), store, nil, nil, nil)
		e.proxy.DropAll.Store(true) // recorded, never mined
		t.Cleanup(func() { e.proxy.DropAll.Store(false) })
		if res, err := sendUntil(t, s, Intent{Key: "k", Call: e.stake(1)}, StepRecorded); err != nil || res.Attempts != 1 {
			t.Fatalf("first intent: %+v, %v", res, err)
		}
		_, err := s.Send(ctxFor(t, time.Second), Intent{Key: "k", Call: e.stake(2)})
		if !errors.Is(err, ErrIntentMismatch) {
			t.Fatalf("another call under the same key: %v, want ErrIntentMismatch", err)
		}
		other, err := New(context.Background(), e.config(), e.client(), e.net.Users[0], store, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Send(ctxFor(t, time.Second), Intent{Key: "k", Call: e.stake(1)}); !errors.Is(err, ErrIntentMismatch) {
			t.Fatalf("the same call from another key: %v, want ErrIntentMismatch", err)
		}
	})
}

// sub returns e for a subtest.
func (e *env) sub(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// withKey is a Sender of key recording in a fresh store.
func (e *env) withKey(key *ecdsa.PrivateKey) *Sender {
	c := *e
	c.key = key
	return c.sender(c.config(), c.store(), nil, nil, nil)
}
