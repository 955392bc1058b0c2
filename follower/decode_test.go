package follower

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// headerReply is a header-only block reply in the shape geth sends; its
// "hash" is deliberately wrong and its seal is junk.
var headerReply = `{"baseFeePerGas":"0x342770c0","difficulty":"0x2","extraData":"0x` + strings.Repeat("00", 32) + strings.Repeat("11", 65) +
	`","gasLimit":"0x1c9c380","gasUsed":"0x0","hash":"0x` + strings.Repeat("ab", 32) + `","logsBloom":"0x` + strings.Repeat("00", 256) +
	`","miner":"0x0000000000000000000000000000000000000000","mixHash":"0x` + strings.Repeat("00", 32) +
	`","nonce":"0x0000000000000000","number":"0x1","parentHash":"0x` + strings.Repeat("00", 32) +
	`","receiptsRoot":"0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421","sha3Uncles":"0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347","stateRoot":"0x` + strings.Repeat("00", 32) +
	`","timestamp":"0x1","transactionsRoot":"0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"}`

func TestDecodeHeaderRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, want string
	}{
		{"null", "null", "node returned no block"},
		{"not json", "{", "bad RPC reply"},
		{"wrong hash", headerReply, "header hashes to"},
		{"wrong number", strings.Replace(headerReply, `"number":"0x1"`, `"number":"0x2"`, 1), "asked for block 1, got 2"},
		{"no hash", strings.Replace(headerReply, `"hash":"0x`+strings.Repeat("ab", 32)+`",`, ``, 1), "missing hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeHeader(json.RawMessage(tt.raw), 1, 30000)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDecodeLogRejects(t *testing.T) {
	t.Parallel()
	addr := func(b byte) (h [32]byte) { h[31] = b; return }
	tests := []struct {
		name string
		log  types.Log
		want string
	}{
		{"short data", types.Log{Topics: []common.Hash{TopicStaked, addr(1), addr(2)}, Data: []byte{1}}, "amount data of 1 bytes"},
		{"missing topic", types.Log{Topics: []common.Hash{TopicUnstaked, addr(1)}, Data: make([]byte, 32)}, "2 topics"},
		{"dirty topic", types.Log{Topics: []common.Hash{TopicValidatorAdded, {1}}}, "topic 1 is not an address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeLog(&tt.log)
			if !errors.Is(err, ErrBadReply) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
	if _, ok, err := decodeLog(&types.Log{Topics: []common.Hash{{9}}}); ok || err != nil {
		t.Fatal("an unrelated event was not skipped")
	}
}

// FuzzDecodeHeader: no reply makes the header decoder panic.
func FuzzDecodeHeader(f *testing.F) {
	f.Add([]byte(headerReply))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeHeader(json.RawMessage(data), 1, 30000)
	})
}
