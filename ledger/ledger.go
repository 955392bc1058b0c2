package ledger

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"

	"github.com/cmt-rewards/cmt-rewards/calc"
)

var (
	// ErrNotFound is returned for a block or key the ledger does not hold.
	ErrNotFound = errors.New("not found")
	// ErrSchema is returned by Open for a ledger written by an unknown or
	// newer schema.
	ErrSchema = errors.New("unsupported ledger schema")
	// ErrIdentity is returned when a ledger is opened for another chain,
	// contract or start block than it was created for.
	ErrIdentity = errors.New("ledger belongs to another chain")
	// ErrNotContiguous is returned by Append when the blocks do not continue
	// the head: wrong number, or a parent hash that differs from the head's
	// hash (a reorg the caller must resolve with Truncate).
	ErrNotContiguous = errors.New("blocks do not continue the ledger head")
)

// Identity is what a ledger is about. It is stored on first open and checked
// on every later one.
type Identity struct {
	ChainID    uint64
	Contract   common.Address
	StartBlock uint64
}

// Block is one block header's fields that settlement needs.
type Block struct {
	Number     uint64
	Hash       common.Hash
	ParentHash common.Hash
	Time       uint64
	Difficulty uint64
	Sealer     common.Address // recovered from the Clique seal
	Coinbase   common.Address // Clique vote target, zero for none
	VoteAuth   bool           // nonce 0xff…ff: vote to add Coinbase
	Signers    []common.Address
	// Signers is the signer list of a checkpoint header's extraData, nil
	// on other blocks.
}

// Event is one validator contract event relevant to rewards (rewards-v1
// §2), with the transaction that emitted it.
type Event struct {
	calc.Event
	TxHash common.Hash
}

// Head is the last block the ledger holds.
type Head struct {
	Number uint64
	Hash   common.Hash
}

// Ledger is an open ledger file.
type Ledger struct {
	db *bolt.DB
	id Identity
}

// Open opens or creates the ledger at path for id. It fails with ErrSchema
// for an unknown or newer schema and ErrIdentity for a ledger of another
// chain. A ledger of an older schema version is migrated to the current
// one, in the same transaction as the checks, so that a crash leaves it
// wholly old or wholly new; an older build cannot open it afterwards. Only
// one process may hold a ledger open; a second Open waits up to timeout
// (0: one second) and then fails.
func Open(path string, id Identity, timeout time.Duration) (*Ledger, error) {
	if timeout == 0 {
		timeout = time.Second
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	l := &Ledger{db: db, id: id}
	if err := db.Update(l.init); err != nil {
		if cerr := db.Close(); cerr != nil {
			err = fmt.Errorf("%w (and closing it: %v)", err, cerr)
		}
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	return l, nil
}

func (l *Ledger) init(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		// A new file, or one with buckets but no meta: only an empty file
		// may be initialised.
		if c := tx.Cursor(); func() bool { k, _ := c.First(); return k != nil }() {
			return fmt.Errorf("%w: file has buckets but no schema version", ErrSchema)
		}
		for _, b := range allBuckets {
			if _, err := tx.CreateBucket(b); err != nil {
				return fmt.Errorf("create bucket %q: %w", b, err)
			}
		}
		meta = tx.Bucket(bucketMeta)
		if err := meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, schemaVersion)); err != nil {
			return err
		}
		return meta.Put(keyIdentity, encodeIdentity(l.id))
	}
	v := meta.Get(keySchema)
	if len(v) != 4 {
		return fmt.Errorf("%w: missing or malformed schema version", ErrSchema)
	}
	version := binary.BigEndian.Uint32(v)
	switch {
	case version > schemaVersion:
		return fmt.Errorf("%w: version %d is newer than this build's version %d; run a newer build", ErrSchema, version, schemaVersion)
	case version != schemaVersion && version != 1:
		return fmt.Errorf("%w: unknown version %d, this build reads versions 1 and %d", ErrSchema, version, schemaVersion)
	}
	// The identity first, so that a ledger of another chain is refused
	// before anything in it is migrated.
	stored := meta.Get(keyIdentity)
	if !bytes.Equal(stored, encodeIdentity(l.id)) {
		got, ok := decodeIdentity(stored)
		if !ok {
			return fmt.Errorf("%w: malformed identity record (%d bytes)", ErrSchema, len(stored))
		}
		return fmt.Errorf("%w: ledger is for chain %d, contract %s, start block %d; configured chain %d, contract %s, start block %d",
			ErrIdentity, got.ChainID, got.Contract.Hex(), got.StartBlock, l.id.ChainID, l.id.Contract.Hex(), l.id.StartBlock)
	}
	if version == 1 {
		if err := migrateV1(tx); err != nil {
			return fmt.Errorf("migrate schema version 1 to %d: %w", schemaVersion, err)
		}
	}
	for _, b := range allBuckets {
		if tx.Bucket(b) == nil {
			return fmt.Errorf("%w: bucket %q missing", ErrSchema, b)
		}
	}
	return nil
}

