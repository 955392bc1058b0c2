package calc

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

const validDoc = `{
  "format": "cmt-epoch-input-v1",
  "chain_id": 18,
  "epoch": 7,
  "first_block": 1000,
  "last_block": 1999,
  "reward_per_block_wei": "5000000000000000000",
  "validator_share_bps": 2000,
  "validators_at_start": ["0x00000000000000000000000000000000000000a1", "0x00000000000000000000000000000000000000A2"],
  "stakes_at_start": [{"validator": "0x00000000000000000000000000000000000000a1", "delegator": "0x00000000000000000000000000000000000000d1", "amount_wei": "3"}],
  "events": [
    {"block": 1010, "log_index": 0, "kind": "stake", "validator": "0x00000000000000000000000000000000000000a1", "delegator": "0x00000000000000000000000000000000000000d2", "amount_wei": "10"},
    {"block": 1020, "log_index": 3, "kind": "unstake", "validator": "0x00000000000000000000000000000000000000a1", "delegator": "0x00000000000000000000000000000000000000d1", "amount_wei": "1"},
    {"block": 1500, "log_index": 0, "kind": "validator_added", "validator": "0x00000000000000000000000000000000000000a3"},
    {"block": 1600, "log_index": 1, "kind": "validator_removed", "validator": "0x00000000000000000000000000000000000000a2"}
  ],
  "not_in_good_standing": [{"validator": "0x00000000000000000000000000000000000000a1", "from_block": 1200, "to_block": 1250, "reason": "missed-slots"}]
}`

func TestDecodeInputValid(t *testing.T) {
	t.Parallel()
	in, err := DecodeInput(strings.NewReader(validDoc))
	if err != nil {
		t.Fatal(err)
	}
	if in.Eligibility != EntireEpoch || in.ForfeitPolicy != Retain || len(in.PreviousCumulative) != 0 {
		t.Errorf("defaults not applied: %q %q %v", in.Eligibility, in.ForfeitPolicy, in.PreviousCumulative)
	}
	if len(in.Events) != 4 || in.Events[1].LogIndex != 3 || in.Events[0].Amount.Uint64() != 10 {
		t.Errorf("events decoded wrong: %+v", in.Events)
	}
	if _, err := Compute(in); err != nil {
		t.Fatal(err)
	}
}

