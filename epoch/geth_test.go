package epoch

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/clique"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

// gethKeys returns n fixed private keys.
func gethKeys(t testing.TB, n int) []*ecdsa.PrivateKey {
	t.Helper()
	keys := make([]*ecdsa.PrivateKey, n)
	for i := range keys {
		k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("epoch-geth-key-%d", i))))
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
	}
	return keys
}

func cliqueExtra(signers []common.Address) []byte {
	extra := make([]byte, extraVanity, extraVanity+len(signers)*common.AddressLength+extraSeal)
	for _, s := range signers {
		extra = append(extra, s[:]...)
	}
	return append(extra, make([]byte, extraSeal)...)
}

func seal(t testing.TB, h *types.Header, key *ecdsa.PrivateKey) {
	t.Helper()
	sig, err := crypto.Sign(clique.SealHash(h).Bytes(), key)
	if err != nil {
		t.Fatal(err)
	}
	copy(h.Extra[len(h.Extra)-extraSeal:], sig)
}

// gethChain is a go-ethereum BlockChain with a stock Clique engine on a
// memory database: the reference that verifies our headers.
type gethChain struct {
	cfg     *params.ChainConfig
	bc      *core.BlockChain
	genesis *types.Header
}

func newGethChain(t *testing.T, epoch uint64, signers []common.Address) *gethChain {
	t.Helper()
	cfg := *params.AllCliqueProtocolChanges
	cfg.Clique = &params.CliqueConfig{Period: 1, Epoch: epoch}
	sorted := slices.Clone(signers)
	slices.SortFunc(sorted, common.Address.Cmp)
	genesis := &core.Genesis{
		Config:     &cfg,
		Timestamp:  uint64(time.Now().Unix()) - 100_000,
		ExtraData:  cliqueExtra(sorted),
		GasLimit:   30_000_000,
		Difficulty: big.NewInt(1),
		BaseFee:    big.NewInt(params.InitialBaseFee),
	}
	db := rawdb.NewMemoryDatabase()
	bc, err := core.NewBlockChain(db, genesis, clique.New(cfg.Clique, db), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bc.Stop)
	return &gethChain{cfg: &cfg, bc: bc, genesis: bc.Genesis().Header()}
}