// Close closes the file. Pending transactions finish first.
func (l *Ledger) Close() error { return l.db.Close() }

// Identity returns the ledger's identity.
func (l *Ledger) Identity() Identity { return l.id }

// Head returns the last block held; ok is false for an empty ledger.
func (l *Ledger) Head() (h Head, ok bool, err error) {
	err = l.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyHead)
		if v == nil {
			return nil
		}
		if len(v) != 40 {
			return fmt.Errorf("malformed head record (%d bytes)", len(v))
		}
		h.Number, ok = binary.BigEndian.Uint64(v), true
		copy(h.Hash[:], v[8:])
		return nil
	})
	return h, ok, err
}

// Next returns the number of the next block to append: head+1, or the start
// block for an empty ledger.
func (l *Ledger) Next() (uint64, error) {
	h, ok, err := l.Head()
	if err != nil || !ok {
		return l.id.StartBlock, err
	}
	return h.Number + 1, nil
}

// Append adds blocks, which must continue the head (numbers head+1, head+2,
// … each linked to its parent by hash; the first block of an empty ledger
// must be the start block), and the events of those blocks, in one
// transaction. Events must lie within the appended blocks and be in
// (block, log_index) order. On any error nothing is written.
func (l *Ledger) Append(blocks []Block, events []Event) error {
	if len(blocks) == 0 {
		if len(events) > 0 {
			return fmt.Errorf("append %d events without blocks", len(events))
		}
		return nil
	}
	return l.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		want, parent := l.id.StartBlock, common.Hash{}
		if v := meta.Get(keyHead); v != nil {
			want = binary.BigEndian.Uint64(v) + 1
			copy(parent[:], v[8:])
		}
		bb := tx.Bucket(bucketBlocks)
		for i := range blocks {
			b := &blocks[i]
			if b.Number != want {
				return fmt.Errorf("%w: block %d, expected %d", ErrNotContiguous, b.Number, want)
			}
			if (want != l.id.StartBlock || i > 0) && b.ParentHash != parent {
				return fmt.Errorf("%w: block %d has parent %s, ledger has %s at %d", ErrNotContiguous, b.Number, b.ParentHash.Hex(), parent.Hex(), b.Number-1)
			}
			if err := bb.Put(u64(b.Number), encodeBlock(b)); err != nil {
				return err
			}
			want, parent = b.Number+1, b.Hash
		}
		first, last := blocks[0].Number, blocks[len(blocks)-1].Number
		eb := tx.Bucket(bucketEvents)
		for i := range events {
			ev := &events[i]
			if ev.Block < first || ev.Block > last {
				return fmt.Errorf("event (%d, %d) outside appended blocks %d-%d", ev.Block, ev.LogIndex, first, last)
			}
			if i > 0 {
				p := &events[i-1]
				if ev.Block < p.Block || (ev.Block == p.Block && ev.LogIndex <= p.LogIndex) {
					return fmt.Errorf("event (%d, %d) after (%d, %d): not in (block, log_index) order", ev.Block, ev.LogIndex, p.Block, p.LogIndex)
				}
			}
			if ev.LogIndex > 0xffffffff {
				return fmt.Errorf("event (%d, %d): log index exceeds 32 bits", ev.Block, ev.LogIndex)
			}
			v, err := encodeEvent(ev)
			if err != nil {
				return err
			}
			if err := eb.Put(eventKey(ev.Block, ev.LogIndex), v); err != nil {
				return err
			}
		}
		return meta.Put(keyHead, append(u64(last), blocks[len(blocks)-1].Hash[:]...))
	})
}

