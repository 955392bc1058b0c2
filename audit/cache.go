package audit

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// ErrCache is wrapped by every error about the header cache itself: a
// file that is not a header cache, one of another chain, one another
// process holds, or one that cannot be read or written. The remedy is in
// the message: delete the file, or audit without the cache.
var ErrCache = errors.New("header cache unusable")

// CacheFormat is the format a header cache file records; a file of
// another format is refused (ErrCache).
const CacheFormat = "cmt-rewards-header-cache-v2"

// DefaultCacheDir is where audits keep their header caches unless told
// otherwise: cmt-rewards/headers in the user's cache directory
// (os.UserCacheDir).
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("%w: no user cache directory: %v", ErrCache, err)
	}
	return filepath.Join(d, "cmt-rewards", "headers"), nil
}

// Cache holds what the audit needs of the blocks it has read from a node
// (the header's standing fields and parent hash, and the contract's
// events of the block), so that auditing epoch N after epochs before it,
// or again, reads each header and its logs from the node once.
//
// One file per chain and contract:
// chain-<chainID>-<genesis hash>-<contract>-clique<epoch>.db in the cache
// directory, a bbolt database that records its format, chain ID, genesis
// hash, contract and Clique epoch and is refused (ErrCache) when they are
// not the ones asked for. Each entry is keyed by block number and hash; it
// is written only for a block the Fetcher checked (the header hashes to
// its hash; the logs were asked by that hash, fetched twice and match its
// bloom), so an entry is a fact about the block with that hash that never
// goes stale, and bbolt commits each batch of entries atomically, so a
// crash loses at most the batch being written.
//
// What can go stale is which block of a number is canonical. The rule:
// a block is served from the cache only inside a run of entries with
// consecutive numbers each linked to the one below by its parent hash,
// and only up to a block of the run whose hash equals the node's block of
// that number, read fresh from the node when the run is planned. The hash
// chain then makes every block of the run below it the node's. When the
// top of a run differs (a reorg replaced a suffix of the chain), a binary
// search on the node's hashes finds the highest entry still canonical;
// the blocks above it are read from the node and replace the stale
// entries (one entry per number). Numbers are never trusted alone.
//
// A Cache is for one audit at a time: a second process opening the same
// file waits a second, then fails with ErrCache.
type Cache struct {
	db   *bolt.DB
	path string
	// cliqueEpoch tells which blocks are checkpoints, whose signer list
	// an entry holds (non-nil, possibly empty).
	cliqueEpoch uint64
}

var (
	bucketMeta   = []byte("meta")
	bucketBlocks = []byte("blocks")
)

// OpenCache opens, creating it if needed, the header cache in dir of the
// chain with the given chain ID, genesis hash, validator contract (whose
// events an entry holds) and Clique checkpoint interval. A file that is not a header cache of this format, or is of
// another chain, is an ErrCache error naming it; OpenCache never deletes
// or rewrites such a file.
func OpenCache(dir string, chainID uint64, genesis common.Hash, contract common.Address, cliqueEpoch uint64) (*Cache, error) {
	if cliqueEpoch == 0 {
		return nil, fmt.Errorf("%w: clique epoch 0", ErrCache)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%w: create directory %s: %v", ErrCache, dir, err)
	}
	path := filepath.Join(dir, fmt.Sprintf("chain-%d-%x-%x-clique%d.db", chainID, genesis[:], contract[:], cliqueEpoch))
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		hint := "delete it, or audit without the cache"
		if errors.Is(err, bolt.ErrTimeout) {
			hint = "another audit is using it; wait, or audit without the cache"
		}
		return nil, fmt.Errorf("%w: open %s: %v (%s)", ErrCache, path, err, hint)
	}
	want := map[string][]byte{
		"format":       []byte(CacheFormat),
		"chain_id":     binary.BigEndian.AppendUint64(nil, chainID),
		"genesis":      genesis.Bytes(),
		"contract":     contract.Bytes(),
		"clique_epoch": binary.BigEndian.AppendUint64(nil, cliqueEpoch),
	}
	err = guard(func() error {
		return db.Update(func(tx *bolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			if meta == nil {
				if tx.Bucket(bucketBlocks) != nil {
					return errors.New("blocks without a format record")
				}
				if meta, err = tx.CreateBucket(bucketMeta); err != nil {
					return err
				}
				for k, v := range want {
					if err := meta.Put([]byte(k), v); err != nil {
						return err
					}
				}
				_, err := tx.CreateBucket(bucketBlocks)
				return err
			}
			for k, v := range want {
				if got := meta.Get([]byte(k)); !bytes.Equal(got, v) {
					return fmt.Errorf("its %s is %x, want %x", k, got, v)
				}
			}
			if tx.Bucket(bucketBlocks) == nil {
				return errors.New("no blocks bucket")
			}
			return nil
		})
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: %s is not this chain's header cache: %v (delete it, or audit without the cache)", ErrCache, path, err)
	}
	return &Cache{db: db, path: path, cliqueEpoch: cliqueEpoch}, nil
}