// next builds an unsealed child of parent.
func (g *gethChain) next(parent *types.Header, difficulty uint64, coinbase common.Address, auth bool, checkpoint []common.Address) *types.Header {
	h := &types.Header{
		ParentHash:  parent.Hash(),
		UncleHash:   types.EmptyUncleHash,
		Coinbase:    coinbase,
		Root:        parent.Root,
		TxHash:      types.EmptyTxsHash,
		ReceiptHash: types.EmptyReceiptsHash,
		Difficulty:  new(big.Int).SetUint64(difficulty),
		Number:      new(big.Int).Add(parent.Number, common.Big1),
		GasLimit:    parent.GasLimit,
		Time:        parent.Time + 1,
		Extra:       cliqueExtra(checkpoint),
		BaseFee:     eip1559.CalcBaseFee(g.cfg, parent),
	}
	if auth {
		h.Nonce = types.BlockNonce{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	}
	return h
}

// TestSignerTrackerMatchesGeth builds random Clique header chains with
// random votes, sealed by signers our tracker considers authorized and not
// recent, with the difficulty our tracker computes and, on every checkpoint,
// the signer list our tracker replayed. go-ethereum's own Clique engine then
// verifies the whole chain: it rejects a header whose sealer it considers
// unauthorized or recent, whose difficulty disagrees with its in-turn signer,
// or whose checkpoint list differs from its snapshot. Each chain ends on a
// checkpoint, so the final sets are compared too. A deliberately wrong
// checkpoint list is then rejected by both.
func TestSignerTrackerMatchesGeth(t *testing.T) {
	keys := gethKeys(t, 6)
	addrs := make([]common.Address, len(keys))
	keyOf := make(map[common.Address]*ecdsa.PrivateKey)
	for i, k := range keys {
		addrs[i] = crypto.PubkeyToAddress(k.PublicKey)
		keyOf[addrs[i]] = k
	}
	trials := 40
	if testing.Short() {
		trials = 15
	}
	changes := 0
	for trial := range trials {
		t.Run(fmt.Sprint(trial), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(trial), 7))
			epoch := uint64(5 + rng.IntN(8))
			initial := slices.Clone(addrs)
			rng.Shuffle(len(initial), func(i, j int) { initial[i], initial[j] = initial[j], initial[i] })
			initial = initial[:1+rng.IntN(5)]
			g := newGethChain(t, epoch, initial)

			start, err := HeaderFromGeth(g.genesis, epoch)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := NewSignerTracker(epoch, start)
			if err != nil {
				t.Fatal(err)
			}
			length := epoch * uint64(3+rng.IntN(4))
			parent := g.genesis
			var chain []*types.Header
			for n := uint64(1); n <= length; n++ {
				set := tr.Signers()
				var h *types.Header
				var conv Header
				for _, i := range rng.Perm(len(set)) {
					sealer := set[i]
					diff := uint64(DiffNoTurn)
					if in, _ := tr.InTurn(); in == sealer {
						diff = DiffInTurn
					}
					var target common.Address
					var auth bool
					var list []common.Address
					if IsCheckpoint(n, epoch) {
						list = set
					} else if rng.IntN(10) < 7 {
						target = addrs[rng.IntN(len(addrs))]
						auth = !tr.IsSigner(target)
						if rng.IntN(10) == 0 {
							auth = !auth // a vote that does not count
						}
					}
					cand := g.next(parent, diff, target, auth, list)
					seal(t, cand, keyOf[sealer])
					c, err := HeaderFromGeth(cand, epoch)
					if err != nil {
						t.Fatal(err)
					}
					if c.Sealer != sealer {
						t.Fatalf("block %d: recovered sealer %s, sealed by %s", n, c.Sealer, sealer)
					}
					if tr.check(c) == nil {
						h, conv = cand, c
						break
					}
				}
				if h == nil {
					break // every signer is barred (or none left): the chain stalls
				}
				before := len(tr.Signers())
				if err := tr.Apply(conv); err != nil {
					t.Fatal(err)
				}
				if len(tr.Signers()) != before {
					changes++
				}
				chain = append(chain, h)
				parent = h
			}
			if len(chain) == 0 {
				return
			}
			if i, err := g.bc.InsertHeaderChain(chain); err != nil {
				t.Fatalf("go-ethereum rejects header %d (block %d) that our tracker accepted: %v", i, chain[i].Number, err)
			}
			// A wrong list on the last checkpoint: one signer too few or too many.
			last := chain[len(chain)-1]
			if !IsCheckpoint(last.Number.Uint64(), epoch) {
				return
			}
			prev := g.genesis
			if len(chain) > 1 {
				prev = chain[len(chain)-2]
			}
			set := tr.Signers()
			wrong := set[1:]
			if len(wrong) == 0 {
				for _, a := range addrs {
					if !slices.Contains(set, a) {
						wrong = append(slices.Clone(set), a)
						slices.SortFunc(wrong, common.Address.Cmp)
						break
					}
				}
			}
			lastConv, err := HeaderFromGeth(last, epoch)
			if err != nil {
				t.Fatal(err)
			}
			bad := g.next(prev, last.Difficulty.Uint64(), common.Address{}, false, wrong)
			bad.Time++ // a sibling distinct from the accepted header
			seal(t, bad, keyOf[lastConv.Sealer])
			if _, err := g.bc.InsertHeaderChain([]*types.Header{bad}); err == nil {
				t.Fatal("go-ethereum accepted a wrong checkpoint list")
			}
			badConv, err := HeaderFromGeth(bad, epoch)
			if err != nil {
				t.Fatal(err)
			}
			// Replay to just before the last checkpoint and offer the wrong one.
			tr2, err := NewSignerTracker(epoch, start)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range chain[:len(chain)-1] {
				c, err := HeaderFromGeth(h, epoch)
				if err != nil {
					t.Fatal(err)
				}
				if err := tr2.Apply(c); err != nil {
					t.Fatal(err)
				}
			}
			if err := tr2.Apply(badConv); !errors.Is(err, ErrCheckpointSigners) {
				t.Fatalf("tracker: wrong checkpoint list gave %v", err)
			}
		})
	}
	if !testing.Short() && changes < 20 {
		t.Fatalf("only %d signer-set changes over all trials: the random votes are too weak to test anything", changes)
	}
	t.Logf("signer-set changes verified by go-ethereum: %d", changes)
}

