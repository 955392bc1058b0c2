package epoch

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/clique"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/cmt-rewards/cmt-rewards/devchain"
)

// TestDevchainOfflineSigner mines a real Clique chain (go-ethereum's engine
// verifies every block) with five signers, one of them offline for 30 of
// 100 blocks, reads the headers back over the in-process RPC client,
// converts them, and checks that the misses land on the offline signer only
// — one per slot of its outage — and that standing turns bad for it alone.
func TestDevchainOfflineSigner(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an in-process node")
	}
	const (
		signers     = 5
		cliqueEpoch = 20 // checkpoints at 20, 40, … are checked against the replay
		offline     = 3  // Config index of the signer that goes offline
		outFrom     = 41
		outTo       = 70 // inclusive: 30 blocks
		blocks      = 100
	)
	keys := make([]*ecdsa.PrivateKey, signers)
	for i := range keys {
		k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("epoch-devchain-signer-%d", i))))
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
	}
	c, err := devchain.New(devchain.Config{Signers: keys, Epoch: cliqueEpoch})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
	for b := 1; b <= blocks; b++ {
		c.SetOffline(offline, b >= outFrom && b <= outTo)
		if _, err := c.Mine(); err != nil {
			t.Fatalf("mine block %d: %v", b, err)
		}
	}

	ctx := context.Background()
	client := c.Client()
	hs := make([]Header, 0, blocks+1)
	for n := uint64(0); n <= blocks; n++ {
		gh, err := client.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			t.Fatal(err)
		}
		h, err := HeaderFromGeth(gh, cliqueEpoch)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			// The conversion's sealer is the plain recovery from the seal.
			pub, err := crypto.SigToPub(clique.SealHash(gh).Bytes(), gh.Extra[len(gh.Extra)-crypto.SignatureLength:])
			if err != nil {
				t.Fatal(err)
			}
			if a := crypto.PubkeyToAddress(*pub); a != h.Sealer || gh.Coinbase == h.Sealer {
				t.Fatalf("block %d: sealer %s, recovered %s, coinbase %s", n, h.Sealer, a, gh.Coinbase)
			}
		}
		hs = append(hs, h)
	}

	addrs := c.Signers()
	offAddr := addrs[offline]
	mt, err := NewMissTracker(cliqueEpoch, hs[0], 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := StandingConfig{Window: 30, Threshold: 4}
	var misses []Miss
	var slots []uint64 // the offline signer's slots during the outage
	for _, h := range hs[1:] {
		sl, err := mt.Apply(h)
		if err != nil {
			t.Fatal(err)
		}
		if want := addrs[c.InTurn(h.Number)]; sl.InTurn != want {
			t.Fatalf("block %d: in turn %s, devchain says %s", h.Number, sl.InTurn, want)
		}
		if sl.InTurn == offAddr && h.Number >= outFrom && h.Number <= outTo {
			slots = append(slots, h.Number)
		}
		if m, ok := cfg.MissOf(sl); ok {
			misses = append(misses, m)
		}
	}
	var missed []uint64
	for _, m := range misses {
		if m.Validator != offAddr {
			t.Errorf("block %d: miss charged to %s, not the offline signer %s", m.Block, m.Validator, offAddr)
		}
		missed = append(missed, m.Block)
	}
	if len(slots) != 6 || !slices.Equal(missed, slots) {
		t.Fatalf("misses at %v, want the offline signer's slots %v", missed, slots)
	}

	active := make(map[common.Address][]Range)
	for _, a := range addrs {
		active[a] = []Range{{1, blocks}}
	}
	runs := NotGoodRuns(cfg, misses, SignerHistory{{From: 0, Signers: hs[0].Signers}}, active, 1, blocks)
	// 4 misses in 30 blocks: from the 4th miss until the 1st leaves the window.
	if len(runs) != 1 || runs[0].Validator != offAddr || runs[0].From != slots[3] || runs[0].To != slots[len(slots)-4]+cfg.Window-1 {
		t.Fatalf("runs %s (slots %v)", fmtRuns(runs), slots)
	}
	t.Logf("offline signer %s missed %v; not good in [%d, %d]", offAddr, missed, runs[0].From, runs[0].To)
}
