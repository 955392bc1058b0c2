package txsend

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"

	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/internal/txtest"
)

// TestTxCancelThenResume is the cancellation contract: a Send whose context
// ends after the transaction is recorded — before its broadcast reached the
// node, while it waits in the pool, or mined but short of its
// confirmations — returns Pending with a nil error; a new Sender (another
// process) on the same records resumes the very same transaction, and the
// key sends exactly one.
func TestTxCancelThenResume(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// first runs the first Send until cancel is due; it returns once
		// the test may cancel.
		drop     bool // the first Send's broadcasts are lost
		mineTill string
	}{
		{name: "recorded, broadcast lost", drop: true},
		{name: "broadcast, in the pool"},
		{name: "mined, not confirmed", mineTill: StepMined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			cfg := e.config()
			cfg.Confirmations = 6
			store := e.store()
			in := Intent{Key: "stake", Call: e.stake(1e18)}
			before := e.nonce(e.from())
			e.proxy.DropAll.Store(tc.drop)

			reached := make(chan string, 16)
			first := in
			first.OnStep = func(step string) { reached <- step }
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan struct{})
			var res Result
			var err error
			go func() {
				defer close(done)
				res, err = e.sender(cfg, store, nil, nil, nil).Send(ctx, first)
			}()
			want := StepBroadcast
			if tc.drop {
				want = StepRecorded
			}
			if tc.mineTill != "" {
				want = tc.mineTill
			}
			waitStep(t, reached, want, func() {
				if tc.mineTill != "" {
					e.net.Mine(t, 1) // mined, and 1 of the 6 confirmations
				}
			})
			cancel()
			<-done
			if err != nil || res.Status != Pending || res.Attempts != 1 || res.TxHash == ([32]byte{}) {
				t.Fatalf("cancelled Send: %+v, %v; want Pending with 1 attempt and a nil error", res, err)
			}
			if rec := readRecord(t, store, in.Key); rec.State != RecordOpen || len(rec.Attempts) != 1 || rec.Attempts[0].Hash != res.TxHash {
				t.Fatalf("record after the cancelled Send: %+v", rec)
			}

			e.proxy.DropAll.Store(false)
			e.mineEvery(30 * time.Millisecond)
			again, err := e.sender(cfg, store, nil, nil, nil).Send(ctxFor(t, 20*time.Second), in)
			if err != nil {
				t.Fatal(err)
			}
			if again.Status != Confirmed || again.TxHash != res.TxHash || again.Attempts != 1 {
				t.Fatalf("resumed: %+v, want Confirmed with the recorded transaction %s", again, res.TxHash)
			}
			if n := e.nonce(e.from()); n != before+1 {
				t.Fatalf("the sender sent %d transactions, want exactly 1", n-before)
			}
		})
	}
}

// waitStep waits until step is reached, calling poke every 50ms
// meanwhile.
func waitStep(t *testing.T, reached <-chan string, step string, poke func()) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case s := <-reached:
			if s == step {
				return
			}
		case <-time.After(50 * time.Millisecond):
			poke()
		case <-deadline:
			t.Fatalf("step %q not reached", step)
		}
	}
}

// sendUntil runs s.Send(in) and cancels it once step is reached.
func sendUntil(t *testing.T, s *Sender, in Intent, step string) (Result, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in.OnStep = func(s string) {
		if s == step {
			cancel()
		}
	}
	done := make(chan struct{})
	var res Result
	var err error
	go func() { defer close(done); res, err = s.Send(ctx, in) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cancel()
		<-done
		t.Fatalf("step %q not reached", step)
	}
	return res, err
}

