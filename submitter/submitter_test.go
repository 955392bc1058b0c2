package submitter

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"

	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/internal/txtest"
)

func vote(epoch uint64, root byte) Vote {
	return Vote{Epoch: epoch, Root: common.Hash{root}, Total: big.NewInt(0), ResultHash: common.Hash{0xee, root}}
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestSubmitConfirms(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.mineEvery(30 * time.Millisecond)
	me := e.net.Signers[0]
	cfg := e.config(me)
	cfg.Confirmations = 3
	l := e.ledger()
	s := e.submitter(cfg, l, nil, nil)
	if s.Address() != testnet.Addr(me) {
		t.Fatalf("Address() = %s, want %s", s.Address(), testnet.Addr(me))
	}

	v := vote(0, 1)
	out, err := s.Submit(ctxFor(t, 20*time.Second), v)
	if err != nil {
		t.Fatal(err)
	}
	if out.State != Confirmed || out.Attempts != 1 || out.TxHash == (common.Hash{}) {
		t.Fatalf("outcome %+v, want Confirmed after 1 attempt", out)
	}
	rcpt, err := e.net.Chain.Client().TransactionReceipt(context.Background(), out.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if rcpt.BlockNumber.Uint64() != out.Block || rcpt.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("receipt block %d status %d, outcome block %d", rcpt.BlockNumber, rcpt.Status, out.Block)
	}
	if head := e.net.Chain.Head().Number.Uint64(); head+1-out.Block < 3 {
		t.Fatalf("confirmed at depth %d, want ≥ 3", head+1-out.Block)
	}
	if got := e.nextEpoch(); got != 1 {
		t.Fatalf("nextEpoch = %d, want 1", got)
	}
	if sends := e.proxy.sends.Load(); sends != 1 {
		t.Fatalf("%d sends, want 1", sends)
	}

	// A second Submit answers from the record: no RPC at all.
	reqs := e.proxy.requests.Load()
	again, err := s.Submit(ctxFor(t, 5*time.Second), v)
	if err != nil {
		t.Fatal(err)
	}
	if again.State != Confirmed || again.TxHash != out.TxHash || again.Block != out.Block {
		t.Fatalf("second Submit: %+v, want %+v", again, out)
	}
	if n := e.proxy.requests.Load() - reqs; n != 0 {
		t.Fatalf("second Submit made %d requests", n)
	}

	// A Submitter that lost its ledger finds the vote on chain.
	fresh := e.submitter(cfg, e.ledger(), nil, nil)
	got, err := fresh.Submit(ctxFor(t, 10*time.Second), v)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != Accepted && got.State != AlreadyVoted {
		t.Fatalf("fresh Submitter: %v", got.State)
	}
	if got.State != AlreadyVoted {
		t.Fatalf("fresh Submitter: %v, want AlreadyVoted (our vote is on chain)", got.State)
	}
	if sends := e.proxy.sends.Load(); sends != 1 {
		t.Fatalf("%d sends after the repeats, want 1", sends)
	}

	// The next epoch goes out with the next nonce.
	next, err := s.Submit(ctxFor(t, 20*time.Second), vote(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	if next.State != Confirmed {
		t.Fatalf("epoch 1: %+v", next)
	}
	tx, _, err := e.net.Chain.Client().TransactionByHash(context.Background(), next.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Nonce() != 1 {
		t.Fatalf("epoch 1 vote has nonce %d, want 1", tx.Nonce())
	}
}

// TestResumeAfterCrash: the first Submitter signs and records the vote but
// its broadcast never reaches the node (as if it crashed right after the
// record); a new Submitter on the same ledger sends the very same
// transaction.
func TestResumeAfterCrash(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.mineEvery(30 * time.Millisecond)
	me := e.net.Signers[0]
	cfg := e.config(me)
	l := e.ledger()
	v := vote(0, 1)

	e.proxy.dropAll.Store(true)
	a := e.submitter(cfg, l, nil, nil)
	out, err := a.Submit(ctxFor(t, 500*time.Millisecond), v)
	if err != nil {
		t.Fatal(err)
	}
	if out.State != Pending || out.Attempts != 1 || out.TxHash == (common.Hash{}) {
		t.Fatalf("first run: %+v, want Pending with 1 attempt", out)
	}
	if _, _, err := e.net.Chain.Client().TransactionByHash(context.Background(), out.TxHash); !errors.Is(err, ethereum.NotFound) {
		t.Fatalf("the dropped transaction reached the node: %v", err)
	}
	rec := records(t, l)[0]
	if rec == nil || rec.State != recOpen || len(rec.Attempts) != 1 || rec.Attempts[0].Hash != out.TxHash {
		t.Fatalf("record after the first run: %+v", rec)
	}

	e.proxy.dropAll.Store(false)
	b := e.submitter(cfg, l, nil, nil)
	res, err := b.Submit(ctxFor(t, 20*time.Second), v)
	if err != nil {
		t.Fatal(err)
	}
	if res.State != Confirmed || res.TxHash != out.TxHash || res.Attempts != 1 {
		t.Fatalf("resumed: %+v, want Confirmed with the recorded transaction %s", res, out.TxHash)
	}
	if n := e.nonce(testnet.Addr(me)); n != 1 {
		t.Fatalf("validator sent %d transactions, want 1", n)
	}
	if c := e.voteCount(v); c != 1 {
		t.Fatalf("vote count %d, want 1", c)
	}
}

func TestDroppedBroadcastIsRepeated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		drops        int64
		wantAttempts int // 1: the same transaction again; 2: replaced after a second ResendAfter
	}{
		{"rebroadcast", 1, 1},
		{"replaced", 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 1)
			e.mineEvery(30 * time.Millisecond)
			cfg := e.config(e.net.Signers[0])
			cfg.ResendAfter = 300 * time.Millisecond
			e.proxy.drop.Store(tc.drops)
			s := e.submitter(cfg, e.ledger(), nil, nil)
			out, err := s.Submit(ctxFor(t, 20*time.Second), vote(0, 1))
			if err != nil {
				t.Fatal(err)
			}
			if out.State != Confirmed || out.Attempts != tc.wantAttempts {
				t.Fatalf("outcome %+v, want Confirmed after %d attempts", out, tc.wantAttempts)
			}
			if sends := e.proxy.sends.Load(); sends < tc.drops+1 {
				t.Fatalf("%d sends, want ≥ %d", sends, tc.drops+1)
			}
			tx, _, err := e.net.Chain.Client().TransactionByHash(context.Background(), out.TxHash)
			if err != nil {
				t.Fatal(err)
			}
			if tx.Nonce() != 0 {
				t.Fatalf("mined vote has nonce %d, want 0", tx.Nonce())
			}
		})
	}
}

