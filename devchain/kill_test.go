package devchain

import (
	"context"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// TestDataDirSurvivesKill kills a process that mines into a data directory
// with SIGKILL, without Close, and reopens the chain: it must be at the
// last block the process reported, with that block's state (the block
// award's balance), and mine on. The child is this test binary running
// this test with DEVCHAIN_KILL_DIR set.
func TestDataDirSurvivesKill(t *testing.T) {
	collector := common.HexToAddress("0x00000000000000000000000000000000000c0113")
	cfgFor := func(dir string, genesis uint64) Config {
		return Config{Signers: testKeys(t, 2), DataDir: dir, GenesisTime: genesis,
			RewardCollector: collector, BlockReward: big.NewInt(5)}
	}
	if dir := os.Getenv("DEVCHAIN_KILL_DIR"); dir != "" {
		genesis, _ := strconv.ParseUint(os.Getenv("DEVCHAIN_KILL_GENESIS"), 10, 64)
		c, err := New(cfgFor(dir, genesis))
		if err != nil {
			t.Fatal(err)
		}
		for {
			b, err := c.Mine()
			if err != nil {
				t.Fatal(err)
			}
			// Reported after the block is in: the parent reads the last
			// line, so a block mined but not reported is fine, a block
			// reported but lost is the bug.
			os.Stdout.WriteString("head " + strconv.FormatUint(b.NumberU64(), 10) + "\n")
			if b.NumberU64() == 150 {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
	}
	if testing.Short() {
		t.Skip("spawns a process")
	}
	t.Parallel()
	dir := t.TempDir()
	genesis := uint64(time.Now().Add(-time.Hour).Unix())
	cmd := exec.Command(os.Args[0], "-test.run=^TestDataDirSurvivesKill$")
	cmd.Env = append(os.Environ(), "DEVCHAIN_KILL_DIR="+filepath.Join(dir, "chain"), "DEVCHAIN_KILL_GENESIS="+strconv.FormatUint(genesis, 10))
	out, err := cmd.Output()
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child was not killed: %v\n%s", err, out)
	}
	lines := strings.Fields(string(out))
	last, _ := strconv.ParseUint(lines[len(lines)-1], 10, 64)
	if last != 150 {
		t.Fatalf("child reported head %d, want 150:\n%s", last, out)
	}
	c, err := New(cfgFor(filepath.Join(dir, "chain"), genesis))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.Head().Number.Uint64(); got != last {
		t.Fatalf("reopened at block %d, the killed process had mined %d", got, last)
	}
	bal, err := c.Client().BalanceAt(context.Background(), collector, nil)
	if err != nil || bal.Uint64() != 5*last {
		t.Fatalf("collector balance %v (%v), want %d: the head's state is missing", bal, err, 5*last)
	}
	if err := c.MineN(2); err != nil {
		t.Fatal(err)
	}
}