// TestTxMinedRevert: our transaction is mined and reverts. Send names the
// custom error found by re-running the call at its block and closes the
// record; the next Send starts over from a simulation, which refuses it,
// and nothing more is sent.
func TestTxMinedRevert(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mineEvery(30 * time.Millisecond)
	store := e.store()
	in := Intent{Key: "zero", Name: "stake", Call: e.stake(0)}
	before := e.nonce(e.from())
	_, err := e.sender(e.config(), store, lyingBackend{Backend: e.client()}, nil, nil).Send(ctxFor(t, 20*time.Second), in)
	if !errors.Is(err, ErrReverted) || !strings.Contains(err.Error(), "reverted: ZeroAmount() (transaction 0x") {
		t.Fatalf("error %v, want the mined revert named", err)
	}
	if rec := readRecord(t, store, in.Key); rec.State != RecordClosed || len(rec.Attempts) != 1 {
		t.Fatalf("record %+v, want closed", rec)
	}
	sends := e.proxy.Sends.Load()
	if _, err := e.sender(e.config(), store, nil, nil, nil).Send(ctxFor(t, 20*time.Second), in); !errors.Is(err, ErrReverted) {
		t.Fatalf("second Send: %v, want the simulation's revert", err)
	}
	if e.proxy.Sends.Load() != sends || e.nonce(e.from()) != before+1 {
		t.Fatal("a call known to revert was sent again")
	}
}

// TestTxReorgUnminesTransaction: the block holding our transaction is
// replaced by a branch without it; Send does not count the lost block and
// confirms the transaction in the block that holds it afterwards.
func TestTxReorgUnminesTransaction(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cfg := e.config()
	cfg.Confirmations = 4
	log, logs := txtest.Observed(t)
	s := e.sender(cfg, e.store(), nil, log, nil)
	done := make(chan struct{})
	var res Result
	var err error
	go func() {
		defer close(done)
		res, err = s.Send(ctxFor(t, 20*time.Second), Intent{Key: "stake", Name: "stake", Call: e.stake(1e18)})
	}()

	var minedAt uint64
	for minedAt == 0 {
		time.Sleep(30 * time.Millisecond)
		e.net.Mine(t, 1)
		if e.nonce(e.from()) == 1 {
			minedAt = e.net.Chain.Head().Number.Uint64()
		}
	}
	for logs.FilterMessage("stake mined").Len() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := e.net.Chain.Reorg(devchain.Fork{Depth: 1, Length: 2}); err != nil {
		t.Fatal(err)
	}
	if e.nonce(e.from()) != 0 {
		t.Fatal("the reorg kept the transaction")
	}
	for deadline := time.Now().Add(5 * time.Second); logs.FilterMessageSnippet("left the canonical chain").Len() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the reorg went unnoticed")
		}
	}
	stop := e.mineEvery(30 * time.Millisecond)
	<-done
	stop()
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Confirmed || res.Block <= minedAt {
		t.Fatalf("result %+v, want Confirmed in a block after %d", res, minedAt)
	}
	if _, rcpt := e.tx(res.TxHash); rcpt.BlockHash != e.net.Chain.HeaderByNumber(res.Block).Hash() {
		t.Fatalf("receipt in block %d, not canonical", rcpt.BlockNumber)
	}
	if n := e.nonce(e.from()); n != 1 {
		t.Fatalf("the sender sent %d transactions, want 1", n)
	}
}

