// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package contracts

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// ReentererMetaData contains all meta data concerning the Reenterer contract.
var ReentererMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address\",\"name\":\"target_\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"attempted\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes\",\"name\":\"data\",\"type\":\"bytes\"}],\"name\":\"forward\",\"outputs\":[],\"stateMutability\":\"payable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"reentryCall\",\"outputs\":[{\"internalType\":\"bytes\",\"name\":\"\",\"type\":\"bytes\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"reentryResult\",\"outputs\":[{\"internalType\":\"bytes\",\"name\":\"\",\"type\":\"bytes\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"reentrySucceeded\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"reject\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes\",\"name\":\"data\",\"type\":\"bytes\"}],\"name\":\"setReentry\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bool\",\"name\":\"reject_\",\"type\":\"bool\"}],\"name\":\"setReject\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"target\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"stateMutability\":\"payable\",\"type\":\"receive\"}]",
	ID:  "Reenterer",
	Bin: "0x60a0604052348015600f57600080fd5b50604051610855380380610855833981016040819052602c91603c565b6001600160a01b0316608052606a565b600060208284031215604d57600080fd5b81516001600160a01b0381168114606357600080fd5b9392505050565b6080516107c36100926000396000818160dc01528181610246015261035b01526107c36000f3fe60806040526004361061008a5760003560e01c8063abff3b4911610059578063abff3b4914610212578063d4b8399214610234578063d948d46814610280578063dbe5c30414610293578063f462d992146102a857600080fd5b806316f524551461017a5780634dc415de146101aa57806359703b2e146101d9578063917f51b4146101f857600080fd5b366101755760035460ff161561009f57600080fd5b60015460ff16806100bc5750600080546100b890610417565b1590505b156100c357005b6001805460ff1916811790556040516001600160a01b037f0000000000000000000000000000000000000000000000000000000000000000169061010990600090610451565b6000604051808303816000865af19150503d8060008114610146576040519150601f19603f3d011682016040523d82523d6000602084013e61014b565b606091505b50600180600261015b8482610538565b508391906101000a81548160ff0219169083151502179055005b600080fd5b34801561018657600080fd5b506101a86101953660046105fb565b6003805460ff1916911515919091179055565b005b3480156101b657600080fd5b506003546101c49060ff1681565b60405190151581526020015b60405180910390f35b3480156101e557600080fd5b506001546101c490610100900460ff1681565b34801561020457600080fd5b506001546101c49060ff1681565b34801561021e57600080fd5b506102276102c8565b6040516101d09190610624565b34801561024057600080fd5b506102687f000000000000000000000000000000000000000000000000000000000000000081565b6040516001600160a01b0390911681526020016101d0565b6101a861028e366004610672565b610356565b34801561029f57600080fd5b506102276103ee565b3480156102b457600080fd5b506101a86102c3366004610672565b6103fb565b600080546102d590610417565b80601f016020809104026020016040519081016040528092919081815260200182805461030190610417565b801561034e5780601f106103235761010080835404028352916020019161034e565b820191906000526020600020905b81548152906001019060200180831161033157829003601f168201915b505050505081565b6000807f00000000000000000000000000000000000000000000000000000000000000006001600160a01b03163485856040516103949291906106e6565b60006040518083038185875af1925050503d80600081146103d1576040519150601f19603f3d011682016040523d82523d6000602084013e6103d6565b606091505b5091509150816103e857805160208201fd5b50505050565b600280546102d590610417565b60006104088284836106f6565b50506001805460ff1916905550565b600181811c9082168061042b57607f821691505b60208210810361044b57634e487b7160e01b600052602260045260246000fd5b50919050565b600080835461045f81610417565b600182168015610476576001811461048b576104bb565b60ff19831686528115158202860193506104bb565b86600052602060002060005b838110156104b357815488820152600190910190602001610497565b505081860193505b509195945050505050565b634e487b7160e01b600052604160045260246000fd5b601f821115610533578282111561053357806000526020600020601f840160051c602085101561050a575060005b90810190601f840160051c0360005b8181101561052f57600083820155600101610519565b5050505b505050565b815167ffffffffffffffff811115610552576105526104c6565b610566816105608454610417565b846104dc565b6020601f82116001811461059a57600083156105825750848201515b600019600385901b1c1916600184901b1784556105f4565b600084815260208120601f198516915b828110156105ca57878501518255602094850194600190920191016105aa565b50848210156105e85786840151600019600387901b60f8161c191681555b505060018360011b0184555b5050505050565b60006020828403121561060d57600080fd5b8135801515811461061d57600080fd5b9392505050565b602081526000825180602084015260005b818110156106525760208186018101516040868401015201610635565b506000604082850101526040601f19601f83011684010191505092915050565b6000806020838503121561068557600080fd5b823567ffffffffffffffff81111561069c57600080fd5b8301601f810185136106ad57600080fd5b803567ffffffffffffffff8111156106c457600080fd5b8560208284010111156106d657600080fd5b6020919091019590945092505050565b8183823760009101908152919050565b67ffffffffffffffff83111561070e5761070e6104c6565b6107228361071c8354610417565b836104dc565b6000601f841160018114610756576000851561073e5750838201355b600019600387901b1c1916600186901b1783556105f4565b600083815260209020601f19861690835b828110156107875786850135825560209485019460019092019101610767565b50868210156107a45760001960f88860031b161c19848701351681555b505060018560011b018355505050505056fea164736f6c6343000825000a",
}

// Reenterer is an auto generated Go binding around an Ethereum contract.
type Reenterer struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *Reenterer) GetABI() abi.ABI {
	return c.abi
}

// NewReenterer creates a new instance of Reenterer.
func NewReenterer() *Reenterer {
	parsed, err := ReentererMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &Reenterer{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *Reenterer) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address target_) returns()
