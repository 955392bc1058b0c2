package txsend

import (
	"bytes"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// Store keeps the write-ahead records of a key's intents. Implementations
// must be safe for concurrent use and make Update durable before it
// returns: Send broadcasts a transaction only after the Update that
// recorded it returned nil.
type Store interface {
	// Load returns the record stored under key, or nil (and no error) if
	// there is none.
	Load(key string) (*Record, error)
	// Update atomically replaces the record under key: change gets the
	// stored record (nil if none) and returns the one to store. No other
	// Update of the same record may run in between (across processes,
	// where the store is shared between them). If change returns an error,
	// nothing is stored and Update returns that error as is.
	Update(key string, change func(cur *Record) (*Record, error)) error
	// Each calls fn with every record in the store, in any order; an error
	// from fn stops the walk and is returned. A store may pass, besides
	// the records under its keys, records it keeps of earlier intents of a
	// key (the submitter keeps the votes it replaced): Send scans them for
	// attempts that may still hold a nonce in the pool.
	Each(fn func(r *Record) error) error
}

// RecordState is where a record's intent stands.
type RecordState string

const (
	// RecordOpen: the last attempt's nonce may still be mined; Send
	// resumes it.
	RecordOpen RecordState = "open"
	// RecordClosed: our transaction was mined and reverted; the next Send
	// starts over from a simulation (and a new nonce).
	RecordClosed RecordState = "closed"
	// RecordConfirmed: an attempt is confirmed; Final holds it. Send
	// answers from the record without any RPC.
	RecordConfirmed RecordState = "confirmed"
)

// Record is the write-ahead record of one intent: the call, every
// transaction signed for it, and how it ended.
type Record struct {
	ChainID uint64         `json:"chain_id"` // the chain the attempts are signed for
	From    common.Address `json:"from"`     // the key's address
	Call    Call           `json:"call"`     // the intent
	State   RecordState    `json:"state"`
	// Attempts are every transaction signed for the intent, oldest first.
	// All attempts with the same nonce replace each other; a record has a
	// new nonce only after the previous one was consumed without a
	// successful transaction of ours.
	Attempts []Attempt `json:"attempts"`
	// Final is the confirmed transaction, when State is RecordConfirmed.
	Final *Final `json:"final,omitempty"`
}

// Latest returns the newest attempt, or nil.
func (r *Record) Latest() *Attempt {
	if r == nil || len(r.Attempts) == 0 {
		return nil
	}
	return &r.Attempts[len(r.Attempts)-1]
}

// Attempt is one signed transaction, as recorded before its broadcast.
type Attempt struct {
	Nonce    uint64        `json:"nonce"`
	Hash     common.Hash   `json:"hash"`
	Gas      uint64        `json:"gas"`
	TipCap   *big.Int      `json:"tip_cap,omitempty"`   // wei per gas, EIP-1559
	FeeCap   *big.Int      `json:"fee_cap,omitempty"`   // wei per gas, EIP-1559
	GasPrice *big.Int      `json:"gas_price,omitempty"` // wei per gas, legacy
	Raw      hexutil.Bytes `json:"raw"`                 // the signed transaction, binary encoding
	Created  time.Time     `json:"created"`
}

// Final is a confirmed attempt.
type Final struct {
	Tx      common.Hash `json:"tx"`
	Block   uint64      `json:"block"`
	GasUsed uint64      `json:"gas_used,omitempty"`
	// Fee is what the transaction paid for gas, GasUsed × effective gas
	// price, in wei; nil where a store does not keep it.
	Fee *big.Int  `json:"fee,omitempty"`
	At  time.Time `json:"at"`
}

// Call is one contract call, or a contract creation: what an intent is.
type Call struct {
	// To is the contract called; zero for a creation.
	To    common.Address `json:"to"`
	Data  hexutil.Bytes  `json:"data"`            // calldata; for a creation, the creation code and constructor arguments
	Value *big.Int       `json:"value,omitempty"` // wei; nil means 0
	// Create makes the call a contract creation: the transaction has no
	// recipient and Data is the creation code. To must then be zero.
	Create bool `json:"create,omitempty"`
}

// Equal reports whether two calls are the same; a nil Value equals 0.
func (c Call) Equal(o Call) bool {
	return c.To == o.To && c.Create == o.Create && bytes.Equal(c.Data, o.Data) && c.value().Cmp(o.value()) == 0
}

// to is the transaction's recipient: nil for a creation.
func (c Call) to() *common.Address {
	if c.Create {
		return nil
	}
	to := c.To
	return &to
}

// Contract returns, for a record of a creation, the address of the
// contract: the one its confirmed transaction created when the record is
// confirmed, otherwise the one its latest attempt creates if mined (the
// address follows from the sender and the nonce). It returns the zero
// address for a record of a call, or one without attempts.
func (r *Record) Contract() common.Address {
	if r == nil || !r.Call.Create {
		return common.Address{}
	}
	if r.State == RecordConfirmed && r.Final != nil {
		for _, a := range r.Attempts {
			if a.Hash == r.Final.Tx {
				return crypto.CreateAddress(r.From, a.Nonce)
			}
		}
	}
	if a := r.Latest(); a != nil {
		return crypto.CreateAddress(r.From, a.Nonce)
	}
	return common.Address{}
}

func (c Call) value() *big.Int {
	if c.Value == nil {
		return new(big.Int)
	}
	return c.Value
}

func (a *Attempt) fees() fees {
	return fees{TipCap: a.TipCap, FeeCap: a.FeeCap, GasPrice: a.GasPrice}
}

// tx decodes the recorded transaction and checks that it is the one the
// record names.
func (a *Attempt) tx() (*types.Transaction, error) {
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(a.Raw); err != nil {
		return nil, fmt.Errorf("decode recorded transaction %s: %w", a.Hash.Hex(), err)
	}
	if tx.Hash() != a.Hash {
		return nil, fmt.Errorf("recorded transaction %s decodes to %s", a.Hash.Hex(), tx.Hash().Hex())
	}
	return tx, nil
}
