package ledger

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// v1Key maps version 1's key of namespace ns to the current bucket and
// epoch that hold the same record; ok is false for a key v1Records does
// not declare.
func v1Key(ns string, key []byte) (bucket []byte, epoch uint64, ok bool) {
	for _, r := range v1Records {
		if r.namespace == ns && len(key) == len(r.prefix)+8 && bytes.HasPrefix(key, []byte(r.prefix)) {
			return r.bucket, binary.BigEndian.Uint64(key[len(r.prefix):]), true
		}
	}
	return nil, 0, false
}

// migrateV1 turns a version 1 ledger into the current schema inside tx:
// it creates the record buckets, moves every record of kv into them (by
// v1Records), deletes kv and sets the schema version. A key that
// v1Records does not declare fails the migration, leaving the file as it
// was, rather than be dropped. blocks, events and meta are unchanged.
func migrateV1(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %q: %w", name, err)
		}
	}
	if kv := tx.Bucket(bucketKVv1); kv != nil {
		err := kv.ForEach(func(ns, v []byte) error {
			nb := kv.Bucket(ns)
			if v != nil || nb == nil {
				return fmt.Errorf("%w: kv holds key %q outside any namespace", ErrSchema, ns)
			}
			return nb.ForEach(func(k, v []byte) error {
				name, epoch, ok := v1Key(string(ns), k)
				if !ok || v == nil {
					return fmt.Errorf("%w: version 1 key %q in %q is declared by no schema", ErrSchema, k, ns)
				}
				return put(tx.Bucket(name), epoch, v)
			})
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketKVv1); err != nil {
			return fmt.Errorf("delete bucket %q: %w", bucketKVv1, err)
		}
	}
	return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, schemaVersion))
}
