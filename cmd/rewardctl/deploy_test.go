package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/chaincheck"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/internal/txtest"
)

var (
	deployedRE  = regexp.MustCompile(`deployed ValidatorSet at (0x[0-9a-fA-F]{40}) in block ([0-9]+)`)
	deployingRE = regexp.MustCompile(`deploying ValidatorSet at (0x[0-9a-fA-F]{40})`)
)

// TestDeploy deploys a ValidatorSet with the built rewardctl and checks the
// configuration stub as rewardd would at start: config.Load (every field
// but the submit key files, which are left to the operator) and the
// chaincheck rule that the contract will accept the first epoch.
func TestDeploy(t *testing.T) {
	t.Parallel()
	a := newActionNet(t, true)
	from := a.n.Users[1]
	vals := []string{testnet.Addr(a.n.Signers[0]).Hex(), testnet.Addr(a.n.Signers[1]).Hex(), testnet.Addr(a.n.Signers[2]).Hex()}
	stub := filepath.Join(t.TempDir(), "rewardd.json")
	base := func(extra ...string) []string {
		return append(withFlag(a.args(t, from, "deploy", "--validators", strings.Join(vals, ",")), "--contract", ""), extra...)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		want  string
		sends bool
	}{
		{"dry run", base("--dry-run"), exitOK, "function: constructor(initialValidators=[" + strings.Join(vals, ",") + "], rootQuorumBps_=5000)", false},
		{"dry run, bad quorum", base("--dry-run", "--quorum-bps", "4000"), exitUsage, "--quorum-bps 4000: expected 5000 to 10000", false},
		{"duplicate validator", append(base(), "--validators", vals[0]+","+vals[0]), exitUsage, "is given twice", false},
		{"deploy", base("--config-out", stub), exitOK, "wrote " + stub, true},
		{"config-out exists", base("--config-out", stub), exitFailure, "exists; it is never overwritten", false},
	} {
		before := a.nonce(t, from)
		code, out, errOut := runBin(t, tc.args...)
		t.Logf("%s:\n%s%s", tc.name, out, errOut)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Fatalf("%s: exit %d, want %d and %q\n%s%s", tc.name, code, tc.code, tc.want, out, errOut)
		}
		if sent := a.nonce(t, from) - before; sent != map[bool]uint64{true: 1}[tc.sends] {
			t.Fatalf("%s: sent %d transactions", tc.name, sent)
		}
		if tc.name != "deploy" {
			continue
		}
		m := deployedRE.FindStringSubmatch(out)
		if m == nil || !strings.Contains(out, "clique.reward") {
			t.Fatalf("deploy output lacks the address or the award reminder:\n%s", out)
		}
		checkStub(t, a, stub, common.HexToAddress(m[1]), m[2])
	}
}