// TestDecodeInputRejects covers every rejection rule of rewards-v1 §9 (and
// the stricter ones this implementation adds), each naming its field.
func TestDecodeInputRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown format", `"cmt-epoch-input-v1"`, `"cmt-epoch-input-v2"`, `format: unknown format "cmt-epoch-input-v2", expected "cmt-epoch-input-v1"`},
		{"missing format", `"format": "cmt-epoch-input-v1",`, ``, `format: missing; expected a string`},
		{"malformed address", `"0x00000000000000000000000000000000000000A2"`, `"0x00000000000000000000000000000000000000g2"`, `validators_at_start[1]: expected a 0x-prefixed 20-byte hex address, got "0x00000000000000000000000000000000000000g2"`},
		{"short address", `"delegator": "0x00000000000000000000000000000000000000d2"`, `"delegator": "0xd2"`, `events[0].delegator: expected a 0x-prefixed 20-byte hex address, got "0xd2"`},
		{"malformed amount", `"amount_wei": "10"`, `"amount_wei": "1O"`, `events[0].amount_wei: expected a decimal string of wei, got "1O"`},
		{"negative amount", `"amount_wei": "10"`, `"amount_wei": "-10"`, `events[0].amount_wei: amount must not be negative, got "-10"`},
		{"fractional amount", `"amount_wei": "10"`, `"amount_wei": "1.5"`, `events[0].amount_wei: amount must be a whole number of wei, got "1.5"`},
		{"number amount", `"amount_wei": "10"`, `"amount_wei": 10`, `events[0].amount_wei: expected a decimal string of wei, got a number`},
		{"257-bit amount", `"amount_wei": "3"`, `"amount_wei": "115792089237316195423570985008687907853269984665640564039457584007913129639936"`, `stakes_at_start[0].amount_wei: amount "115792089237316195423570985008687907853269984665640564039457584007913129639936" exceeds 256 bits`},
		{"first after last", `"first_block": 1000`, `"first_block": 2000`, `first_block: 2000 is after last_block 1999`},
		{"negative block", `"first_block": 1000`, `"first_block": -1`, `first_block: expected a non-negative whole number, got -1`},
		{"fractional block", `"last_block": 1999`, `"last_block": 1999.5`, `last_block: expected a whole number, got 1999.5`},
		{"string block", `"block": 1010`, `"block": "1010"`, `events[0].block: expected a non-negative whole number, got a string`},
		{"events out of order", `"block": 1020, "log_index": 3`, `"block": 1005, "log_index": 3`, `events[1]: out of (block, log_index) order: (1005, 3) after (1010, 0)`},
		{"duplicate log index", `"block": 1600, "log_index": 1`, `"block": 1500, "log_index": 0`, `events[3]: out of (block, log_index) order: (1500, 0) after (1500, 0)`},
		{"event before epoch", `"block": 1010`, `"block": 999`, `events[0].block: 999 is outside the epoch's blocks [1000, 1999]`},
		{"event after epoch", `"block": 1600`, `"block": 2000`, `events[3].block: 2000 is outside the epoch's blocks [1000, 1999]`},
		{"unstake exceeds stake", `"log_index": 3, "kind": "unstake", "validator": "0x00000000000000000000000000000000000000a1", "delegator": "0x00000000000000000000000000000000000000d1", "amount_wei": "1"`, `"log_index": 3, "kind": "unstake", "validator": "0x00000000000000000000000000000000000000a1", "delegator": "0x00000000000000000000000000000000000000d1", "amount_wei": "5"`, `events[1].amount_wei: unstake of 5 exceeds stake 3`},
		{"add active", `"validator_added", "validator": "0x00000000000000000000000000000000000000a3"`, `"validator_added", "validator": "0x00000000000000000000000000000000000000a2"`, `events[2].validator: 0x00000000000000000000000000000000000000A2 is already active`},
		{"remove inactive", `"validator_removed", "validator": "0x00000000000000000000000000000000000000a2"`, `"validator_removed", "validator": "0x00000000000000000000000000000000000000a4"`, `events[3].validator: 0x00000000000000000000000000000000000000a4 is not active`},
		{"duplicate stake", `"amount_wei": "3"}]`, `"amount_wei": "3"}, {"validator": "0x00000000000000000000000000000000000000A1", "delegator": "0x00000000000000000000000000000000000000D1", "amount_wei": "4"}]`, `stakes_at_start[1]: duplicate stake of delegator 0x00000000000000000000000000000000000000D1 at validator 0x00000000000000000000000000000000000000A1 (also at index 0)`},
		{"run outside epoch", `"to_block": 1250`, `"to_block": 2000`, `not_in_good_standing[0]: run [1200, 2000] is outside the epoch's blocks [1000, 1999]`},
		{"run reversed", `"from_block": 1200`, `"from_block": 1300`, `not_in_good_standing[0].from_block: 1300 is after to_block 1250`},
		{"run without reason", `"reason": "missed-slots"`, `"reason": ""`, `not_in_good_standing[0].reason: empty; expected a reason such as "missed-slots"`},
		{"share above 10000", `"validator_share_bps": 2000`, `"validator_share_bps": 10001`, `validator_share_bps: 10001 exceeds 10000`},
		{"unknown eligibility", `"validator_share_bps": 2000,`, `"validator_share_bps": 2000, "eligibility": "most-of-epoch",`, `eligibility: unknown policy "most-of-epoch", expected "entire-epoch" or "while-active"`},
		{"unknown forfeit policy", `"validator_share_bps": 2000,`, `"validator_share_bps": 2000, "forfeit_policy": "burn",`, `forfeit_policy: unknown policy "burn", expected "retain" or "redistribute"`},
		{"unknown kind", `"kind": "stake"`, `"kind": "slash"`, `events[0].kind: unknown event kind "slash", expected stake, unstake, validator_added or validator_removed`},
		{"duplicate validator at start", `"0x00000000000000000000000000000000000000A2"]`, `"0x00000000000000000000000000000000000000A1"]`, `validators_at_start[1]: duplicate validator 0x00000000000000000000000000000000000000A1 (also at index 0)`},
		{"amount on validator event", `"kind": "validator_added", "validator": "0x00000000000000000000000000000000000000a3"`, `"kind": "validator_added", "validator": "0x00000000000000000000000000000000000000a3", "amount_wei": "1"`, `events[2].amount_wei: not allowed in a validator_added event`},
		{"unknown field", `"validator_share_bps": 2000,`, `"validator_share_bps": 2000, "forfiet_policy": "retain",`, `unknown field "forfiet_policy"`},
		{"unknown field in element", `"reason": "missed-slots"`, `"reason": "missed-slots", "note": 1`, `not_in_good_standing[0]: unknown field "note"`},
		{"element not an object", `"events": [`, `"events": [5, `, `events[0]: expected an object, got a number`},
		{"array not an array", `"not_in_good_standing": [{"validator": "0x00000000000000000000000000000000000000a1", "from_block": 1200, "to_block": 1250, "reason": "missed-slots"}]`, `"not_in_good_standing": {}`, `not_in_good_standing: expected an array, got an object`},
		{"missing array", `"validator_share_bps": 2000,
  "validators_at_start"`, `"validator_share_bps": 2000,
  "x_validators_at_start"`, `unknown field "x_validators_at_start"`},
		{"malformed json", `"epoch": 7,`, `"epoch": 7,,`, `malformed JSON at line 4, column 15: invalid character ',' looking for beginning of object key string`},
		{"trailing data", "\n}", "\n} {}", `unexpected data after the top-level object`},
		{"duplicate previous", `"not_in_good_standing"`, `"previous_cumulative": [{"account": "0x00000000000000000000000000000000000000d1", "amount_wei": "1"}, {"account": "0x00000000000000000000000000000000000000D1", "amount_wei": "2"}], "not_in_good_standing"`, `previous_cumulative[1]: duplicate account 0x00000000000000000000000000000000000000D1 (also at index 0)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(validDoc, tt.old, tt.new, 1)
			if doc == validDoc {
				t.Fatalf("test edit %q not found", tt.old)
			}
			in, err := DecodeInput(strings.NewReader(doc))
			if err == nil {
				_, err = Compute(in)
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if err.Error() != tt.want {
				t.Fatalf("error %q\nwant  %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalidInput) {
				t.Error("error does not wrap ErrInvalidInput")
			}
		})
	}
}

func TestInputRoundTrip(t *testing.T) {
	t.Parallel()
	for seed := 0; seed < 200; seed++ {
		in := randomEpoch(rand.New(rand.NewPCG(uint64(seed), 7)))
		var buf bytes.Buffer
		if err := in.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		got, err := DecodeInput(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, buf.String())
		}
		normalize(in)
		normalize(got)
		if !reflect.DeepEqual(in, got) {
			t.Fatalf("seed %d: round trip differs\n%+v\n%+v", seed, in, got)
		}
	}
}

// normalize makes nil and empty slices compare equal.
func normalize(in *Input) {
	if in.ValidatorsAtStart == nil {
		in.ValidatorsAtStart = []common.Address{}
	}
	if in.StakesAtStart == nil {
		in.StakesAtStart = []Stake{}
	}
	if in.Events == nil {
		in.Events = []Event{}
	}
	if in.NotInGoodStanding == nil {
		in.NotInGoodStanding = []NotGoodRun{}
	}
	if in.PreviousCumulative == nil {
		in.PreviousCumulative = []Balance{}
	}
}

func TestResultRoundTrip(t *testing.T) {
	t.Parallel()
	for seed := 0; seed < 200; seed++ {
		in := randomEpoch(rand.New(rand.NewPCG(uint64(seed), 8)))
		res, err := Compute(in)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := res.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		got, err := DecodeResult(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, buf.String())
		}
		var again bytes.Buffer
		if err := got.WriteJSON(&again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), again.Bytes()) {
			t.Fatalf("seed %d: re-encoding differs", seed)
		}
	}
}

func TestDecodeResultRejectsTampering(t *testing.T) {
	t.Parallel()
	doc := strings.Replace(validDoc, `"validator_share_bps": 2000,`, `"validator_share_bps": 2000, "eligibility": "while-active",`, 1)
	doc = doc[:strings.Index(doc, `"not_in_good_standing"`)] + `"not_in_good_standing": []}`
	res, err := Compute(mustDecode(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	doc = buf.String()
	if len(res.Payouts) == 0 {
		t.Fatalf("no payouts to tamper with:\n%s", doc)
	}
	p := res.Payouts[0]
	tests := []struct{ name, old, new, want string }{
		{"amount changed", `"amount_wei": "` + p.Amount.Dec() + `"`, `"amount_wei": "1"`, "distributed_wei: "},
		{"root changed", res.MerkleRoot.Hex(), "0x" + strings.Repeat("11", 32), "merkle_root: 0x1111"},
		{"minted changed", `"minted_wei": "`, `"minted_wei": "1`, "minted_wei: distributed+forfeited+unallocated+dust"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(doc, tt.old, tt.new, 1)
			if bad == doc {
				t.Fatal("edit not applied")
			}
			_, err := DecodeResult(strings.NewReader(bad))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func mustDecode(t testing.TB, doc string) *Input {
	t.Helper()
	in, err := DecodeInput(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// FuzzDecodeInput: no input makes the parser or the engine panic, and what
// they accept satisfies the invariant and survives a write/read round trip.
func FuzzDecodeInput(f *testing.F) {
	f.Add([]byte(validDoc))
	if b, err := os.ReadFile("../examples/epoch-input.json"); err == nil {
		f.Add(b)
	}
	for seed := 0; seed < 5; seed++ {
		var buf bytes.Buffer
		if err := randomEpoch(rand.New(rand.NewPCG(uint64(seed), 9))).WriteJSON(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := DecodeInput(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("rejection %v does not wrap ErrInvalidInput", err)
			}
			return
		}
		res, err := Compute(in)
		if err != nil {
			if errors.Is(err, ErrInvariant) {
				t.Fatal(err)
			}
			return
		}
		if err := res.checkInvariant(); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := in.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeInput(&buf); err != nil {
			t.Fatalf("re-encoded input rejected: %v", err)
		}
	})
}

// FuzzDecodeResult: the result parser never panics, and what it accepts
// re-encodes to a document it accepts again.
func FuzzDecodeResult(f *testing.F) {
	res, err := Compute(mustDecode(f, validDoc))
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeResult(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := r.WriteJSON(&out); err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeResult(&out); err != nil {
			t.Fatalf("re-encoded result rejected: %v", err)
		}
	})
}

// TestCarryOver: an empty epoch keeps every non-zero leaf and the root,
// and its written result reads back as a valid empty-epoch result.
func TestCarryOver(t *testing.T) {
	t.Parallel()
	prev, err := Compute(randomEpoch(rand.New(rand.NewPCG(3, 3))))
	if err != nil {
		t.Fatal(err)
	}
	if len(prev.Payouts) < 2 {
		t.Fatalf("seed gives %d leaves; pick one with more", len(prev.Payouts))
	}
	var bal []Balance
	for i := len(prev.Payouts) - 1; i >= 0; i-- { // reversed: CarryOver sorts
		bal = append(bal, Balance{Account: prev.Payouts[i].Account, Amount: prev.Payouts[i].Cumulative})
	}
	bal = append(bal, Balance{Account: common.Address{0xee}}) // zero: no leaf
	res, err := CarryOver(prev.Epoch+1, prev.LastBlock+1, bal)
	if err != nil {
		t.Fatal(err)
	}
	if res.MerkleRoot != prev.MerkleRoot || len(res.Payouts) != len(prev.Payouts) {
		t.Fatalf("root %s/%s, %d/%d leaves", res.MerkleRoot, prev.MerkleRoot, len(res.Payouts), len(prev.Payouts))
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeResult(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := CarryOver(1, 1, []Balance{bal[0], bal[0]}); err == nil {
		t.Fatal("duplicate account accepted")
	}
}
