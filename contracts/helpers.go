package contracts

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// DeployValidatorSet sends the creation transaction of a ValidatorSet with the
// given first validators (1 to 21, distinct, non-zero) and root quorum in basis
// points of the active set (5000, a strict majority, to 10000, unanimity; the
// contract never accepts a root with less than a strict majority). It returns the
// contract's address (known before mining) and the transaction; wait for it with
// bind.WaitDeployed.
func DeployValidatorSet(auth *bind.TransactOpts, backend bind.ContractBackend, initialValidators []common.Address, rootQuorumBps uint64) (common.Address, *types.Transaction, error) {
	code := common.FromHex(ValidatorSetMetaData.Bin)
	args, err := NewValidatorSet().abi.Pack("", initialValidators, new(big.Int).SetUint64(rootQuorumBps))
	if err != nil {
		return common.Address{}, nil, err
	}
	return bind.DeployContract(auth, code, backend, args)
}

var (
	errorsOnce  sync.Once
	knownErrors []abi.Error
)

// revertErrors lists the ValidatorSet's custom errors plus Solidity's builtin
// Error(string) and Panic(uint256).
func revertErrors() []abi.Error {
	errorsOnce.Do(func() {
		for _, e := range NewValidatorSet().abi.Errors {
			knownErrors = append(knownErrors, e)
		}
		str, _ := abi.NewType("string", "", nil)
		u256, _ := abi.NewType("uint256", "", nil)
		knownErrors = append(knownErrors,
			abi.NewError("Error", abi.Arguments{{Name: "message", Type: str}}),
			abi.NewError("Panic", abi.Arguments{{Name: "code", Type: u256}}),
		)
	})
	return knownErrors
}

// RevertData extracts the revert data carried by an error returned from an
// eth_call or eth_estimateGas (a JSON-RPC error whose data field holds the hex
// revert data, as go-ethereum's ethclient returns it). ok is false when the
// error carries none.
func RevertData(err error) (data []byte, ok bool) {
	var de interface{ ErrorData() interface{} }
	if !errors.As(err, &de) {
		return nil, false
	}
	switch d := de.ErrorData().(type) {
	case string:
		b, decErr := hex.DecodeString(strings.TrimPrefix(d, "0x"))
		return b, decErr == nil
	case []byte:
		return d, true
	default:
		return nil, false
	}
}

// DecodeRevert describes why a call failed, for logs: for a revert with data,
// the error's name and arguments, e.g. "EpochNotNext(expected=3, got=2)"
// (see DecodeRevertData); otherwise the error's text. It returns "" for a nil
// error.
func DecodeRevert(err error) string {
	if err == nil {
		return ""
	}
	if data, ok := RevertData(err); ok {
		return DecodeRevertData(data)
	}
	return err.Error()
}

// DecodeRevertData renders revert data as name(arg=value, ...): a ValidatorSet
// custom error (including OpenZeppelin's ReentrancyGuardReentrantCall),
// Error(message="...") or Panic(code=0x11). Addresses are in checksum case,
// integers in decimal (panic codes in hex), bytes in 0x hex. Empty data gives
// "revert without data"; unknown selectors give "unknown revert 0x…".
func DecodeRevertData(data []byte) string {
	if len(data) == 0 {
		return "revert without data"
	}
	if len(data) >= 4 {
		for _, e := range revertErrors() {
			if !bytes.Equal(data[:4], e.ID[:4]) {
				continue
			}
			values, err := e.Inputs.Unpack(data[4:])
			if err != nil {
				break
			}
			parts := make([]string, len(values))
			for i, v := range values {
				parts[i] = e.Inputs[i].Name + "=" + formatValue(e.Name, v)
			}
			return e.Name + "(" + strings.Join(parts, ", ") + ")"
		}
	}
	return "unknown revert 0x" + hex.EncodeToString(data)
}

func formatValue(errName string, v any) string {
	switch x := v.(type) {
	case common.Address:
		return x.Hex()
	case *big.Int:
		if errName == "Panic" {
			return "0x" + x.Text(16)
		}
		return x.String()
	case [32]byte:
		return common.Hash(x).Hex()
	case []byte:
		return "0x" + hex.EncodeToString(x)
	case string:
		return fmt.Sprintf("%q", x)
	default:
		return fmt.Sprint(x)
	}
}
