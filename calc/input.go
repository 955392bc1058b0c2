package calc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"sort"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/internal/bulk"
)

// InputFormat is the format tag of an epoch input document (rewards-v1 §9).
const InputFormat = "cmt-epoch-input-v1"

// MaxValidators is the active set size limit (rewards-v1 §1).
const MaxValidators = 21

// Eligibility is the policy that decides which validators are paid (§4).
type Eligibility string

// ForfeitPolicy decides what happens to ineligible validators' awards (§5).
type ForfeitPolicy string

// EventKind is the kind of a state-changing event inside an epoch (§9).
type EventKind string

const (
	EntireEpoch Eligibility = "entire-epoch"
	WhileActive Eligibility = "while-active"

	Retain       ForfeitPolicy = "retain"
	Redistribute ForfeitPolicy = "redistribute"

	KindStake            EventKind = "stake"
	KindUnstake          EventKind = "unstake"
	KindValidatorAdded   EventKind = "validator_added"
	KindValidatorRemoved EventKind = "validator_removed"
)

// Stake is delegator's stake at validator in force at the first block.
type Stake struct {
	Validator common.Address
	Delegator common.Address
	Amount    uint256.Int
}

// Event is one state change. It takes effect from Block+1 (§2).
// Delegator and Amount are zero for validator_added and validator_removed.
type Event struct {
	Block     uint64
	LogIndex  uint64
	Kind      EventKind
	Validator common.Address
	Delegator common.Address
	Amount    uint256.Int
}

// NotGoodRun is a run of blocks [FromBlock, ToBlock] in which Validator was
// not in good standing (§4, §7).
type NotGoodRun struct {
	Validator common.Address
	FromBlock uint64
	ToBlock   uint64
	Reason    string
}

// Balance is an account and an amount in wei.
type Balance struct {
	Account common.Address
	Amount  uint256.Int
}

// Input is a decoded cmt-epoch-input-v1 document: everything needed to
// compute one epoch offline.
type Input struct {
	ChainID            uint64
	Epoch              uint64
	FirstBlock         uint64
	LastBlock          uint64
	RewardPerBlock     uint256.Int // R, wei
	ValidatorShareBps  uint64      // bps_v; bps_d = 10000 − bps_v
	Eligibility        Eligibility
	ForfeitPolicy      ForfeitPolicy
	ValidatorsAtStart  []common.Address
	StakesAtStart      []Stake
	Events             []Event
	NotInGoodStanding  []NotGoodRun
	PreviousCumulative []Balance
}

// Blocks is |B|, the number of blocks in the epoch.
func (in *Input) Blocks() uint64 { return in.LastBlock - in.FirstBlock + 1 }

type rawInput struct {
	Format             json.RawMessage   `json:"format"`
	ChainID            json.RawMessage   `json:"chain_id"`
	Epoch              json.RawMessage   `json:"epoch"`
	FirstBlock         json.RawMessage   `json:"first_block"`
	LastBlock          json.RawMessage   `json:"last_block"`
	RewardPerBlock     json.RawMessage   `json:"reward_per_block_wei"`
	ValidatorShareBps  json.RawMessage   `json:"validator_share_bps"`
	Eligibility        json.RawMessage   `json:"eligibility"`
	ForfeitPolicy      json.RawMessage   `json:"forfeit_policy"`
	ValidatorsAtStart  []json.RawMessage `json:"validators_at_start"`
	StakesAtStart      []rawStake        `json:"stakes_at_start"`
	Events             []rawEvent        `json:"events"`
	NotInGoodStanding  []rawRun          `json:"not_in_good_standing"`
	PreviousCumulative []rawBalance      `json:"previous_cumulative"`
}

type rawStake struct {
	Validator json.RawMessage `json:"validator"`
	Delegator json.RawMessage `json:"delegator"`
	Amount    json.RawMessage `json:"amount_wei"`
}