// TestTxNonceTakenElsewhere: the recorded nonce is consumed by another
// transaction of the same key before ours got out; the call is still
// wanted, so Send signs it again with the next nonce (after giving the
// node's receipt index a few polls).
func TestTxNonceTakenElsewhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	store := e.store()
	in := Intent{Key: "stake", Call: e.stake(1e18)}
	e.proxy.DropAll.Store(true)
	first, err := sendUntil(t, e.sender(e.config(), store, nil, nil, nil), in, StepRecorded)
	if err != nil || first.Status != Pending || first.Attempts != 1 {
		t.Fatalf("first Send: %+v, %v", first, err)
	}
	other := testnet.Addr(e.net.Users[0])
	tx, err := e.net.Chain.SendTx(context.Background(), e.key, &other, big.NewInt(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	e.net.Commit(t, tx)

	e.proxy.DropAll.Store(false)
	e.mineEvery(30 * time.Millisecond)
	res, err := e.sender(e.config(), store, nil, nil, nil).Send(ctxFor(t, 20*time.Second), in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Confirmed || res.Attempts != 2 || res.TxHash == first.TxHash {
		t.Fatalf("result %+v, want Confirmed with a second nonce", res)
	}
	if mined, _ := e.tx(res.TxHash); mined.Nonce() != 1 {
		t.Fatalf("mined with nonce %d, want 1", mined.Nonce())
	}
	if n := e.nonce(e.from()); n != 2 {
		t.Fatalf("the key sent %d transactions, want 2 (the other one and ours)", n)
	}
}

// TestTxStaleAttemptIsOutbid: an intent abandoned while its transaction is
// pending holds the key's next nonce in the pool. A new intent takes that
// nonce (NonceAt(latest)), priced to replace the stale attempt, which is
// never mined; resumed later, the abandoned intent finds its nonce used by
// another transaction and signs the next. Each intent is on chain once.
func TestTxStaleAttemptIsOutbid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	store := e.store()
	a := Intent{Key: "a", Call: e.stake(1e18)}
	first, err := sendUntil(t, e.sender(e.config(), store, nil, nil, nil), a, StepBroadcast)
	if err != nil || first.Status != Pending {
		t.Fatalf("abandoned intent: %+v, %v", first, err)
	}
	stale := readRecord(t, store, "a").Attempts[0]

	// Blocks only once b's transaction is in the pool: until then a's
	// would be mined.
	var mining sync.Once
	b, err := e.sender(e.config(), store, nil, nil, nil).Send(ctxFor(t, 20*time.Second), Intent{Key: "b", Call: e.stake(2e18), OnStep: func(step string) {
		if step == StepBroadcast {
			mining.Do(func() { e.mineEvery(30 * time.Millisecond) })
		}
	}})
	if err != nil || b.Status != Confirmed {
		t.Fatalf("new intent: %+v, %v", b, err)
	}
	tx, _ := e.tx(b.TxHash)
	if tx.Nonce() != stale.Nonce || !replaces(fees{TipCap: tx.GasTipCap(), FeeCap: tx.GasFeeCap()}, stale.fees()) {
		t.Fatalf("new intent mined with nonce %d tip %s fee cap %s; stale attempt nonce %d %v", tx.Nonce(), tx.GasTipCap(), tx.GasFeeCap(), stale.Nonce, stale.fees())
	}
	if _, _, err := e.net.Chain.Client().TransactionByHash(context.Background(), stale.Hash); !errors.Is(err, ethereum.NotFound) {
		t.Fatalf("the stale attempt is still known: %v", err)
	}

	again, err := e.sender(e.config(), store, nil, nil, nil).Send(ctxFor(t, 20*time.Second), a)
	if err != nil || again.Status != Confirmed || again.Attempts != 2 {
		t.Fatalf("resumed abandoned intent: %+v, %v", again, err)
	}
	if n := e.nonce(e.from()); n != 2 {
		t.Fatalf("the key sent %d transactions, want 2", n)
	}
}

// TestTxWatch: the Watch decides what a poll means.
func TestTxWatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mineEvery(30 * time.Millisecond)
	errStop := errors.New("the call is not wanted any more")
	for _, tc := range []struct {
		name      string
		watch     func(polls int, p Poll) (Action, error)
		want      Status
		wantErr   error
		wantSends int64
	}{
		{name: "stop at once", watch: func(int, Poll) (Action, error) { return Stop, nil }, want: Stopped},
		{name: "wait, then proceed", want: Confirmed, wantSends: 1, watch: func(n int, _ Poll) (Action, error) {
			if n < 3 {
				return Wait, nil
			}
			return Proceed, nil
		}},
		{name: "retry an error", want: Confirmed, wantSends: 1, watch: func(n int, _ Poll) (Action, error) {
			if n < 2 {
				return Wait, Retry(errors.New("flaky read"))
			}
			return Proceed, nil
		}},
		{name: "an error ends Send", want: Pending, wantErr: errStop, watch: func(int, Poll) (Action, error) { return Wait, errStop }},
		{name: "stop instead of confirming", want: Stopped, wantSends: 1, watch: func(_ int, p Poll) (Action, error) {
			if p.Confirmed {
				return Stop, nil
			}
			return Proceed, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := e.sub(t)
			store := e.store()
			sends := e.proxy.Sends.Load()
			polls := 0
			in := Intent{Key: "w", Call: e.stake(1e17), Watch: func(_ context.Context, p Poll) (Action, error) {
				polls++
				return tc.watch(polls, p)
			}}
			res, err := e.sender(e.config(), store, nil, nil, nil).Send(ctxFor(t, 20*time.Second), in)
			if !errors.Is(err, tc.wantErr) || res.Status != tc.want {
				t.Fatalf("result %+v, %v; want %v, %v", res, err, tc.want, tc.wantErr)
			}
			if n := e.proxy.Sends.Load() - sends; n != tc.wantSends {
				t.Fatalf("%d broadcasts, want %d", n, tc.wantSends)
			}
			if rec := readRecord(t, store, in.Key); tc.want == Stopped && tc.wantSends == 1 && rec.State != RecordOpen {
				t.Fatalf("a stopped Send changed the record to %s", rec.State)
			}
		})
	}
}

