package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"fmt"
	"math/big"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// actionNet is a testnet mined in the background, with keystores for
// every account and a record directory.
type actionNet struct {
	n       *testnet.Net
	records string
	keys    map[*ecdsa.PrivateKey][2]string // keystore, password file
}

func newActionNet(t *testing.T, mine bool) *actionNet {
	t.Helper()
	a := &actionNet{n: testnet.New(t, testnet.Options{Users: 3}), records: t.TempDir(), keys: map[*ecdsa.PrivateKey][2]string{}}
	if mine {
		ctx, stop := context.WithCancel(context.Background())
		wait := a.n.KeepMining(ctx, 20*time.Millisecond)
		t.Cleanup(func() { stop(); wait() })
	}
	return a
}

// args are the common flags of an action sent from key, after cmd.
func (a *actionNet) args(t *testing.T, key *ecdsa.PrivateKey, cmd ...string) []string {
	k, ok := a.keys[key]
	if !ok {
		ks, pw := testnet.WriteKeystore(t, t.TempDir(), key, "pw", 0o600)
		k = [2]string{ks, pw}
		a.keys[key] = k
	}
	return append(cmd, "--rpc", a.n.Chain.RPCURL(), "--contract", a.n.Contract.Hex(), "--keystore", k[0], "--password-file", k[1],
		"--record-dir", a.records, "--wait", "30s")
}

// withFlag returns args with the value of flag replaced; an empty value
// removes the flag.
func withFlag(args []string, flag, value string) []string {
	out := append([]string(nil), args...)
	for i := 0; i+1 < len(out); i++ {
		if out[i] == flag {
			if value == "" {
				return append(out[:i], out[i+2:]...)
			}
			out[i+1] = value
		}
	}
	return out
}