func TestHeaderFromGeth(t *testing.T) {
	key := gethKeys(t, 1)[0]
	me := crypto.PubkeyToAddress(key.PublicKey)
	list := []common.Address{me, name("B")}
	base := func(n uint64, checkpoint []common.Address) *types.Header {
		h := &types.Header{
			Number:     new(big.Int).SetUint64(n),
			Difficulty: big.NewInt(2),
			Time:       1234,
			Coinbase:   name("V"),
			Extra:      cliqueExtra(checkpoint),
		}
		seal(t, h, key)
		return h
	}
	tests := []struct {
		name    string
		h       func() *types.Header
		epoch   uint64
		want    func(*types.Header) Header
		wantErr error
	}{
		{
			name: "plain block", epoch: 10,
			h: func() *types.Header { return base(7, nil) },
			want: func(h *types.Header) Header {
				return Header{Number: 7, Hash: h.Hash(), Time: 1234, Difficulty: 2, Sealer: me, Coinbase: name("V")}
			},
		},
		{
			name: "authorize vote", epoch: 10,
			h: func() *types.Header {
				h := base(7, nil)
				h.Nonce = types.BlockNonce{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
				seal(t, h, key)
				return h
			},
			want: func(h *types.Header) Header {
				return Header{Number: 7, Hash: h.Hash(), Time: 1234, Difficulty: 2, Sealer: me, Coinbase: name("V"), VoteAuth: true}
			},
		},
		{
			name: "checkpoint", epoch: 10,
			h: func() *types.Header { return base(20, list) },
			want: func(h *types.Header) Header {
				return Header{Number: 20, Hash: h.Hash(), Time: 1234, Difficulty: 2, Sealer: me, Coinbase: name("V"), Signers: list}
			},
		},
		{
			name: "genesis has no sealer", epoch: 10,
			h: func() *types.Header {
				h := base(0, list)
				copy(h.Extra[len(h.Extra)-extraSeal:], make([]byte, extraSeal))
				return h
			},
			want: func(h *types.Header) Header {
				return Header{Number: 0, Hash: h.Hash(), Time: 1234, Difficulty: 2, Coinbase: name("V"), Signers: list}
			},
		},
		{
			name: "empty checkpoint list is non-nil", epoch: 10,
			h: func() *types.Header { return base(10, nil) },
			want: func(h *types.Header) Header {
				return Header{Number: 10, Hash: h.Hash(), Time: 1234, Difficulty: 2, Sealer: me, Coinbase: name("V"), Signers: []common.Address{}}
			},
		},
		{name: "epoch 0", epoch: 0, h: func() *types.Header { return base(7, nil) }, wantErr: ErrBadCliqueEpoch},
		{name: "signers off checkpoint", epoch: 10, h: func() *types.Header { return base(7, list) }, wantErr: ErrMalformedHeader},
		{
			name: "bad nonce", epoch: 10, wantErr: ErrMalformedHeader,
			h: func() *types.Header { h := base(7, nil); h.Nonce[3] = 1; return h },
		},
		{
			name: "short extra", epoch: 10, wantErr: ErrMalformedHeader,
			h: func() *types.Header { h := base(7, nil); h.Extra = h.Extra[:extraVanity+extraSeal-1]; return h },
		},
		{
			name: "ragged checkpoint list", epoch: 10, wantErr: ErrMalformedHeader,
			h: func() *types.Header {
				h := base(10, list)
				h.Extra = append(h.Extra[:extraVanity+1], h.Extra[extraVanity+common.AddressLength:]...)
				return h
			},
		},
		{
			name: "unrecoverable seal", epoch: 10, wantErr: ErrMalformedHeader,
			h: func() *types.Header {
				h := base(7, nil)
				h.Extra[len(h.Extra)-1] = 9 // recovery id out of range
				return h
			},
		},
		{name: "no number", epoch: 10, h: func() *types.Header { return &types.Header{} }, wantErr: ErrMalformedHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.h()
			got, err := HeaderFromGeth(h, tc.epoch)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			want := tc.want(h)
			if got.Number != want.Number || got.Hash != want.Hash || got.Time != want.Time || got.Difficulty != want.Difficulty ||
				got.Sealer != want.Sealer || got.Coinbase != want.Coinbase || got.VoteAuth != want.VoteAuth ||
				(got.Signers == nil) != (want.Signers == nil) || !slices.Equal(got.Signers, want.Signers) {
				t.Fatalf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}