type rawEvent struct {
	Block     json.RawMessage `json:"block"`
	LogIndex  json.RawMessage `json:"log_index"`
	Kind      json.RawMessage `json:"kind"`
	Validator json.RawMessage `json:"validator"`
	Delegator json.RawMessage `json:"delegator"`
	Amount    json.RawMessage `json:"amount_wei"`
}

type rawRun struct {
	Validator json.RawMessage `json:"validator"`
	FromBlock json.RawMessage `json:"from_block"`
	ToBlock   json.RawMessage `json:"to_block"`
	Reason    json.RawMessage `json:"reason"`
}

type rawBalance struct {
	Account json.RawMessage `json:"account"`
	Amount  json.RawMessage `json:"amount_wei"`
}

// DecodeInput reads and checks a cmt-epoch-input-v1 document. Unknown fields
// are rejected, so a misspelt optional field cannot silently fall back to its
// default. Every rejection is a *FieldError naming the field and index.
// Checks that need the replayed state (an unstake larger than its stake, a
// duplicate stake, the active set limit) are made by Compute, with the same
// kind of error.
func DecodeInput(r io.Reader) (*Input, error) {
	if f, ok := r.(*os.File); ok {
		if data, unmap, ok := mapFile(f); ok {
			defer unmap()
			return decodeInput(data)
		}
	}
	data, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("read epoch input: %w", err)
	}
	return decodeInput(data)
}

// minMap is the smallest input file DecodeInput maps rather than reads.
const minMap = 1 << 20

// decodeInput is DecodeInput on the whole document. The result does not
// refer to data.
func decodeInput(data []byte) (*Input, error) {
	in, ok := fastDecodeInput(data)
	if !ok {
		// Rejected or unusual: the reference decoder names the problem.
		return decodeInputJSON(data)
	}
	if err := in.Check(); err != nil {
		return nil, err
	}
	return in, nil
}

// readAll reads r to the end, into one allocation when r tells its size
// (a regular file, a bytes or strings reader), as io.ReadAll otherwise.
func readAll(r io.Reader) ([]byte, error) {
	size := -1
	switch f := r.(type) {
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = int(fi.Size())
		}
	case interface{ Len() int }:
		size = f.Len()
	}
	if size < 0 {
		return io.ReadAll(r)
	}
	buf := make([]byte, 0, size+1) // +1: EOF is seen without growing
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// decodeInputJSON is the encoding/json-based decoder: slow, obviously
// right, and the source of every rejection's message. DecodeInput uses it
// for whatever its fast path does not accept.
func decodeInputJSON(data []byte) (*Input, error) {
	var raw rawInput
	if err := strictUnmarshal(data, &raw); err != nil {
		return nil, locateJSONError(data, err, rawInputArrays)
	}
	in, err := raw.decode()
	if err != nil {
		return nil, err
	}
	if err := in.Check(); err != nil {
		return nil, err
	}
	return in, nil
}

var errTrailingData = errors.New("unexpected data after the top-level object")

var rawInputArrays = map[string]any{
	"validators_at_start":  json.RawMessage{},
	"stakes_at_start":      rawStake{},
	"events":               rawEvent{},
	"not_in_good_standing": rawRun{},
	"previous_cumulative":  rawBalance{},
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailingData
	}
	return nil
}

