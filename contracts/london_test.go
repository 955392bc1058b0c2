package contracts

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"slices"
	"testing"

	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/ethash"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// Opcodes introduced after London (Shanghai and Cancun) that a CyberMiles 2.0
// node (geth 1.10.25, London rules) does not know.
var postLondonOps = map[byte]string{
	0x5f: "PUSH0",
	0x5c: "TLOAD",
	0x5d: "TSTORE",
	0x5e: "MCOPY",
	0x49: "BLOBHASH",
	0x4a: "BLOBBASEFEE",
}

// scanPostLondon walks code the way the EVM reads it, instruction by
// instruction with PUSH data skipped, and returns the offsets of post-London
// opcodes in every part that can execute. Execution starts at 0 and runs on
// until a halting or jumping instruction; after one, the next instruction can
// only be reached by a jump, i.e. at a JUMPDEST. Bytes in between are data
// (solc puts deduplicated constants and the CBOR metadata after the code),
// so they are not reported.
func scanPostLondon(code []byte) map[int]string {
	found := map[int]string{}
	reachable := true
	for pc := 0; pc < len(code); pc++ {
		op := code[pc]
		if op == 0x5b { // JUMPDEST
			reachable = true
		}
		if name, bad := postLondonOps[op]; bad && reachable {
			found[pc] = name
		}
		switch {
		case op >= 0x60 && op <= 0x7f: // PUSH1..PUSH32
			pc += int(op - 0x5f)
		case op == 0x00 || op == 0x56 || op == 0xf3 || op == 0xfd || op == 0xfe || op == 0xff:
			// STOP, JUMP, RETURN, REVERT, INVALID, SELFDESTRUCT
			reachable = false
		}
	}
	return found
}

