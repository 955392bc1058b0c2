// Package actions builds, checks and describes the validator contract calls
// a holder or a validator makes by hand — staking, unstaking, withdrawing,
// candidacy and the DAO's votes — so that rewardctl (and the web app) send
// exactly the same calldata and refuse the same mistakes before any gas is
// spent. Sending is txsend's job; this package only says what to send.
package actions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/units"
	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// Caller is the part of an ethclient.Client the checks and simulations use.
// A nil block number means the latest block.
type Caller interface {
	CallContract(ctx context.Context, msg ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
}

// Call is one contract call, or with To nil a contract creation.
type Call struct {
	// Name is the action ("stake", "candidacy-declare"); it is also the
	// first part of the call's txsend record key.
	Name string
	// To is the contract; nil for a creation.
	To *common.Address
	// Value is the wei sent with the call; never nil.
	Value *uint256.Int
	// Data is the calldata (for a creation: bytecode and constructor
	// arguments).
	Data []byte
}

// TxCall is the call as txsend sends it; a creation (To nil) is a txsend
// creation (Create).
func (c Call) TxCall() txsend.Call {
	if c.To == nil {
		return txsend.Call{Data: c.Data, Value: c.Value.ToBig(), Create: true}
	}
	return txsend.Call{To: *c.To, Data: c.Data, Value: c.Value.ToBig()}
}

var vs = contracts.NewValidatorSet()

func call(name string, to common.Address, value *uint256.Int, data []byte) Call {
	if value == nil {
		value = new(uint256.Int)
	}
	return Call{Name: name, To: &to, Value: value, Data: data}
}

// Stake stakes amount wei at validator (an active validator or a candidate).
func Stake(contract, validator common.Address, amount *uint256.Int) Call {
	return call("stake", contract, amount, vs.PackStake(validator))
}

// Unstake moves amount wei of the caller's matured stake at validator to
// its withdrawable balance; see CheckUnstake.
func Unstake(contract, validator common.Address, amount *uint256.Int) Call {
	return call("unstake", contract, nil, vs.PackUnstake(validator, amount.ToBig()))
}

// Withdraw pays the caller's whole withdrawable balance to the caller.
func Withdraw(contract common.Address) Call {
	return call("withdraw", contract, nil, vs.PackWithdraw())
}

// DeclareCandidacy declares the caller a candidate for the node with the
// 64-byte public key pubkey (see ParsePubkey).
func DeclareCandidacy(contract common.Address, pubkey []byte) Call {
	return call("candidacy-declare", contract, nil, vs.PackDeclareCandidacy(pubkey))
}

// WithdrawCandidacy withdraws the caller's candidacy.
func WithdrawCandidacy(contract common.Address) Call {
	return call("candidacy-withdraw", contract, nil, vs.PackWithdrawCandidacy())
}

// VotePromote votes, as an active validator, to promote candidate.
func VotePromote(contract, candidate common.Address) Call {
	return call("vote-promote", contract, nil, vs.PackVotePromote(candidate))
}

// VoteRemove votes, as an active validator, to remove validator.
func VoteRemove(contract, validator common.Address) Call {
	return call("vote-remove", contract, nil, vs.PackVoteRemove(validator))
}

// Decode names the function c calls and its arguments as decoded from the
// calldata itself (not from what the call was built from), e.g.
// "stake(validator=0x…)"; "constructor(…)" for a creation.
func (c Call) Decode() (string, error) {
	a, err := contracts.ValidatorSetMetaData.ParseABI()
	if err != nil {
		return "", err
	}
	if c.To == nil {
		code := common.FromHex(contracts.ValidatorSetMetaData.Bin)
		if len(c.Data) < len(code) {
			return "", errors.New("creation code is shorter than the contract's bytecode")
		}
		return format("constructor", a.Constructor.Inputs, c.Data[len(code):])
	}
	if len(c.Data) < 4 {
		return "", fmt.Errorf("calldata 0x%x has no function selector", c.Data)
	}
	m, err := a.MethodById(c.Data[:4])
	if err != nil {
		return "", err
	}
	return format(m.RawName, m.Inputs, c.Data[4:])
}

func format(name string, in abi.Arguments, data []byte) (string, error) {
	values, err := in.Unpack(data)
	if err != nil {
		return "", fmt.Errorf("decode %s arguments: %w", name, err)
	}
	parts := make([]string, len(values))
	for i, v := range values {
		switch x := v.(type) {
		case common.Address:
			v = x.Hex()
		case []byte:
			v = "0x" + hex.EncodeToString(x)
		case []common.Address:
			s := make([]string, len(x))
			for j := range x {
				s[j] = x[j].Hex()
			}
			v = "[" + strings.Join(s, ",") + "]"
		}
		parts[i] = fmt.Sprintf("%s=%v", in[i].Name, v)
	}
	return name + "(" + strings.Join(parts, ", ") + ")", nil
}

// Simulate runs c as an eth_call from from on the latest state. It returns
// "" when the call succeeds, the decoded custom error (see
// contracts.DecodeRevert) when it reverts, and an error only when the node
// could not be asked.
func Simulate(ctx context.Context, b Caller, from common.Address, c Call) (revert string, err error) {
	_, err = b.CallContract(ctx, ethereum.CallMsg{From: from, To: c.To, Value: c.Value.ToBig(), Data: c.Data}, nil)
	if err == nil {
		return "", nil
	}
	if _, ok := contracts.RevertData(err); ok || strings.Contains(err.Error(), "revert") {
		return contracts.DecodeRevert(err), nil
	}
	return "", fmt.Errorf("simulate %s: %w", c.Name, err)
}

// ErrNotMatured is wrapped by CheckUnstake when the amount exceeds the
// stake's matured part.
var ErrNotMatured = errors.New("stake not matured")

// CheckUnstake refuses, before any gas is spent, an unstake of amount wei
// by delegator at validator that the contract would refuse: more than the
// stake, or more than its matured (unlocked) part, as the contract's views
// unlockedStakeOf and lockedLotsOf see it at the latest block. The error
// names the matured amount and when the next locked lot unlocks (block
// time, UTC).
func CheckUnstake(ctx context.Context, b Caller, contract, delegator, validator common.Address, amount *uint256.Int) error {
	read := func(what string, data []byte) ([]byte, error) {
		out, err := b.CallContract(ctx, ethereum.CallMsg{To: &contract, Data: data}, nil)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		return out, nil
	}
	out, err := read("stakeOf", vs.PackStakeOf(delegator, validator))
	if err != nil {
		return err
	}
	staked, err := vs.UnpackStakeOf(out)
	if err != nil {
		return fmt.Errorf("decode stakeOf: %w", err)
	}
	if amount.ToBig().Cmp(staked) > 0 {
		return fmt.Errorf("--amount %s CMT exceeds %s's stake at %s, %s CMT", units.FormatCMT(amount), delegator.Hex(), validator.Hex(), cmt(staked))
	}
	if out, err = read("unlockedStakeOf", vs.PackUnlockedStakeOf(delegator, validator)); err != nil {
		return err
	}
	unlocked, err := vs.UnpackUnlockedStakeOf(out)
	if err != nil {
		return fmt.Errorf("decode unlockedStakeOf: %w", err)
	}
	if amount.ToBig().Cmp(unlocked) <= 0 {
		return nil
	}
	if out, err = read("lockedLotsOf", vs.PackLockedLotsOf(delegator, validator)); err != nil {
		return err
	}
	lots, err := vs.UnpackLockedLotsOf(out)
	if err != nil {
		return fmt.Errorf("decode lockedLotsOf: %w", err)
	}
	next := "no locked lot is left"
	if len(lots.Amounts) > 0 {
		next = fmt.Sprintf("the next %s CMT unlocks at %s", cmt(lots.Amounts[0]), unixUTC(lots.UnlocksAt[0]))
	}
	return fmt.Errorf("%w: --amount %s CMT exceeds the matured stake of %s at %s, %s CMT; %s",
		ErrNotMatured, units.FormatCMT(amount), delegator.Hex(), validator.Hex(), cmt(unlocked), next)
}

func cmt(wei *big.Int) string { return units.FormatCMT(uint256.MustFromBig(wei)) }

// requestIDPattern is what a FileStore key accepts, bounded.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// NewRequestID returns a fresh random request id: 16 hex digits.
func NewRequestID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("request id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// CheckRequestID refuses a request id that cannot be part of a record key:
// 1 to 64 letters, digits, '-' and '_'.
func CheckRequestID(id string) error {
	if !requestIDPattern.MatchString(id) {
		return fmt.Errorf("%q: expected 1 to 64 letters, digits, '-' or '_'", id)
	}
	return nil
}

// RecordKey is the txsend record key of c sent from the contract under
// request id: "stake-0xCONTRACT-ID", and for a creation "deploy-ID". One
// request id, one transaction: the same id again resumes (or reports) the
// recorded transaction, a new id sends a new one, and txsend refuses an id
// recorded for another call.
func RecordKey(c Call, id string) string {
	if c.To == nil {
		return fmt.Sprintf("%s-%s", c.Name, id)
	}
	return fmt.Sprintf("%s-%s-%s", c.Name, c.To.Hex(), id)
}

// unixUTC renders a contract timestamp as RFC 3339 UTC.
func unixUTC(t *big.Int) string {
	if !t.IsInt64() {
		return "timestamp " + t.String()
	}
	return time.Unix(t.Int64(), 0).UTC().Format(time.RFC3339)
}
