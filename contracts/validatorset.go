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

// ValidatorSetMetaData contains all meta data concerning the ValidatorSet contract.
var ValidatorSetMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address[]\",\"name\":\"initialValidators\",\"type\":\"address[]\"},{\"internalType\":\"uint256\",\"name\":\"rootQuorum_\",\"type\":\"uint256\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"active\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"rootQuorum\",\"type\":\"uint256\"}],\"name\":\"ActiveSetAtQuorum\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"max\",\"type\":\"uint256\"}],\"name\":\"ActiveSetFull\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"AlreadyActive\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"AlreadyCandidate\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"epoch\",\"type\":\"uint256\"},{\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"}],\"name\":\"AlreadyVoted\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"available\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"requested\",\"type\":\"uint256\"}],\"name\":\"ClaimExceedsTotal\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"voter\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"target\",\"type\":\"address\"}],\"name\":\"DuplicateVote\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"expected\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"got\",\"type\":\"uint256\"}],\"name\":\"EpochNotNext\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"staked\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"requested\",\"type\":\"uint256\"}],\"name\":\"InsufficientStake\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"cumulative\",\"type\":\"uint256\"}],\"name\":\"InvalidProof\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"length\",\"type\":\"uint256\"}],\"name\":\"InvalidPubkeyLength\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"rootQuorum\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"validators\",\"type\":\"uint256\"}],\"name\":\"InvalidQuorum\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"NotActiveValidator\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"NotCandidate\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"NotValidatorOrCandidate\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"NothingToClaim\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"NothingToWithdraw\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ReentrancyGuardReentrantCall\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"unlocksAt\",\"type\":\"uint256\"}],\"name\":\"StakeLocked\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"previous\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"got\",\"type\":\"uint256\"}],\"name\":\"TotalDecreased\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"available\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"got\",\"type\":\"uint256\"}],\"name\":\"TotalExceedsFunds\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"TransferFailed\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAddress\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAmount\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"candidate\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"bytes\",\"name\":\"pubkey\",\"type\":\"bytes\"}],\"name\":\"CandidacyDeclared\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"candidate\",\"type\":\"address\"}],\"name\":\"CandidacyWithdrawn\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"cumulative\",\"type\":\"uint256\"}],\"name\":\"Claimed\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Funded\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"voter\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"candidate\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"votes\",\"type\":\"uint256\"}],\"name\":\"PromotionVoted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"voter\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"votes\",\"type\":\"uint256\"}],\"name\":\"RemovalVoted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint256\",\"name\":\"epoch\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"total\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"resultHash\",\"type\":\"bytes32\"}],\"name\":\"RootAccepted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint256\",\"name\":\"epoch\",\"type\":\"uint256\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"voter\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"total\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"resultHash\",\"type\":\"bytes32\"}],\"name\":\"RootVoted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"delegator\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Staked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"delegator\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Unstaked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"}],\"name\":\"ValidatorAdded\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"}],\"name\":\"ValidatorRemoved\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"delegator\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Withdrawn\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"LOCK_PERIOD\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"MAX_VALIDATORS\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"activeValidators\",\"outputs\":[{\"internalType\":\"address[]\",\"name\":\"\",\"type\":\"address[]\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"cumulative\",\"type\":\"uint256\"},{\"internalType\":\"bytes32[]\",\"name\":\"proof\",\"type\":\"bytes32[]\"}],\"name\":\"claim\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"claimed\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"currentRoot\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"currentTotal\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes\",\"name\":\"pubkey\",\"type\":\"bytes\"}],\"name\":\"declareCandidacy\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"epoch\",\"type\":\"uint256\"}],\"name\":\"epochRoot\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"internalType\":\"uint256\",\"name\":\"total\",\"type\":\"uint256\"},{\"internalType\":\"bytes32\",\"name\":\"resultHash\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"epoch\",\"type\":\"uint256\"},{\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"}],\"name\":\"hasVoted\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"voter\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"target\",\"type\":\"address\"}],\"name\":\"hasVotedOn\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"isActive\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"isCandidate\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"delegator\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"}],\"name\":\"lastStakeTime\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"nextEpoch\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"target\",\"type\":\"address\"}],\"name\":\"pendingVotes\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"rewardFunds\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"rootQuorum\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"}],\"name\":\"stake\",\"outputs\":[],\"stateMutability\":\"payable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"delegator\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"}],\"name\":\"stakeOf\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"epoch\",\"type\":\"uint256\"},{\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"internalType\":\"uint256\",\"name\":\"total\",\"type\":\"uint256\"},{\"internalType\":\"bytes32\",\"name\":\"resultHash\",\"type\":\"bytes32\"}],\"name\":\"submitRoot\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"totalClaimed\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"}],\"name\":\"totalStakeAt\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"totalStaked\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"totalWithdrawable\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"unstake\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"epoch\",\"type\":\"uint256\"},{\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"internalType\":\"uint256\",\"name\":\"total\",\"type\":\"uint256\"},{\"internalType\":\"bytes32\",\"name\":\"resultHash\",\"type\":\"bytes32\"}],\"name\":\"voteCount\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"candidate\",\"type\":\"address\"}],\"name\":\"votePromote\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"validator\",\"type\":\"address\"}],\"name\":\"voteRemove\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"withdraw\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"withdrawCandidacy\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"delegator\",\"type\":\"address\"}],\"name\":\"withdrawable\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"stateMutability\":\"payable\",\"type\":\"receive\"}]",
	ID:  "ValidatorSet",
	Bin: "0x60a060405234801561001057600080fd5b506040516120fc3803806120fc83398101604081905261002f916102cc565b60017f9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f00558015806100605750815181115b1561009457815160405163158589c560e11b815261008b918391600401918252602082015260400190565b60405180910390fd5b6015825111156100ba5760405163334e6aa960e11b81526015600482015260240161008b565b608081905260005b82518110156101865760008382815181106100df576100df6103a5565b6020026020010151905060006001600160a01b0316816001600160a01b03160361011c5760405163d92e233d60e01b815260040160405180910390fd5b60026001600160a01b03821660009081526020819052604090205460ff16600281111561014b5761014b6103bb565b0361017457604051630e1f74ff60e01b81526001600160a01b038216600482015260240161008b565b61017d8161018e565b506001016100c2565b5050506103f8565b610199816002610232565b6002600081546101a8906103d1565b90915550600380546001810182557fc2575a0e9e593c00f959f8c92f12db2869c3395a3b0502d05e2516446f71f85b0180546001600160a01b0319166001600160a01b03841690811790915590546000828152600460205260408082209290925590517fe366c1c0452ed8eec96861e9e54141ebff23c9ec89fe27b996b45f5ec38849879190a250565b6001600160a01b0382166000908152602081905260409020805482919060ff19166001836002811115610267576102676103bb565b02179055506001600160a01b03821660009081526001602052604081208054909190610292906103d1565b909155505050565b634e487b7160e01b600052604160045260246000fd5b80516001600160a01b03811681146102c757600080fd5b919050565b600080604083850312156102df57600080fd5b82516001600160401b038111156102f557600080fd5b8301601f8101851361030657600080fd5b80516001600160401b0381111561031f5761031f61029a565b604051600582901b90603f8201601f191681016001600160401b038111828210171561034d5761034d61029a565b60405291825260208184018101929081018884111561036b57600080fd5b6020850194505b8385101561039157610383856102b0565b815260209485019401610372565b506020969096015195979596505050505050565b634e487b7160e01b600052603260045260246000fd5b634e487b7160e01b600052602160045260246000fd5b6000600182016103f157634e487b7160e01b600052601160045260246000fd5b5060010190565b608051611cd461042860003960008181610263015281816109bb01528181610d8e0152610dcc0152611cd46000f3fe6080604052600436106101e75760003560e01c8063837596f911610102578063c884ef8311610095578063d51b9e9311610064578063d51b9e931461065b578063d54ad2a11461067b578063d71fe02114610691578063fdab463d146106a657600080fd5b8063c884ef83146105a7578063ce4cb876146105d4578063ce513b6f1461060c578063d2d49c4b1461063957600080fd5b80639f8a13d7116100d15780639f8a13d714610524578063a8f8009c14610544578063aea0e78b14610571578063c2a672e01461058757600080fd5b8063837596f9146104785780638925fd12146104985780638a7f1a65146104ef5780639b4c518e1461050f57600080fd5b80633da8bfc91161017a5780636ca7a586116101495780636ca7a586146103c35780636d5485a21461042d578063714897df1461044d578063817b1cd21461046257600080fd5b80633da8bfc91461033e57806343859632146103535780634b44800b146103835780635aaa8c23146103a357600080fd5b806326476204116101b657806326476204146102d45780633c659ba5146102e95780633ccfd60b146103095780633d13f8741461031e57600080fd5b80630600a86514610228578063144617e9146102515780631820cabb146102855780631f7846581461029c57600080fd5b366102235760405134815233907f5af8184bef8e4b45eb9f6ed7734d04da38ced226495548f46e0c8ff8d7d9a5249060200160405180910390a2005b600080fd5b34801561023457600080fd5b5061023e600c5481565b6040519081526020015b60405180910390f35b34801561025d57600080fd5b5061023e7f000000000000000000000000000000000000000000000000000000000000000081565b34801561029157600080fd5b5061023e62093a8081565b3480156102a857600080fd5b5061023e6102b7366004611980565b600860209081526000928352604080842090915290825290205481565b6102e76102e23660046119b3565b6106bb565b005b3480156102f557600080fd5b506102e76103043660046119ce565b61080d565b34801561031557600080fd5b506102e7610a7b565b34801561032a57600080fd5b506102e7610339366004611a00565b610b38565b34801561034a57600080fd5b5061023e610d0d565b34801561035f57600080fd5b5061037361036e366004611a8d565b610d4b565b6040519015158152602001610248565b34801561038f57600080fd5b506102e761039e3660046119b3565b610d77565b3480156103af57600080fd5b506102e76103be3660046119b3565b610e73565b3480156103cf57600080fd5b5061023e6103de3660046119ce565b604080516020808201969096528082019490945260608401929092526080808401919091528151808403909101815260a090920181528151918301919091206000908152601090925290205490565b34801561043957600080fd5b506102e7610448366004611ab0565b610f71565b34801561045957600080fd5b5061023e601581565b34801561046e57600080fd5b5061023e600b5481565b34801561048457600080fd5b50610373610493366004611980565b611063565b3480156104a457600080fd5b506104d46104b3366004611b24565b600d6020526000908152604090208054600182015460029092015490919083565b60408051938452602084019290925290820152606001610248565b3480156104fb57600080fd5b5061023e61050a3660046119b3565b6110a4565b34801561051b57600080fd5b506102e76110c9565b34801561053057600080fd5b5061037361053f3660046119b3565b611147565b34801561055057600080fd5b5061023e61055f3660046119b3565b60096020526000908152604090205481565b34801561057d57600080fd5b5061023e600e5481565b34801561059357600080fd5b506102e76105a2366004611b3d565b611180565b3480156105b357600080fd5b5061023e6105c23660046119b3565b60116020526000908152604090205481565b3480156105e057600080fd5b5061023e6105ef366004611980565b600760209081526000928352604080842090915290825290205481565b34801561061857600080fd5b5061023e6106273660046119b3565b600a6020526000908152604090205481565b34801561064557600080fd5b5061064e611331565b6040516102489190611b67565b34801561066757600080fd5b506103736106763660046119b3565b611393565b34801561068757600080fd5b5061023e60125481565b34801561069d57600080fd5b5061023e61139c565b3480156106b257600080fd5b5061023e6113b9565b346000036106dc57604051631f2a200560e01b815260040160405180910390fd5b6001600160a01b03811660009081526020819052604081205460ff16600281111561070957610709611bb3565b036107375760405163419875e560e11b81526001600160a01b03821660048201526024015b60405180910390fd5b3360009081526007602090815260408083206001600160a01b03851684529091528120805434929061076a908490611bdf565b90915550503360009081526008602090815260408083206001600160a01b038516845282528083204290556009909152812080543492906107ac908490611bdf565b9250508190555034600b60008282546107c59190611bdf565b90915550506040513481526001600160a01b0382169033907f5dac0c1b1112564a045ba943c9d50270893e8e826c49be8e7073adc713ab7bd79060200160405180910390a350565b610816336113ef565b600e54841461084657600e5460405163afc3929160e01b815260048101919091526024810185905260440161072e565b6000848152600f6020908152604080832033845290915290205415610887576040516304f9da6360e01b81526004810185905233602482015260440161072e565b6000610891610d0d565b9050808310156108be576040516370c7508d60e01b8152600481018290526024810184905260440161072e565b60006108c861139c565b6012546108d59190611bdf565b9050808411156109025760405163ae369ff760e01b8152600481018290526024810185905260440161072e565b6040805160208082018990528183018890526060820187905260808083018790528351808403909101815260a090920183528151918101919091206000898152600f8352838120338252835283812082905581815260109092529181208054829061096c90611bf2565b91829055506040805189815260208101899052908101879052909150339089907fe5dfbe3907c9b845ddb3a3a08012057dc591aae7c4ea50a38940438ff3c1c4289060600160405180910390a37f00000000000000000000000000000000000000000000000000000000000000008110610a715760408051606081018252888152602080820189815282840189815260008d8152600d9093529390912091518255516001808301919091559151600290910155610a2a908990611bdf565b600e55604080518881526020810188905290810186905288907f673a51971f4b7655ebe073beade218e4fd672e8b8d625631e891cd5a55e5cd6c9060600160405180910390a25b5050505050505050565b610a8361144a565b336000908152600a602052604081205490819003610ab657604051636e34ee0b60e11b815233600482015260240161072e565b336000908152600a60205260408120819055600c8054839290610ada908490611c0b565b909155505060405181815233907f7084f5476618d8e60b11ef0d7d3f06914655adb8793e28ff7f018d4c76d505d59060200160405180910390a2610b1e3382611466565b50610b366001600080516020611ca883398151915255565b565b610b4061144a565b604080516001600160a01b038616602082015290810184905260009060600160408051601f1981840301815282825280516020918201209083015201604051602081830303815290604052805190602001209050610ba78383610ba16113b9565b846114f1565b610bd6576040516356deb28960e11b81526001600160a01b03861660048201526024810185905260440161072e565b6001600160a01b038516600090815260116020526040902054808511610c1a576040516332559a3360e11b81526001600160a01b038716600482015260240161072e565b6000610c268287611c0b565b90506000601254610c35610d0d565b610c3f9190611c0b565b905080821115610c6c5760405163af321b8160e01b8152600481018290526024810183905260440161072e565b6001600160a01b038816600090815260116020526040812088905560128054849290610c99908490611bdf565b909155505060408051838152602081018990526001600160a01b038a16917f987d620f307ff6b94d58743cb7a7509f24071586a77759b77c2d4e29f75a2f9a910160405180910390a2610cec8883611466565b50505050610d076001600080516020611ca883398151915255565b50505050565b6000600e54600014610d4357600d60006001600e54610d2c9190611c0b565b815260200190815260200160002060010154905090565b60005b905090565b6000828152600f602090815260408083206001600160a01b038516845290915290205415155b92915050565b610d80336113ef565b610d89816113ef565b6003547f000000000000000000000000000000000000000000000000000000000000000010610df8576003546040516303db255560e21b815260048101919091527f0000000000000000000000000000000000000000000000000000000000000000602482015260440161072e565b6000610e0382611509565b9050816001600160a01b0316336001600160a01b03167f928867798d17b098539706eb23fa305438d812e215ae80be6427044ea20345a483604051610e4a91815260200190565b60405180910390a3600354610e60826002611c1e565b1115610e6f57610e6f826115ac565b5050565b610e7c336113ef565b60016001600160a01b03821660009081526020819052604090205460ff166002811115610eab57610eab611bb3565b14610ed4576040516304ab646d60e51b81526001600160a01b038216600482015260240161072e565b600354601511610efa5760405163334e6aa960e11b81526015600482015260240161072e565b6000610f0582611509565b9050816001600160a01b0316336001600160a01b03167fa6392f7fdc90fc60a28303623d583bf52c98945a8fdd6ab0f973ec9b5e6ea32183604051610f4c91815260200190565b60405180910390a3600354610f62826002611c1e565b1115610e6f57610e6f8261175f565b60408114610f95576040516302a9ff4b60e21b81526004810182905260240161072e565b3360009081526020819052604090205460ff166002816002811115610fbc57610fbc611bb3565b03610fdc57604051630e1f74ff60e01b815233600482015260240161072e565b6001816002811115610ff057610ff0611bb3565b0361101057604051635ee83b9960e11b815233600482015260240161072e565b61101b336001611803565b336001600160a01b03167fe16aa52aad9213ce483408ab6ba27a0b70b43df24fb364aef7a249b03b2ecaef8484604051611056929190611c35565b60405180910390a2505050565b6000600660006110728461186b565b8152602080820192909252604090810160009081206001600160a01b038716825290925290205460ff16905092915050565b6000600560006110b38461186b565b8152602001908152602001600020549050919050565b60013360009081526020819052604090205460ff1660028111156110ef576110ef611bb3565b1461110f576040516304ab646d60e51b815233600482015260240161072e565b61111a336000611803565b60405133907fb7d31c7b8d09423ada8997e4640e838861d49da3e7e05c0600818564b9e8e60890600090a2565b600060025b6001600160a01b03831660009081526020819052604090205460ff16600281111561117957611179611bb3565b1492915050565b806000036111a157604051631f2a200560e01b815260040160405180910390fd5b3360009081526007602090815260408083206001600160a01b0386168452909152902054808211156111f0576040516322df051360e11b8152600481018290526024810183905260440161072e565b3360009081526008602090815260408083206001600160a01b03871684529091528120546112229062093a8090611bdf565b90508042101561124857604051631c3ef79d60e11b81526004810182905260240161072e565b6112528383611c0b565b3360009081526007602090815260408083206001600160a01b0389168452825280832093909355600990529081208054859290611290908490611c0b565b9250508190555082600b60008282546112a99190611c0b565b9091555050336000908152600a6020526040812080548592906112cd908490611bdf565b9250508190555082600c60008282546112e69190611bdf565b90915550506040518381526001600160a01b0385169033907fd8654fcc8cf5b36d30b3f5e4688fc78118e6d68de60b9994e09902268b57c3e39060200160405180910390a350505050565b6060600380548060200260200160405190810160405280929190818152602001828054801561138957602002820191906000526020600020905b81546001600160a01b0316815260019091019060200180831161136b575b5050505050905090565b6000600161114c565b6000600c54600b54476113af9190611c0b565b610d469190611c0b565b6000600e54600014610d4357600d60006001600e546113d89190611c0b565b815260200190815260200160002060000154905090565b60026001600160a01b03821660009081526020819052604090205460ff16600281111561141e5761141e611bb3565b14611447576040516337603bef60e01b81526001600160a01b038216600482015260240161072e565b50565b6114526118c0565b6002600080516020611ca883398151915255565b6000826001600160a01b03168260405160006040518083038185875af1925050503d80600081146114b3576040519150601f19603f3d011682016040523d82523d6000602084013e6114b8565b606091505b50509050806114ec57604051630e21dcbb60e11b81526001600160a01b03841660048201526024810183905260440161072e565b505050565b6000826114ff8686856118f0565b1495945050505050565b6000806115158361186b565b600081815260066020908152604080832033845290915290205490915060ff16156115645760405163d11cf35b60e01b81523360048201526001600160a01b038416602482015260440161072e565b60008181526006602090815260408083203384528252808320805460ff191660011790558383526005909152812080549091906115a090611bf2565b91829055509392505050565b6115b7816001611803565b6002600081546115c690611bf2565b909155506001600160a01b038116600090815260046020526040812054600380549192916115f690600190611c0b565b8154811061160657611606611c64565b6000918252602090912001546001600160a01b0316905080600361162b600185611c0b565b8154811061163b5761163b611c64565b600091825260208083209190910180546001600160a01b0319166001600160a01b039485161790559183168152600490915260409020829055600380548061168557611685611c7a565b60008281526020808220830160001990810180546001600160a01b03191690559092019092556001600160a01b038516808352600482526040808420849055600e548452600f83528084209184529152902054801561172557600081815260106020526040812080549091906116fa90611c90565b90915550600e546000908152600f602090815260408083206001600160a01b03881684529091528120555b6040516001600160a01b038516907fe1434e25d6611e0db941968fdc97811c982ac1602e951637d206f5fdda9dd8f190600090a250505050565b61176a816002611803565b60026000815461177990611bf2565b90915550600380546001810182557fc2575a0e9e593c00f959f8c92f12db2869c3395a3b0502d05e2516446f71f85b0180546001600160a01b0319166001600160a01b03841690811790915590546000828152600460205260408082209290925590517fe366c1c0452ed8eec96861e9e54141ebff23c9ec89fe27b996b45f5ec38849879190a250565b6001600160a01b0382166000908152602081905260409020805482919060ff1916600183600281111561183857611838611bb3565b02179055506001600160a01b0382166000908152600160205260408120805490919061186390611bf2565b909155505050565b6001600160a01b03811660008181526001602090815260408083205460025482519384019590955290820152606081019290925290608001604051602081830303815290604052805190602001209050919050565b600080516020611ca883398151915254600203610b3657604051633ee5aeb560e01b815260040160405180910390fd5b600081815b848110156119295761191f8287878481811061191357611913611c64565b90506020020135611932565b91506001016118f5565b50949350505050565b600081831061194e57600082815260208490526040902061195d565b60008381526020839052604090205b9392505050565b80356001600160a01b038116811461197b57600080fd5b919050565b6000806040838503121561199357600080fd5b61199c83611964565b91506119aa60208401611964565b90509250929050565b6000602082840312156119c557600080fd5b61195d82611964565b600080600080608085870312156119e457600080fd5b5050823594602084013594506040840135936060013592509050565b60008060008060608587031215611a1657600080fd5b611a1f85611964565b935060208501359250604085013567ffffffffffffffff811115611a4257600080fd5b8501601f81018713611a5357600080fd5b803567ffffffffffffffff811115611a6a57600080fd5b8760208260051b8401011115611a7f57600080fd5b949793965060200194505050565b60008060408385031215611aa057600080fd5b823591506119aa60208401611964565b60008060208385031215611ac357600080fd5b823567ffffffffffffffff811115611ada57600080fd5b8301601f81018513611aeb57600080fd5b803567ffffffffffffffff811115611b0257600080fd5b856020828401011115611b1457600080fd5b6020919091019590945092505050565b600060208284031215611b3657600080fd5b5035919050565b60008060408385031215611b5057600080fd5b611b5983611964565b946020939093013593505050565b602080825282518282018190526000918401906040840190835b81811015611ba85783516001600160a01b0316835260209384019390920191600101611b81565b509095945050505050565b634e487b7160e01b600052602160045260246000fd5b634e487b7160e01b600052601160045260246000fd5b80820180821115610d7157610d71611bc9565b600060018201611c0457611c04611bc9565b5060010190565b81810381811115610d7157610d71611bc9565b8082028115828204841417610d7157610d71611bc9565b60208152816020820152818360408301376000818301604090810191909152601f909201601f19160101919050565b634e487b7160e01b600052603260045260246000fd5b634e487b7160e01b600052603160045260246000fd5b600081611c9f57611c9f611bc9565b50600019019056fe9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f00a164736f6c6343000825000a",
}

