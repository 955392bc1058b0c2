package follower

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// ErrBadReply is wrapped by every rejection of an RPC reply: malformed
// JSON, a header that does not hash to its reported hash, a log that does
// not belong to the fetched block.
var ErrBadReply = errors.New("bad RPC reply")

// Topics of the validator contract events the ledger keeps (rewards-v1 §2).
var (
	TopicStaked           = crypto.Keccak256Hash([]byte("Staked(address,address,uint256)"))
	TopicUnstaked         = crypto.Keccak256Hash([]byte("Unstaked(address,address,uint256)"))
	TopicValidatorAdded   = crypto.Keccak256Hash([]byte("ValidatorAdded(address)"))
	TopicValidatorRemoved = crypto.Keccak256Hash([]byte("ValidatorRemoved(address)"))
)

// Topics lists them, for eth_getLogs filters.
func Topics() []common.Hash {
	return []common.Hash{TopicStaked, TopicUnstaked, TopicValidatorAdded, TopicValidatorRemoved}
}

type rpcHeader struct {
	Hash *common.Hash `json:"hash"`
}

// replyHash returns the "hash" member of a block reply. A header-only
// block object has exactly one key "hash" ("parentHash" and the like
// differ), so a byte search finds it without decoding the JSON a second
// time; anything unusual falls back to a full decode.
func replyHash(raw []byte) (common.Hash, bool) {
	key := []byte(`"hash":"0x`)
	if i := bytes.Index(raw, key); i >= 0 && bytes.LastIndex(raw, key) == i && len(raw) >= i+len(key)+64+1 {
		var h common.Hash
		if _, err := hex.Decode(h[:], raw[i+len(key):i+len(key)+64]); err == nil && raw[i+len(key)+64] == '"' {
			return h, true
		}
	}
	var hh rpcHeader
	if err := json.Unmarshal(raw, &hh); err != nil || hh.Hash == nil {
		return common.Hash{}, false
	}
	return *hh.Hash, true
}

// decodeHeader checks one eth_getBlockByNumber reply for block n and turns
// it into a ledger block.
func decodeHeader(raw json.RawMessage, n uint64, cliqueEpoch uint64) (ledger.Block, error) {
	var bloom types.Bloom
	var d headerDecoder // no scratch preallocated for one header
	return d.decode(raw, n, cliqueEpoch, &bloom)
}

// decodeHeaderBloom is decodeHeader that also returns the header's (hash
// checked) logs bloom, by encoding/json and go-ethereum's header code
// alone: the slow path, which also gives the fast path's errors.
func decodeHeaderBloom(raw json.RawMessage, n uint64, cliqueEpoch uint64) (b ledger.Block, bloom types.Bloom, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return b, bloom, fmt.Errorf("block %d: node returned no block", n)
	}
	var h types.Header
	if err := json.Unmarshal(raw, &h); err != nil {
		return b, bloom, fmt.Errorf("%w: block %d: %v", ErrBadReply, n, err)
	}
	bloom = h.Bloom
	b, err = headerToBlock(&h, raw, n, cliqueEpoch)
	return b, bloom, err
}

func headerToBlock(h *types.Header, raw json.RawMessage, n uint64, cliqueEpoch uint64) (ledger.Block, error) {
	hash, ok := replyHash(raw)
	if !ok {
		return ledger.Block{}, fmt.Errorf("%w: block %d: missing hash", ErrBadReply, n)
	}
	if h.Number == nil || !h.Number.IsUint64() || h.Number.Uint64() != n {
		return ledger.Block{}, fmt.Errorf("%w: asked for block %d, got %v", ErrBadReply, n, h.Number)
	}
	if got := h.Hash(); got != hash {
		return ledger.Block{}, fmt.Errorf("%w: block %d: header hashes to %s, node says %s", ErrBadReply, n, got.Hex(), hash.Hex())
	}
	// The same conversion the standing tracker relies on: sealer from the
	// seal, vote from coinbase and nonce, checkpoint signer list.
	eh, err := epoch.HeaderFromGethHashed(h, hash, cliqueEpoch)
	if err != nil {
		return ledger.Block{}, fmt.Errorf("%w: %v", ErrBadReply, err)
	}
	return ledger.Block{
		Number: n, Hash: eh.Hash, ParentHash: h.ParentHash, Time: eh.Time, Difficulty: eh.Difficulty,
		Sealer: eh.Sealer, Coinbase: eh.Coinbase, VoteAuth: eh.VoteAuth, Signers: eh.Signers,
	}, nil
}

// decodeLog turns one validator contract log into a ledger event. ok is
// false for a log of another event.
func decodeLog(l *types.Log) (ev ledger.Event, ok bool, err error) {
	if len(l.Topics) == 0 {
		return ev, false, nil
	}
	ev.Block, ev.LogIndex, ev.TxHash = l.BlockNumber, uint64(l.Index), l.TxHash
	topicAddr := func(i int) (common.Address, error) {
		if len(l.Topics) <= i {
			return common.Address{}, fmt.Errorf("%w: log (%d, %d): %d topics", ErrBadReply, l.BlockNumber, l.Index, len(l.Topics))
		}
		t := l.Topics[i]
		for _, c := range t[:12] {
			if c != 0 {
				return common.Address{}, fmt.Errorf("%w: log (%d, %d): topic %d is not an address", ErrBadReply, l.BlockNumber, l.Index, i)
			}
		}
		return common.BytesToAddress(t[12:]), nil
	}
	switch l.Topics[0] {
	case TopicStaked, TopicUnstaked:
		ev.Kind = calc.KindStake
		if l.Topics[0] == TopicUnstaked {
			ev.Kind = calc.KindUnstake
		}
		if ev.Delegator, err = topicAddr(1); err != nil {
			return ev, false, err
		}
		if ev.Validator, err = topicAddr(2); err != nil {
			return ev, false, err
		}
		if len(l.Data) != 32 {
			return ev, false, fmt.Errorf("%w: log (%d, %d): amount data of %d bytes", ErrBadReply, l.BlockNumber, l.Index, len(l.Data))
		}
		ev.Amount.SetBytes32(l.Data)
	case TopicValidatorAdded, TopicValidatorRemoved:
		ev.Kind = calc.KindValidatorAdded
		if l.Topics[0] == TopicValidatorRemoved {
			ev.Kind = calc.KindValidatorRemoved
		}
		if ev.Validator, err = topicAddr(1); err != nil {
			return ev, false, err
		}
	default:
		return ev, false, nil
	}
	return ev, true, nil
}
