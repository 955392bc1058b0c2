package ledger

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Bucket names a bucket of records keyed by an epoch number, declared in
// schema.go; the package that owns it encodes the values. The zero Bucket
// names none: every access fails.
type Bucket struct{ name []byte }

// BucketSubmitter holds the submitter's write-ahead vote records, one per
// epoch (submitter/doc.go).
var BucketSubmitter = Bucket{bucketSubmitter}

// String returns the bucket's name.
func (b Bucket) String() string { return string(b.name) }

// Records gives access to the records of bucket b.
func (l *Ledger) Records(b Bucket) Records { return Records{l: l, name: b.name} }

// Records are the records of one Bucket of a ledger. Each call is one
// transaction; a Records is safe for concurrent use.
type Records struct {
	l    *Ledger
	name []byte
}

// Get returns a copy of the record of epoch k, or an error wrapping
// ErrNotFound.
func (r Records) Get(k uint64) ([]byte, error) { return r.l.get(r.name, string(r.name)+" record", k) }

// Each calls fn for every record from epoch from on, in epoch order, from
// one consistent snapshot. v is valid only during fn; an error from fn
// stops the walk and is returned.
func (r Records) Each(from uint64, fn func(k uint64, v []byte) error) error {
	return r.l.each(r.name, from, fn)
}

// Update runs fn in one write transaction on the records (bbolt serialises
// writers, so a read-compare-write in fn is atomic). If fn returns an error
// nothing is written.
func (r Records) Update(fn func(tx *RecordsTx) error) error {
	return r.l.db.Update(func(tx *bolt.Tx) error {
		b, err := bucket(tx, r.name)
		if err != nil {
			return err
		}
		return fn(&RecordsTx{b: b})
	})
}

// RecordsTx is a Records inside an Update; it is valid only during it.
type RecordsTx struct{ b *bolt.Bucket }

// Get returns a copy of the record of epoch k, nil if there is none.
func (t *RecordsTx) Get(k uint64) []byte { return bytes.Clone(t.b.Get(u64(k))) }

// Put stores v as the record of epoch k.
func (t *RecordsTx) Put(k uint64, v []byte) error { return put(t.b, k, v) }

// Delete deletes the record of epoch k, if any.
func (t *RecordsTx) Delete(k uint64) error { return t.b.Delete(u64(k)) }

// Settlement's records (see schema.go): per epoch a record of its state,
// the result file and the input file, written and dropped together.

// PutEpoch stores epoch k's settlement record, result file and input file
// in one transaction, replacing what the epoch had. record and result are
// required; a nil input deletes a stored one (an epoch without blocks has
// none).
func (l *Ledger) PutEpoch(k uint64, record, result, input []byte) error {
	if record == nil || result == nil {
		return fmt.Errorf("store epoch %d: record and result are required", k)
	}
	return l.writeEpoch(k, [3][]byte{record, result, input})
}

// PutEpochRecord replaces epoch k's settlement record and nothing else.
func (l *Ledger) PutEpochRecord(k uint64, record []byte) error {
	return l.Records(Bucket{bucketEpochRecords}).Update(func(tx *RecordsTx) error { return tx.Put(k, record) })
}

// DeleteEpoch deletes epoch k's settlement record, result and input in one
// transaction.
func (l *Ledger) DeleteEpoch(k uint64) error { return l.writeEpoch(k, [3][]byte{}) }

// epochBuckets are settlement's buckets, in writeEpoch's order.
var epochBuckets = [3][]byte{bucketEpochRecords, bucketEpochResults, bucketEpochInputs}

// writeEpoch sets epoch k's record, result and input (epochBuckets' order)
// in one transaction; a nil value deletes.
func (l *Ledger) writeEpoch(k uint64, values [3][]byte) error {
	return l.db.Update(func(tx *bolt.Tx) error {
		for i, name := range epochBuckets {
			b, err := bucket(tx, name)
			if err != nil {
				return err
			}
			if values[i] == nil {
				err = b.Delete(u64(k))
			} else {
				err = put(b, k, values[i])
			}
			if err != nil {
				return fmt.Errorf("write epoch %d to %s: %w", k, name, err)
			}
		}
		return nil
	})
}

// EpochRecord returns epoch k's settlement record, or an error wrapping
// ErrNotFound.
func (l *Ledger) EpochRecord(k uint64) ([]byte, error) {
	return l.get(bucketEpochRecords, "settlement record", k)
}

// EpochResult returns epoch k's stored result file, or an error wrapping
// ErrNotFound.
func (l *Ledger) EpochResult(k uint64) ([]byte, error) { return l.get(bucketEpochResults, "result", k) }

// EpochInput returns epoch k's stored input file, or an error wrapping
// ErrNotFound (also for a computed epoch without blocks).
func (l *Ledger) EpochInput(k uint64) ([]byte, error) { return l.get(bucketEpochInputs, "input", k) }

// EachEpochRecord calls fn for every settlement record from epoch from on,
// in epoch order, from one consistent snapshot; v is valid only during fn.
func (l *Ledger) EachEpochRecord(from uint64, fn func(k uint64, v []byte) error) error {
	return l.each(bucketEpochRecords, from, fn)
}

// bucket returns the schema's bucket name in tx. Every bucket is created by
// Open, so a missing one is a broken file (or the zero Bucket).
func bucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	b := tx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("%w: bucket %q missing", ErrSchema, name)
	}
	return b, nil
}

// put stores v under epoch k. bbolt keeps the slice, not its bytes, until
// the transaction commits, so v is copied: the caller may reuse it.
func put(b *bolt.Bucket, k uint64, v []byte) error {
	if v == nil {
		return fmt.Errorf("store a nil record for epoch %d", k)
	}
	return b.Put(u64(k), bytes.Clone(v))
}

// get returns a copy of the value of epoch k in bucket name, or an error
// wrapping ErrNotFound that calls it what.
func (l *Ledger) get(name []byte, what string, k uint64) ([]byte, error) {
	var v []byte
	err := l.db.View(func(tx *bolt.Tx) error {
		b, err := bucket(tx, name)
		if err != nil {
			return err
		}
		v = bytes.Clone(b.Get(u64(k)))
		return nil
	})
	if err == nil && v == nil {
		err = fmt.Errorf("%s of epoch %d: %w", what, k, ErrNotFound)
	}
	return v, err
}

// each calls fn for every value in bucket name from epoch from on.
func (l *Ledger) each(name []byte, from uint64, fn func(k uint64, v []byte) error) error {
	return l.db.View(func(tx *bolt.Tx) error {
		b, err := bucket(tx, name)
		if err != nil {
			return err
		}
		c := b.Cursor()
		for k, v := c.Seek(u64(from)); k != nil; k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("%w: %s holds a malformed key %x", ErrSchema, name, k)
			}
			if err := fn(binary.BigEndian.Uint64(k), v); err != nil {
				return err
			}
		}
		return nil
	})
}