// TestUnderpricedIsReplaced: a vote priced below the base fee stays in the
// pool; at the cap it is only broadcast again (and an error logged); after
// the operator raises the caps and restarts, the resumed Submitter replaces
// it (same nonce, higher fees) and the replacement is mined.
func TestUnderpricedIsReplaced(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	me := e.net.Signers[0]
	l := e.ledger()
	v := vote(0, 1)
	if bf := e.net.Chain.Head().BaseFee; bf.Cmp(big.NewInt(100_000_000)) < 0 {
		t.Fatalf("base fee %s too low for the test", bf)
	}

	low := e.config(me)
	low.MaxFeeCap, low.MaxTipCap = big.NewInt(2_000_000), big.NewInt(1_000_000) // the pool's minimum tip is 1 mwei
	low.ResendAfter = 50 * time.Millisecond
	log, logs := observed(t)
	a := e.submitter(low, l, nil, log)
	ctx := ctxFor(t, time.Second)
	done := make(chan struct{})
	var first Outcome
	var firstErr error
	go func() { defer close(done); first, firstErr = a.Submit(ctx, v) }()
	for i := 0; i < 3; i++ { // a few blocks: the vote stays out
		time.Sleep(100 * time.Millisecond)
		e.net.Mine(t, 1)
	}
	<-done
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	if first.State != Pending || first.Attempts != 1 {
		t.Fatalf("underpriced run: %+v, want Pending with 1 attempt", first)
	}
	if n := e.nonce(testnet.Addr(me)); n != 0 {
		t.Fatal("the underpriced vote was mined")
	}
	if logs.FilterMessageSnippet("fee caps reached").Len() == 0 {
		t.Fatal("no error logged at the fee cap")
	}
	old := records(t, l)[0].Attempts[0]

	e.mineEvery(30 * time.Millisecond)
	high := low
	high.MaxFeeCap, high.MaxTipCap = nil, nil // defaults: 500 and 50 gwei
	high.ResendAfter = 100 * time.Millisecond
	b := e.submitter(high, l, nil, nil)
	out, err := b.Submit(ctxFor(t, 20*time.Second), v)
	if err != nil {
		t.Fatal(err)
	}
	if out.State != Confirmed || out.Attempts < 2 || out.TxHash == old.Hash {
		t.Fatalf("outcome %+v, want Confirmed with a replacement of %s", out, old.Hash)
	}
	tx, _, err := e.net.Chain.Client().TransactionByHash(context.Background(), out.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Nonce() != old.Nonce || tx.GasFeeCap().Cmp(old.FeeCap) <= 0 || tx.GasTipCap().Cmp(old.TipCap) <= 0 {
		t.Fatalf("mined nonce %d tip %s fee cap %s; first attempt nonce %d tip %s fee cap %s",
			tx.Nonce(), tx.GasTipCap(), tx.GasFeeCap(), old.Nonce, old.TipCap, old.FeeCap)
	}
	if n := e.nonce(testnet.Addr(me)); n != 1 {
		t.Fatalf("validator sent %d transactions, want 1", n)
	}
}

func TestAcceptedByOthers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		theirs Vote
		want   State
	}{
		{"same vote", vote(0, 1), Accepted},
		{"different root", vote(0, 9), Disputed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 3)
			e.voteBy(e.net.Signers[1], tc.theirs) // 2 of 3: accepted
			e.voteBy(e.net.Signers[2], tc.theirs)
			e.mineEvery(30 * time.Millisecond)
			l := e.ledger()
			log, logs := observed(t)
			s := e.submitter(e.config(e.net.Signers[0]), l, nil, log)
			out, err := s.Submit(ctxFor(t, 10*time.Second), vote(0, 1))
			if err != nil {
				t.Fatal(err)
			}
			if out.State != tc.want || out.Accepted == nil || !same(*out.Accepted, tc.theirs) || out.Attempts != 0 {
				t.Fatalf("outcome %+v (accepted %v), want %v with their vote", out, out.Accepted, tc.want)
			}
			if n := e.proxy.sends.Load(); n != 0 {
				t.Fatalf("%d sends, want none", n)
			}
			if n := len(records(t, l)); n != 0 {
				t.Fatalf("%d records stored, want none", n)
			}
			if tc.want == Disputed && logs.FilterLevelExact(zapcore.ErrorLevel).Len() == 0 {
				t.Fatal("dispute not logged at error level")
			}
		})
	}
}

