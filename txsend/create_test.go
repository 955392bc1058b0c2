package txsend

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// creation is the creation of a ValidatorSet with validator 0 and a quorum
// of quorumBps.
func (e *env) creation(quorumBps int64) Call {
	data := append(common.FromHex(contracts.ValidatorSetMetaData.Bin),
		vs.PackConstructor([]common.Address{testnet.Addr(e.net.Signers[0])}, big.NewInt(quorumBps))...)
	return Call{Data: data, Create: true}
}

// TestTxCreateCancelThenResume is the cancellation contract for a contract
// creation: the creation is recorded (with "create": true, and no
// recipient in the signed transaction) before its broadcast, which is
// lost; the cancelled Send returns Pending with the contract's address; a
// new Sender on the same records resumes the very same transaction, and
// the key sends exactly one: one contract, at that address. A later Send
// answers from the record with the same address, and the same key with
// another creation is refused.
func TestTxCreateCancelThenResume(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cfg := e.config()
	store := e.store()
	in := Intent{Key: "deploy-1", Name: "deployment", Call: e.creation(5000)}
	before := e.nonce(e.from())
	want := crypto.CreateAddress(e.from(), before)

	e.proxy.DropAll.Store(true)
	res, err := sendUntil(t, e.sender(cfg, store, nil, nil, nil), in, StepRecorded)
	if err != nil || res.Status != Pending || res.Attempts != 1 || res.Contract != want {
		t.Fatalf("cancelled creation: %+v, %v; want Pending with 1 attempt and contract %s", res, err, want.Hex())
	}
	if n := e.nonce(e.from()); n != before {
		t.Fatalf("the broadcast was dropped, yet the nonce moved by %d", n-before)
	}
	rec := readRecord(t, store, in.Key)
	if rec.State != RecordOpen || len(rec.Attempts) != 1 || !rec.Call.Create || rec.Contract() != want {
		t.Fatalf("record after the cancelled creation: %+v", rec)
	}
	tx, err := rec.Attempts[0].tx()
	if err != nil || tx.To() != nil || tx.Nonce() != before {
		t.Fatalf("recorded transaction: to %v nonce %d (%v), want a creation with nonce %d", tx.To(), tx.Nonce(), err, before)
	}
	raw, err := os.ReadFile(store.Path(in.Key))
	if err != nil || !strings.Contains(string(raw), `"create": true`) {
		t.Fatalf("record file lacks \"create\":true (%v):\n%s", err, raw)
	}

	e.proxy.DropAll.Store(false)
	e.mineEvery(30 * time.Millisecond)
	again, err := e.sender(cfg, store, nil, nil, nil).Send(ctxFor(t, 20*time.Second), in)
	if err != nil {
		t.Fatal(err)
	}
	if again.Status != Confirmed || again.TxHash != res.TxHash || again.Attempts != 1 || again.Contract != want ||
		again.Receipt == nil || again.Receipt.ContractAddress != want {
		t.Fatalf("resumed: %+v, want Confirmed with the recorded transaction %s creating %s", again, res.TxHash, want.Hex())
	}
	if n := e.nonce(e.from()); n != before+1 {
		t.Fatalf("the sender sent %d transactions, want exactly 1", n-before)
	}
	code, err := e.net.Chain.Client().CodeAt(context.Background(), want, nil)
	if err != nil || len(code) == 0 {
		t.Fatalf("no contract at %s: %v", want.Hex(), err)
	}

	// The record answers: same address, nothing sent.
	sends := e.proxy.Sends.Load()
	third, err := e.sender(cfg, store, nil, nil, nil).Send(ctxFor(t, 5*time.Second), in)
	if err != nil || third.Status != Confirmed || third.Contract != want || third.TxHash != res.TxHash {
		t.Fatalf("from the record: %+v, %v", third, err)
	}
	if e.proxy.Sends.Load() != sends || e.nonce(e.from()) != before+1 {
		t.Fatal("a confirmed creation was sent again")
	}

	other := in
	other.Call = e.creation(6000)
	if _, err := e.sender(cfg, store, nil, nil, nil).Send(ctxFor(t, 5*time.Second), other); !errors.Is(err, ErrIntentMismatch) {
		t.Fatalf("another creation under the same key: %v, want ErrIntentMismatch", err)
	}
	call := in
	call.Call = Call{To: want, Data: in.Call.Data}
	if _, err := e.sender(cfg, store, nil, nil, nil).Send(ctxFor(t, 5*time.Second), call); !errors.Is(err, ErrIntentMismatch) {
		t.Fatalf("a call under a creation's key: %v, want ErrIntentMismatch", err)
	}
}

// TestCallJSONCreate: a call's JSON has no "create" (records written
// before creations existed decode to calls, and calls encode as before); a
// creation's has "create": true and round-trips.
func TestCallJSONCreate(t *testing.T) {
	call := Call{To: common.Address{1}, Data: []byte{2}, Value: big.NewInt(3)}
	b, err := json.Marshal(call)
	if err != nil || string(b) != `{"to":"0x0100000000000000000000000000000000000000","data":"0x02","value":3}` {
		t.Fatalf("call JSON %s (%v)", b, err)
	}
	var back Call
	if err := json.Unmarshal(b, &back); err != nil || back.Create || !back.Equal(call) {
		t.Fatalf("call decodes to %+v (%v)", back, err)
	}
	create := Call{Data: []byte{2}, Create: true}
	b, err = json.Marshal(create)
	if err != nil || !strings.Contains(string(b), `"create":true`) {
		t.Fatalf("creation JSON %s (%v)", b, err)
	}
	back = Call{}
	if err := json.Unmarshal(b, &back); err != nil || !back.Create || !back.Equal(create) || back.Equal(Call{Data: []byte{2}}) {
		t.Fatalf("creation decodes to %+v (%v)", back, err)
	}
	if (&Record{Call: call, Attempts: []Attempt{{Nonce: 1}}}).Contract() != (common.Address{}) {
		t.Fatal("a call's record names a contract")
	}
	from := common.Address{9}
	r := &Record{From: from, Call: create, State: RecordConfirmed, Attempts: []Attempt{{Nonce: 4, Hash: common.Hash{1}}, {Nonce: 5, Hash: common.Hash{2}}},
		Final: &Final{Tx: common.Hash{1}}}
	if r.Contract() != crypto.CreateAddress(from, 4) {
		t.Fatal("a confirmed creation's contract is not its confirmed attempt's")
	}
}
