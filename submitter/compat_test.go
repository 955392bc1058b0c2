package submitter

import (
	"context"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// v1Golden is a version 1 vote record as the submitter wrote it before the
// transaction path moved to txsend (a final record with a legacy and an
// EIP-1559 attempt and a replaced vote), byte for byte.
const v1Golden = `{"version":1,"epoch":3,"root":"0x0100000000000000000000000000000000000000000000000000000000000000","total":123,"result_hash":"0x0200000000000000000000000000000000000000000000000000000000000000","state":"confirmed","attempts":[{"nonce":7,"hash":"0x0900000000000000000000000000000000000000000000000000000000000000","gas":91234,"tip_cap":1000000000,"fee_cap":3000000000,"raw":"0x02f8","created":"2023-11-14T22:13:20Z"},{"nonce":7,"hash":"0x0a00000000000000000000000000000000000000000000000000000000000000","gas":91234,"gas_price":5000000000,"raw":"0xf8","created":"2023-11-14T22:14:20Z"}],"final":{"tx":"0x0a00000000000000000000000000000000000000000000000000000000000000","block":1234,"accepted":{"epoch":3,"root":"0x0100000000000000000000000000000000000000000000000000000000000000","total":123,"result_hash":"0x0200000000000000000000000000000000000000000000000000000000000000"},"at":"2023-11-14T22:15:00Z"},"replaced":[{"vote":{"epoch":3,"root":"0x0500000000000000000000000000000000000000000000000000000000000000","total":100,"result_hash":"0x0600000000000000000000000000000000000000000000000000000000000000"},"attempts":[{"nonce":6,"hash":"0x0800000000000000000000000000000000000000000000000000000000000000","gas":90000,"tip_cap":1,"fee_cap":2,"raw":"0x02","created":"2023-07-22T04:26:40Z"}]}]}`

// TestRecordV1Compatible: a version 1 record decodes, and encodes again to
// the same bytes: the record's shape did not change, so existing ledgers
// need no migration. Its transaction half reads as txsend's.
func TestRecordV1Compatible(t *testing.T) {
	t.Parallel()
	rec, err := decodeRecord(3, []byte(v1Golden))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(mustJSON(t, rec)); got != v1Golden {
		t.Fatalf("re-encoded record differs:\n got %s\nwant %s", got, v1Golden)
	}
	s := &Submitter{cfg: Config{Config: txsend.Config{ChainID: 4242}, Contract: testnet.Addr(testnet.Key(9))}, abi: vs}
	view := s.sendRecord(rec)
	if view.State != txsend.RecordConfirmed || len(view.Attempts) != 2 || view.Attempts[1].GasPrice.Int64() != 5_000_000_000 ||
		view.Final == nil || view.Final.Block != 1234 {
		t.Fatalf("txsend view %+v", view)
	}
	back, err := s.callVote(view.Call)
	if err != nil || !same(back, rec.vote()) {
		t.Fatalf("the view's call carries %v (%v), want %v", back, err, rec.vote())
	}
}

// TestResumeV1Record: a ledger holds an open version 1 record written by
// the submitter before txsend (a signed vote that never reached the node);
// the submitter resumes that very transaction and the validator sends
// exactly one.
func TestResumeV1Record(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.mineEvery(30 * time.Millisecond)
	me := e.net.Signers[0]
	v := vote(0, 1)
	tx, err := types.SignNewTx(me, types.LatestSignerForChainID(e.net.Chain.ChainID()), &types.DynamicFeeTx{
		ChainID: e.net.Chain.ChainID(), Nonce: 0, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9), Gas: 400_000,
		To: &e.contract, Data: vs.PackSubmitRoot(big.NewInt(0), v.Root, v.Total, v.ResultHash),
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	old := fmt.Sprintf(`{"version":1,"epoch":0,"root":"%s","total":0,"result_hash":"%s","state":"open","attempts":[`+
		`{"nonce":0,"hash":"%s","gas":400000,"tip_cap":1000000000,"fee_cap":100000000000,"raw":"%s","created":"2023-11-14T22:13:20Z"}]}`,
		v.Root.Hex(), v.ResultHash.Hex(), tx.Hash().Hex(), hexutil.Encode(raw))
	l := e.ledger()
	if err := l.Records(ledger.BucketSubmitter).Update(func(rt *ledger.RecordsTx) error { return rt.Put(0, []byte(old)) }); err != nil {
		t.Fatal(err)
	}

	out, err := e.submitter(e.config(me), l, nil, nil).Submit(ctxFor(t, 20*time.Second), v)
	if err != nil {
		t.Fatal(err)
	}
	if out.State != Confirmed || out.TxHash != tx.Hash() || out.Attempts != 1 {
		t.Fatalf("outcome %+v, want Confirmed with the recorded transaction %s", out, tx.Hash())
	}
	if n := e.nonce(testnet.Addr(me)); n != 1 {
		t.Fatalf("validator sent %d transactions, want 1", n)
	}
	rec := records(t, l)[0]
	if rec.Version != 1 || rec.State != recConfirmed || len(rec.Attempts) != 1 || rec.Final.Tx != tx.Hash() {
		t.Fatalf("record after the resume: %+v", rec)
	}
	if _, err := e.net.Chain.Client().TransactionReceipt(context.Background(), tx.Hash()); err != nil {
		t.Fatal(err)
	}
}