// Truncate deletes every block from number on, and their events, in one
// transaction, so that number−1 becomes the head (or the ledger becomes
// empty when number ≤ the start block). Truncating above the head does
// nothing.
func (l *Ledger) Truncate(number uint64) error {
	return l.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		v := meta.Get(keyHead)
		if v == nil || binary.BigEndian.Uint64(v) < number {
			return nil
		}
		from := max(number, l.id.StartBlock)
		if err := deleteFrom(tx.Bucket(bucketBlocks), u64(from)); err != nil {
			return err
		}
		if err := deleteFrom(tx.Bucket(bucketEvents), eventKey(from, 0)); err != nil {
			return err
		}
		if from == l.id.StartBlock {
			return meta.Delete(keyHead)
		}
		prev := tx.Bucket(bucketBlocks).Get(u64(from - 1))
		if prev == nil {
			return fmt.Errorf("truncate at %d: block %d missing", from, from-1)
		}
		return meta.Put(keyHead, append(u64(from-1), prev[:32]...))
	})
}

func deleteFrom(b *bolt.Bucket, from []byte) error {
	c := b.Cursor()
	for k, _ := c.Seek(from); k != nil; k, _ = c.Seek(from) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// Block returns block n, or ErrNotFound.
func (l *Ledger) Block(n uint64) (Block, error) {
	var b Block
	err := l.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketBlocks).Get(u64(n))
		if v == nil {
			return fmt.Errorf("block %d: %w", n, ErrNotFound)
		}
		var err error
		b, err = decodeBlock(n, v)
		return err
	})
	return b, err
}

// Blocks calls fn for every held block in [from, to] in order, from one
// consistent snapshot. fn must not keep the pointer.
func (l *Ledger) Blocks(from, to uint64, fn func(*Block) error) error {
	return l.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketBlocks).Cursor()
		for k, v := c.Seek(u64(from)); k != nil; k, v = c.Next() {
			n := binary.BigEndian.Uint64(k)
			if n > to {
				break
			}
			b, err := decodeBlock(n, v)
			if err != nil {
				return err
			}
			if err := fn(&b); err != nil {
				return err
			}
		}
		return nil
	})
}

