package actions

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/internal/chaincheck"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	c, v := common.HexToAddress("0x00000000000000000000000000000000000000c0"), common.HexToAddress("0x00000000000000000000000000000000000000aa")
	pub := make([]byte, 64)
	pub[63] = 7
	for _, tc := range []struct {
		call Call
		want string
	}{
		{Stake(c, v, uint256.NewInt(5)), "stake(validator=" + v.Hex() + ")"},
		{Unstake(c, v, uint256.MustFromDecimal("1500000000000000000")), "unstake(validator=" + v.Hex() + ", amount=1500000000000000000)"},
		{Withdraw(c), "withdraw()"},
		{DeclareCandidacy(c, pub), "declareCandidacy(pubkey=0x" + hex.EncodeToString(pub) + ")"},
		{WithdrawCandidacy(c), "withdrawCandidacy()"},
		{VotePromote(c, v), "votePromote(candidate=" + v.Hex() + ")"},
		{VoteRemove(c, v), "voteRemove(validator=" + v.Hex() + ")"},
		{Deploy([]common.Address{v, c}, 6000), "constructor(initialValidators=[" + v.Hex() + "," + c.Hex() + "], rootQuorumBps_=6000)"},
	} {
		got, err := tc.call.Decode()
		if err != nil || got != tc.want {
			t.Errorf("%s: Decode = %q, %v; want %q", tc.call.Name, got, err, tc.want)
		}
	}
	if Stake(c, v, uint256.NewInt(5)).Value.Uint64() != 5 || Unstake(c, v, uint256.NewInt(5)).Value.Sign() != 0 {
		t.Error("only a stake carries a value")
	}
}

func TestParsePubkey(t *testing.T) {
	t.Parallel()
	k, _ := crypto.GenerateKey()
	good := hex.EncodeToString(crypto.FromECDSAPub(&k.PublicKey)[1:])
	for _, tc := range []struct {
		in, err string // err: a substring, "" for success
	}{
		{good, ""},
		{"0x" + good, ""},
		{"04" + good, "expected 128 hex digits"},
		{good[2:], "expected 128 hex digits"},
		{strings.Repeat("zz", 64), "expected 128 hex digits"},
		{strings.Repeat("00", 64), "not a secp256k1 public key"},
	} {
		_, err := ParsePubkey(tc.in)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ParsePubkey(%.10s…) = %v, want %q", tc.in, err, tc.err)
		}
	}
}

// TestEpochStartPassesStartCheck: for any deployment block time, the stub's
// epoch.start satisfies rewardd's start rule for a fresh contract.
func TestEpochStartPassesStartCheck(t *testing.T) {
	t.Parallel()
	hour := uint64(1_700_000_000 / 3600 * 3600)
	for _, tc := range []struct{ prev, block uint64 }{
		{hour - 5, hour},        // exactly on the hour
		{hour, hour},            // same timestamp as its parent
		{hour + 10, hour + 15},  // inside an hour
		{hour - 1, hour + 3599}, // last second of an hour
		{hour - 15, hour - 1},   // just before an hour
	} {
		c := ConfigStub("http://127.0.0.1:8545", 18, common.HexToAddress("0x1"), 1000, tc.block)
		if err := c.Check(); err != nil {
			t.Fatalf("Check: %v", err)
		}
		if c.Epoch.Start.Unix()%3600 != 0 || uint64(c.Epoch.Start.Unix()) <= tc.block || c.Epoch.Start.Sub(time.Unix(int64(tc.block), 0)) > time.Hour {
			t.Errorf("block %d: epoch.start %s is not the next whole hour after it", tc.block, c.Epoch.Start)
		}
		st := chaincheck.Start{Schedule: c.Schedule(), StartBlock: 1000, Block: 1000, Known: true, BlockTime: tc.block, PrevTime: tc.prev, HasPrev: true}
		if err := st.Check(); err != nil {
			t.Errorf("block time %d: %v", tc.block, err)
		}
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	id, err := NewRequestID()
	if err != nil || CheckRequestID(id) != nil || len(id) != 16 {
		t.Fatalf("NewRequestID = %q, %v", id, err)
	}
	for _, bad := range []string{"", "a/b", "a.b", strings.Repeat("x", 65), "id with space"} {
		if CheckRequestID(bad) == nil {
			t.Errorf("CheckRequestID(%q) accepted", bad)
		}
	}
	c := common.HexToAddress("0x00000000000000000000000000000000000000c0")
	if got, want := RecordKey(Withdraw(c), "r1"), "withdraw-"+c.Hex()+"-r1"; got != want {
		t.Errorf("RecordKey = %q, want %q", got, want)
	}
	d := Deploy([]common.Address{c}, 5000)
	if got, want := RecordKey(d, "r1"), "deploy-r1"; got != want {
		t.Errorf("RecordKey of a deployment = %q, want %q", got, want)
	}
	if tc := d.TxCall(); !tc.Create || tc.To != (common.Address{}) || string(tc.Data) != string(d.Data) || tc.Value.Sign() != 0 {
		t.Errorf("TxCall of a deployment = %+v, want a txsend creation", tc)
	}
	if tc := Withdraw(c).TxCall(); tc.Create || tc.To != c {
		t.Errorf("TxCall of a call = %+v", tc)
	}
}