func TestScanPostLondon(t *testing.T) {
	for _, tc := range []struct {
		name string
		code []byte
		want map[int]string
	}{
		{"push data is skipped", []byte{0x61, 0x5f, 0x5f, 0x5f, 0x00}, map[int]string{3: "PUSH0"}},
		{"data after a halt is skipped", []byte{0x60, 0x01, 0xfe, 0x5f, 0x5d}, map[int]string{}},
		{"a JUMPDEST after a halt is code", []byte{0x00, 0x5f, 0x5b, 0x5e, 0x5c}, map[int]string{3: "MCOPY", 4: "TLOAD"}},
		{"JUMPI falls through", []byte{0x57, 0x49, 0x56, 0x4a}, map[int]string{1: "BLOBHASH"}},
	} {
		if got := scanPostLondon(tc.code); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: scan = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCommittedBytecodeIsLondon(t *testing.T) {
	for _, c := range []struct {
		name, bin string
	}{{"ValidatorSet", ValidatorSetMetaData.Bin}, {"Reenterer", ReentererMetaData.Bin}} {
		file, err := os.ReadFile("build/" + c.name + ".bin")
		if err != nil {
			t.Fatal(err)
		}
		if "0x"+string(file) != c.bin {
			t.Fatalf("%s: build/%s.bin and the Go binding differ; run bash contracts/gen.sh", c.name, c.name)
		}
		if bad := scanPostLondon(common.FromHex(c.bin)); len(bad) != 0 {
			t.Fatalf("%s creation code has post-London opcodes at %v", c.name, bad)
		}
		var meta struct {
			Compiler struct{ Version string }
			Settings struct {
				EVMVersion string `json:"evmVersion"`
				Optimizer  struct {
					Enabled bool
					Runs    int
				}
			}
		}
		raw, err := os.ReadFile("build/" + c.name + ".metadata.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &meta); err != nil {
			t.Fatal(err)
		}
		if meta.Settings.EVMVersion != "london" || !meta.Settings.Optimizer.Enabled || meta.Settings.Optimizer.Runs != 200 {
			t.Fatalf("%s compiled with %+v", c.name, meta.Settings)
		}
		t.Logf("%s: %d bytes of creation code, solc %s", c.name, len(common.FromHex(c.bin)), meta.Compiler.Version)
	}

	// The runtime code as deployed.
	e := newEnv(t, 1, 5000)
	code, err := e.client.CodeAt(context.Background(), e.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bad := scanPostLondon(code); len(bad) != 0 {
		t.Fatalf("runtime code has post-London opcodes at %v", bad)
	}
	if len(code) > params.MaxCodeSize {
		t.Fatalf("runtime code is %d bytes, above the EIP-170 limit", len(code))
	}
	t.Logf("ValidatorSet: %d bytes of runtime code", len(code))
}

// londonChain builds blocks under London rules without Shanghai (the rules
// of CyberMiles 2.0, a geth 1.10.25 Clique fork) with an ethash faker engine,
// then imports them into a fresh BlockChain, which re-executes and validates
// every block.
type londonChain struct {
	t       *testing.T
	cfg     *params.ChainConfig
	genesis *core.Genesis
	signer  types.Signer
	nonces  map[common.Address]uint64
	blocks  []londonBlock
}

type londonBlock struct {
	offset int64 // seconds added to the block's default timestamp
	txs    []*types.Transaction
}

func newLondonChain(t *testing.T) *londonChain {
	cfg := *params.AllEthashProtocolChanges // London at block 0, no Shanghai or later
	cfg.ChainID = big.NewInt(18)
	if !cfg.IsLondon(common.Big0) || cfg.IsShanghai(common.Big0, 1<<40) || cfg.IsCancun(common.Big0, 1<<40) {
		t.Fatal("chain config is not London-only")
	}
	alloc := types.GenesisAlloc{}
	for _, a := range accts {
		alloc[a.addr] = types.Account{Balance: ether(1_000_000)}
	}
	return &londonChain{
		t:       t,
		cfg:     &cfg,
		genesis: &core.Genesis{Config: &cfg, Alloc: alloc, GasLimit: 30_000_000, BaseFee: big.NewInt(params.InitialBaseFee), Difficulty: big.NewInt(1)},
		signer:  types.LatestSigner(&cfg),
		nonces:  map[common.Address]uint64{},
	}
}

// block starts a new block, offset seconds later than it would otherwise be.
func (c *londonChain) block(offset int64) { c.blocks = append(c.blocks, londonBlock{offset: offset}) }

// tx appends a signed transaction to the current block; to == nil creates a contract.
func (c *londonChain) tx(from account, to *common.Address, data []byte, value *big.Int, gas uint64) *types.Transaction {
	if value == nil {
		value = new(big.Int)
	}
	tx := types.MustSignNewTx(from.key, c.signer, &types.DynamicFeeTx{
		ChainID:   c.cfg.ChainID,
		Nonce:     c.nonces[from.addr],
		GasTipCap: big.NewInt(params.GWei),
		GasFeeCap: big.NewInt(100 * params.GWei),
		Gas:       gas,
		To:        to,
		Value:     value,
		Data:      data,
	})
	c.nonces[from.addr]++
	b := &c.blocks[len(c.blocks)-1]
	b.txs = append(b.txs, tx)
	return tx
}

// run generates and imports the chain; it returns the receipts by tx hash and
// the imported chain.
func (c *londonChain) run() (map[common.Hash]*types.Receipt, *core.BlockChain) {
	c.t.Helper()
	engine := ethash.NewFaker()
	_, blocks, receipts := core.GenerateChainWithGenesis(c.genesis, engine, len(c.blocks), func(i int, g *core.BlockGen) {
		if c.blocks[i].offset != 0 {
			g.OffsetTime(c.blocks[i].offset)
		}
		for _, tx := range c.blocks[i].txs {
			g.AddTx(tx)
		}
	})
	chain, err := core.NewBlockChain(rawdb.NewMemoryDatabase(), c.genesis, engine, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(chain.Stop)
	if n, err := chain.InsertChain(blocks); err != nil {
		c.t.Fatalf("import of block %d under London rules: %v", n, err)
	}
	byHash := map[common.Hash]*types.Receipt{}
	for _, rs := range receipts {
		for _, r := range rs {
			byHash[r.TxHash] = r
		}
	}
	return byHash, chain
}

func TestLondonChain(t *testing.T) {
	c := newLondonChain(t)
	vs := NewValidatorSet()
	deployer, v0, funder, delegator, relayer, a, b := accts[31], accts[0], accts[30], accts[20], accts[23], accts[21], accts[22]
	addr := crypto.CreateAddress(deployer.addr, 0)
	leaves := map[common.Address]*big.Int{a.addr: ether(1), b.addr: milli(2500)}
	var ls []merkle.Leaf
	for k, v := range leaves {
		ls = append(ls, merkle.Leaf{Account: k, Cumulative: uint256.MustFromBig(v)})
	}
	tree, err := merkle.Build(ls)
	if err != nil {
		t.Fatal(err)
	}
	proof := func(who common.Address) [][32]byte {
		p, err := tree.Proof(who)
		if err != nil {
			t.Fatal(err)
		}
		out := make([][32]byte, len(p))
		for i := range p {
			out[i] = p[i]
		}
		return out
	}

	c.block(0)
	deploy := c.tx(deployer, nil, append(common.FromHex(ValidatorSetMetaData.Bin), vs.PackConstructor([]common.Address{v0.addr}, big.NewInt(5000))...), nil, 5_000_000)
	fund := c.tx(funder, &addr, nil, ether(10), 100_000)
	stake := c.tx(delegator, &addr, vs.PackStake(v0.addr), ether(40), 200_000)
	c.block(0)
	submit := c.tx(v0, &addr, vs.PackSubmitRoot(big.NewInt(0), tree.Root(), milli(3500), hash("london")), nil, 300_000)
	c.block(0)
	claim := c.tx(relayer, &addr, vs.PackClaim(a.addr, ether(1), proof(a.addr)), nil, 300_000)
	c.block(7 * 24 * 3600)
	unstake := c.tx(delegator, &addr, vs.PackUnstake(v0.addr, ether(40)), nil, 200_000)
	withdraw := c.tx(delegator, &addr, vs.PackWithdraw(), nil, 200_000)
	// Control: code using PUSH0 (PUSH0 PUSH0 RETURN as init code) fails here,
	// so the chain really lacks Shanghai.
	push0 := c.tx(deployer, nil, []byte{0x5f, 0x5f, 0xf3}, nil, 100_000)

	receipts, chain := c.run()
	for name, tx := range map[string]*types.Transaction{"deploy": deploy, "fund": fund, "stake": stake, "submitRoot": submit, "claim": claim, "unstake": unstake, "withdraw": withdraw} {
		if r := receipts[tx.Hash()]; r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("%s failed under London rules (gas used %d)", name, r.GasUsed)
		}
	}
	if r := receipts[push0.Hash()]; r.Status != types.ReceiptStatusFailed {
		t.Fatal("PUSH0 code ran: the test chain is not London-only")
	}
	if r := receipts[deploy.Hash()]; r.ContractAddress != addr {
		t.Fatalf("deployed at %s, want %s", r.ContractAddress, addr)
	}
	var names []string
	for _, l := range receipts[submit.Hash()].Logs {
		ev, _ := vs.abi.EventByID(l.Topics[0])
		names = append(names, ev.Name)
	}
	wantNames(t, names, "RootVoted", "RootAccepted")
	cl, err := vs.UnpackClaimedEvent(receipts[claim.Hash()].Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "claimed account", cl.Account, a.addr)
	wantBig(t, "claimed amount", cl.Amount, ether(1))

	st, err := chain.State()
	if err != nil {
		t.Fatal(err)
	}
	wantBig(t, "claimant balance", st.GetBalance(a.addr).ToBig(), ether(1_000_001))
	// 10 funded − 1 claimed; the 40 staked went back to the delegator.
	wantBig(t, "contract balance", st.GetBalance(addr).ToBig(), ether(9))
}

// TestGasFigures logs the gas used by the main calls under London rules (the
// CyberMiles 2.0 fee schedule), with 21 active validators, and checks that the
// calls whose cost grows with a bounded loop (folding stake lots, the removal
// that rescans the open epoch's votes) stay within a fixed budget.
func TestGasFigures(t *testing.T) {
	// A tree of 2^19+1 leaves has 2^20+1 nodes, so its deepest leaves sit at
	// depth 20 and have 20 siblings.
	const n = 1<<19 + 1
	ls := make([]merkle.Leaf, n)
	for i := range ls {
		ls[i] = merkle.Leaf{Account: common.BigToAddress(big.NewInt(int64(i) + 0x10000)), Cumulative: uint256.NewInt(uint64(1e12) + uint64(i))}
	}
	tree, err := merkle.Build(ls)
	if err != nil {
		t.Fatal(err)
	}
	deep := -1
	for i := range n {
		if len(tree.ProofAt(i)) == 20 {
			deep = i
			break
		}
	}
	if deep < 0 {
		t.Fatal("no leaf with a 20-level proof")
	}
	total := new(big.Int)
	for _, l := range ls {
		total.Add(total, l.Cumulative.ToBig())
	}
	deepLeaf := tree.Leaf(deep)
	shallowIdx := (deep + 1) % n
	for len(tree.ProofAt(shallowIdx)) != 19 {
		shallowIdx = (shallowIdx + 1) % n
	}
	shallowLeaf := tree.Leaf(shallowIdx)
	toBytes32 := func(p []common.Hash) [][32]byte {
		out := make([][32]byte, len(p))
		for i := range p {
			out[i] = p[i]
		}
		return out
	}

	c := newLondonChain(t)
	vs := NewValidatorSet()
	vals := accts[:21]
	v0 := vals[0]
	deployer, funder, cand, relayer := accts[31], accts[30], accts[29], accts[28]
	one, four, sixteen, fresh := accts[21], accts[22], accts[23], accts[24]
	addr := crypto.CreateAddress(deployer.addr, 0)
	txs := map[string]*types.Transaction{}
	var names []string
	measure := func(name string, tx *types.Transaction) {
		txs[name] = tx
		names = append(names, name)
	}
	submit := func(from account, epoch int64, root common.Hash, result string) *types.Transaction {
		return c.tx(from, &addr, vs.PackSubmitRoot(big.NewInt(epoch), root, total, hash(result)), nil, 300_000)
	}
	var quiet []*types.Transaction // setup transactions, which must succeed too

	c.block(0)
	measure("deploy (21 validators)", c.tx(deployer, nil, append(common.FromHex(ValidatorSetMetaData.Bin), vs.PackConstructor(addrs(vals), big.NewInt(5000))...), nil, 6_000_000))
	measure("receive (fund)", c.tx(funder, &addr, nil, ether(100), 100_000))
	measure("declareCandidacy", c.tx(cand, &addr, vs.PackDeclareCandidacy(pubkey(1)), nil, 300_000))
	// One stake per block, so each is its own lot: 16 for one delegator, 4 for
	// another, 1 for a third.
	for i := range 16 {
		c.block(0)
		quiet = append(quiet, c.tx(sixteen, &addr, vs.PackStake(v0.addr), ether(1), 200_000))
		if i < 4 {
			quiet = append(quiet, c.tx(four, &addr, vs.PackStake(v0.addr), ether(1), 200_000))
		}
		if i == 0 {
			quiet = append(quiet, c.tx(one, &addr, vs.PackStake(v0.addr), ether(1), 200_000))
		}
	}
	c.block(0)
	measure("stake (new delegation)", c.tx(fresh, &addr, vs.PackStake(v0.addr), ether(10), 200_000))
	c.block(0)
	measure("stake (top-up, new lot)", c.tx(fresh, &addr, vs.PackStake(v0.addr), ether(10), 200_000))
	measure("stake (top-up, same block: joins its lot)", c.tx(fresh, &addr, vs.PackStake(v0.addr), ether(1), 200_000))
	measure("stake (16 lots locked: merges into the newest)", c.tx(sixteen, &addr, vs.PackStake(v0.addr), ether(1), 200_000))

	// Epoch 0 with 21 active validators (quorum 11).
	c.block(0)
	measure("submitRoot (first vote for a root)", submit(vals[0], 0, tree.Root(), "gas0"))
	quiet = append(quiet, submit(vals[1], 0, hash("other root"), "gas0"))
	measure("submitRoot (replaces the voter's vote)", submit(vals[1], 0, tree.Root(), "gas0"))
	quiet = append(quiet, submit(vals[2], 0, tree.Root(), "gas0"))
	measure("withdrawRootVote", c.tx(vals[2], &addr, vs.PackWithdrawRootVote(), nil, 300_000))
	measure("submitRoot (a further vote for a voted root)", submit(vals[3], 0, tree.Root(), "gas0"))
	for _, v := range vals[4:11] {
		quiet = append(quiet, submit(v, 0, tree.Root(), "gas0"))
	}
	measure("submitRoot (11th of 21: accepts)", submit(vals[11], 0, tree.Root(), "gas0"))
	// The claimants already exist on chain (a payout to a fresh account costs 25000 more).
	quiet = append(quiet, c.tx(funder, &deepLeaf.Account, nil, big.NewInt(1), 21_000), c.tx(funder, &shallowLeaf.Account, nil, big.NewInt(1), 21_000))

	c.block(0)
	// The very first claim also turns totalClaimed from zero to non-zero
	// (20000 gas more than any later claim), so the 20-level figure is taken
	// from the second one: the steady state.
	measure("claim (19-level proof, first in contract)", c.tx(relayer, &addr, vs.PackClaim(shallowLeaf.Account, shallowLeaf.Cumulative.ToBig(), toBytes32(tree.ProofAt(shallowIdx))), nil, 300_000))
	measure("claim (20-level proof)", c.tx(relayer, &addr, vs.PackClaim(deepLeaf.Account, deepLeaf.Cumulative.ToBig(), toBytes32(tree.ProofAt(deep))), nil, 300_000))

	// Epoch 1: 10 votes, one short of 11 of 21. Removing a validator from 21
	// leaves the quorum at 11 (no rescan); from 20 it drops to 10, and the
	// rescan of the remaining votes accepts the root.
	c.block(0)
	for _, v := range vals[:10] {
		quiet = append(quiet, submit(v, 1, tree.Root(), "gas1"))
	}
	for _, v := range vals[:10] {
		quiet = append(quiet, c.tx(v, &addr, vs.PackVoteRemove(vals[20].addr), nil, 500_000))
	}
	measure("voteRemove (11th of 21: removes, quorum stays 11)", c.tx(vals[10], &addr, vs.PackVoteRemove(vals[20].addr), nil, 500_000))
	for _, v := range vals[:10] {
		quiet = append(quiet, c.tx(v, &addr, vs.PackVoteRemove(vals[19].addr), nil, 500_000))
	}
	measure("voteRemove (11th of 20: removes, quorum 10, rescan accepts)", c.tx(vals[10], &addr, vs.PackVoteRemove(vals[19].addr), nil, 500_000))
	for _, v := range vals[:9] {
		quiet = append(quiet, c.tx(v, &addr, vs.PackVotePromote(cand.addr), nil, 300_000))
	}
	measure("votePromote (10th of 19: promotes)", c.tx(vals[9], &addr, vs.PackVotePromote(cand.addr), nil, 300_000))

	// Epoch 2, 20 active (quorum 11), votes split 9 A, 9 B, 2 C. Removing a C
	// voter drops the quorum to 10, which no root reaches: the rescan reads all
	// 19 remaining votes and accepts nothing, the removal's worst case.
	c.block(0)
	voters := append(slices.Clone(vals[:19]), cand)
	for i, v := range voters {
		root := [...]string{"A", "B", "C"}[min(i/9, 2)]
		quiet = append(quiet, submit(v, 2, hash(root), "gas2"))
	}
	for _, v := range vals[:10] {
		quiet = append(quiet, c.tx(v, &addr, vs.PackVoteRemove(cand.addr), nil, 500_000))
	}
	measure("voteRemove (11th of 20: removes, quorum 10, rescan of 19 votes finds none)", c.tx(vals[10], &addr, vs.PackVoteRemove(cand.addr), nil, 500_000))

	c.block(7 * 24 * 3600)
	// The first unstake in the contract also turns totalWithdrawable from zero
	// to non-zero; take that out of the figures below.
	quiet = append(quiet, c.tx(fresh, &addr, vs.PackUnstake(v0.addr, ether(1)), nil, 300_000))
	measure("unstake (draws on 1 lot)", c.tx(one, &addr, vs.PackUnstake(v0.addr, ether(1)), nil, 300_000))
	measure("unstake (draws on 4 lots)", c.tx(four, &addr, vs.PackUnstake(v0.addr, ether(3)), nil, 300_000))
	measure("unstake (draws on 16 lots)", c.tx(sixteen, &addr, vs.PackUnstake(v0.addr, ether(17)), nil, 300_000))
	measure("unstake (partial, lots already folded)", c.tx(four, &addr, vs.PackUnstake(v0.addr, ether(1)), nil, 300_000))
	measure("withdraw", c.tx(one, &addr, vs.PackWithdraw(), nil, 200_000))

	receipts, _ := c.run()
	for i, tx := range quiet {
		if r := receipts[tx.Hash()]; r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("setup transaction %d failed (gas used %d)", i, r.GasUsed)
		}
	}
	for _, name := range names {
		r := receipts[txs[name].Hash()]
		if r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("%s failed (gas used %d)", name, r.GasUsed)
		}
		t.Logf("gas %-76s %8d", name, r.GasUsed)
	}
	// Loops are bounded: 16 lots, 21 validators. The budgets leave some room.
	for name, budget := range map[string]uint64{
		"stake (new delegation)":                                                     110_000,
		"stake (16 lots locked: merges into the newest)":                             60_000,
		"unstake (draws on 16 lots)":                                                 110_000,
		"submitRoot (11th of 21: accepts)":                                           160_000,
		"voteRemove (11th of 20: removes, quorum 10, rescan of 19 votes finds none)": 250_000,
	} {
		if used := receipts[txs[name].Hash()].GasUsed; used > budget {
			t.Errorf("%s used %d gas, above its budget of %d", name, used, budget)
		}
	}
	// The figures are only meaningful if the calls did what their names say.
	events := func(name string) []string {
		var out []string
		for _, l := range receipts[txs[name].Hash()].Logs {
			ev, err := vs.abi.EventByID(l.Topics[0])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ev.Name)
		}
		return out
	}
	wantNames(t, events("submitRoot (replaces the voter's vote)"), "RootVoteWithdrawn", "RootVoted")
	wantNames(t, events("submitRoot (11th of 21: accepts)"), "RootVoted", "RootAccepted")
	wantNames(t, events("voteRemove (11th of 21: removes, quorum stays 11)"), "RemovalVoted", "ValidatorRemoved")
	wantNames(t, events("voteRemove (11th of 20: removes, quorum 10, rescan accepts)"), "RemovalVoted", "ValidatorRemoved", "RootAccepted")
	wantNames(t, events("votePromote (10th of 19: promotes)"), "PromotionVoted", "ValidatorAdded")
	wantNames(t, events("voteRemove (11th of 20: removes, quorum 10, rescan of 19 votes finds none)"), "RemovalVoted", "ValidatorRemoved", "RootVoteWithdrawn")
}
