package actions

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/contracts"
)

// Deploy is the creation of a ValidatorSet with the first validators and
// the root quorum in basis points of the active set (5000 to 10000; the
// constructor reverts InvalidQuorum otherwise). It is sent through txsend
// like every other call (TxCall makes it a txsend creation), recorded
// before its broadcast under RecordKey "deploy-ID".
func Deploy(validators []common.Address, quorumBps uint64) Call {
	data := append(common.FromHex(contracts.ValidatorSetMetaData.Bin),
		vs.PackConstructor(validators, new(big.Int).SetUint64(quorumBps))...)
	return Call{Name: "deploy", Value: new(uint256.Int), Data: data}
}

// ParsePubkey parses a node's public key as the contract wants it: 64 bytes
// (128 hex digits, an optional 0x), uncompressed and without the 0x04
// prefix, and a point on secp256k1.
func ParsePubkey(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"))
	if err != nil || len(b) != 64 {
		return nil, fmt.Errorf("%q: expected 128 hex digits, the node's uncompressed public key without the 04 prefix", s)
	}
	if _, err := crypto.UnmarshalPubkey(append([]byte{4}, b...)); err != nil {
		return nil, fmt.Errorf("%q: not a secp256k1 public key: %w", s, err)
	}
	return b, nil
}

// PubkeyFromNodeKey reads a node key file (geth's nodekey: the private key
// in hex) and returns its 64-byte public key, the enode id.
func PubkeyFromNodeKey(path string) ([]byte, error) {
	k, err := crypto.LoadECDSA(path)
	if err != nil {
		return nil, fmt.Errorf("node key %s: %w", path, err)
	}
	return crypto.FromECDSAPub(&k.PublicKey)[1:], nil
}

// EpochStart is the epoch.start of a contract deployed in a block with
// timestamp blockTime: the next whole UTC hour strictly after it. So the
// deployment block, start_block, lies just before epoch 0, which satisfies
// rewardd's start rule (internal/chaincheck: the block before start_block
// is before epoch 0, and start_block is in epoch 0 or before it), and at
// most an hour of blocks precedes the first epoch.
func EpochStart(blockTime uint64) time.Time {
	t := time.Unix(int64(blockTime), 0).UTC()
	return t.Truncate(time.Hour).Add(time.Hour)
}

// ConfigStub is a rewardd configuration for a contract deployed at block
// on the chain chainID served at rpcURL: the defaults of config.Default,
// start_block the deployment block and epoch.start EpochStart of its
// time. It passes config.Check; the submit key files are left empty for
// the operator (config.CheckDaemon names them).
func ConfigStub(rpcURL string, chainID uint64, contract common.Address, block, blockTime uint64) config.Config {
	c := config.Default()
	c.RPCURL, c.ChainID, c.Contract = rpcURL, chainID, contract
	c.StartBlock = block
	c.Epoch.Start = EpochStart(blockTime)
	c.Signers = config.Signers{}
	return c
}