func (a *actionNet) nonce(t *testing.T, key *ecdsa.PrivateKey) uint64 {
	t.Helper()
	n, err := a.n.Chain.Client().NonceAt(context.Background(), testnet.Addr(key), nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// view calls a contract view and returns its first result, a *big.Int or
// a bool.
func (a *actionNet) view(t *testing.T, data []byte) any {
	t.Helper()
	out, err := a.n.Chain.Client().CallContract(context.Background(), ethereum.CallMsg{To: &a.n.Contract, Data: data}, nil)
	if err != nil {
		t.Fatal(err)
	}
	abi, _ := contracts.ValidatorSetMetaData.ParseABI()
	m, err := abi.MethodById(data[:4])
	if err != nil {
		t.Fatal(err)
	}
	v, err := m.Outputs.Unpack(out)
	if err != nil {
		t.Fatal(err)
	}
	return v[0]
}

var txHashRE = regexp.MustCompile(`transaction (0x[0-9a-f]{64})`)

// TestActions runs every action of the holders' web app through the built
// rewardctl, in order, on one chain: each step's exit code, output, and
// effect on the contract's state; every dry run and every refusal sends
// nothing (the sender's nonce is unchanged).
func TestActions(t *testing.T) {
	t.Parallel()
	a := newActionNet(t, true)
	vs := contracts.NewValidatorSet()
	user, cand := a.n.Users[1], a.n.Users[2]
	val := func(i int) common.Address { return testnet.Addr(a.n.Signers[i]) }
	nodeKey, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	nodeKeyFile := filepath.Join(t.TempDir(), "nodekey")
	if err := crypto.SaveECDSA(nodeKeyFile, nodeKey); err != nil {
		t.Fatal(err)
	}
	pubkey := hex.EncodeToString(crypto.FromECDSAPub(&nodeKey.PublicKey)[1:])
	wei := func(s string) *big.Int { v, _ := new(big.Int).SetString(s, 10); return v }
	stakeOf := func() *big.Int { return a.view(t, vs.PackStakeOf(testnet.Addr(user), val(0))).(*big.Int) }
	isCandidate := func() bool { return a.view(t, vs.PackIsCandidate(testnet.Addr(cand))).(bool) }
	isActive := func() bool { return a.view(t, vs.PackIsActive(testnet.Addr(cand))).(bool) }
	var stake0, bal0 *big.Int

	for _, step := range []struct {
		name   string
		from   *ecdsa.PrivateKey
		args   []string
		before func()
		code   int
		out    []string // substrings of stdout and stderr together
		sends  bool     // the step sends one transaction; otherwise none
		after  func(out string) string
	}{
		{name: "stake dry run", from: user, args: []string{"stake", "--validator", val(0).Hex(), "--amount", "1.5", "--dry-run"},
			out: []string{"value:    1500000000000000000 wei (1.500000000000000000 CMT)", "function: stake(validator=" + val(0).Hex() + ")",
				"calldata: 0x" + hex.EncodeToString(vs.PackStake(val(0))), "simulation: succeeds"},
			before: func() { stake0 = stakeOf() }},
		{name: "stake", from: user, args: []string{"stake", "--validator", val(0).Hex(), "--amount", "1.5"},
			out: []string{"stake confirmed in block", "request id "}, sends: true,
			after: func(string) string {
				return want(new(big.Int).Sub(stakeOf(), stake0).Cmp(wei("1500000000000000000")) == 0, "stakeOf changed by %s", new(big.Int).Sub(stakeOf(), stake0))
			}},
		{name: "stake at a non-validator, dry run", from: user, args: []string{"stake", "--validator", testnet.Addr(cand).Hex(), "--amount", "1", "--dry-run"},
			code: exitFailure, out: []string{"simulation: reverts: NotValidatorOrCandidate(account=" + testnet.Addr(cand).Hex() + ")"}},
		{name: "bad amount", from: user, args: []string{"stake", "--validator", val(0).Hex(), "--amount", "1,5"},
			code: exitUsage, out: []string{`--amount "1,5": not a decimal amount of CMT`}},
		{name: "unstake while locked", from: user, args: []string{"unstake", "--validator", val(0).Hex(), "--amount", "1"},
			code: exitFailure, out: []string{"exceeds the matured stake of", "0.000000000000000000 CMT; the next 1.500000000000000000 CMT unlocks at 20"}},
		{name: "unstake while locked, dry run", from: user, args: []string{"unstake", "--validator", val(0).Hex(), "--amount", "1", "--dry-run"},
			code: exitFailure, out: []string{"function: unstake(validator=" + val(0).Hex() + ", amount=1000000000000000000)", "reverts: StakeLocked(unlocked=0, requested=1000000000000000000, nextUnlockAt="}},
		{name: "withdraw with nothing to withdraw, dry run", from: user, args: []string{"withdraw", "--dry-run"},
			code: exitFailure, out: []string{"function: withdraw()", "reverts: NothingToWithdraw(account=" + testnet.Addr(user).Hex() + ")"}},
		{name: "unstake more than the stake", from: user, args: []string{"unstake", "--validator", val(0).Hex(), "--amount", "2"},
			code: exitFailure, out: []string{"exceeds " + testnet.Addr(user).Hex() + "'s stake"}},
		{name: "unstake after the lock", from: user, args: []string{"unstake", "--validator", val(0).Hex(), "--amount", "1"},
			before: func() {
				if err := a.n.Chain.AdjustTime(8 * 24 * time.Hour); err != nil {
					t.Fatal(err)
				}
				a.n.Mine(t, 1)
			},
			out: []string{"unstake confirmed"}, sends: true,
			after: func(string) string {
				return want(stakeOf().Cmp(new(big.Int).Add(stake0, wei("500000000000000000"))) == 0, "stakeOf %s after the unstake", stakeOf())
			}},
		{name: "withdraw", from: user, args: []string{"withdraw"}, out: []string{"withdraw confirmed"}, sends: true,
			before: func() { bal0 = a.balance(t, user) },
			after: func(out string) string {
				m := txHashRE.FindStringSubmatch(out)
				r, err := a.n.Chain.Client().TransactionReceipt(context.Background(), common.HexToHash(m[1]))
				if err != nil {
					return err.Error()
				}
				fee := new(big.Int).Mul(new(big.Int).SetUint64(r.GasUsed), r.EffectiveGasPrice)
				got := new(big.Int).Add(new(big.Int).Sub(a.balance(t, user), bal0), fee)
				return want(got.Cmp(wei("1000000000000000000")) == 0, "withdraw paid %s wei", got)
			}},
		{name: "candidacy declare from a node key", from: cand, args: []string{"candidacy", "declare", "--node-key", nodeKeyFile},
			out: []string{"candidacy-declare confirmed"}, sends: true, after: func(string) string { return want(isCandidate(), "not a candidate") }},
		{name: "candidacy declare again, dry run", from: cand, args: []string{"candidacy", "declare", "--pubkey", pubkey, "--dry-run"},
			code: exitFailure, out: []string{"function: declareCandidacy(pubkey=0x" + pubkey + ")", "reverts: AlreadyCandidate("}},
		{name: "candidacy withdraw", from: cand, args: []string{"candidacy", "withdraw"}, sends: true,
			after: func(string) string { return want(!isCandidate(), "still a candidate") }},
		{name: "candidacy declare with a pubkey", from: cand, args: []string{"candidacy", "declare", "--pubkey", "0x" + pubkey}, sends: true,
			after: func(string) string { return want(isCandidate(), "not a candidate") }},
		{name: "bad pubkey", from: cand, args: []string{"candidacy", "declare", "--pubkey", pubkey[2:]}, code: exitUsage,
			out: []string{"--pubkey", "expected 128 hex digits"}},
		{name: "vote promote 1 of 3", from: a.n.Signers[0], args: []string{"vote", "promote", "--candidate", testnet.Addr(cand).Hex()}, sends: true,
			after: func(string) string { return want(!isActive(), "active after 1 vote of 3") }},
		{name: "vote promote by a non-validator, dry run", from: user, args: []string{"vote", "promote", "--candidate", testnet.Addr(cand).Hex(), "--dry-run"},
			code: exitFailure, out: []string{"NotActiveValidator(account=" + testnet.Addr(user).Hex() + ")"}},
		{name: "vote promote 2 of 3", from: a.n.Signers[1], args: []string{"vote", "promote", "--candidate", testnet.Addr(cand).Hex()}, sends: true,
			after: func(string) string { return want(isActive(), "not active after a majority") }},
		{name: "vote remove, dry run", from: a.n.Signers[0], args: []string{"vote", "remove", "--validator", testnet.Addr(cand).Hex(), "--dry-run"},
			out: []string{"function: voteRemove(validator=" + testnet.Addr(cand).Hex() + ")", "simulation: succeeds"}},
		{name: "vote remove 1 of 4", from: a.n.Signers[0], args: []string{"vote", "remove", "--validator", testnet.Addr(cand).Hex()}, sends: true},
		{name: "vote remove 2 of 4", from: a.n.Signers[1], args: []string{"vote", "remove", "--validator", testnet.Addr(cand).Hex()}, sends: true,
			after: func(string) string { return want(isActive(), "removed by 2 of 4") }},
		{name: "vote remove 3 of 4", from: a.n.Signers[2], args: []string{"vote", "remove", "--validator", testnet.Addr(cand).Hex()}, sends: true,
			after: func(string) string { return want(!isActive() && isCandidate(), "not removed by 3 of 4") }},
		{name: "unknown subcommand", from: user, args: []string{"vote", "abstain"}, code: exitUsage, out: []string{`unknown subcommand "abstain"`}},
	} {
		if step.before != nil {
			step.before()
		}
		before := a.nonce(t, step.from)
		code, stdout, stderr := runBin(t, a.args(t, step.from, step.args...)...)
		out := stdout + stderr
		t.Logf("%s: rewardctl %s\n%s", step.name, strings.Join(step.args, " "), out)
		if code != step.code {
			t.Fatalf("%s: exit %d, want %d\n%s", step.name, code, step.code, out)
		}
		for _, s := range step.out {
			if !strings.Contains(out, s) {
				t.Fatalf("%s: output lacks %q\n%s", step.name, s, out)
			}
		}
		sent := a.nonce(t, step.from) - before
		if wantSent := map[bool]uint64{true: 1}[step.sends]; sent != wantSent {
			t.Fatalf("%s: sent %d transactions, want %d\n%s", step.name, sent, wantSent, out)
		}
		if step.after != nil {
			if msg := step.after(out); msg != "" {
				t.Fatalf("%s: %s\n%s", step.name, msg, out)
			}
		}
	}
}

func (a *actionNet) balance(t *testing.T, key *ecdsa.PrivateKey) *big.Int {
	t.Helper()
	b, err := a.n.Chain.Client().BalanceAt(context.Background(), testnet.Addr(key), nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// want returns "" if ok, else the message.
func want(ok bool, format string, args ...any) string {
	if ok {
		return ""
	}
	return fmt.Sprintf(format, args...)
}