// TestTxConcurrentSends: two intents sent at once through one Sender take
// consecutive nonces and are both confirmed, each once.
func TestTxConcurrentSends(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mineEvery(30 * time.Millisecond)
	s := e.sender(e.config(), e.store(), nil, nil, nil)
	var wg sync.WaitGroup
	res := make([]Result, 4)
	errs := make([]error, 4)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Intents 0 and 2, and 1 and 3, are the same intent twice.
			res[i], errs[i] = s.Send(ctxFor(t, 20*time.Second), Intent{Key: []string{"a", "b"}[i%2], Call: e.stake(int64(1e17) * int64(1+i%2))})
		}()
	}
	wg.Wait()
	nonces := map[uint64]bool{}
	for i := range res {
		if errs[i] != nil || res[i].Status != Confirmed || res[i].TxHash != res[i%2].TxHash {
			t.Fatalf("Send %d: %+v, %v", i, res[i], errs[i])
		}
		tx, _ := e.tx(res[i].TxHash)
		nonces[tx.Nonce()] = true
	}
	if len(nonces) != 2 || e.nonce(e.from()) != 2 || e.proxy.Sends.Load() != 2 {
		t.Fatalf("nonces %v, %d transactions, %d broadcasts; want 2 of each", nonces, e.nonce(e.from()), e.proxy.Sends.Load())
	}
}

// TestTxFlakyRPC: a fifth of all requests are dropped and a fifth delayed;
// the call still lands exactly once.
func TestTxFlakyRPC(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mineEvery(30 * time.Millisecond)
	p, c := txtest.Flaky(t, e.net.Chain.RPCURL())
	cfg := e.config()
	cfg.ResendAfter = 200 * time.Millisecond
	var s *Sender
	var err error
	for s == nil { // New itself may meet a dropped request
		if s, err = New(context.Background(), cfg, c, e.key, e.store(), zaptest.NewLogger(t, zaptest.Level(zapcore.ErrorLevel)), nil); err != nil {
			t.Log(err)
		}
	}
	res, err := s.Send(ctxFor(t, 30*time.Second), Intent{Key: "stake", Call: e.stake(1e18)})
	if err != nil || res.Status != Confirmed {
		t.Fatalf("result %+v, %v", res, err)
	}
	if p.Dropped.Load() == 0 {
		t.Fatal("the proxy dropped nothing")
	}
	if n := e.nonce(e.from()); n != 1 {
		t.Fatalf("the sender sent %d transactions, want 1", n)
	}
}

// TestTxNewChecksTheChain: a node of another chain is refused.
func TestTxNewChecksTheChain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cfg := e.config()
	cfg.ChainID = 7
	if _, err := New(context.Background(), cfg, e.client(), e.key, e.store(), nil, nil); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("error %v, want ErrWrongChain", err)
	}
	cfg.BumpPercent = 5
	if _, err := New(context.Background(), cfg, e.client(), e.key, e.store(), nil, nil); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("error %v, want ErrInvalidConfig", err)
	}
}