func TestSimulationRevert(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	for _, tc := range []struct {
		name  string
		key   *ecdsa.PrivateKey
		vote  Vote
		want  string
		isErr error
	}{
		{"epoch ahead", e.net.Signers[0], vote(5, 1), "submit epoch 5: ", ErrEpochNotOpen},
		{"epoch ahead names the revert", e.net.Signers[0], vote(5, 1), "EpochNotNext(expected=0, got=5)", ErrReverted},
		{"not a validator", e.net.Users[1], vote(0, 1), "reverted: NotActiveValidator(account=" + testnet.Addr(e.net.Users[1]).Hex() + ")", ErrReverted},
		{"total above funds", e.net.Signers[0], Vote{Root: common.Hash{1}, Total: big.NewInt(1)}, "submit epoch 0: reverted: TotalExceedsFunds(available=0, got=1)", ErrReverted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := e.sub(t)
			l := e.ledger()
			sends := e.proxy.sends.Load()
			s := e.submitter(e.config(tc.key), l, nil, nil)
			out, err := s.Submit(ctxFor(t, 10*time.Second), tc.vote)
			if err == nil || !errors.Is(err, tc.isErr) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %v containing %q", err, tc.isErr, tc.want)
			}
			if out.State != Pending || out.Attempts != 0 {
				t.Fatalf("outcome %+v", out)
			}
			if n := len(records(t, l)); n != 0 {
				t.Fatalf("%d records stored", n)
			}
			if n := e.proxy.sends.Load() - sends; n != 0 {
				t.Fatalf("%d sends", n)
			}
		})
	}
}

// lyingBackend hides reverts from the pre-send simulation (the eth_call at
// the latest block and the gas estimate) so that a reverting vote gets
// mined.
type lyingBackend struct {
	Backend
}

func (b lyingBackend) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	out, err := b.Backend.CallContract(ctx, msg, block)
	if block == nil && len(msg.Data) >= 4 && string(msg.Data[:4]) == string(vs.PackSubmitRoot(big.NewInt(0), [32]byte{}, big.NewInt(0), [32]byte{})[:4]) {
		return nil, nil
	}
	return out, err
}

