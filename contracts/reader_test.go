package contracts

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
)

// TestReader reads every view through Reader on the simulated chain running
// the compiled contract, at the latest block and at an earlier one.
func TestReader(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 3, 5000)
	v0, v1, d := accts[0], accts[1], accts[20]
	call := func(to common.Address) *Reader {
		return NewReader(func(ctx context.Context, data []byte, block *big.Int) ([]byte, error) {
			return e.client.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, block)
		})
	}
	r := call(e.addr)
	e.fund(d, ether(5))
	e.must(d, e.vs.PackStake(v0.addr), ether(100))
	before, err := e.client.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	root, res := hash("root"), hash("result")
	e.must(v0, e.vs.PackSubmitRoot(big.NewInt(0), root, ether(1), res), nil)
	e.must(v1, e.vs.PackSubmitRoot(big.NewInt(0), root, ether(1), res), nil) // 2 of 3 accept
	want := &Vote{Epoch: 0, Root: root, Total: ether(1), ResultHash: res}
	at := new(big.Int).SetUint64(before)

	for _, tc := range []struct {
		name string
		got  func() (any, error)
		want any
	}{
		{"nextEpoch", func() (any, error) { return r.NextEpoch(ctx, nil) }, uint64(1)},
		{"nextEpoch before", func() (any, error) { return r.NextEpoch(ctx, at) }, uint64(0)},
		{"epochRoot", func() (any, error) { v, err := r.EpochRoot(ctx, nil, 0); return v.Equal(want), err }, true},
		{"epochRoot before", func() (any, error) { v, err := r.EpochRoot(ctx, at, 0); return v == nil, err }, true},
		{"voteOf", func() (any, error) { v, err := r.VoteOf(ctx, nil, 0, v1.addr); return v.Equal(want), err }, true},
		{"voteOf none", func() (any, error) { v, err := r.VoteOf(ctx, nil, 0, accts[2].addr); return v == nil, err }, true},
		{"currentRoot", func() (any, error) { return r.CurrentRoot(ctx, nil) }, root},
		{"claimed", func() (any, error) { v, err := r.Claimed(ctx, nil, d.addr); return v.Sign(), err }, 0},
		{"totalClaimed", func() (any, error) { v, err := r.TotalClaimed(ctx, nil); return v.Sign(), err }, 0},
		{"rewardFunds", func() (any, error) { v, err := r.RewardFunds(ctx, nil); return v.Cmp(ether(5)), err }, 0},
		{"unlockedStakeOf", func() (any, error) { v, err := r.UnlockedStakeOf(ctx, nil, d.addr, v0.addr); return v.Sign(), err }, 0},
		{"lockedLotsOf", func() (any, error) {
			lots, err := r.LockedLotsOf(ctx, nil, d.addr, v0.addr)
			return len(lots) == 1 && lots[0].Amount.Cmp(ether(100)) == 0 && lots[0].UnlocksAt > 0, err
		}, true},
		{"withdrawable", func() (any, error) { v, err := r.Withdrawable(ctx, nil, d.addr); return v.Sign(), err }, 0},
		{"isActive", func() (any, error) { return r.IsActive(ctx, nil, v0.addr) }, true},
		{"isCandidate", func() (any, error) { return r.IsCandidate(ctx, nil, d.addr) }, false},
		{"pendingVotes", func() (any, error) { return r.PendingVotes(ctx, nil, d.addr) }, uint64(0)},
		{"hasVotedOn", func() (any, error) { return r.HasVotedOn(ctx, nil, v0.addr, d.addr) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.got()
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("no contract", func(t *testing.T) {
		_, err := call(d.addr).NextEpoch(ctx, nil)
		if !errors.Is(err, ErrNoContract) || err.Error() != "read nextEpoch(): no contract" {
			t.Fatalf("got %v, want ErrNoContract naming the view", err)
		}
	})
	t.Run("caller error", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := NewReader(func(context.Context, []byte, *big.Int) ([]byte, error) { return nil, boom }).VoteOf(ctx, nil, 3, v0.addr)
		if !errors.Is(err, boom) || err.Error() != "read voteOf(3, "+v0.addr.Hex()+"): boom" {
			t.Fatalf("got %v", err)
		}
	})
}
