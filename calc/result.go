package calc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/internal/bulk"
)

// ResultFormat is the format tag of an epoch result document (§10).
const ResultFormat = "cmt-epoch-payouts-v1"

// ValidatorResult is one validator's entitlement before any forfeiture.
type ValidatorResult struct {
	Validator        common.Address
	Eligible         bool
	Reason           string      // "" when eligible
	ValidatorReward  uint256.Int // V_i, wei
	DelegatorRewards uint256.Int // Σ_j D_ij, wei
	// ActiveBlocks is the number of blocks of the epoch in which the
	// validator was active. It is not part of the result document.
	ActiveBlocks uint64
}

// Payout is one account's leaf: its payout for the epoch and its cumulative
// payout over epochs 0..N.
type Payout struct {
	Account    common.Address
	Amount     uint256.Int
	Cumulative uint256.Int
}

// Result is one computed epoch (§10). Validators and Payouts are sorted by
// address bytes. Tree is the cumulative payout tree (§6) over Payouts, in
// Payouts order.
type Result struct {
	Epoch        uint64
	FirstBlock   uint64
	LastBlock    uint64
	Minted       uint256.Int
	Distributed  uint256.Int
	Forfeited    uint256.Int
	Unallocated  uint256.Int
	RoundingDust uint256.Int
	Validators   []ValidatorResult
	Payouts      []Payout
	MerkleRoot   common.Hash
	Tree         *merkle.Tree
}

// WriteJSON writes r as a cmt-epoch-payouts-v1 document. The encoding is
// canonical: keys in the order of the spec, two-space indentation, one array
// element per line, addresses in EIP-55 case, amounts as decimal strings,
// and a final newline. The same Result always gives the same bytes, which
// is what lets the DAO vote on the file's hash.
func (r *Result) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf []byte
	str := func(s string) { buf = appendJSONString(buf, s) }
	amt := func(x *uint256.Int) {
		buf = append(buf, '"')
		buf = bulk.AppendDecimal(buf, x)
		buf = append(buf, '"')
	}
	flush := func() error {
		_, err := bw.Write(buf)
		buf = buf[:0]
		return err
	}
	buf = append(buf, "{\n  \"format\": "...)
	str(ResultFormat)
	buf = append(buf, ",\n  \"epoch\": "...)
	buf = strconv.AppendUint(buf, r.Epoch, 10)
	buf = append(buf, ",\n  \"first_block\": "...)
	buf = strconv.AppendUint(buf, r.FirstBlock, 10)
	buf = append(buf, ",\n  \"last_block\": "...)
	buf = strconv.AppendUint(buf, r.LastBlock, 10)
	for _, f := range []struct {
		name string
		v    *uint256.Int
	}{
		{"minted_wei", &r.Minted}, {"distributed_wei", &r.Distributed}, {"forfeited_wei", &r.Forfeited},
		{"unallocated_wei", &r.Unallocated}, {"rounding_dust_wei", &r.RoundingDust},
	} {
		buf = append(buf, ",\n  \""...)
		buf = append(buf, f.name...)
		buf = append(buf, "\": "...)
		amt(f.v)
	}
	buf = append(buf, ",\n  \"validators\": ["...)
	for i := range r.Validators {
		v := &r.Validators[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n    {\"validator\": "...)
		str(v.Validator.Hex())
		buf = append(buf, ", \"eligible\": "...)
		buf = strconv.AppendBool(buf, v.Eligible)
		buf = append(buf, ", \"reason\": "...)
		str(v.Reason)
		buf = append(buf, ", \"validator_reward_wei\": "...)
		amt(&v.ValidatorReward)
		buf = append(buf, ", \"delegator_rewards_wei\": "...)
		amt(&v.DelegatorRewards)
		buf = append(buf, '}')
	}
	if len(r.Validators) > 0 {
		buf = append(buf, "\n  "...)
	}
	buf = append(buf, "],\n  \"payouts\": ["...)
	if err := flush(); err != nil {
		return err
	}
	// The payouts, most of the document, are encoded on every core.
	if err := bulk.WriteChunks(bw, len(r.Payouts), 2048, func(buf []byte, lo, hi int) []byte {
		for i := lo; i < hi; i++ {
			p := &r.Payouts[i]
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, "\n    {\"account\": \""...)
			if r.Tree != nil {
				buf = r.Tree.AppendChecksumAccount(buf, i, &p.Account)
			} else {
				buf = merkle.AppendChecksumAddress(buf, &p.Account)
			}
			buf = append(buf, "\", \"amount_wei\": \""...)
			buf = bulk.AppendDecimal(buf, &p.Amount)
			buf = append(buf, "\", \"cumulative_wei\": \""...)
			buf = bulk.AppendDecimal(buf, &p.Cumulative)
			buf = append(buf, "\"}"...)
		}
		return buf
	}); err != nil {
		return err
	}
	if len(r.Payouts) > 0 {
		buf = append(buf, "\n  "...)
	}
	buf = append(buf, "],\n  \"merkle_root\": "...)
	str(r.MerkleRoot.Hex())
	buf = append(buf, "\n}\n"...)
	if err := flush(); err != nil {
		return err
	}
	return bw.Flush()
}