func (b lyingBackend) EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error) {
	if g, err := b.Backend.EstimateGas(ctx, msg); err == nil {
		return g, nil
	}
	return 200_000, nil
}

// TestMinedRevert: our vote is mined but reverts. Submit names the custom
// error found by re-running the vote at its block and closes the record; a
// later Submit starts over from a simulation, and with a new nonce once the
// vote can succeed.
func TestMinedRevert(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.mineEvery(30 * time.Millisecond)

	t.Run("custom error", func(t *testing.T) {
		e := e.sub(t)
		outsider := e.net.Users[1] // funded, not a validator
		l := e.ledger()
		s := e.submitter(e.config(outsider), l, lyingBackend{Backend: e.client()}, nil)
		_, err := s.Submit(ctxFor(t, 20*time.Second), vote(0, 1))
		want := "reverted: NotActiveValidator(account=" + testnet.Addr(outsider).Hex() + ")"
		if !errors.Is(err, ErrReverted) || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v, want %q", err, want)
		}
		if rec := records(t, l)[0]; rec == nil || rec.State != recClosed {
			t.Fatalf("record %+v, want closed", rec)
		}
	})

	t.Run("funds arrive later", func(t *testing.T) {
		e := e.sub(t)
		me := e.net.Signers[0]
		cfg := e.config(me)
		l := e.ledger()
		v := Vote{Root: common.Hash{1}, Total: big.NewInt(1), ResultHash: common.Hash{2}}
		s := e.submitter(cfg, l, lyingBackend{Backend: e.client()}, nil)
		_, err := s.Submit(ctxFor(t, 20*time.Second), v)
		want := "submit epoch 0: reverted: TotalExceedsFunds(available=0, got=1)"
		if !errors.Is(err, ErrReverted) || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v, want %q", err, want)
		}
		// The same vote again, as long as the contract lacks the funds:
		// the simulation refuses it and nothing is sent.
		sends := e.proxy.sends.Load()
		if _, err := e.submitter(cfg, l, nil, nil).Submit(ctxFor(t, 20*time.Second), v); !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v, want %q", err, want)
		}
		if e.proxy.sends.Load() != sends {
			t.Fatal("a vote known to revert was sent")
		}
		tx, err := e.net.Chain.SendTx(context.Background(), e.net.Users[0], &e.contract, big.NewInt(1), nil)
		if err != nil {
			t.Fatal(err)
		}
		e.net.Commit(t, tx)
		out, err := e.submitter(cfg, l, nil, nil).Submit(ctxFor(t, 20*time.Second), v)
		if err != nil {
			t.Fatal(err)
		}
		if out.State != Confirmed || out.Attempts != 2 {
			t.Fatalf("retry: %+v, want Confirmed as the second attempt", out)
		}
		mined, _, err := e.net.Chain.Client().TransactionByHash(context.Background(), out.TxHash)
		if err != nil {
			t.Fatal(err)
		}
		if mined.Nonce() != 1 {
			t.Fatalf("retry used nonce %d, want 1", mined.Nonce())
		}
	})
}

