package contracts

import (
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// dataError mimics the JSON-RPC error ethclient returns for a revert.
type dataError struct {
	msg  string
	data interface{}
}

func (e dataError) Error() string          { return e.msg }
func (e dataError) ErrorData() interface{} { return e.data }

func TestDecodeRevert(t *testing.T) {
	vs := NewValidatorSet()
	pack := func(name string, args ...any) []byte {
		e := vs.abi.Errors[name]
		enc, err := e.Inputs.Pack(args...)
		if err != nil {
			t.Fatal(err)
		}
		return append(e.ID[:4:4], enc...)
	}
	str, _ := abi.NewType("string", "", nil)
	u256, _ := abi.NewType("uint256", "", nil)
	errorString, _ := abi.Arguments{{Type: str}}.Pack("boom")
	panicCode, _ := abi.Arguments{{Type: u256}}.Pack(big.NewInt(0x11))
	a := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	epochNotNextID := vs.abi.Errors["EpochNotNext"].ID

	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"no data", errors.New("connection refused"), "connection refused"},
		{"custom error", dataError{"execution reverted", hexutil.Encode(pack("EpochNotNext", big.NewInt(3), big.NewInt(2)))},
			"EpochNotNext(expected=3, got=2)"},
		{"address argument, wrapped", fmt.Errorf("submit: %w", dataError{"execution reverted", hexutil.Encode(pack("AlreadyVoted", big.NewInt(7), a))}),
			"AlreadyVoted(epoch=7, validator=" + a.Hex() + ")"},
		{"no arguments", dataError{"x", hexutil.Encode(pack("ZeroAmount"))}, "ZeroAmount()"},
		{"inherited OpenZeppelin error", dataError{"x", hexutil.Encode(pack("ReentrancyGuardReentrantCall"))}, "ReentrancyGuardReentrantCall()"},
		{"raw bytes data", dataError{"x", pack("NothingToClaim", a)}, "NothingToClaim(account=" + a.Hex() + ")"},
		{"Error(string)", dataError{"x", hexutil.Encode(append(common.FromHex("0x08c379a0"), errorString...))}, `Error(message="boom")`},
		{"Panic(uint256)", dataError{"x", hexutil.Encode(append(common.FromHex("0x4e487b71"), panicCode...))}, "Panic(code=0x11)"},
		{"empty revert", dataError{"execution reverted", "0x"}, "revert without data"},
		{"unknown selector", dataError{"x", "0xdeadbeef01"}, "unknown revert 0xdeadbeef01"},
		{"short data", dataError{"x", "0xabcd"}, "unknown revert 0xabcd"},
		{"known selector, bad arguments", dataError{"x", hexutil.Encode(epochNotNextID[:4])},
			"unknown revert " + hexutil.Encode(epochNotNextID[:4])},
		{"data of another type", dataError{"weird", 42}, "weird"},
	} {
		if got := DecodeRevert(tc.err); got != tc.want {
			t.Errorf("%s: DecodeRevert = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestEveryErrorDecodes(t *testing.T) {
	// Every error in the ABI has a name the daemon can log.
	vs := NewValidatorSet()
	if len(vs.abi.Errors) < 20 {
		t.Fatalf("only %d errors in the ABI", len(vs.abi.Errors))
	}
	for name, e := range vs.abi.Errors {
		args := make([]any, len(e.Inputs))
		for i, in := range e.Inputs {
			switch in.Type.T {
			case abi.AddressTy:
				args[i] = common.Address{1}
			case abi.UintTy:
				args[i] = big.NewInt(1)
			default:
				t.Fatalf("%s: unexpected argument type %s", name, in.Type)
			}
		}
		enc, err := e.Inputs.Pack(args...)
		if err != nil {
			t.Fatal(err)
		}
		got := DecodeRevertData(append(e.ID[:4:4], enc...))
		if len(got) < len(name) || got[:len(name)+1] != name+"(" {
			t.Errorf("%s decodes as %q", name, got)
		}
	}
}