// Path is the cache's file.
func (c *Cache) Path() string { return c.path }

// Close closes the cache's file.
func (c *Cache) Close() error { return c.db.Close() }

// guard turns a panic of bbolt on a corrupted file into an error.
func guard(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupted: %v", r)
		}
	}()
	return f()
}

// view runs a read transaction, with a corrupted file an ErrCache error.
func (c *Cache) view(f func(b *bolt.Bucket) error) error {
	err := guard(func() error { return c.db.View(func(tx *bolt.Tx) error { return f(tx.Bucket(bucketBlocks)) }) })
	if err != nil && !errors.Is(err, errStop) {
		return fmt.Errorf("%w: read %s: %v (delete it, or audit without the cache)", ErrCache, c.path, err)
	}
	return nil
}

var errStop = errors.New("stop")

func cacheKey(n uint64, h common.Hash) []byte {
	k := make([]byte, 8+common.HashLength)
	binary.BigEndian.PutUint64(k, n)
	copy(k[8:], h[:])
	return k
}

// encodeEntry is an entry's value: parent hash, time, difficulty, sealer,
// coinbase, vote, on a checkpoint the signer list, and the contract's
// events of the block (each: log index, kind, validator, delegator,
// amount, transaction).
func encodeEntry(b *ledger.Block, evs []ledger.Event) []byte {
	v := make([]byte, 0, 32+8+1+20+20+1+1+len(b.Signers)*20)
	v = append(v, b.ParentHash[:]...)
	v = binary.BigEndian.AppendUint64(v, b.Time)
	v = binary.AppendUvarint(v, b.Difficulty)
	v = append(v, b.Sealer[:]...)
	v = append(v, b.Coinbase[:]...)
	if b.VoteAuth {
		v = append(v, 1)
	} else {
		v = append(v, 0)
	}
	v = binary.AppendUvarint(v, uint64(len(b.Signers)))
	for _, s := range b.Signers {
		v = append(v, s[:]...)
	}
	v = binary.AppendUvarint(v, uint64(len(evs)))
	for i := range evs {
		e := &evs[i]
		v = binary.AppendUvarint(v, e.LogIndex)
		v = append(v, kindCode[e.Kind])
		v = append(v, e.Validator[:]...)
		v = append(v, e.Delegator[:]...)
		amt := e.Amount.Bytes32()
		v = append(v, amt[:]...)
		v = append(v, e.TxHash[:]...)
	}
	return v
}

// kindCode and kinds are the event kinds' codes in an entry.
var (
	kindCode = map[calc.EventKind]byte{calc.KindStake: 1, calc.KindUnstake: 2, calc.KindValidatorAdded: 3, calc.KindValidatorRemoved: 4}
	kinds    = [...]calc.EventKind{1: calc.KindStake, 2: calc.KindUnstake, 3: calc.KindValidatorAdded, 4: calc.KindValidatorRemoved}
)