// ValidatorSet is an auto generated Go binding around an Ethereum contract.
type ValidatorSet struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *ValidatorSet) GetABI() abi.ABI {
	return c.abi
}

// NewValidatorSet creates a new instance of ValidatorSet.
func NewValidatorSet() *ValidatorSet {
	parsed, err := ValidatorSetMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &ValidatorSet{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *ValidatorSet) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address[] initialValidators, uint256 rootQuorum_) returns()
func (validatorSet *ValidatorSet) PackConstructor(initialValidators []common.Address, rootQuorum_ *big.Int) []byte {
	enc, err := validatorSet.abi.Pack("", initialValidators, rootQuorum_)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackLOCKPERIOD is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x1820cabb.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function LOCK_PERIOD() view returns(uint256)
func (validatorSet *ValidatorSet) PackLOCKPERIOD() []byte {
	enc, err := validatorSet.abi.Pack("LOCK_PERIOD")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackLOCKPERIOD is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x1820cabb.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function LOCK_PERIOD() view returns(uint256)
func (validatorSet *ValidatorSet) TryPackLOCKPERIOD() ([]byte, error) {
	return validatorSet.abi.Pack("LOCK_PERIOD")
}

// UnpackLOCKPERIOD is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x1820cabb.
//
// Solidity: function LOCK_PERIOD() view returns(uint256)
func (validatorSet *ValidatorSet) UnpackLOCKPERIOD(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("LOCK_PERIOD", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackMAXVALIDATORS is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x714897df.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function MAX_VALIDATORS() view returns(uint256)
func (validatorSet *ValidatorSet) PackMAXVALIDATORS() []byte {
	enc, err := validatorSet.abi.Pack("MAX_VALIDATORS")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMAXVALIDATORS is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x714897df.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function MAX_VALIDATORS() view returns(uint256)
func (validatorSet *ValidatorSet) TryPackMAXVALIDATORS() ([]byte, error) {
	return validatorSet.abi.Pack("MAX_VALIDATORS")
}

// UnpackMAXVALIDATORS is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x714897df.
//
// Solidity: function MAX_VALIDATORS() view returns(uint256)
func (validatorSet *ValidatorSet) UnpackMAXVALIDATORS(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("MAX_VALIDATORS", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackActiveValidators is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd2d49c4b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function activeValidators() view returns(address[])
func (validatorSet *ValidatorSet) PackActiveValidators() []byte {
	enc, err := validatorSet.abi.Pack("activeValidators")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackActiveValidators is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd2d49c4b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function activeValidators() view returns(address[])
func (validatorSet *ValidatorSet) TryPackActiveValidators() ([]byte, error) {
	return validatorSet.abi.Pack("activeValidators")
}

// UnpackActiveValidators is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xd2d49c4b.
//
// Solidity: function activeValidators() view returns(address[])
func (validatorSet *ValidatorSet) UnpackActiveValidators(data []byte) ([]common.Address, error) {
	out, err := validatorSet.abi.Unpack("activeValidators", data)
	if err != nil {
		return *new([]common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new([]common.Address)).(*[]common.Address)
	return out0, nil
}

// PackClaim is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3d13f874.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function claim(address account, uint256 cumulative, bytes32[] proof) returns()
func (validatorSet *ValidatorSet) PackClaim(account common.Address, cumulative *big.Int, proof [][32]byte) []byte {
	enc, err := validatorSet.abi.Pack("claim", account, cumulative, proof)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackClaim is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3d13f874.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function claim(address account, uint256 cumulative, bytes32[] proof) returns()
func (validatorSet *ValidatorSet) TryPackClaim(account common.Address, cumulative *big.Int, proof [][32]byte) ([]byte, error) {
	return validatorSet.abi.Pack("claim", account, cumulative, proof)
}

// PackClaimed is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc884ef83.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function claimed(address account) view returns(uint256)
func (validatorSet *ValidatorSet) PackClaimed(account common.Address) []byte {
	enc, err := validatorSet.abi.Pack("claimed", account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackClaimed is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc884ef83.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function claimed(address account) view returns(uint256)
func (validatorSet *ValidatorSet) TryPackClaimed(account common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("claimed", account)
}

// UnpackClaimed is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xc884ef83.
//
// Solidity: function claimed(address account) view returns(uint256)
func (validatorSet *ValidatorSet) UnpackClaimed(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("claimed", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackCurrentRoot is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfdab463d.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function currentRoot() view returns(bytes32)
func (validatorSet *ValidatorSet) PackCurrentRoot() []byte {
	enc, err := validatorSet.abi.Pack("currentRoot")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackCurrentRoot is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfdab463d.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function currentRoot() view returns(bytes32)
func (validatorSet *ValidatorSet) TryPackCurrentRoot() ([]byte, error) {
	return validatorSet.abi.Pack("currentRoot")
}

// UnpackCurrentRoot is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xfdab463d.
//
// Solidity: function currentRoot() view returns(bytes32)
func (validatorSet *ValidatorSet) UnpackCurrentRoot(data []byte) ([32]byte, error) {
	out, err := validatorSet.abi.Unpack("currentRoot", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackCurrentTotal is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3da8bfc9.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function currentTotal() view returns(uint256)
func (validatorSet *ValidatorSet) PackCurrentTotal() []byte {
	enc, err := validatorSet.abi.Pack("currentTotal")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackCurrentTotal is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3da8bfc9.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function currentTotal() view returns(uint256)
func (validatorSet *ValidatorSet) TryPackCurrentTotal() ([]byte, error) {
	return validatorSet.abi.Pack("currentTotal")
}

// UnpackCurrentTotal is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x3da8bfc9.
//
// Solidity: function currentTotal() view returns(uint256)
func (validatorSet *ValidatorSet) UnpackCurrentTotal(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("currentTotal", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackDeclareCandidacy is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6d5485a2.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function declareCandidacy(bytes pubkey) returns()
func (validatorSet *ValidatorSet) PackDeclareCandidacy(pubkey []byte) []byte {
	enc, err := validatorSet.abi.Pack("declareCandidacy", pubkey)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDeclareCandidacy is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6d5485a2.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function declareCandidacy(bytes pubkey) returns()
func (validatorSet *ValidatorSet) TryPackDeclareCandidacy(pubkey []byte) ([]byte, error) {
	return validatorSet.abi.Pack("declareCandidacy", pubkey)
}

// PackEpochRoot is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8925fd12.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function epochRoot(uint256 epoch) view returns(bytes32 root, uint256 total, bytes32 resultHash)
func (validatorSet *ValidatorSet) PackEpochRoot(epoch *big.Int) []byte {
	enc, err := validatorSet.abi.Pack("epochRoot", epoch)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackEpochRoot is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8925fd12.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function epochRoot(uint256 epoch) view returns(bytes32 root, uint256 total, bytes32 resultHash)
func (validatorSet *ValidatorSet) TryPackEpochRoot(epoch *big.Int) ([]byte, error) {
	return validatorSet.abi.Pack("epochRoot", epoch)
}

// EpochRootOutput serves as a container for the return parameters of contract
// method EpochRoot.
type EpochRootOutput struct {
	Root       [32]byte
	Total      *big.Int
	ResultHash [32]byte
}

// UnpackEpochRoot is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x8925fd12.
//
// Solidity: function epochRoot(uint256 epoch) view returns(bytes32 root, uint256 total, bytes32 resultHash)
func (validatorSet *ValidatorSet) UnpackEpochRoot(data []byte) (EpochRootOutput, error) {
	out, err := validatorSet.abi.Unpack("epochRoot", data)
	outstruct := new(EpochRootOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Root = *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	outstruct.Total = abi.ConvertType(out[1], new(big.Int)).(*big.Int)
	outstruct.ResultHash = *abi.ConvertType(out[2], new([32]byte)).(*[32]byte)
	return *outstruct, nil
}

// PackHasVoted is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x43859632.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function hasVoted(uint256 epoch, address validator) view returns(bool)
func (validatorSet *ValidatorSet) PackHasVoted(epoch *big.Int, validator common.Address) []byte {
	enc, err := validatorSet.abi.Pack("hasVoted", epoch, validator)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHasVoted is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x43859632.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function hasVoted(uint256 epoch, address validator) view returns(bool)
func (validatorSet *ValidatorSet) TryPackHasVoted(epoch *big.Int, validator common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("hasVoted", epoch, validator)
}

// UnpackHasVoted is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x43859632.
//
// Solidity: function hasVoted(uint256 epoch, address validator) view returns(bool)
func (validatorSet *ValidatorSet) UnpackHasVoted(data []byte) (bool, error) {
	out, err := validatorSet.abi.Unpack("hasVoted", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackHasVotedOn is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x837596f9.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function hasVotedOn(address voter, address target) view returns(bool)
func (validatorSet *ValidatorSet) PackHasVotedOn(voter common.Address, target common.Address) []byte {
	enc, err := validatorSet.abi.Pack("hasVotedOn", voter, target)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHasVotedOn is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x837596f9.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function hasVotedOn(address voter, address target) view returns(bool)
func (validatorSet *ValidatorSet) TryPackHasVotedOn(voter common.Address, target common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("hasVotedOn", voter, target)
}

// UnpackHasVotedOn is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x837596f9.
//
// Solidity: function hasVotedOn(address voter, address target) view returns(bool)
func (validatorSet *ValidatorSet) UnpackHasVotedOn(data []byte) (bool, error) {
	out, err := validatorSet.abi.Unpack("hasVotedOn", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackIsActive is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9f8a13d7.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function isActive(address account) view returns(bool)
func (validatorSet *ValidatorSet) PackIsActive(account common.Address) []byte {
	enc, err := validatorSet.abi.Pack("isActive", account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIsActive is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9f8a13d7.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function isActive(address account) view returns(bool)
func (validatorSet *ValidatorSet) TryPackIsActive(account common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("isActive", account)
}

// UnpackIsActive is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x9f8a13d7.
//
// Solidity: function isActive(address account) view returns(bool)
func (validatorSet *ValidatorSet) UnpackIsActive(data []byte) (bool, error) {
	out, err := validatorSet.abi.Unpack("isActive", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackIsCandidate is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd51b9e93.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function isCandidate(address account) view returns(bool)
func (validatorSet *ValidatorSet) PackIsCandidate(account common.Address) []byte {
	enc, err := validatorSet.abi.Pack("isCandidate", account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIsCandidate is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd51b9e93.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function isCandidate(address account) view returns(bool)
func (validatorSet *ValidatorSet) TryPackIsCandidate(account common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("isCandidate", account)
}

// UnpackIsCandidate is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xd51b9e93.
//
// Solidity: function isCandidate(address account) view returns(bool)
func (validatorSet *ValidatorSet) UnpackIsCandidate(data []byte) (bool, error) {
	out, err := validatorSet.abi.Unpack("isCandidate", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackLastStakeTime is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x1f784658.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function lastStakeTime(address delegator, address validator) view returns(uint256)
func (validatorSet *ValidatorSet) PackLastStakeTime(delegator common.Address, validator common.Address) []byte {
	enc, err := validatorSet.abi.Pack("lastStakeTime", delegator, validator)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackLastStakeTime is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x1f784658.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function lastStakeTime(address delegator, address validator) view returns(uint256)
func (validatorSet *ValidatorSet) TryPackLastStakeTime(delegator common.Address, validator common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("lastStakeTime", delegator, validator)
}

// UnpackLastStakeTime is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x1f784658.
//
// Solidity: function lastStakeTime(address delegator, address validator) view returns(uint256)
func (validatorSet *ValidatorSet) UnpackLastStakeTime(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("lastStakeTime", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackNextEpoch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xaea0e78b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function nextEpoch() view returns(uint256)
func (validatorSet *ValidatorSet) PackNextEpoch() []byte {
	enc, err := validatorSet.abi.Pack("nextEpoch")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackNextEpoch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xaea0e78b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function nextEpoch() view returns(uint256)
func (validatorSet *ValidatorSet) TryPackNextEpoch() ([]byte, error) {
	return validatorSet.abi.Pack("nextEpoch")
}

// UnpackNextEpoch is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xaea0e78b.
//
// Solidity: function nextEpoch() view returns(uint256)
func (validatorSet *ValidatorSet) UnpackNextEpoch(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("nextEpoch", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackPendingVotes is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8a7f1a65.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function pendingVotes(address target) view returns(uint256)
func (validatorSet *ValidatorSet) PackPendingVotes(target common.Address) []byte {
	enc, err := validatorSet.abi.Pack("pendingVotes", target)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPendingVotes is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8a7f1a65.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function pendingVotes(address target) view returns(uint256)
func (validatorSet *ValidatorSet) TryPackPendingVotes(target common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("pendingVotes", target)
}

// UnpackPendingVotes is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x8a7f1a65.
//
// Solidity: function pendingVotes(address target) view returns(uint256)
func (validatorSet *ValidatorSet) UnpackPendingVotes(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("pendingVotes", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackRewardFunds is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd71fe021.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function rewardFunds() view returns(uint256)
func (validatorSet *ValidatorSet) PackRewardFunds() []byte {
	enc, err := validatorSet.abi.Pack("rewardFunds")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRewardFunds is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd71fe021.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function rewardFunds() view returns(uint256)
func (validatorSet *ValidatorSet) TryPackRewardFunds() ([]byte, error) {
	return validatorSet.abi.Pack("rewardFunds")
}

// UnpackRewardFunds is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xd71fe021.
//
// Solidity: function rewardFunds() view returns(uint256)
func (validatorSet *ValidatorSet) UnpackRewardFunds(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("rewardFunds", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackRootQuorum is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x144617e9.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function rootQuorum() view returns(uint256)
func (validatorSet *ValidatorSet) PackRootQuorum() []byte {
	enc, err := validatorSet.abi.Pack("rootQuorum")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRootQuorum is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x144617e9.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function rootQuorum() view returns(uint256)
func (validatorSet *ValidatorSet) TryPackRootQuorum() ([]byte, error) {
	return validatorSet.abi.Pack("rootQuorum")
}

// UnpackRootQuorum is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x144617e9.
//
// Solidity: function rootQuorum() view returns(uint256)
func (validatorSet *ValidatorSet) UnpackRootQuorum(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("rootQuorum", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackStake is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x26476204.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function stake(address validator) payable returns()
func (validatorSet *ValidatorSet) PackStake(validator common.Address) []byte {
	enc, err := validatorSet.abi.Pack("stake", validator)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackStake is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x26476204.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function stake(address validator) payable returns()
func (validatorSet *ValidatorSet) TryPackStake(validator common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("stake", validator)
}

// PackStakeOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xce4cb876.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function stakeOf(address delegator, address validator) view returns(uint256)
func (validatorSet *ValidatorSet) PackStakeOf(delegator common.Address, validator common.Address) []byte {
	enc, err := validatorSet.abi.Pack("stakeOf", delegator, validator)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackStakeOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xce4cb876.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function stakeOf(address delegator, address validator) view returns(uint256)
func (validatorSet *ValidatorSet) TryPackStakeOf(delegator common.Address, validator common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("stakeOf", delegator, validator)
}

// UnpackStakeOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xce4cb876.
//
// Solidity: function stakeOf(address delegator, address validator) view returns(uint256)
func (validatorSet *ValidatorSet) UnpackStakeOf(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("stakeOf", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackSubmitRoot is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3c659ba5.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function submitRoot(uint256 epoch, bytes32 root, uint256 total, bytes32 resultHash) returns()
func (validatorSet *ValidatorSet) PackSubmitRoot(epoch *big.Int, root [32]byte, total *big.Int, resultHash [32]byte) []byte {
	enc, err := validatorSet.abi.Pack("submitRoot", epoch, root, total, resultHash)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSubmitRoot is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3c659ba5.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function submitRoot(uint256 epoch, bytes32 root, uint256 total, bytes32 resultHash) returns()
func (validatorSet *ValidatorSet) TryPackSubmitRoot(epoch *big.Int, root [32]byte, total *big.Int, resultHash [32]byte) ([]byte, error) {
	return validatorSet.abi.Pack("submitRoot", epoch, root, total, resultHash)
}

// PackTotalClaimed is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd54ad2a1.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function totalClaimed() view returns(uint256)
func (validatorSet *ValidatorSet) PackTotalClaimed() []byte {
	enc, err := validatorSet.abi.Pack("totalClaimed")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTotalClaimed is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd54ad2a1.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function totalClaimed() view returns(uint256)
func (validatorSet *ValidatorSet) TryPackTotalClaimed() ([]byte, error) {
	return validatorSet.abi.Pack("totalClaimed")
}

// UnpackTotalClaimed is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xd54ad2a1.
//
// Solidity: function totalClaimed() view returns(uint256)
func (validatorSet *ValidatorSet) UnpackTotalClaimed(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("totalClaimed", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackTotalStakeAt is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa8f8009c.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function totalStakeAt(address validator) view returns(uint256)
func (validatorSet *ValidatorSet) PackTotalStakeAt(validator common.Address) []byte {
	enc, err := validatorSet.abi.Pack("totalStakeAt", validator)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTotalStakeAt is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa8f8009c.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function totalStakeAt(address validator) view returns(uint256)
func (validatorSet *ValidatorSet) TryPackTotalStakeAt(validator common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("totalStakeAt", validator)
}

// UnpackTotalStakeAt is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa8f8009c.
//
// Solidity: function totalStakeAt(address validator) view returns(uint256)
func (validatorSet *ValidatorSet) UnpackTotalStakeAt(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("totalStakeAt", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackTotalStaked is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x817b1cd2.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function totalStaked() view returns(uint256)
func (validatorSet *ValidatorSet) PackTotalStaked() []byte {
	enc, err := validatorSet.abi.Pack("totalStaked")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTotalStaked is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x817b1cd2.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function totalStaked() view returns(uint256)
func (validatorSet *ValidatorSet) TryPackTotalStaked() ([]byte, error) {
	return validatorSet.abi.Pack("totalStaked")
}

// UnpackTotalStaked is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x817b1cd2.
//
// Solidity: function totalStaked() view returns(uint256)
func (validatorSet *ValidatorSet) UnpackTotalStaked(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("totalStaked", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackTotalWithdrawable is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x0600a865.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function totalWithdrawable() view returns(uint256)
func (validatorSet *ValidatorSet) PackTotalWithdrawable() []byte {
	enc, err := validatorSet.abi.Pack("totalWithdrawable")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTotalWithdrawable is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x0600a865.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function totalWithdrawable() view returns(uint256)
func (validatorSet *ValidatorSet) TryPackTotalWithdrawable() ([]byte, error) {
	return validatorSet.abi.Pack("totalWithdrawable")
}

// UnpackTotalWithdrawable is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x0600a865.
//
// Solidity: function totalWithdrawable() view returns(uint256)
func (validatorSet *ValidatorSet) UnpackTotalWithdrawable(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("totalWithdrawable", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackUnstake is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc2a672e0.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function unstake(address validator, uint256 amount) returns()
func (validatorSet *ValidatorSet) PackUnstake(validator common.Address, amount *big.Int) []byte {
	enc, err := validatorSet.abi.Pack("unstake", validator, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackUnstake is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc2a672e0.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function unstake(address validator, uint256 amount) returns()
func (validatorSet *ValidatorSet) TryPackUnstake(validator common.Address, amount *big.Int) ([]byte, error) {
	return validatorSet.abi.Pack("unstake", validator, amount)
}

// PackVoteCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6ca7a586.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function voteCount(uint256 epoch, bytes32 root, uint256 total, bytes32 resultHash) view returns(uint256)
func (validatorSet *ValidatorSet) PackVoteCount(epoch *big.Int, root [32]byte, total *big.Int, resultHash [32]byte) []byte {
	enc, err := validatorSet.abi.Pack("voteCount", epoch, root, total, resultHash)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackVoteCount is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6ca7a586.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function voteCount(uint256 epoch, bytes32 root, uint256 total, bytes32 resultHash) view returns(uint256)
func (validatorSet *ValidatorSet) TryPackVoteCount(epoch *big.Int, root [32]byte, total *big.Int, resultHash [32]byte) ([]byte, error) {
	return validatorSet.abi.Pack("voteCount", epoch, root, total, resultHash)
}

// UnpackVoteCount is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x6ca7a586.
//
// Solidity: function voteCount(uint256 epoch, bytes32 root, uint256 total, bytes32 resultHash) view returns(uint256)
func (validatorSet *ValidatorSet) UnpackVoteCount(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("voteCount", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackVotePromote is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5aaa8c23.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function votePromote(address candidate) returns()
func (validatorSet *ValidatorSet) PackVotePromote(candidate common.Address) []byte {
	enc, err := validatorSet.abi.Pack("votePromote", candidate)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackVotePromote is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5aaa8c23.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function votePromote(address candidate) returns()
func (validatorSet *ValidatorSet) TryPackVotePromote(candidate common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("votePromote", candidate)
}

// PackVoteRemove is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4b44800b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function voteRemove(address validator) returns()
func (validatorSet *ValidatorSet) PackVoteRemove(validator common.Address) []byte {
	enc, err := validatorSet.abi.Pack("voteRemove", validator)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackVoteRemove is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4b44800b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function voteRemove(address validator) returns()
func (validatorSet *ValidatorSet) TryPackVoteRemove(validator common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("voteRemove", validator)
}

// PackWithdraw is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3ccfd60b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function withdraw() returns()
func (validatorSet *ValidatorSet) PackWithdraw() []byte {
	enc, err := validatorSet.abi.Pack("withdraw")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackWithdraw is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3ccfd60b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function withdraw() returns()
func (validatorSet *ValidatorSet) TryPackWithdraw() ([]byte, error) {
	return validatorSet.abi.Pack("withdraw")
}

// PackWithdrawCandidacy is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9b4c518e.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function withdrawCandidacy() returns()
func (validatorSet *ValidatorSet) PackWithdrawCandidacy() []byte {
	enc, err := validatorSet.abi.Pack("withdrawCandidacy")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackWithdrawCandidacy is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9b4c518e.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function withdrawCandidacy() returns()
func (validatorSet *ValidatorSet) TryPackWithdrawCandidacy() ([]byte, error) {
	return validatorSet.abi.Pack("withdrawCandidacy")
}

// PackWithdrawable is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xce513b6f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function withdrawable(address delegator) view returns(uint256)
func (validatorSet *ValidatorSet) PackWithdrawable(delegator common.Address) []byte {
	enc, err := validatorSet.abi.Pack("withdrawable", delegator)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackWithdrawable is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xce513b6f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function withdrawable(address delegator) view returns(uint256)
func (validatorSet *ValidatorSet) TryPackWithdrawable(delegator common.Address) ([]byte, error) {
	return validatorSet.abi.Pack("withdrawable", delegator)
}

// UnpackWithdrawable is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xce513b6f.
//
// Solidity: function withdrawable(address delegator) view returns(uint256)
func (validatorSet *ValidatorSet) UnpackWithdrawable(data []byte) (*big.Int, error) {
	out, err := validatorSet.abi.Unpack("withdrawable", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// ValidatorSetCandidacyDeclared represents a CandidacyDeclared event raised by the ValidatorSet contract.
type ValidatorSetCandidacyDeclared struct {
	Candidate common.Address
	Pubkey    []byte
	Raw       *types.Log // Blockchain specific contextual infos
}

const ValidatorSetCandidacyDeclaredEventName = "CandidacyDeclared"

// ContractEventName returns the user-defined event name.
func (ValidatorSetCandidacyDeclared) ContractEventName() string {
	return ValidatorSetCandidacyDeclaredEventName
}

// UnpackCandidacyDeclaredEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event CandidacyDeclared(address indexed candidate, bytes pubkey)
func (validatorSet *ValidatorSet) UnpackCandidacyDeclaredEvent(log *types.Log) (*ValidatorSetCandidacyDeclared, error) {
	event := "CandidacyDeclared"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetCandidacyDeclared)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetCandidacyWithdrawn represents a CandidacyWithdrawn event raised by the ValidatorSet contract.
type ValidatorSetCandidacyWithdrawn struct {
	Candidate common.Address
	Raw       *types.Log // Blockchain specific contextual infos
}

const ValidatorSetCandidacyWithdrawnEventName = "CandidacyWithdrawn"

// ContractEventName returns the user-defined event name.
func (ValidatorSetCandidacyWithdrawn) ContractEventName() string {
	return ValidatorSetCandidacyWithdrawnEventName
}

// UnpackCandidacyWithdrawnEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event CandidacyWithdrawn(address indexed candidate)
func (validatorSet *ValidatorSet) UnpackCandidacyWithdrawnEvent(log *types.Log) (*ValidatorSetCandidacyWithdrawn, error) {
	event := "CandidacyWithdrawn"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetCandidacyWithdrawn)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetClaimed represents a Claimed event raised by the ValidatorSet contract.
type ValidatorSetClaimed struct {
	Account    common.Address
	Amount     *big.Int
	Cumulative *big.Int
	Raw        *types.Log // Blockchain specific contextual infos
}

const ValidatorSetClaimedEventName = "Claimed"

// ContractEventName returns the user-defined event name.
func (ValidatorSetClaimed) ContractEventName() string {
	return ValidatorSetClaimedEventName
}

// UnpackClaimedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Claimed(address indexed account, uint256 amount, uint256 cumulative)
func (validatorSet *ValidatorSet) UnpackClaimedEvent(log *types.Log) (*ValidatorSetClaimed, error) {
	event := "Claimed"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetClaimed)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetFunded represents a Funded event raised by the ValidatorSet contract.
type ValidatorSetFunded struct {
	From   common.Address
	Amount *big.Int
	Raw    *types.Log // Blockchain specific contextual infos
}

const ValidatorSetFundedEventName = "Funded"

// ContractEventName returns the user-defined event name.
func (ValidatorSetFunded) ContractEventName() string {
	return ValidatorSetFundedEventName
}

// UnpackFundedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Funded(address indexed from, uint256 amount)
func (validatorSet *ValidatorSet) UnpackFundedEvent(log *types.Log) (*ValidatorSetFunded, error) {
	event := "Funded"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetFunded)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetPromotionVoted represents a PromotionVoted event raised by the ValidatorSet contract.
type ValidatorSetPromotionVoted struct {
	Voter     common.Address
	Candidate common.Address
	Votes     *big.Int
	Raw       *types.Log // Blockchain specific contextual infos
}

const ValidatorSetPromotionVotedEventName = "PromotionVoted"

// ContractEventName returns the user-defined event name.
func (ValidatorSetPromotionVoted) ContractEventName() string {
	return ValidatorSetPromotionVotedEventName
}

// UnpackPromotionVotedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event PromotionVoted(address indexed voter, address indexed candidate, uint256 votes)
func (validatorSet *ValidatorSet) UnpackPromotionVotedEvent(log *types.Log) (*ValidatorSetPromotionVoted, error) {
	event := "PromotionVoted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetPromotionVoted)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetRemovalVoted represents a RemovalVoted event raised by the ValidatorSet contract.
type ValidatorSetRemovalVoted struct {
	Voter     common.Address
	Validator common.Address
	Votes     *big.Int
	Raw       *types.Log // Blockchain specific contextual infos
}

const ValidatorSetRemovalVotedEventName = "RemovalVoted"

// ContractEventName returns the user-defined event name.
func (ValidatorSetRemovalVoted) ContractEventName() string {
	return ValidatorSetRemovalVotedEventName
}

// UnpackRemovalVotedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RemovalVoted(address indexed voter, address indexed validator, uint256 votes)
func (validatorSet *ValidatorSet) UnpackRemovalVotedEvent(log *types.Log) (*ValidatorSetRemovalVoted, error) {
	event := "RemovalVoted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetRemovalVoted)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetRootAccepted represents a RootAccepted event raised by the ValidatorSet contract.
type ValidatorSetRootAccepted struct {
	Epoch      *big.Int
	Root       [32]byte
	Total      *big.Int
	ResultHash [32]byte
	Raw        *types.Log // Blockchain specific contextual infos
}

const ValidatorSetRootAcceptedEventName = "RootAccepted"

// ContractEventName returns the user-defined event name.
func (ValidatorSetRootAccepted) ContractEventName() string {
	return ValidatorSetRootAcceptedEventName
}

// UnpackRootAcceptedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RootAccepted(uint256 indexed epoch, bytes32 root, uint256 total, bytes32 resultHash)
func (validatorSet *ValidatorSet) UnpackRootAcceptedEvent(log *types.Log) (*ValidatorSetRootAccepted, error) {
	event := "RootAccepted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetRootAccepted)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetRootVoted represents a RootVoted event raised by the ValidatorSet contract.
type ValidatorSetRootVoted struct {
	Epoch      *big.Int
	Voter      common.Address
	Root       [32]byte
	Total      *big.Int
	ResultHash [32]byte
	Raw        *types.Log // Blockchain specific contextual infos
}

const ValidatorSetRootVotedEventName = "RootVoted"

// ContractEventName returns the user-defined event name.
func (ValidatorSetRootVoted) ContractEventName() string {
	return ValidatorSetRootVotedEventName
}

// UnpackRootVotedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RootVoted(uint256 indexed epoch, address indexed voter, bytes32 root, uint256 total, bytes32 resultHash)
func (validatorSet *ValidatorSet) UnpackRootVotedEvent(log *types.Log) (*ValidatorSetRootVoted, error) {
	event := "RootVoted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetRootVoted)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetStaked represents a Staked event raised by the ValidatorSet contract.
type ValidatorSetStaked struct {
	Delegator common.Address
	Validator common.Address
	Amount    *big.Int
	Raw       *types.Log // Blockchain specific contextual infos
}

const ValidatorSetStakedEventName = "Staked"

// ContractEventName returns the user-defined event name.
func (ValidatorSetStaked) ContractEventName() string {
	return ValidatorSetStakedEventName
}

// UnpackStakedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Staked(address indexed delegator, address indexed validator, uint256 amount)
func (validatorSet *ValidatorSet) UnpackStakedEvent(log *types.Log) (*ValidatorSetStaked, error) {
	event := "Staked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetStaked)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetUnstaked represents a Unstaked event raised by the ValidatorSet contract.
type ValidatorSetUnstaked struct {
	Delegator common.Address
	Validator common.Address
	Amount    *big.Int
	Raw       *types.Log // Blockchain specific contextual infos
}

const ValidatorSetUnstakedEventName = "Unstaked"

// ContractEventName returns the user-defined event name.
func (ValidatorSetUnstaked) ContractEventName() string {
	return ValidatorSetUnstakedEventName
}

// UnpackUnstakedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Unstaked(address indexed delegator, address indexed validator, uint256 amount)
func (validatorSet *ValidatorSet) UnpackUnstakedEvent(log *types.Log) (*ValidatorSetUnstaked, error) {
	event := "Unstaked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetUnstaked)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetValidatorAdded represents a ValidatorAdded event raised by the ValidatorSet contract.
type ValidatorSetValidatorAdded struct {
	Validator common.Address
	Raw       *types.Log // Blockchain specific contextual infos
}

const ValidatorSetValidatorAddedEventName = "ValidatorAdded"

// ContractEventName returns the user-defined event name.
func (ValidatorSetValidatorAdded) ContractEventName() string {
	return ValidatorSetValidatorAddedEventName
}

// UnpackValidatorAddedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event ValidatorAdded(address indexed validator)
func (validatorSet *ValidatorSet) UnpackValidatorAddedEvent(log *types.Log) (*ValidatorSetValidatorAdded, error) {
	event := "ValidatorAdded"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetValidatorAdded)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetValidatorRemoved represents a ValidatorRemoved event raised by the ValidatorSet contract.
type ValidatorSetValidatorRemoved struct {
	Validator common.Address
	Raw       *types.Log // Blockchain specific contextual infos
}

const ValidatorSetValidatorRemovedEventName = "ValidatorRemoved"

// ContractEventName returns the user-defined event name.
func (ValidatorSetValidatorRemoved) ContractEventName() string {
	return ValidatorSetValidatorRemovedEventName
}

// UnpackValidatorRemovedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event ValidatorRemoved(address indexed validator)
func (validatorSet *ValidatorSet) UnpackValidatorRemovedEvent(log *types.Log) (*ValidatorSetValidatorRemoved, error) {
	event := "ValidatorRemoved"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetValidatorRemoved)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ValidatorSetWithdrawn represents a Withdrawn event raised by the ValidatorSet contract.
type ValidatorSetWithdrawn struct {
	Delegator common.Address
	Amount    *big.Int
	Raw       *types.Log // Blockchain specific contextual infos
}

const ValidatorSetWithdrawnEventName = "Withdrawn"

// ContractEventName returns the user-defined event name.
func (ValidatorSetWithdrawn) ContractEventName() string {
	return ValidatorSetWithdrawnEventName
}

// UnpackWithdrawnEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Withdrawn(address indexed delegator, uint256 amount)
func (validatorSet *ValidatorSet) UnpackWithdrawnEvent(log *types.Log) (*ValidatorSetWithdrawn, error) {
	event := "Withdrawn"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != validatorSet.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ValidatorSetWithdrawn)
	if len(log.Data) > 0 {
		if err := validatorSet.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range validatorSet.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (validatorSet *ValidatorSet) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["ActiveSetAtQuorum"].ID.Bytes()[:4]) {
		return validatorSet.UnpackActiveSetAtQuorumError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["ActiveSetFull"].ID.Bytes()[:4]) {
		return validatorSet.UnpackActiveSetFullError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["AlreadyActive"].ID.Bytes()[:4]) {
		return validatorSet.UnpackAlreadyActiveError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["AlreadyCandidate"].ID.Bytes()[:4]) {
		return validatorSet.UnpackAlreadyCandidateError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["AlreadyVoted"].ID.Bytes()[:4]) {
		return validatorSet.UnpackAlreadyVotedError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["ClaimExceedsTotal"].ID.Bytes()[:4]) {
		return validatorSet.UnpackClaimExceedsTotalError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["DuplicateVote"].ID.Bytes()[:4]) {
		return validatorSet.UnpackDuplicateVoteError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["EpochNotNext"].ID.Bytes()[:4]) {
		return validatorSet.UnpackEpochNotNextError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["InsufficientStake"].ID.Bytes()[:4]) {
		return validatorSet.UnpackInsufficientStakeError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["InvalidProof"].ID.Bytes()[:4]) {
		return validatorSet.UnpackInvalidProofError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["InvalidPubkeyLength"].ID.Bytes()[:4]) {
		return validatorSet.UnpackInvalidPubkeyLengthError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["InvalidQuorum"].ID.Bytes()[:4]) {
		return validatorSet.UnpackInvalidQuorumError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["NotActiveValidator"].ID.Bytes()[:4]) {
		return validatorSet.UnpackNotActiveValidatorError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["NotCandidate"].ID.Bytes()[:4]) {
		return validatorSet.UnpackNotCandidateError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["NotValidatorOrCandidate"].ID.Bytes()[:4]) {
		return validatorSet.UnpackNotValidatorOrCandidateError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["NothingToClaim"].ID.Bytes()[:4]) {
		return validatorSet.UnpackNothingToClaimError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["NothingToWithdraw"].ID.Bytes()[:4]) {
		return validatorSet.UnpackNothingToWithdrawError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["ReentrancyGuardReentrantCall"].ID.Bytes()[:4]) {
		return validatorSet.UnpackReentrancyGuardReentrantCallError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["StakeLocked"].ID.Bytes()[:4]) {
		return validatorSet.UnpackStakeLockedError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["TotalDecreased"].ID.Bytes()[:4]) {
		return validatorSet.UnpackTotalDecreasedError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["TotalExceedsFunds"].ID.Bytes()[:4]) {
		return validatorSet.UnpackTotalExceedsFundsError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["TransferFailed"].ID.Bytes()[:4]) {
		return validatorSet.UnpackTransferFailedError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["ZeroAddress"].ID.Bytes()[:4]) {
		return validatorSet.UnpackZeroAddressError(raw[4:])
	}
	if bytes.Equal(raw[:4], validatorSet.abi.Errors["ZeroAmount"].ID.Bytes()[:4]) {
		return validatorSet.UnpackZeroAmountError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// ValidatorSetActiveSetAtQuorum represents a ActiveSetAtQuorum error raised by the ValidatorSet contract.
type ValidatorSetActiveSetAtQuorum struct {
	Active     *big.Int
	RootQuorum *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ActiveSetAtQuorum(uint256 active, uint256 rootQuorum)
func ValidatorSetActiveSetAtQuorumErrorID() common.Hash {
	return common.HexToHash("0x0f6c955440f6eebfd1ffa7be2db63ee591fcc58d701a9abab2ebe2657cc41fac")
}

// UnpackActiveSetAtQuorumError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ActiveSetAtQuorum(uint256 active, uint256 rootQuorum)
func (validatorSet *ValidatorSet) UnpackActiveSetAtQuorumError(raw []byte) (*ValidatorSetActiveSetAtQuorum, error) {
	out := new(ValidatorSetActiveSetAtQuorum)
	if err := validatorSet.abi.UnpackIntoInterface(out, "ActiveSetAtQuorum", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetActiveSetFull represents a ActiveSetFull error raised by the ValidatorSet contract.
type ValidatorSetActiveSetFull struct {
	Max *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ActiveSetFull(uint256 max)
func ValidatorSetActiveSetFullErrorID() common.Hash {
	return common.HexToHash("0x669cd552c21671a6cebc97ebed91ef238864e79bab4119df4ce030e250583b42")
}

// UnpackActiveSetFullError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ActiveSetFull(uint256 max)
func (validatorSet *ValidatorSet) UnpackActiveSetFullError(raw []byte) (*ValidatorSetActiveSetFull, error) {
	out := new(ValidatorSetActiveSetFull)
	if err := validatorSet.abi.UnpackIntoInterface(out, "ActiveSetFull", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetAlreadyActive represents a AlreadyActive error raised by the ValidatorSet contract.
type ValidatorSetAlreadyActive struct {
	Account common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AlreadyActive(address account)
func ValidatorSetAlreadyActiveErrorID() common.Hash {
	return common.HexToHash("0x0e1f74ff7d628eb393c3a3e64ed3dc760b4cd4c864502b7967d19eed9c5d0c1d")
}

// UnpackAlreadyActiveError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AlreadyActive(address account)
func (validatorSet *ValidatorSet) UnpackAlreadyActiveError(raw []byte) (*ValidatorSetAlreadyActive, error) {
	out := new(ValidatorSetAlreadyActive)
	if err := validatorSet.abi.UnpackIntoInterface(out, "AlreadyActive", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetAlreadyCandidate represents a AlreadyCandidate error raised by the ValidatorSet contract.
type ValidatorSetAlreadyCandidate struct {
	Account common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AlreadyCandidate(address account)
func ValidatorSetAlreadyCandidateErrorID() common.Hash {
	return common.HexToHash("0xbdd077324ff9eb3a7983ac021fd31a9d4cff23c879f061316126ea5535b8e387")
}

// UnpackAlreadyCandidateError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AlreadyCandidate(address account)
func (validatorSet *ValidatorSet) UnpackAlreadyCandidateError(raw []byte) (*ValidatorSetAlreadyCandidate, error) {
	out := new(ValidatorSetAlreadyCandidate)
	if err := validatorSet.abi.UnpackIntoInterface(out, "AlreadyCandidate", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetAlreadyVoted represents a AlreadyVoted error raised by the ValidatorSet contract.
type ValidatorSetAlreadyVoted struct {
	Epoch     *big.Int
	Validator common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AlreadyVoted(uint256 epoch, address validator)
func ValidatorSetAlreadyVotedErrorID() common.Hash {
	return common.HexToHash("0x04f9da634a3ce855cf7785808a673a41608288999dcd1d08e55bb33c69118f4a")
}

// UnpackAlreadyVotedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AlreadyVoted(uint256 epoch, address validator)
func (validatorSet *ValidatorSet) UnpackAlreadyVotedError(raw []byte) (*ValidatorSetAlreadyVoted, error) {
	out := new(ValidatorSetAlreadyVoted)
	if err := validatorSet.abi.UnpackIntoInterface(out, "AlreadyVoted", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetClaimExceedsTotal represents a ClaimExceedsTotal error raised by the ValidatorSet contract.
type ValidatorSetClaimExceedsTotal struct {
	Available *big.Int
	Requested *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ClaimExceedsTotal(uint256 available, uint256 requested)
func ValidatorSetClaimExceedsTotalErrorID() common.Hash {
	return common.HexToHash("0xaf321b8190c6dc5bad922f07ae0fa52a8e7ca1bff9d0a7fa23cb68c2c420bbab")
}

// UnpackClaimExceedsTotalError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ClaimExceedsTotal(uint256 available, uint256 requested)
func (validatorSet *ValidatorSet) UnpackClaimExceedsTotalError(raw []byte) (*ValidatorSetClaimExceedsTotal, error) {
	out := new(ValidatorSetClaimExceedsTotal)
	if err := validatorSet.abi.UnpackIntoInterface(out, "ClaimExceedsTotal", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetDuplicateVote represents a DuplicateVote error raised by the ValidatorSet contract.
type ValidatorSetDuplicateVote struct {
	Voter  common.Address
	Target common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error DuplicateVote(address voter, address target)
func ValidatorSetDuplicateVoteErrorID() common.Hash {
	return common.HexToHash("0xd11cf35b15f353946d3398ca3e22c984a40c16cb9786d94fe82195f948472b8c")
}

// UnpackDuplicateVoteError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error DuplicateVote(address voter, address target)
func (validatorSet *ValidatorSet) UnpackDuplicateVoteError(raw []byte) (*ValidatorSetDuplicateVote, error) {
	out := new(ValidatorSetDuplicateVote)
	if err := validatorSet.abi.UnpackIntoInterface(out, "DuplicateVote", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetEpochNotNext represents a EpochNotNext error raised by the ValidatorSet contract.
type ValidatorSetEpochNotNext struct {
	Expected *big.Int
	Got      *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error EpochNotNext(uint256 expected, uint256 got)
func ValidatorSetEpochNotNextErrorID() common.Hash {
	return common.HexToHash("0xafc39291a8c974b407f8704f65bdbb6e80b9c98d0258cbde41af376b621d91ba")
}

// UnpackEpochNotNextError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error EpochNotNext(uint256 expected, uint256 got)
func (validatorSet *ValidatorSet) UnpackEpochNotNextError(raw []byte) (*ValidatorSetEpochNotNext, error) {
	out := new(ValidatorSetEpochNotNext)
	if err := validatorSet.abi.UnpackIntoInterface(out, "EpochNotNext", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetInsufficientStake represents a InsufficientStake error raised by the ValidatorSet contract.
type ValidatorSetInsufficientStake struct {
	Staked    *big.Int
	Requested *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientStake(uint256 staked, uint256 requested)
func ValidatorSetInsufficientStakeErrorID() common.Hash {
	return common.HexToHash("0x45be0a261a88f9fedc41221879f08865d5e8d6053c877967e6e8e39e5697e6d5")
}

// UnpackInsufficientStakeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientStake(uint256 staked, uint256 requested)
func (validatorSet *ValidatorSet) UnpackInsufficientStakeError(raw []byte) (*ValidatorSetInsufficientStake, error) {
	out := new(ValidatorSetInsufficientStake)
	if err := validatorSet.abi.UnpackIntoInterface(out, "InsufficientStake", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetInvalidProof represents a InvalidProof error raised by the ValidatorSet contract.
type ValidatorSetInvalidProof struct {
	Account    common.Address
	Cumulative *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidProof(address account, uint256 cumulative)
func ValidatorSetInvalidProofErrorID() common.Hash {
	return common.HexToHash("0xadbd6512b8ce16af463deab8b932072db98b797407959df0bc4b06f2b77e80f5")
}

// UnpackInvalidProofError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidProof(address account, uint256 cumulative)
func (validatorSet *ValidatorSet) UnpackInvalidProofError(raw []byte) (*ValidatorSetInvalidProof, error) {
	out := new(ValidatorSetInvalidProof)
	if err := validatorSet.abi.UnpackIntoInterface(out, "InvalidProof", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetInvalidPubkeyLength represents a InvalidPubkeyLength error raised by the ValidatorSet contract.
type ValidatorSetInvalidPubkeyLength struct {
	Length *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidPubkeyLength(uint256 length)
func ValidatorSetInvalidPubkeyLengthErrorID() common.Hash {
	return common.HexToHash("0x0aa7fd2cd1c6ac016ce81cc3e729b3ba99ddbe04ddad2f6e5d70a35dd531ac09")
}

// UnpackInvalidPubkeyLengthError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidPubkeyLength(uint256 length)
func (validatorSet *ValidatorSet) UnpackInvalidPubkeyLengthError(raw []byte) (*ValidatorSetInvalidPubkeyLength, error) {
	out := new(ValidatorSetInvalidPubkeyLength)
	if err := validatorSet.abi.UnpackIntoInterface(out, "InvalidPubkeyLength", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetInvalidQuorum represents a InvalidQuorum error raised by the ValidatorSet contract.
type ValidatorSetInvalidQuorum struct {
	RootQuorum *big.Int
	Validators *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidQuorum(uint256 rootQuorum, uint256 validators)
func ValidatorSetInvalidQuorumErrorID() common.Hash {
	return common.HexToHash("0x2b0b138a64912ef2e139663172a155809b9933260a484efa5dda674b8e1112d2")
}

// UnpackInvalidQuorumError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidQuorum(uint256 rootQuorum, uint256 validators)
func (validatorSet *ValidatorSet) UnpackInvalidQuorumError(raw []byte) (*ValidatorSetInvalidQuorum, error) {
	out := new(ValidatorSetInvalidQuorum)
	if err := validatorSet.abi.UnpackIntoInterface(out, "InvalidQuorum", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetNotActiveValidator represents a NotActiveValidator error raised by the ValidatorSet contract.
type ValidatorSetNotActiveValidator struct {
	Account common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotActiveValidator(address account)
func ValidatorSetNotActiveValidatorErrorID() common.Hash {
	return common.HexToHash("0x37603bef1c886187eea48eb8c5a55257b8484328ed6f0c5c9a6de8c55eb490bf")
}

// UnpackNotActiveValidatorError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotActiveValidator(address account)
func (validatorSet *ValidatorSet) UnpackNotActiveValidatorError(raw []byte) (*ValidatorSetNotActiveValidator, error) {
	out := new(ValidatorSetNotActiveValidator)
	if err := validatorSet.abi.UnpackIntoInterface(out, "NotActiveValidator", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetNotCandidate represents a NotCandidate error raised by the ValidatorSet contract.
type ValidatorSetNotCandidate struct {
	Account common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotCandidate(address account)
func ValidatorSetNotCandidateErrorID() common.Hash {
	return common.HexToHash("0x956c8da0480f33c550ae721d485c29f72a64a3b9e8d5e63b65c5741e2d7590b9")
}

// UnpackNotCandidateError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotCandidate(address account)
func (validatorSet *ValidatorSet) UnpackNotCandidateError(raw []byte) (*ValidatorSetNotCandidate, error) {
	out := new(ValidatorSetNotCandidate)
	if err := validatorSet.abi.UnpackIntoInterface(out, "NotCandidate", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetNotValidatorOrCandidate represents a NotValidatorOrCandidate error raised by the ValidatorSet contract.
type ValidatorSetNotValidatorOrCandidate struct {
	Account common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotValidatorOrCandidate(address account)
func ValidatorSetNotValidatorOrCandidateErrorID() common.Hash {
	return common.HexToHash("0x8330ebcab5982fb7692c6010c555dab84e68e10395f8695ba3aa1f83126ba306")
}

// UnpackNotValidatorOrCandidateError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotValidatorOrCandidate(address account)
func (validatorSet *ValidatorSet) UnpackNotValidatorOrCandidateError(raw []byte) (*ValidatorSetNotValidatorOrCandidate, error) {
	out := new(ValidatorSetNotValidatorOrCandidate)
	if err := validatorSet.abi.UnpackIntoInterface(out, "NotValidatorOrCandidate", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetNothingToClaim represents a NothingToClaim error raised by the ValidatorSet contract.
type ValidatorSetNothingToClaim struct {
	Account common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NothingToClaim(address account)
func ValidatorSetNothingToClaimErrorID() common.Hash {
	return common.HexToHash("0x64ab34663471cdf42e0c6b384f4d5a5ab07a23c81e7ddc69a6fbb3a660346f9a")
}

// UnpackNothingToClaimError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NothingToClaim(address account)
func (validatorSet *ValidatorSet) UnpackNothingToClaimError(raw []byte) (*ValidatorSetNothingToClaim, error) {
	out := new(ValidatorSetNothingToClaim)
	if err := validatorSet.abi.UnpackIntoInterface(out, "NothingToClaim", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetNothingToWithdraw represents a NothingToWithdraw error raised by the ValidatorSet contract.
type ValidatorSetNothingToWithdraw struct {
	Account common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NothingToWithdraw(address account)
func ValidatorSetNothingToWithdrawErrorID() common.Hash {
	return common.HexToHash("0xdc69dc16e4a8405b44139edda9a06ee66b303337358b6f4633533d65de15b7f4")
}

// UnpackNothingToWithdrawError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NothingToWithdraw(address account)
func (validatorSet *ValidatorSet) UnpackNothingToWithdrawError(raw []byte) (*ValidatorSetNothingToWithdraw, error) {
	out := new(ValidatorSetNothingToWithdraw)
	if err := validatorSet.abi.UnpackIntoInterface(out, "NothingToWithdraw", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetReentrancyGuardReentrantCall represents a ReentrancyGuardReentrantCall error raised by the ValidatorSet contract.
type ValidatorSetReentrancyGuardReentrantCall struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ReentrancyGuardReentrantCall()
func ValidatorSetReentrancyGuardReentrantCallErrorID() common.Hash {
	return common.HexToHash("0x3ee5aeb571de7fc460830b4d0017439a1ca56fb0bc39062227ade4fe4a24c1ca")
}

// UnpackReentrancyGuardReentrantCallError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ReentrancyGuardReentrantCall()
func (validatorSet *ValidatorSet) UnpackReentrancyGuardReentrantCallError(raw []byte) (*ValidatorSetReentrancyGuardReentrantCall, error) {
	out := new(ValidatorSetReentrancyGuardReentrantCall)
	if err := validatorSet.abi.UnpackIntoInterface(out, "ReentrancyGuardReentrantCall", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetStakeLocked represents a StakeLocked error raised by the ValidatorSet contract.
type ValidatorSetStakeLocked struct {
	UnlocksAt *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error StakeLocked(uint256 unlocksAt)
func ValidatorSetStakeLockedErrorID() common.Hash {
	return common.HexToHash("0x387def3a824bd789dedc342daf3638728f87786864dc057d7e201129ef5c58e9")
}

// UnpackStakeLockedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error StakeLocked(uint256 unlocksAt)
func (validatorSet *ValidatorSet) UnpackStakeLockedError(raw []byte) (*ValidatorSetStakeLocked, error) {
	out := new(ValidatorSetStakeLocked)
	if err := validatorSet.abi.UnpackIntoInterface(out, "StakeLocked", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetTotalDecreased represents a TotalDecreased error raised by the ValidatorSet contract.
type ValidatorSetTotalDecreased struct {
	Previous *big.Int
	Got      *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TotalDecreased(uint256 previous, uint256 got)
func ValidatorSetTotalDecreasedErrorID() common.Hash {
	return common.HexToHash("0x70c7508d0bf9fb89a9919ad15785e5f17f58e95b5776aaa7b3c778bed943d492")
}

// UnpackTotalDecreasedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TotalDecreased(uint256 previous, uint256 got)
func (validatorSet *ValidatorSet) UnpackTotalDecreasedError(raw []byte) (*ValidatorSetTotalDecreased, error) {
	out := new(ValidatorSetTotalDecreased)
	if err := validatorSet.abi.UnpackIntoInterface(out, "TotalDecreased", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetTotalExceedsFunds represents a TotalExceedsFunds error raised by the ValidatorSet contract.
type ValidatorSetTotalExceedsFunds struct {
	Available *big.Int
	Got       *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TotalExceedsFunds(uint256 available, uint256 got)
func ValidatorSetTotalExceedsFundsErrorID() common.Hash {
	return common.HexToHash("0xae369ff7f80c67e9b898f8926d526de3d0b984c18bff46663eeaef14843bfb9b")
}

// UnpackTotalExceedsFundsError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TotalExceedsFunds(uint256 available, uint256 got)
func (validatorSet *ValidatorSet) UnpackTotalExceedsFundsError(raw []byte) (*ValidatorSetTotalExceedsFunds, error) {
	out := new(ValidatorSetTotalExceedsFunds)
	if err := validatorSet.abi.UnpackIntoInterface(out, "TotalExceedsFunds", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetTransferFailed represents a TransferFailed error raised by the ValidatorSet contract.
type ValidatorSetTransferFailed struct {
	To     common.Address
	Amount *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TransferFailed(address to, uint256 amount)
func ValidatorSetTransferFailedErrorID() common.Hash {
	return common.HexToHash("0x1c43b9761b3fba5321ca8212bfc231945f668ccc0c446f333999eea9ce8fda81")
}

// UnpackTransferFailedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TransferFailed(address to, uint256 amount)
func (validatorSet *ValidatorSet) UnpackTransferFailedError(raw []byte) (*ValidatorSetTransferFailed, error) {
	out := new(ValidatorSetTransferFailed)
	if err := validatorSet.abi.UnpackIntoInterface(out, "TransferFailed", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetZeroAddress represents a ZeroAddress error raised by the ValidatorSet contract.
type ValidatorSetZeroAddress struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAddress()
func ValidatorSetZeroAddressErrorID() common.Hash {
	return common.HexToHash("0xd92e233df2717d4a40030e20904abd27b68fcbeede117eaaccbbdac9618c8c73")
}

// UnpackZeroAddressError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAddress()
func (validatorSet *ValidatorSet) UnpackZeroAddressError(raw []byte) (*ValidatorSetZeroAddress, error) {
	out := new(ValidatorSetZeroAddress)
	if err := validatorSet.abi.UnpackIntoInterface(out, "ZeroAddress", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidatorSetZeroAmount represents a ZeroAmount error raised by the ValidatorSet contract.
type ValidatorSetZeroAmount struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAmount()
func ValidatorSetZeroAmountErrorID() common.Hash {
	return common.HexToHash("0x1f2a2005cb66a8e145327e8814e243a0996aec9bfe1e15a495778b1236dbd485")
}

// UnpackZeroAmountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAmount()
func (validatorSet *ValidatorSet) UnpackZeroAmountError(raw []byte) (*ValidatorSetZeroAmount, error) {
	out := new(ValidatorSetZeroAmount)
	if err := validatorSet.abi.UnpackIntoInterface(out, "ZeroAmount", raw); err != nil {
		return nil, err
	}
	return out, nil
}