type rawResult struct {
	Format       json.RawMessage      `json:"format"`
	Epoch        json.RawMessage      `json:"epoch"`
	FirstBlock   json.RawMessage      `json:"first_block"`
	LastBlock    json.RawMessage      `json:"last_block"`
	Minted       json.RawMessage      `json:"minted_wei"`
	Distributed  json.RawMessage      `json:"distributed_wei"`
	Forfeited    json.RawMessage      `json:"forfeited_wei"`
	Unallocated  json.RawMessage      `json:"unallocated_wei"`
	RoundingDust json.RawMessage      `json:"rounding_dust_wei"`
	Validators   []rawValidatorResult `json:"validators"`
	Payouts      []rawPayout          `json:"payouts"`
	MerkleRoot   json.RawMessage      `json:"merkle_root"`
}

type rawValidatorResult struct {
	Validator        json.RawMessage `json:"validator"`
	Eligible         json.RawMessage `json:"eligible"`
	Reason           json.RawMessage `json:"reason"`
	ValidatorReward  json.RawMessage `json:"validator_reward_wei"`
	DelegatorRewards json.RawMessage `json:"delegator_rewards_wei"`
}

type rawPayout struct {
	Account    json.RawMessage `json:"account"`
	Amount     json.RawMessage `json:"amount_wei"`
	Cumulative json.RawMessage `json:"cumulative_wei"`
}

var rawResultArrays = map[string]any{
	"validators": rawValidatorResult{},
	"payouts":    rawPayout{},
}

// DecodeResult reads a cmt-epoch-payouts-v1 document and verifies that it is
// internally consistent: the conservation invariant holds, the payouts sum
// to distributed_wei, no cumulative is below its epoch amount, the lists are
// sorted by address without duplicates, and merkle_root is the root of the
// tree over its payouts (so the returned Tree serves proofs for it).
// Whether the numbers are the right ones for the chain is a different
// question, answered by recomputing the epoch and comparing.
func DecodeResult(r io.Reader) (*Result, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read epoch result: %w", err)
	}
	var raw rawResult
	if err := strictUnmarshal(data, &raw); err != nil {
		return nil, locateJSONError(data, err, rawResultArrays)
	}
	res := new(Result)
	format, err := parseString("format", raw.Format)
	if err != nil {
		return nil, err
	}
	if format != ResultFormat {
		return nil, fieldErr("format", "unknown format %q, expected %q", format, ResultFormat)
	}
	for _, f := range []struct {
		path string
		raw  json.RawMessage
		dst  *uint64
	}{{"epoch", raw.Epoch, &res.Epoch}, {"first_block", raw.FirstBlock, &res.FirstBlock}, {"last_block", raw.LastBlock, &res.LastBlock}} {
		if *f.dst, err = parseUint(f.path, f.raw); err != nil {
			return nil, err
		}
	}
	// An epoch without blocks is written with last_block = first_block − 1.
	if res.FirstBlock > res.LastBlock && (res.FirstBlock-1 != res.LastBlock || res.FirstBlock == 0) {
		return nil, fieldErr("first_block", "%d is after last_block %d", res.FirstBlock, res.LastBlock)
	}
	for _, f := range []struct {
		path string
		raw  json.RawMessage
		dst  *uint256.Int
	}{
		{"minted_wei", raw.Minted, &res.Minted}, {"distributed_wei", raw.Distributed, &res.Distributed},
		{"forfeited_wei", raw.Forfeited, &res.Forfeited}, {"unallocated_wei", raw.Unallocated, &res.Unallocated},
		{"rounding_dust_wei", raw.RoundingDust, &res.RoundingDust},
	} {
		if err := parseAmount(f.path, f.raw, f.dst); err != nil {
			return nil, err
		}
	}
	if raw.Validators == nil {
		return nil, fieldErr("validators", "missing; expected an array (possibly empty)")
	}
	if raw.Payouts == nil {
		return nil, fieldErr("payouts", "missing; expected an array (possibly empty)")
	}
	res.Validators = make([]ValidatorResult, len(raw.Validators))
	for i := range raw.Validators {
		rv, v, p := &raw.Validators[i], &res.Validators[i], idx("validators", i)
		if v.Validator, err = parseAddress(p+".validator", rv.Validator); err != nil {
			return nil, err
		}
		switch string(rv.Eligible) {
		case "true":
			v.Eligible = true
		case "false":
		default:
			return nil, fieldErr(p+".eligible", "expected true or false, got %s", jsonKind(rv.Eligible))
		}
		if v.Reason, err = parseString(p+".reason", rv.Reason); err != nil {
			return nil, err
		}
		if v.Eligible != (v.Reason == "") {
			return nil, fieldErr(p+".reason", "must be empty exactly when eligible is true")
		}
		if err := parseAmount(p+".validator_reward_wei", rv.ValidatorReward, &v.ValidatorReward); err != nil {
			return nil, err
		}
		if err := parseAmount(p+".delegator_rewards_wei", rv.DelegatorRewards, &v.DelegatorRewards); err != nil {
			return nil, err
		}
		if i > 0 && bytes.Compare(res.Validators[i-1].Validator[:], v.Validator[:]) >= 0 {
			return nil, fieldErr(p+".validator", "not sorted by address or duplicate")
		}
	}
	res.Payouts = make([]Payout, len(raw.Payouts))
	var sum uint256.Int
	for i := range raw.Payouts {
		rp, po, p := &raw.Payouts[i], &res.Payouts[i], idx("payouts", i)
		if po.Account, err = parseAddress(p+".account", rp.Account); err != nil {
			return nil, err
		}
		if err := parseAmount(p+".amount_wei", rp.Amount, &po.Amount); err != nil {
			return nil, err
		}
		if err := parseAmount(p+".cumulative_wei", rp.Cumulative, &po.Cumulative); err != nil {
			return nil, err
		}
		if po.Cumulative.IsZero() {
			return nil, fieldErr(p+".cumulative_wei", "zero; accounts without a leaf are not listed")
		}
		if po.Cumulative.Lt(&po.Amount) {
			return nil, fieldErr(p+".cumulative_wei", "%s is below the epoch's amount %s", po.Cumulative.Dec(), po.Amount.Dec())
		}
		if i > 0 && bytes.Compare(res.Payouts[i-1].Account[:], po.Account[:]) >= 0 {
			return nil, fieldErr(p+".account", "not sorted by address or duplicate")
		}
		if _, over := sum.AddOverflow(&sum, &po.Amount); over {
			return nil, fieldErr(p+".amount_wei", "sum of payouts overflows 256 bits")
		}
	}
	rootStr, err := parseString("merkle_root", raw.MerkleRoot)
	if err != nil {
		return nil, err
	}
	root, err := parseHash(rootStr)
	if err != nil {
		return nil, fieldErr("merkle_root", "%v", err)
	}
	res.MerkleRoot = root
	if err := res.checkInvariant(); err != nil {
		return nil, fieldErr("minted_wei", "%v", err)
	}
	if res.FirstBlock > res.LastBlock && !res.Minted.IsZero() {
		return nil, fieldErr("minted_wei", "%s for an epoch without blocks", res.Minted.Dec())
	}
	if !sum.Eq(&res.Distributed) {
		return nil, fieldErr("distributed_wei", "%s differs from the sum of payouts %s", res.Distributed.Dec(), sum.Dec())
	}
	if res.Tree, err = res.buildTree(); err != nil {
		return nil, err
	}
	if got := res.Tree.Root(); got != res.MerkleRoot {
		return nil, fieldErr("merkle_root", "%s is not the root of the payouts' tree %s", res.MerkleRoot.Hex(), got.Hex())
	}
	return res, nil
}