// TestNonceTakenElsewhere: the recorded nonce is consumed by another
// transaction of the same key before our vote got out; the vote is still
// needed, so Submit signs it again with the next nonce.
func TestNonceTakenElsewhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	me := e.net.Signers[0]
	cfg := e.config(me)
	l := e.ledger()
	v := vote(0, 1)

	e.proxy.dropAll.Store(true)
	first, err := e.submitter(cfg, l, nil, nil).Submit(ctxFor(t, 300*time.Millisecond), v)
	if err != nil || first.State != Pending {
		t.Fatalf("first run: %+v, %v", first, err)
	}
	// Conflicting vote for the same epoch: refused before anything is read.
	if _, err := e.submitter(cfg, l, nil, nil).Submit(ctxFor(t, time.Second), vote(0, 2)); !errors.Is(err, ErrConflictingVote) {
		t.Fatalf("conflicting vote: %v", err)
	}
	other := testnet.Addr(e.net.Users[0])
	tx, err := e.net.Chain.SendTx(context.Background(), me, &other, big.NewInt(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	e.net.Commit(t, tx)

	e.proxy.dropAll.Store(false)
	e.mineEvery(30 * time.Millisecond)
	out, err := e.submitter(cfg, l, nil, nil).Submit(ctxFor(t, 20*time.Second), v)
	if err != nil {
		t.Fatal(err)
	}
	if out.State != Confirmed || out.Attempts != 2 || out.TxHash == first.TxHash {
		t.Fatalf("outcome %+v, want Confirmed with a second nonce", out)
	}
	mined, _, err := e.net.Chain.Client().TransactionByHash(context.Background(), out.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if mined.Nonce() != 1 {
		t.Fatalf("vote mined with nonce %d, want 1", mined.Nonce())
	}
}

// TestQuorumTwo: two validators' Submitters send the same vote at once;
// both are Confirmed and the epoch is accepted once.
func TestQuorumTwo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 3)
	e.mineEvery(30 * time.Millisecond)
	v := vote(0, 1)
	var wg sync.WaitGroup
	outs := make([]Outcome, 2)
	errs := make([]error, 2)
	for i := range outs {
		s := e.submitter(e.config(e.net.Signers[i]), e.ledger(), nil, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = s.Submit(ctxFor(t, 20*time.Second), v)
		}()
	}
	wg.Wait()
	for i := range outs {
		if errs[i] != nil || outs[i].State != Confirmed {
			t.Fatalf("validator %d: %+v, %v", i, outs[i], errs[i])
		}
	}
	if n := e.nextEpoch(); n != 1 {
		t.Fatalf("nextEpoch = %d, want 1", n)
	}
	if c := e.voteCount(v); c != 2 {
		t.Fatalf("vote count %d, want 2", c)
	}
	logs, err := e.net.Chain.Client().FilterLogs(context.Background(), ethereum.FilterQuery{
		Addresses: []common.Address{e.contract},
		Topics:    [][]common.Hash{{vs.GetABI().Events["RootAccepted"].ID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 {
		t.Fatalf("%d RootAccepted events, want 1", len(logs))
	}
}

// TestReorgUnminesVote: the block holding our vote is replaced by a branch
// without it; Submit does not count the lost block and confirms the vote
// in the block that holds it afterwards.
func TestReorgUnminesVote(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	me := e.net.Signers[0]
	cfg := e.config(me)
	cfg.Confirmations = 4
	log, logs := observed(t)
	s := e.submitter(cfg, e.ledger(), nil, log)
	ctx := ctxFor(t, 20*time.Second)
	done := make(chan struct{})
	var out Outcome
	var err error
	go func() { defer close(done); out, err = s.Submit(ctx, vote(0, 1)) }()

	var minedAt uint64
	for minedAt == 0 {
		time.Sleep(30 * time.Millisecond)
		e.net.Mine(t, 1)
		if e.nonce(testnet.Addr(me)) == 1 {
			minedAt = e.net.Chain.Head().Number.Uint64()
		}
	}
	for logs.FilterMessage("vote mined").Len() == 0 { // Submit saw it mined
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := e.net.Chain.Reorg(devchain.Fork{Depth: 1, Length: 2}); err != nil {
		t.Fatal(err)
	}
	if e.nonce(testnet.Addr(me)) != 0 {
		t.Fatal("the reorg kept the vote")
	}
	// Give Submit a moment to poll the new branch before the vote is mined
	// again: on a loaded machine the next block could otherwise come first.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && logs.FilterMessageSnippet("left the canonical chain").Len() == 0; {
		time.Sleep(10 * time.Millisecond)
	}
	stop := e.mineEvery(30 * time.Millisecond)
	<-done
	stop()
	if err != nil {
		t.Fatal(err)
	}
	if logs.FilterMessageSnippet("left the canonical chain").Len() == 0 {
		t.Error("the reorg went unnoticed")
	}
	if out.State != Confirmed || out.Block <= minedAt {
		t.Fatalf("outcome %+v, want Confirmed in a block after %d", out, minedAt)
	}
	if h := e.net.Chain.HeaderByNumber(out.Block); h == nil {
		t.Fatal("confirmed block is not canonical")
	}
	rcpt, err := e.net.Chain.Client().TransactionReceipt(context.Background(), out.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if rcpt.BlockNumber.Uint64() != out.Block || rcpt.BlockHash != e.net.Chain.HeaderByNumber(out.Block).Hash() {
		t.Fatalf("receipt in block %d, outcome %d", rcpt.BlockNumber, out.Block)
	}
}

func TestNewKeyAndChainChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	key := e.net.Signers[0]
	for _, tc := range []struct {
		name    string
		ksMode  os.FileMode
		pwMode  os.FileMode
		pass    string // password in the file; the keystore uses "secret"
		chainID uint64
		isErr   error
		named   string // "ks" or "pw": the error names that file
	}{
		{name: "good", ksMode: 0o600, pwMode: 0o600, pass: "secret"},
		{name: "keystore readable by others", ksMode: 0o644, pwMode: 0o600, pass: "secret", isErr: ErrInsecureKeyFile, named: "ks"},
		{name: "password readable by group", ksMode: 0o600, pwMode: 0o640, pass: "secret", isErr: ErrInsecureKeyFile, named: "pw"},
		{name: "wrong password", ksMode: 0o600, pwMode: 0o600, pass: "guess", isErr: ErrWrongPassword, named: "ks"},
		{name: "wrong chain", ksMode: 0o600, pwMode: 0o600, pass: "secret", chainID: 7, isErr: ErrWrongChain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := e.sub(t)
			ks, pw := writeKey(t, key, "secret", tc.ksMode, 0o600)
			if tc.pass != "secret" || tc.pwMode != 0o600 {
				_, pw = writeKey(t, key, tc.pass, 0o600, tc.pwMode)
			}
			cfg := e.config(key)
			cfg.KeystoreFile, cfg.PasswordFile = ks, pw
			l := e.ledger()
			if tc.chainID != 0 {
				cfg.ChainID = tc.chainID
				l = openLedgerFor(t, tc.chainID, e.contract)
			}
			s, err := New(context.Background(), cfg, e.client(), l, nil, nil)
			if tc.isErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if s.Address() != testnet.Addr(key) {
					t.Fatalf("address %s, want %s", s.Address(), testnet.Addr(key))
				}
				return
			}
			if !errors.Is(err, tc.isErr) {
				t.Fatalf("error %v, want %v", err, tc.isErr)
			}
			if file := map[string]string{"ks": ks, "pw": pw}[tc.named]; file != "" && !strings.Contains(err.Error(), file) {
				t.Fatalf("error %q does not name %s", err, file)
			}
		})
	}

	t.Run("ledger of another contract", func(t *testing.T) {
		e := e.sub(t)
		cfg := e.config(key)
		_, err := New(context.Background(), cfg, e.client(), openLedgerFor(t, devchain.DefaultChainID, common.Address{1}), nil, nil)
		if !errors.Is(err, ErrWrongChain) {
			t.Fatalf("error %v, want ErrWrongChain", err)
		}
	})
}

// TestFlakyRPC: a fifth of all requests are dropped and a fifth delayed;
// the vote still lands exactly once.
func TestFlakyRPC(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.mineEvery(30 * time.Millisecond)
	p, c := txtest.Flaky(t, e.net.Chain.RPCURL())
	me := e.net.Signers[0]
	cfg := e.config(me)
	cfg.ResendAfter = 200 * time.Millisecond
	var s *Submitter
	var err error
	for s == nil { // New itself may meet a dropped request
		if s, err = New(context.Background(), cfg, c, e.ledger(), zaptest.NewLogger(t, zaptest.Level(zapcore.ErrorLevel)), nil); err != nil {
			t.Log(err)
		}
	}
	v := vote(0, 1)
	out, err := s.Submit(ctxFor(t, 30*time.Second), v)
	if err != nil {
		t.Fatal(err)
	}
	if out.State != Confirmed {
		t.Fatalf("outcome %+v", out)
	}
	if p.Dropped.Load() == 0 {
		t.Fatal("the proxy dropped nothing")
	}
	if n := e.nonce(testnet.Addr(me)); n != 1 {
		t.Fatalf("validator sent %d transactions, want 1", n)
	}
	if c := e.voteCount(v); c != 1 {
		t.Fatalf("vote count %d", c)
	}
}

// TestConcurrentSubmit: the same vote submitted twice at once through one
// Submitter is sent once; both calls see it confirmed.
func TestConcurrentSubmit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.mineEvery(30 * time.Millisecond)
	s := e.submitter(e.config(e.net.Signers[0]), e.ledger(), nil, nil)
	var wg sync.WaitGroup
	outs := make([]Outcome, 2)
	errs := make([]error, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = s.Submit(ctxFor(t, 20*time.Second), vote(0, 1))
		}()
	}
	wg.Wait()
	for i := range outs {
		if errs[i] != nil || outs[i].State != Confirmed || outs[i].TxHash != outs[0].TxHash {
			t.Fatalf("call %d: %+v, %v", i, outs[i], errs[i])
		}
	}
	if n := e.proxy.sends.Load(); n != 1 {
		t.Fatalf("%d sends, want 1", n)
	}
}
