package devchain

import (
	"bytes"
	"fmt"
	"math/big"
	"reflect"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/consensus/beacon"
	"github.com/ethereum/go-ethereum/consensus/clique"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/holiman/uint256"
)

// awardEngine is Clique with CyberMiles 2.0's block award: its Finalize
// credits award wei to collector in every block but the genesis, as the
// travis-x fork of geth 1.10.25 does in clique.Finalize
// (config.clique.reward). The award goes to the collector, never to the
// block's signer. Every other method is the embedded Clique's, so signer
// authorization (Authorize), sealing rules and snapshots are shared with the
// *clique.Clique it wraps.
//
// Finalize runs both when the miner builds a block and when the blockchain
// imports one, so the credit is part of the state root the importer checks:
// a block built without the award is rejected by an awarding chain and vice
// versa. It is safe for concurrent use: the fields are read-only.
type awardEngine struct {
	*clique.Clique
	collector common.Address
	award     *uint256.Int // > 0
}

// Finalize credits the block award, then runs Clique's Finalize (which does
// nothing in v1.17, but may not stay so).
func (e *awardEngine) Finalize(chain consensus.ChainHeaderReader, header *types.Header, state vm.StateDB, body *types.Body) {
	if header.Number.Sign() > 0 {
		// A copy: the state may keep the amount (tracers, journal).
		state.AddBalance(e.collector, new(uint256.Int).Set(e.award), tracing.BalanceIncreaseRewardMineBlock)
	}
	e.Clique.Finalize(chain, header, state, body)
}

// installAward makes the node's engine award blocks. go-ethereum's eth.New
// builds its engine itself (ethconfig.CreateConsensusEngine:
// beacon.New(clique.New(..))) with no way to supply another, and that one
// *beacon.Beacon is shared by the blockchain (import), the node's miner, the
// RPC backend and devchain's buildEngine. Overwriting the Beacon value in
// place with one built by beacon.New around the awarding engine therefore
// reaches every user, using only exported API: no unsafe, no reflective
// writes. checkBeaconLayout must have passed. installAward must run before
// the engine is used by another goroutine: in New, before the node starts.
func installAward(b *beacon.Beacon, inner consensus.Engine) error {
	*b = *beacon.New(inner)
	if b.InnerEngine() != inner {
		return fmt.Errorf("devchain: block award engine not installed (inner engine is %T)", b.InnerEngine())
	}
	return nil
}

// checkBeaconLayout makes sure installAward's overwrite loses nothing: it
// replaces all of beacon.Beacon's fields, which is only correct while the
// struct holds nothing but its inner engine (true in v1.17.10). A
// go-ethereum upgrade that adds state to it fails New with this error
// instead of silently losing that state.
func checkBeaconLayout() error {
	t := reflect.TypeFor[beacon.Beacon]()
	if t.NumField() != 1 || t.Field(0).Name != "ethone" || t.Field(0).Type != reflect.TypeFor[consensus.Engine]() {
		return fmt.Errorf("devchain: go-ethereum's beacon.Beacon is no longer a plain wrapper of one engine (%d fields), cannot install the block award", t.NumField())
	}
	return nil
}

// awardRecordKey names the block award rule in the chain database. The rule
// is consensus (it changes every state root after the genesis) but is not
// part of the genesis block, so without the record a DataDir chain reopened
// with another award would silently continue under different rules.
var awardRecordKey = []byte("devchain-block-award-v1")

// awardRecord encodes the rule: nil without an award, otherwise the
// collector followed by the award in big-endian bytes.
func (cfg *Config) awardRecord() []byte {
	if cfg.BlockReward == nil {
		return nil
	}
	return append(cfg.RewardCollector.Bytes(), cfg.BlockReward.Bytes()...)
}

// checkAwardRecord makes sure a reopened chain keeps its award rule: a chain
// with blocks must be reopened with the award it was built with (a missing
// record means none). A chain at its genesis takes the configured rule.
func checkAwardRecord(db ethdb.KeyValueStore, cfg *Config, head uint64) error {
	want := cfg.awardRecord()
	if head == 0 {
		if want == nil {
			if err := db.Delete(awardRecordKey); err != nil {
				return fmt.Errorf("devchain: clear block award record: %w", err)
			}
			return nil
		}
		if err := db.Put(awardRecordKey, want); err != nil {
			return fmt.Errorf("devchain: write block award record: %w", err)
		}
		return nil
	}
	var have []byte // never written: a chain without awards
	ok, err := db.Has(awardRecordKey)
	if err == nil && ok {
		have, err = db.Get(awardRecordKey)
	}
	if err != nil {
		return fmt.Errorf("devchain: read block award record: %w", err)
	}
	if !bytes.Equal(have, want) {
		return fmt.Errorf("devchain: data directory holds %d blocks built with %s, configured %s",
			head, describeAward(have), describeAward(want))
	}
	return nil
}

func describeAward(rec []byte) string {
	if len(rec) < common.AddressLength {
		return "no block award"
	}
	return fmt.Sprintf("a block award of %s wei to %s",
		new(big.Int).SetBytes(rec[common.AddressLength:]), common.BytesToAddress(rec[:common.AddressLength]))
}