func parseHash(s string) (common.Hash, error) {
	var h common.Hash
	if len(s) != 66 || s[0] != '0' || s[1] != 'x' {
		return h, fmt.Errorf("expected a 0x-prefixed 32-byte hex hash, got %q", s)
	}
	for i := 0; i < 32; i++ {
		hi, ok1 := unhex(s[2+2*i])
		lo, ok2 := unhex(s[3+2*i])
		if !ok1 || !ok2 {
			return h, fmt.Errorf("expected a 0x-prefixed 32-byte hex hash, got %q", s)
		}
		h[i] = hi<<4 | lo
	}
	return h, nil
}

// CarryOver is the result of epoch k without blocks (rewards-v1 §8):
// nothing minted, every leaf of previous (the cumulative payouts before k)
// unchanged, the same root. first is the epoch's first block; the result's
// last block is first−1, the shape DecodeResult accepts for an empty epoch.
func CarryOver(k, first uint64, previous []Balance) (*Result, error) {
	res := &Result{Epoch: k, FirstBlock: first, LastBlock: first - 1, Payouts: []Payout{}, Validators: []ValidatorResult{}}
	for _, b := range previous {
		if !b.Amount.IsZero() {
			res.Payouts = append(res.Payouts, Payout{Account: b.Account, Cumulative: b.Amount})
		}
	}
	slices.SortFunc(res.Payouts, func(a, b Payout) int { return bytes.Compare(a.Account[:], b.Account[:]) })
	for i := 1; i < len(res.Payouts); i++ {
		if res.Payouts[i].Account == res.Payouts[i-1].Account {
			return nil, fieldErr("previous_cumulative", "duplicate account %s", res.Payouts[i].Account.Hex())
		}
	}
	t, err := res.buildTree()
	if err != nil {
		return nil, err
	}
	res.Tree, res.MerkleRoot = t, t.Root()
	return res, nil
}
