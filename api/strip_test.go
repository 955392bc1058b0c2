package api

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/epoch"
)

func TestStrip(t *testing.T) {
	t.Parallel()
	v, o := common.Address{1}, common.Address{2}
	both, onlyO := []common.Address{v, o}, []common.Address{o}
	sets := [][]common.Address{both, onlyO}
	// Blocks 10-17: v seals in turn, o in turn, v out of turn, a miss
	// charged to v, idle, v not a signer, inactive, v in turn.
	slots := []blockSlot{
		{sealer: v, inTurn: v}, {sealer: o, inTurn: o}, {sealer: v, inTurn: o}, {sealer: o, inTurn: v, charged: v},
		{sealer: o, inTurn: o}, {sealer: o, inTurn: o, set: 1}, {sealer: o, inTurn: o}, {sealer: v, inTurn: v},
	}
	active := []epoch.Range{{From: 10, To: 15}, {From: 17, To: 17}}
	for _, tc := range []struct {
		name   string
		bucket uint64
		want   string
	}{
		{"one block a cell", 1, "I.OM.X-I"},
		{"pairs: the first state of the order wins", 2, "IMX-"},
		{"uneven last cell", 3, "IM-"},
		{"one cell", 8, "M"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, in, out := strip(slots, sets, 10, tc.bucket, v, v, true, active)
			if got != tc.want || in != 2 || out != 1 {
				t.Fatalf("strip %q (%d in turn, %d out of turn), want %q (2, 1)", got, in, out, tc.want)
			}
		})
	}
	if got, _, _ := strip(slots, sets, 10, 1, v, common.Address{}, false, active); got != "XXXMXX-X" {
		t.Fatalf("without a signer: %q", got)
	}
}