// locateJSONError turns a decoding error into a FieldError. encoding/json
// reports neither array indices nor positions for unknown fields, so on this
// (rare) path the document is decoded again element by element to find them.
func locateJSONError(data []byte, err error, arrays map[string]any) error {
	if errors.Is(err, errTrailingData) {
		return fieldErr("", "%v", err)
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := lineCol(data, syn.Offset)
		return fieldErr("", "malformed JSON at line %d, column %d: %v", line, col, syn)
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return fieldErr("", "expected a JSON object at the top level: %v", err)
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		proto, isArray := arrays[k]
		if !isArray {
			continue
		}
		var elems []json.RawMessage
		if json.Unmarshal(top[k], &elems) != nil {
			return fieldErr(k, "expected an array, got %s", jsonKind(top[k]))
		}
		for i, e := range elems {
			if e[0] != '{' && !isRawMessage(proto) {
				return fieldErr(idx(k, i), "expected an object, got %s", jsonKind(e))
			}
			if isRawMessage(proto) {
				continue
			}
			dec := json.NewDecoder(bytes.NewReader(e))
			dec.DisallowUnknownFields()
			target := newLike(proto)
			if derr := dec.Decode(target); derr != nil {
				return fieldErr(idx(k, i), "%s", trimJSONErr(derr))
			}
		}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fieldErr(te.Field, "expected %s, got a JSON %s", goTypeName(te.Type.Kind().String()), te.Value)
	}
	return fieldErr("", "%s", trimJSONErr(err))
}

func isRawMessage(v any) bool { _, ok := v.(json.RawMessage); return ok }

func newLike(v any) any {
	switch v.(type) {
	case rawStake:
		return new(rawStake)
	case rawEvent:
		return new(rawEvent)
	case rawRun:
		return new(rawRun)
	case rawBalance:
		return new(rawBalance)
	case rawValidatorResult:
		return new(rawValidatorResult)
	case rawPayout:
		return new(rawPayout)
	}
	panic(fmt.Sprintf("calc: no prototype for %T", v))
}