// Events calls fn for every event of blocks [from, to] in (block,
// log_index) order, from one consistent snapshot.
func (l *Ledger) Events(from, to uint64, fn func(*Event) error) error {
	return l.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(eventKey(from, 0)); k != nil; k, v = c.Next() {
			ev, err := decodeEvent(k, v)
			if err != nil {
				return err
			}
			if ev.Block > to {
				break
			}
			if err := fn(&ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// Path returns the ledger file's path.
func (l *Ledger) Path() string { return l.db.Path() }

// Size returns the ledger file's size in bytes.
func (l *Ledger) Size() (int64, error) {
	st, err := os.Stat(l.db.Path())
	if err != nil {
		return 0, fmt.Errorf("ledger size: %w", err)
	}
	return st.Size(), nil
}

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func eventKey(block, logIndex uint64) []byte {
	return binary.BigEndian.AppendUint32(u64(block), uint32(logIndex))
}

func encodeIdentity(id Identity) []byte {
	b := u64(id.ChainID)
	b = append(b, id.Contract[:]...)
	return binary.BigEndian.AppendUint64(b, id.StartBlock)
}

func decodeIdentity(v []byte) (Identity, bool) {
	var id Identity
	if len(v) != 36 {
		return id, false
	}
	id.ChainID = binary.BigEndian.Uint64(v)
	copy(id.Contract[:], v[8:28])
	id.StartBlock = binary.BigEndian.Uint64(v[28:])
	return id, true
}

const blockFixed = 32 + 32 + 8 + 8 + 20 + 20 + 1 + 2

func encodeBlock(b *Block) []byte {
	v := make([]byte, 0, blockFixed+20*len(b.Signers))
	v = append(v, b.Hash[:]...)
	v = append(v, b.ParentHash[:]...)
	v = binary.BigEndian.AppendUint64(v, b.Time)
	v = binary.BigEndian.AppendUint64(v, b.Difficulty)
	v = append(v, b.Sealer[:]...)
	v = append(v, b.Coinbase[:]...)
	if b.VoteAuth {
		v = append(v, 1)
	} else {
		v = append(v, 0)
	}
	if b.Signers == nil {
		v = binary.BigEndian.AppendUint16(v, 0xffff) // not a checkpoint
	} else {
		v = binary.BigEndian.AppendUint16(v, uint16(len(b.Signers)))
		for _, s := range b.Signers {
			v = append(v, s[:]...)
		}
	}
	return v
}

func decodeBlock(n uint64, v []byte) (Block, error) {
	var b Block
	if len(v) < blockFixed {
		return b, fmt.Errorf("block %d: malformed record (%d bytes)", n, len(v))
	}
	b.Number = n
	copy(b.Hash[:], v[0:32])
	copy(b.ParentHash[:], v[32:64])
	b.Time = binary.BigEndian.Uint64(v[64:72])
	b.Difficulty = binary.BigEndian.Uint64(v[72:80])
	copy(b.Sealer[:], v[80:100])
	copy(b.Coinbase[:], v[100:120])
	b.VoteAuth = v[120] == 1
	ns := binary.BigEndian.Uint16(v[121:123])
	rest := v[blockFixed:]
	if ns == 0xffff {
		ns = 0
	} else {
		b.Signers = make([]common.Address, 0, ns)
	}
	if len(rest) != 20*int(ns) {
		return b, fmt.Errorf("block %d: malformed signer list", n)
	}
	for i := 0; i < int(ns); i++ {
		b.Signers = append(b.Signers, common.BytesToAddress(rest[20*i:20*i+20]))
	}
	return b, nil
}

var kindCodes = map[calc.EventKind]byte{calc.KindStake: 1, calc.KindUnstake: 2, calc.KindValidatorAdded: 3, calc.KindValidatorRemoved: 4}
var codeKinds = map[byte]calc.EventKind{1: calc.KindStake, 2: calc.KindUnstake, 3: calc.KindValidatorAdded, 4: calc.KindValidatorRemoved}

func encodeEvent(ev *Event) ([]byte, error) {
	code, ok := kindCodes[ev.Kind]
	if !ok {
		return nil, fmt.Errorf("event (%d, %d): unknown kind %q", ev.Block, ev.LogIndex, ev.Kind)
	}
	v := make([]byte, 0, 1+20+20+32+32)
	v = append(v, code)
	v = append(v, ev.Validator[:]...)
	v = append(v, ev.Delegator[:]...)
	amt := ev.Amount.Bytes32()
	v = append(v, amt[:]...)
	return append(v, ev.TxHash[:]...), nil
}

func decodeEvent(k, v []byte) (Event, error) {
	var ev Event
	if len(k) != 12 || len(v) != 105 {
		return ev, fmt.Errorf("malformed event record")
	}
	ev.Block = binary.BigEndian.Uint64(k)
	ev.LogIndex = uint64(binary.BigEndian.Uint32(k[8:]))
	kind, ok := codeKinds[v[0]]
	if !ok {
		return ev, fmt.Errorf("event (%d, %d): unknown kind code %d", ev.Block, ev.LogIndex, v[0])
	}
	ev.Kind = kind
	copy(ev.Validator[:], v[1:21])
	copy(ev.Delegator[:], v[21:41])
	ev.Amount.SetBytes32(v[41:73])
	copy(ev.TxHash[:], v[73:105])
	return ev, nil
}
