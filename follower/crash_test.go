package follower

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// TestMain lets the test binary double as a follower process that the
// crash test can kill with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("FOLLOWER_CHILD") == "1" {
		os.Exit(followerChild())
	}
	os.Exit(m.Run())
}

func followerChild() int {
	url, path := os.Getenv("FOLLOWER_RPC"), os.Getenv("FOLLOWER_LEDGER")
	chainID, _ := strconv.ParseUint(os.Getenv("FOLLOWER_CHAIN"), 10, 64)
	target, _ := strconv.ParseUint(os.Getenv("FOLLOWER_TARGET"), 10, 64)
	contract := common.HexToAddress(os.Getenv("FOLLOWER_CONTRACT"))
	client, err := rpc.Dial(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	l, err := ledger.Open(path, ledger.Identity{ChainID: chainID, Contract: contract}, 10*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	f := New(Config{Contract: contract, CliqueEpoch: 50, BatchSize: 25, Concurrency: 2}, client, l, zap.NewNop())
	for {
		head, err := f.SyncOnce(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if head >= target {
			return 0
		}
	}
}

// TestFollowerSurvivesKill kills the follower process at random points
// while it ingests, restarts it, and demands a ledger equal to the chain:
// nothing lost, nothing duplicated.
func TestFollowerSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	t.Parallel()
	n := newTestNet(t)
	for i := 0; i < 12; i++ {
		if _, err := n.Chain.Commit(n.stake(t, i%3, int64(100+i))); err != nil {
			t.Fatal(err)
		}
		if err := n.Chain.MineN(150); err != nil {
			t.Fatal(err)
		}
	}
	target := n.Chain.Head().Number.Uint64()
	path := filepath.Join(t.TempDir(), "l.db")
	env := append(os.Environ(), "FOLLOWER_CHILD=1", "FOLLOWER_RPC="+n.Chain.RPCURL(), "FOLLOWER_LEDGER="+path,
		"FOLLOWER_CHAIN="+n.Chain.ChainID().String(), "FOLLOWER_CONTRACT="+n.Contract.Hex(),
		"FOLLOWER_TARGET="+strconv.FormatUint(target, 10))
	kills := 0
	for round := 0; round < 20; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = env
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("follower process failed: %v", err)
			}
			round = 1 << 20 // finished
		case <-time.After(time.Duration(150+37*round) * time.Millisecond):
			cmd.Process.Kill()
			<-done
			kills++
		}
		if round >= 1<<20 {
			break
		}
	}
	if kills == 0 {
		t.Fatal("the follower finished before any kill; make the chain longer")
	}
	// Finish for certain, then compare.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env, cmd.Stderr = env, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(path, ledger.Identity{ChainID: n.Chain.ChainID().Uint64(), Contract: n.Contract}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Logf("killed %d times", kills)
	n.checkLedger(t, l, target)
}