func goTypeName(kind string) string {
	switch kind {
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return kind
}

func trimJSONErr(err error) string {
	s := err.Error()
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func lineCol(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

func (raw *rawInput) decode() (*Input, error) {
	in := new(Input)
	format, err := parseString("format", raw.Format)
	if err != nil {
		return nil, err
	}
	if format != InputFormat {
		return nil, fieldErr("format", "unknown format %q, expected %q", format, InputFormat)
	}
	for _, f := range []struct {
		path string
		raw  json.RawMessage
		dst  *uint64
	}{
		{"chain_id", raw.ChainID, &in.ChainID},
		{"epoch", raw.Epoch, &in.Epoch},
		{"first_block", raw.FirstBlock, &in.FirstBlock},
		{"last_block", raw.LastBlock, &in.LastBlock},
		{"validator_share_bps", raw.ValidatorShareBps, &in.ValidatorShareBps},
	} {
		if *f.dst, err = parseUint(f.path, f.raw); err != nil {
			return nil, err
		}
	}
	if err := parseAmount("reward_per_block_wei", raw.RewardPerBlock, &in.RewardPerBlock); err != nil {
		return nil, err
	}
	in.Eligibility = EntireEpoch
	if raw.Eligibility != nil {
		s, err := parseString("eligibility", raw.Eligibility)
		if err != nil {
			return nil, err
		}
		in.Eligibility = Eligibility(s)
	}
	in.ForfeitPolicy = Retain
	if raw.ForfeitPolicy != nil {
		s, err := parseString("forfeit_policy", raw.ForfeitPolicy)
		if err != nil {
			return nil, err
		}
		in.ForfeitPolicy = ForfeitPolicy(s)
	}
	for _, a := range []struct {
		name    string
		present bool
	}{
		{"validators_at_start", raw.ValidatorsAtStart != nil},
		{"stakes_at_start", raw.StakesAtStart != nil},
		{"events", raw.Events != nil},
		{"not_in_good_standing", raw.NotInGoodStanding != nil},
	} {
		if !a.present {
			return nil, fieldErr(a.name, "missing; expected an array (possibly empty)")
		}
	}
	in.ValidatorsAtStart = make([]common.Address, len(raw.ValidatorsAtStart))
	for i, r := range raw.ValidatorsAtStart {
		if in.ValidatorsAtStart[i], err = parseAddress(idx("validators_at_start", i), r); err != nil {
			return nil, err
		}
	}
	in.StakesAtStart = make([]Stake, len(raw.StakesAtStart))
	for i := range raw.StakesAtStart {
		r, s, p := &raw.StakesAtStart[i], &in.StakesAtStart[i], idx("stakes_at_start", i)
		if s.Validator, err = parseAddress(p+".validator", r.Validator); err != nil {
			return nil, err
		}
		if s.Delegator, err = parseAddress(p+".delegator", r.Delegator); err != nil {
			return nil, err
		}
		if err = parseAmount(p+".amount_wei", r.Amount, &s.Amount); err != nil {
			return nil, err
		}
	}
	in.Events = make([]Event, len(raw.Events))
	for i := range raw.Events {
		if err := raw.Events[i].decode(idx("events", i), &in.Events[i]); err != nil {
			return nil, err
		}
	}
	in.NotInGoodStanding = make([]NotGoodRun, len(raw.NotInGoodStanding))
	for i := range raw.NotInGoodStanding {
		r, g, p := &raw.NotInGoodStanding[i], &in.NotInGoodStanding[i], idx("not_in_good_standing", i)
		if g.Validator, err = parseAddress(p+".validator", r.Validator); err != nil {
			return nil, err
		}
		if g.FromBlock, err = parseUint(p+".from_block", r.FromBlock); err != nil {
			return nil, err
		}
		if g.ToBlock, err = parseUint(p+".to_block", r.ToBlock); err != nil {
			return nil, err
		}
		if g.Reason, err = parseString(p+".reason", r.Reason); err != nil {
			return nil, err
		}
	}
	in.PreviousCumulative = make([]Balance, len(raw.PreviousCumulative))
	for i := range raw.PreviousCumulative {
		r, b, p := &raw.PreviousCumulative[i], &in.PreviousCumulative[i], idx("previous_cumulative", i)
		if b.Account, err = parseAddress(p+".account", r.Account); err != nil {
			return nil, err
		}
		if err = parseAmount(p+".amount_wei", r.Amount, &b.Amount); err != nil {
			return nil, err
		}
	}
	return in, nil
}

func (r *rawEvent) decode(p string, ev *Event) error {
	var err error
	if ev.Block, err = parseUint(p+".block", r.Block); err != nil {
		return err
	}
	if ev.LogIndex, err = parseUint(p+".log_index", r.LogIndex); err != nil {
		return err
	}
	kind, err := parseString(p+".kind", r.Kind)
	if err != nil {
		return err
	}
	ev.Kind = EventKind(kind)
	if ev.Validator, err = parseAddress(p+".validator", r.Validator); err != nil {
		return err
	}
	switch ev.Kind {
	case KindStake, KindUnstake:
		if ev.Delegator, err = parseAddress(p+".delegator", r.Delegator); err != nil {
			return err
		}
		return parseAmount(p+".amount_wei", r.Amount, &ev.Amount)
	case KindValidatorAdded, KindValidatorRemoved:
		if r.Delegator != nil {
			return fieldErr(p+".delegator", "not allowed in a %s event", kind)
		}
		if r.Amount != nil {
			return fieldErr(p+".amount_wei", "not allowed in a %s event", kind)
		}
		return nil
	}
	return fieldErr(p+".kind", "unknown event kind %q, expected stake, unstake, validator_added or validator_removed", kind)
}

// Check applies every rule of rewards-v1 §9 that does not need the replayed
// state. DecodeInput calls it; callers that build an Input in code should too.
func (in *Input) Check() error {
	if in.FirstBlock > in.LastBlock {
		return fieldErr("first_block", "%d is after last_block %d", in.FirstBlock, in.LastBlock)
	}
	if in.ValidatorShareBps > 10000 {
		return fieldErr("validator_share_bps", "%d exceeds 10000", in.ValidatorShareBps)
	}
	switch in.Eligibility {
	case EntireEpoch, WhileActive:
	default:
		return fieldErr("eligibility", "unknown policy %q, expected %q or %q", in.Eligibility, EntireEpoch, WhileActive)
	}
	switch in.ForfeitPolicy {
	case Retain, Redistribute:
	default:
		return fieldErr("forfeit_policy", "unknown policy %q, expected %q or %q", in.ForfeitPolicy, Retain, Redistribute)
	}
	if len(in.ValidatorsAtStart) > MaxValidators {
		return fieldErr("validators_at_start", "%d validators exceed the maximum of %d", len(in.ValidatorsAtStart), MaxValidators)
	}
	seen := make(map[common.Address]int, len(in.ValidatorsAtStart))
	for i, v := range in.ValidatorsAtStart {
		if j, dup := seen[v]; dup {
			return fieldErr(idx("validators_at_start", i), "duplicate validator %s (also at index %d)", v.Hex(), j)
		}
		seen[v] = i
	}
	for i := range in.Events {
		ev := &in.Events[i]
		p := idx("events", i)
		if ev.Block < in.FirstBlock || ev.Block > in.LastBlock {
			return fieldErr(p+".block", "%d is outside the epoch's blocks [%d, %d]", ev.Block, in.FirstBlock, in.LastBlock)
		}
		if i > 0 {
			prev := &in.Events[i-1]
			if ev.Block < prev.Block || (ev.Block == prev.Block && ev.LogIndex <= prev.LogIndex) {
				return fieldErr(p, "out of (block, log_index) order: (%d, %d) after (%d, %d)", ev.Block, ev.LogIndex, prev.Block, prev.LogIndex)
			}
		}
		switch ev.Kind {
		case KindStake, KindUnstake, KindValidatorAdded, KindValidatorRemoved:
		default:
			return fieldErr(p+".kind", "unknown event kind %q", ev.Kind)
		}
	}
	for i := range in.NotInGoodStanding {
		g := &in.NotInGoodStanding[i]
		p := idx("not_in_good_standing", i)
		if g.FromBlock > g.ToBlock {
			return fieldErr(p+".from_block", "%d is after to_block %d", g.FromBlock, g.ToBlock)
		}
		if g.FromBlock < in.FirstBlock || g.ToBlock > in.LastBlock {
			return fieldErr(p, "run [%d, %d] is outside the epoch's blocks [%d, %d]", g.FromBlock, g.ToBlock, in.FirstBlock, in.LastBlock)
		}
		if g.Reason == "" {
			return fieldErr(p+".reason", "empty; expected a reason such as %q", ReasonMissedSlots)
		}
	}
	// Accounts in ascending order (a previous result's payouts always are)
	// repeat only as neighbours, and the first such pair is the first
	// repeat. Otherwise a bulk.Index rather than a map: half a million
	// accounts.
	prev := in.PreviousCumulative
	ascending := true
	for i := 1; i < len(prev); i++ {
		switch c := cmpAddr(&prev[i-1].Account, &prev[i].Account); {
		case c == 0:
			return fieldErr(idx("previous_cumulative", i), "duplicate account %s (also at index %d)", prev[i].Account.Hex(), i-1)
		case c > 0:
			ascending = false
		}
		if !ascending {
			break
		}
	}
	if ascending {
		return nil
	}
	accounts := bulk.NewIndex(len(prev), func(j int32) common.Address { return prev[j].Account })
	seed := maphash.MakeSeed()
	if i, j := accounts.InsertAll(len(prev), func(i int32) (uint64, common.Address) {
		return maphash.Comparable(seed, prev[i].Account), prev[i].Account
	}); i >= 0 {
		return fieldErr(idx("previous_cumulative", int(i)), "duplicate account %s (also at index %d)", prev[i].Account.Hex(), j)
	}
	return nil
}

// WriteJSON writes in as a canonical cmt-epoch-input-v1 document: keys in
// the spec's order, two-space indentation, one array element per line,
// addresses in EIP-55 case, and every optional field written out.
// DecodeInput(WriteJSON(in)) gives back an equal Input.
func (in *Input) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf []byte
	str := func(s string) { buf = appendJSONString(buf, s) }
	amt := func(x *uint256.Int) { buf = append(buf, '"'); buf = append(buf, x.Dec()...); buf = append(buf, '"') }
	num := func(v uint64) { buf = strconv.AppendUint(buf, v, 10) }
	key := func(k string) { buf = append(buf, ",\n  \""...); buf = append(buf, k...); buf = append(buf, "\": "...) }
	list := func(n int, elem func(i int)) error {
		buf = append(buf, '[')
		for i := 0; i < n; i++ {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, "\n    "...)
			elem(i)
			if len(buf) > 1<<15 {
				if _, err := bw.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		if n > 0 {
			buf = append(buf, "\n  "...)
		}
		buf = append(buf, ']')
		return nil
	}
	buf = append(buf, "{\n  \"format\": "...)
	str(InputFormat)
	key("chain_id")
	num(in.ChainID)
	key("epoch")
	num(in.Epoch)
	key("first_block")
	num(in.FirstBlock)
	key("last_block")
	num(in.LastBlock)
	key("reward_per_block_wei")
	amt(&in.RewardPerBlock)
	key("validator_share_bps")
	num(in.ValidatorShareBps)
	key("eligibility")
	str(string(in.Eligibility))
	key("forfeit_policy")
	str(string(in.ForfeitPolicy))
	key("validators_at_start")
	if err := list(len(in.ValidatorsAtStart), func(i int) { str(in.ValidatorsAtStart[i].Hex()) }); err != nil {
		return err
	}
	key("stakes_at_start")
	if err := list(len(in.StakesAtStart), func(i int) {
		s := &in.StakesAtStart[i]
		buf = append(buf, "{\"validator\": "...)
		str(s.Validator.Hex())
		buf = append(buf, ", \"delegator\": "...)
		str(s.Delegator.Hex())
		buf = append(buf, ", \"amount_wei\": "...)
		amt(&s.Amount)
		buf = append(buf, '}')
	}); err != nil {
		return err
	}
	key("events")
	if err := list(len(in.Events), func(i int) {
		ev := &in.Events[i]
		buf = append(buf, "{\"block\": "...)
		num(ev.Block)
		buf = append(buf, ", \"log_index\": "...)
		num(ev.LogIndex)
		buf = append(buf, ", \"kind\": "...)
		str(string(ev.Kind))
		buf = append(buf, ", \"validator\": "...)
		str(ev.Validator.Hex())
		if ev.Kind == KindStake || ev.Kind == KindUnstake {
			buf = append(buf, ", \"delegator\": "...)
			str(ev.Delegator.Hex())
			buf = append(buf, ", \"amount_wei\": "...)
			amt(&ev.Amount)
		}
		buf = append(buf, '}')
	}); err != nil {
		return err
	}
	key("not_in_good_standing")
	if err := list(len(in.NotInGoodStanding), func(i int) {
		g := &in.NotInGoodStanding[i]
		buf = append(buf, "{\"validator\": "...)
		str(g.Validator.Hex())
		buf = append(buf, ", \"from_block\": "...)
		num(g.FromBlock)
		buf = append(buf, ", \"to_block\": "...)
		num(g.ToBlock)
		buf = append(buf, ", \"reason\": "...)
		str(g.Reason)
		buf = append(buf, '}')
	}); err != nil {
		return err
	}
	key("previous_cumulative")
	if err := list(len(in.PreviousCumulative), func(i int) {
		b := &in.PreviousCumulative[i]
		buf = append(buf, "{\"account\": "...)
		str(b.Account.Hex())
		buf = append(buf, ", \"amount_wei\": "...)
		amt(&b.Amount)
		buf = append(buf, '}')
	}); err != nil {
		return err
	}
	buf = append(buf, "\n}\n"...)
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}