func (reenterer *Reenterer) PackConstructor(target_ common.Address) []byte {
	enc, err := reenterer.abi.Pack("", target_)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackAttempted is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x917f51b4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function attempted() view returns(bool)
func (reenterer *Reenterer) PackAttempted() []byte {
	enc, err := reenterer.abi.Pack("attempted")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAttempted is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x917f51b4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function attempted() view returns(bool)
func (reenterer *Reenterer) TryPackAttempted() ([]byte, error) {
	return reenterer.abi.Pack("attempted")
}

// UnpackAttempted is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x917f51b4.
//
// Solidity: function attempted() view returns(bool)
func (reenterer *Reenterer) UnpackAttempted(data []byte) (bool, error) {
	out, err := reenterer.abi.Unpack("attempted", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackForward is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd948d468.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function forward(bytes data) payable returns()
func (reenterer *Reenterer) PackForward(data []byte) []byte {
	enc, err := reenterer.abi.Pack("forward", data)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackForward is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd948d468.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function forward(bytes data) payable returns()
func (reenterer *Reenterer) TryPackForward(data []byte) ([]byte, error) {
	return reenterer.abi.Pack("forward", data)
}

// PackReentryCall is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xabff3b49.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function reentryCall() view returns(bytes)
func (reenterer *Reenterer) PackReentryCall() []byte {
	enc, err := reenterer.abi.Pack("reentryCall")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReentryCall is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xabff3b49.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function reentryCall() view returns(bytes)
func (reenterer *Reenterer) TryPackReentryCall() ([]byte, error) {
	return reenterer.abi.Pack("reentryCall")
}

// UnpackReentryCall is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xabff3b49.
//
// Solidity: function reentryCall() view returns(bytes)
func (reenterer *Reenterer) UnpackReentryCall(data []byte) ([]byte, error) {
	out, err := reenterer.abi.Unpack("reentryCall", data)
	if err != nil {
		return *new([]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([]byte)).(*[]byte)
	return out0, nil
}

// PackReentryResult is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdbe5c304.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function reentryResult() view returns(bytes)
func (reenterer *Reenterer) PackReentryResult() []byte {
	enc, err := reenterer.abi.Pack("reentryResult")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReentryResult is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdbe5c304.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function reentryResult() view returns(bytes)
func (reenterer *Reenterer) TryPackReentryResult() ([]byte, error) {
	return reenterer.abi.Pack("reentryResult")
}

// UnpackReentryResult is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xdbe5c304.
//
// Solidity: function reentryResult() view returns(bytes)
func (reenterer *Reenterer) UnpackReentryResult(data []byte) ([]byte, error) {
	out, err := reenterer.abi.Unpack("reentryResult", data)
	if err != nil {
		return *new([]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([]byte)).(*[]byte)
	return out0, nil
}

// PackReentrySucceeded is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x59703b2e.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function reentrySucceeded() view returns(bool)
func (reenterer *Reenterer) PackReentrySucceeded() []byte {
	enc, err := reenterer.abi.Pack("reentrySucceeded")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReentrySucceeded is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x59703b2e.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function reentrySucceeded() view returns(bool)
func (reenterer *Reenterer) TryPackReentrySucceeded() ([]byte, error) {
	return reenterer.abi.Pack("reentrySucceeded")
}

// UnpackReentrySucceeded is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x59703b2e.
//
// Solidity: function reentrySucceeded() view returns(bool)
func (reenterer *Reenterer) UnpackReentrySucceeded(data []byte) (bool, error) {
	out, err := reenterer.abi.Unpack("reentrySucceeded", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackReject is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4dc415de.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function reject() view returns(bool)
func (reenterer *Reenterer) PackReject() []byte {
	enc, err := reenterer.abi.Pack("reject")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReject is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4dc415de.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function reject() view returns(bool)
func (reenterer *Reenterer) TryPackReject() ([]byte, error) {
	return reenterer.abi.Pack("reject")
}

// UnpackReject is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x4dc415de.
//
// Solidity: function reject() view returns(bool)
func (reenterer *Reenterer) UnpackReject(data []byte) (bool, error) {
	out, err := reenterer.abi.Unpack("reject", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackSetReentry is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf462d992.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function setReentry(bytes data) returns()
func (reenterer *Reenterer) PackSetReentry(data []byte) []byte {
	enc, err := reenterer.abi.Pack("setReentry", data)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSetReentry is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf462d992.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function setReentry(bytes data) returns()
func (reenterer *Reenterer) TryPackSetReentry(data []byte) ([]byte, error) {
	return reenterer.abi.Pack("setReentry", data)
}

// PackSetReject is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x16f52455.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function setReject(bool reject_) returns()
func (reenterer *Reenterer) PackSetReject(reject bool) []byte {
	enc, err := reenterer.abi.Pack("setReject", reject)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSetReject is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x16f52455.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function setReject(bool reject_) returns()
func (reenterer *Reenterer) TryPackSetReject(reject bool) ([]byte, error) {
	return reenterer.abi.Pack("setReject", reject)
}

// PackTarget is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd4b83992.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function target() view returns(address)
func (reenterer *Reenterer) PackTarget() []byte {
	enc, err := reenterer.abi.Pack("target")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTarget is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd4b83992.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function target() view returns(address)
func (reenterer *Reenterer) TryPackTarget() ([]byte, error) {
	return reenterer.abi.Pack("target")
}

// UnpackTarget is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xd4b83992.
//
// Solidity: function target() view returns(address)
func (reenterer *Reenterer) UnpackTarget(data []byte) (common.Address, error) {
	out, err := reenterer.abi.Unpack("target", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}