// decodeEntry is encodeEntry's inverse for the entry under key k; the
// block's events are appended to evs when evs is not nil.
func (c *Cache) decodeEntry(k, v []byte, b *ledger.Block, evs *[]ledger.Event) error {
	if len(k) != 8+common.HashLength {
		return fmt.Errorf("key of %d bytes", len(k))
	}
	b.Number = binary.BigEndian.Uint64(k)
	copy(b.Hash[:], k[8:])
	bad := fmt.Errorf("entry of block %d (%x) malformed", b.Number, k[8:])
	if len(v) < 32+8 {
		return bad
	}
	copy(b.ParentHash[:], v)
	b.Time = binary.BigEndian.Uint64(v[32:])
	v = v[40:]
	d, n := binary.Uvarint(v)
	if n <= 0 || len(v) < n+41 {
		return bad
	}
	b.Difficulty = d
	v = v[n:]
	copy(b.Sealer[:], v)
	copy(b.Coinbase[:], v[20:])
	switch v[40] {
	case 0:
		b.VoteAuth = false
	case 1:
		b.VoteAuth = true
	default:
		return bad
	}
	v = v[41:]
	ns, n := binary.Uvarint(v)
	if n <= 0 || ns > uint64(len(v)) || uint64(len(v)-n) < ns*20 {
		return bad
	}
	v = v[n:]
	b.Signers = nil
	if epoch.IsCheckpoint(b.Number, c.cliqueEpoch) {
		b.Signers = make([]common.Address, ns)
		for i := range b.Signers {
			copy(b.Signers[i][:], v[i*20:])
		}
	} else if ns != 0 {
		return bad
	}
	v = v[ns*20:]
	ne, n := binary.Uvarint(v)
	if n <= 0 {
		return bad
	}
	v = v[n:]
	for range ne {
		var e ledger.Event
		e.Block = b.Number
		li, n := binary.Uvarint(v)
		if n <= 0 || len(v) < n+1+20+20+32+32 {
			return bad
		}
		e.LogIndex = li
		v = v[n:]
		if int(v[0]) >= len(kinds) || kinds[v[0]] == "" {
			return bad
		}
		e.Kind = kinds[v[0]]
		copy(e.Validator[:], v[1:])
		copy(e.Delegator[:], v[21:])
		e.Amount.SetBytes32(v[41:73])
		copy(e.TxHash[:], v[73:105])
		v = v[105:]
		if evs != nil {
			*evs = append(*evs, e)
		}
	}
	if len(v) != 0 {
		return bad
	}
	return nil
}

// segment is a part of a planned range: cached (proven canonical) or to
// read from the node.
type segment struct {
	from, to uint64
	cached   bool
}

// run is a stretch of linked entries, with its top's hash.
type run struct {
	from, to uint64
	top      common.Hash
}