// TestDeployRequestIDResumes interrupts a deployment after its creation is
// recorded and its broadcast lost, and runs it again with the request id
// the first run printed: the creation recorded by the first run is
// resumed, the contract is deployed at the address the first run named,
// and the sender's nonce moved by exactly 1. The same id once more sends
// nothing and names the same contract.
func TestDeployRequestIDResumes(t *testing.T) {
	t.Parallel()
	a := newActionNet(t, false)
	px := txtest.StartSendProxy(t, a.n.Chain.RPCURL())
	from := a.n.Users[1]
	vals := []string{testnet.Addr(a.n.Signers[0]).Hex(), testnet.Addr(a.n.Signers[1]).Hex(), testnet.Addr(a.n.Signers[2]).Hex()}
	args := withFlag(a.args(t, from, "deploy", "--validators", strings.Join(vals, ",")), "--contract", "")
	nonce0 := a.nonce(t, from)

	// First run, in-process: recorded, broadcast dropped, interrupted.
	px.DropAll.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, withFlag(args, "--rpc", px.URL()), &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr})
	}()
	for deadline := time.Now().Add(20 * time.Second); px.Sends.Load() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("the deployment was not broadcast in time\n%s", stderr.String())
		}
	}
	cancel()
	if code := <-done; code != exitFailure || !strings.Contains(stderr.String(), "deploy interrupted") {
		t.Fatalf("interrupted deploy: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	m := requestIDRE.FindStringSubmatch(stderr.String())
	if m == nil || !strings.Contains(stderr.String(), "with --request-id "+m[1]) {
		t.Fatalf("the interrupted run does not name its request id:\n%s", stderr.String())
	}
	id := m[1]
	at := deployingRE.FindStringSubmatch(stderr.String())
	if at == nil {
		t.Fatalf("the interrupted run does not name the contract's address:\n%s", stderr.String())
	}
	if files, _ := filepath.Glob(filepath.Join(a.records, "*", "*", "deploy-"+id+".json")); len(files) != 1 {
		t.Fatalf("records of request %s: %v", id, files)
	}
	if n := a.nonce(t, from); n != nonce0 {
		t.Fatalf("the broadcast was dropped, yet the nonce moved by %d", n-nonce0)
	}
	px.DropAll.Store(false)

	mctx, stop := context.WithCancel(context.Background())
	mining := a.n.KeepMining(mctx, 20*time.Millisecond)
	defer func() { stop(); mining() }()
	stub := filepath.Join(t.TempDir(), "rewardd.json")
	for _, tc := range []struct {
		name  string
		args  []string
		want  string
		sends uint64
	}{
		{"same id resumes", append(args, "--request-id", id, "--config-out", stub), "resuming request " + id, 1},
		{"same id again deploys nothing", append(args, "--request-id", id), "recorded as confirmed", 0},
	} {
		before := a.nonce(t, from)
		code, out, errOut := runBin(t, tc.args...)
		t.Logf("%s:\n%s%s", tc.name, out, errOut)
		if code != exitOK || !strings.Contains(out+errOut, tc.want) {
			t.Fatalf("%s: exit %d, want %d and %q\n%s%s", tc.name, code, exitOK, tc.want, out, errOut)
		}
		if sent := a.nonce(t, from) - before; sent != tc.sends {
			t.Fatalf("%s: %d transactions sent, want %d", tc.name, sent, tc.sends)
		}
		d := deployedRE.FindStringSubmatch(out)
		if d == nil || !strings.EqualFold(d[1], at[1]) {
			t.Fatalf("%s: deployed at %v, want %s (named by the interrupted run)\n%s", tc.name, d, at[1], out)
		}
		if tc.sends == 1 {
			checkStub(t, a, stub, common.HexToAddress(d[1]), d[2])
		}
	}
	if n := a.nonce(t, from); n != nonce0+1 {
		t.Fatalf("after all runs the sender's nonce moved by %d, want exactly 1", n-nonce0)
	}
}

// checkStub checks the stub as rewardd's start does, keys aside.
func checkStub(t *testing.T, a *actionNet, path string, contract common.Address, block string) {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("config.Load of the stub: %v", err)
	}
	if err := cfg.CheckDaemon(); err == nil || !strings.Contains(err.Error(), "submit.keystore_file") {
		t.Fatalf("CheckDaemon of the stub: %v, want the key files named as missing", err)
	}
	if cfg.Contract != contract || cfg.ChainID != a.n.Chain.ChainID().Uint64() || cfg.RPCURL != a.n.Chain.RPCURL() ||
		block != strconv.FormatUint(cfg.StartBlock, 10) {
		t.Fatalf("stub: contract %s chain %d rpc %s start_block %d; want %s, block %s", cfg.Contract.Hex(), cfg.ChainID, cfg.RPCURL, cfg.StartBlock, contract.Hex(), block)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("stub mode: %v %v", fi, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := rpc.DialContext(ctx, cfg.RPCURL)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	st, err := chaincheck.ReadStart(ctx, client, cfg.Contract, cfg.Schedule(), cfg.Settle.FirstEpoch, cfg.Settle.FirstEpoch, cfg.StartBlock)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Known {
		t.Fatalf("the node lacks the start block: %+v", st)
	}
	if err := st.Check(); err != nil {
		t.Fatalf("rewardd's start check refuses the stub: %v", err)
	}
	vs := contracts.NewValidatorSet()
	out, err := a.n.Chain.Client().CallContract(ctx, ethereum.CallMsg{To: &contract, Data: vs.PackIsActive(testnet.Addr(a.n.Signers[2]))}, nil)
	if active, err2 := vs.UnpackIsActive(out); err != nil || err2 != nil || !active {
		t.Fatalf("the deployed contract does not hold validator 2: %v %v", err, err2)
	}
}
