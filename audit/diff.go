package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/calc"
)

// diffResult compares a published result document, read leniently so a
// tampered or broken file still shows what differs, with the recomputed
// result.
func diffResult(res *calc.Result, raw []byte) []string {
	type looseValidator struct {
		Validator        string `json:"validator"`
		Eligible         *bool  `json:"eligible"`
		Reason           string `json:"reason"`
		ValidatorReward  string `json:"validator_reward_wei"`
		DelegatorRewards string `json:"delegator_rewards_wei"`
	}
	type loosePayout struct {
		Account    string `json:"account"`
		Amount     string `json:"amount_wei"`
		Cumulative string `json:"cumulative_wei"`
	}
	var doc struct {
		Format       string           `json:"format"`
		Epoch        json.Number      `json:"epoch"`
		FirstBlock   json.Number      `json:"first_block"`
		LastBlock    json.Number      `json:"last_block"`
		Minted       string           `json:"minted_wei"`
		Distributed  string           `json:"distributed_wei"`
		Forfeited    string           `json:"forfeited_wei"`
		Unallocated  string           `json:"unallocated_wei"`
		RoundingDust string           `json:"rounding_dust_wei"`
		Validators   []looseValidator `json:"validators"`
		Payouts      []loosePayout    `json:"payouts"`
		MerkleRoot   string           `json:"merkle_root"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return []string{fmt.Sprintf("published result cannot be read for comparison: %v", err)}
	}
	var diffs []string
	field := func(name, got, want string) {
		if got != want {
			diffs = append(diffs, fmt.Sprintf("%s: published %s, recomputed %s", name, quoteEmpty(got), want))
		}
	}
	field("format", doc.Format, calc.ResultFormat)
	field("epoch", doc.Epoch.String(), strconv.FormatUint(res.Epoch, 10))
	field("first_block", doc.FirstBlock.String(), strconv.FormatUint(res.FirstBlock, 10))
	field("last_block", doc.LastBlock.String(), strconv.FormatUint(res.LastBlock, 10))
	field("minted_wei", doc.Minted, res.Minted.Dec())
	field("distributed_wei", doc.Distributed, res.Distributed.Dec())
	field("forfeited_wei", doc.Forfeited, res.Forfeited.Dec())
	field("unallocated_wei", doc.Unallocated, res.Unallocated.Dec())
	field("rounding_dust_wei", doc.RoundingDust, res.RoundingDust.Dec())
	if !strings.EqualFold(doc.MerkleRoot, res.MerkleRoot.Hex()) {
		diffs = append(diffs, fmt.Sprintf("merkle_root: published %s, recomputed %s", quoteEmpty(doc.MerkleRoot), res.MerkleRoot.Hex()))
	}

	diff := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	pairByAddress(doc.Validators, func(v looseValidator) string { return v.Validator }, res.Validators,
		func(o *calc.ValidatorResult) common.Address { return o.Validator }, "validators", diff,
		func(v looseValidator, addr common.Address, o *calc.ValidatorResult) {
			if o == nil {
				diff("validator %s: published but not active in the recomputed epoch", addr.Hex())
				return
			}
			name := "validator " + addr.Hex()
			if v.Eligible == nil || *v.Eligible != o.Eligible {
				got := "missing"
				if v.Eligible != nil {
					got = strconv.FormatBool(*v.Eligible)
				}
				diff("%s eligible: published %s, recomputed %t", name, got, o.Eligible)
			}
			if v.Reason != o.Reason {
				diff("%s reason: published %s, recomputed %s", name, quoteEmpty(v.Reason), quoteEmpty(o.Reason))
			}
			field(name+" validator_reward_wei", v.ValidatorReward, o.ValidatorReward.Dec())
			field(name+" delegator_rewards_wei", v.DelegatorRewards, o.DelegatorRewards.Dec())
		},
		func(o *calc.ValidatorResult) {
			diff("validator %s: missing from the published result (recomputed validator reward %s wei, delegator rewards %s wei)",
				o.Validator.Hex(), o.ValidatorReward.Dec(), o.DelegatorRewards.Dec())
		})
	pairByAddress(doc.Payouts, func(p loosePayout) string { return p.Account }, res.Payouts,
		func(o *calc.Payout) common.Address { return o.Account }, "payouts", diff,
		func(p loosePayout, addr common.Address, o *calc.Payout) {
			if o == nil {
				diff("account %s: published (amount %s wei, cumulative %s wei) but has no leaf in the recomputation", addr.Hex(), p.Amount, p.Cumulative)
				return
			}
			name := "account " + addr.Hex()
			field(name+" amount_wei", p.Amount, o.Amount.Dec())
			field(name+" cumulative_wei", p.Cumulative, o.Cumulative.Dec())
		},
		func(o *calc.Payout) {
			diff("account %s: missing from the published result (recomputed amount %s wei, cumulative %s wei)",
				o.Account.Hex(), o.Amount.Dec(), o.Cumulative.Dec())
		})
	return diffs
}

// pairByAddress pairs the entries of a published list (named list, for
// bad addresses) with the recomputed ones by address: compare gets every
// published entry with its recomputed one (nil if none), missing every
// recomputed entry that was not published.
func pairByAddress[P, R any](pub []P, pubAddr func(P) string, ours []R, ourAddr func(*R) common.Address, list string,
	diff func(format string, args ...any), compare func(P, common.Address, *R), missing func(*R)) {
	byAddr := make(map[common.Address]*R, len(ours))
	for i := range ours {
		byAddr[ourAddr(&ours[i])] = &ours[i]
	}
	seen := make(map[common.Address]bool, len(pub))
	for i, p := range pub {
		a := pubAddr(p)
		if !common.IsHexAddress(a) {
			diff("%s[%d]: bad address %q", list, i, a)
			continue
		}
		addr := common.HexToAddress(a)
		seen[addr] = true
		compare(p, addr, byAddr[addr])
	}
	for i := range ours {
		if !seen[ourAddr(&ours[i])] {
			missing(&ours[i])
		}
	}
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}
