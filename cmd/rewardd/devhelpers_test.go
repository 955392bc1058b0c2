package main

import (
	"math/big"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
)

type bigSum struct{ v *big.Int }

func newBigSum() *bigSum { return &bigSum{v: new(big.Int)} }

func (s *bigSum) add(dec string) {
	x, ok := new(big.Int).SetString(dec, 10)
	if !ok {
		panic("not a decimal: " + dec)
	}
	s.v.Add(s.v, x)
}

func (s *bigSum) String() string { return s.v.String() }

func merkleOf(r *calc.Result) (*merkle.Tree, error) {
	leaves := make([]merkle.Leaf, len(r.Payouts))
	for i := range r.Payouts {
		leaves[i] = merkle.Leaf{Account: r.Payouts[i].Account, Cumulative: &r.Payouts[i].Cumulative}
	}
	return merkle.Build(leaves)
}