// plan splits [from, to] into cached segments proven canonical against
// the node (hashAt, the node's hash of a block) and segments to read from
// the node, in order. Runs of fewer than minRun entries are read from the
// node: proving them would cost as much.
func (c *Cache) plan(ctx context.Context, from, to uint64, minRun uint64, hashAt func(context.Context, uint64) (common.Hash, error)) ([]segment, error) {
	var runs []run
	err := c.view(func(bk *bolt.Bucket) error {
		cur := bk.Cursor()
		var b ledger.Block
		var r *run
		for k, v := cur.Seek(binary.BigEndian.AppendUint64(nil, from)); k != nil; k, v = cur.Next() {
			if err := c.decodeEntry(k, v, &b, nil); err != nil {
				return err
			}
			if b.Number > to {
				break
			}
			if r != nil && r.to+1 == b.Number && r.top == b.ParentHash {
				r.to, r.top = b.Number, b.Hash
				continue
			}
			runs = append(runs, run{from: b.Number, to: b.Number, top: b.Hash})
			r = &runs[len(runs)-1]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []segment
	add := func(s segment) {
		if n := len(out); n > 0 && !s.cached && !out[n-1].cached && out[n-1].to+1 == s.from {
			out[n-1].to = s.to
			return
		}
		out = append(out, s)
	}
	next := from
	for _, r := range runs {
		if r.to-r.from+1 < minRun || r.from < next {
			continue // not worth a probe, or overlapping one proven (put keeps one entry a number)
		}
		k, err := c.canonicalPrefix(ctx, r, hashAt)
		if err != nil {
			return nil, err
		}
		if k == 0 {
			continue // nothing of the run is canonical
		}
		top := r.from + k - 1
		if r.from > next {
			add(segment{from: next, to: r.from - 1})
		}
		add(segment{from: r.from, to: top, cached: true})
		next = top + 1
	}
	if next <= to {
		add(segment{from: next, to: to})
	}
	return out, nil
}

// canonicalPrefix is how many blocks of r, from its bottom, are the
// node's. A reorg replaces a suffix of the chain, so the canonical entries
// of a linked run are a prefix of it: a binary search.
func (c *Cache) canonicalPrefix(ctx context.Context, r run, hashAt func(context.Context, uint64) (common.Hash, error)) (uint64, error) {
	h, err := hashAt(ctx, r.to)
	if err != nil {
		return 0, err
	}
	if h == r.top {
		return r.to - r.from + 1, nil
	}
	lo, hi := r.from, r.to // the first block not the node's is in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo)/2
		var ours common.Hash
		if err := c.view(func(bk *bolt.Bucket) error {
			k, _ := bk.Cursor().Seek(binary.BigEndian.AppendUint64(nil, mid))
			if k == nil || binary.BigEndian.Uint64(k) != mid {
				return fmt.Errorf("entry of block %d vanished", mid)
			}
			copy(ours[:], k[8:])
			return nil
		}); err != nil {
			return 0, err
		}
		node, err := hashAt(ctx, mid)
		if err != nil {
			return 0, err
		}
		if node == ours {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - r.from, nil
}

// read calls fn with the entries of blocks [from, to], which plan proved
// canonical, in order, 4096 at a time, each chunk read in its own
// transaction, with the chunk's events in (block, log index) order.
func (c *Cache) read(from, to uint64, fn func([]ledger.Block, []ledger.Event) error) error {
	const chunk = 4096
	for lo := from; lo <= to; lo += chunk {
		hi := min(lo+chunk-1, to)
		bs := make([]ledger.Block, 0, hi-lo+1)
		var evs []ledger.Event
		err := c.view(func(bk *bolt.Bucket) error {
			cur := bk.Cursor()
			for k, v := cur.Seek(binary.BigEndian.AppendUint64(nil, lo)); k != nil && len(bs) < cap(bs); k, v = cur.Next() {
				var b ledger.Block
				if err := c.decodeEntry(k, v, &b, &evs); err != nil {
					return err
				}
				if b.Number != lo+uint64(len(bs)) {
					return fmt.Errorf("entry of block %d missing", lo+uint64(len(bs)))
				}
				bs = append(bs, b)
			}
			if len(bs) != cap(bs) {
				return fmt.Errorf("entry of block %d missing", lo+uint64(len(bs)))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := fn(bs, evs); err != nil {
			return err
		}
		if hi == to {
			break
		}
	}
	return nil
}

// cacheWriter stores checked blocks in the background, in transactions
// of about 16,384 blocks; at most one entry per number is kept.
type cacheWriter struct {
	in   chan fetched
	done chan error
	mu   sync.Mutex
	err  error // the first failure; later blocks are dropped
}

func (c *Cache) writer() *cacheWriter {
	w := &cacheWriter{in: make(chan fetched, 16), done: make(chan error, 1)}
	go func() {
		var pending []ledger.Block
		var pendingEvs []ledger.Event
		flush := func() {
			if len(pending) > 0 && w.failed() == nil {
				if err := c.put(pending, pendingEvs); err != nil {
					w.mu.Lock()
					w.err = err
					w.mu.Unlock()
				}
			}
			pending, pendingEvs = pending[:0], pendingEvs[:0]
		}
		for f := range w.in {
			pending = append(pending, f.blocks...)
			pendingEvs = append(pendingEvs, f.events...)
			if len(pending) >= 16384 {
				flush()
			}
		}
		flush()
		w.done <- w.failed()
	}()
	return w
}

func (w *cacheWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// fetched is a batch of blocks and their events, in order.
type fetched struct {
	blocks []ledger.Block
	events []ledger.Event
}

// add queues blocks and all their events for storing; they must not be
// modified afterwards. It returns the writer's first failure, if any.
func (w *cacheWriter) add(f fetched) error {
	if err := w.failed(); err != nil {
		return err
	}
	w.in <- f
	return nil
}

// close stores what is queued and returns the first failure. It must be
// called once.
func (w *cacheWriter) close() error {
	close(w.in)
	return <-w.done
}

// put stores blocks with their events (all of them, in block order) in
// one transaction, replacing any other entry of their numbers.
func (c *Cache) put(bs []ledger.Block, evs []ledger.Event) error {
	err := guard(func() error {
		return c.db.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket(bucketBlocks)
			bk.FillPercent = 0.9 // mostly appends
			cur := bk.Cursor()
			for i := range bs {
				b := &bs[i]
				if len(evs) > 0 && evs[0].Block < b.Number {
					return fmt.Errorf("event of block %d, not among the blocks", evs[0].Block)
				}
				key := cacheKey(b.Number, b.Hash)
				var stale [][]byte // other blocks of the number: replaced
				for k, _ := cur.Seek(key[:8]); k != nil && bytes.Equal(k[:8], key[:8]); k, _ = cur.Next() {
					if !bytes.Equal(k, key) {
						stale = append(stale, bytes.Clone(k))
					}
				}
				for _, k := range stale {
					if err := bk.Delete(k); err != nil {
						return err
					}
				}
				j := 0
				for j < len(evs) && evs[j].Block == b.Number {
					j++
				}
				if err := bk.Put(key, encodeEntry(b, evs[:j])); err != nil {
					return err
				}
				evs = evs[j:]
			}
			if len(evs) > 0 {
				return fmt.Errorf("event of block %d, not among the blocks", evs[0].Block)
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("%w: write %s: %v (delete it, or audit without the cache)", ErrCache, c.path, err)
	}
	return nil
}
