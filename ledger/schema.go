package ledger

// The ledger's whole layout: every bucket and key shape any package
// stores is declared here and covered by schemaVersion; no other package
// names a bucket or builds a key (settle uses the Epoch accessors, the
// submitter Records(BucketSubmitter)). All integers are big-endian so that
// bbolt's byte order is numeric order.
//
// Schema version 2:
//
//	meta
//	  "schema"    u32                      schema version
//	  "identity"  chainID u64 | contract 20 | startBlock u64
//	  "head"      number u64 | hash 32     last ingested block
//	blocks
//	  number u64 → hash 32 | parent 32 | time u64 | difficulty u64 |
//	               sealer 20 | coinbase 20 | voteAuth u8 | nSigners u16 | signers 20·n
//	events
//	  block u64 | logIndex u32 → kind u8 | validator 20 | delegator 20 | amount 32 | tx 32
//	epoch_records                          settle: one per epoch with a settlement state
//	  epoch u64 → settle.Record, JSON
//	epoch_results                          settle: one per computed epoch
//	  epoch u64 → the result file, byte for byte as published
//	epoch_inputs                           settle: one per computed epoch with blocks
//	  epoch u64 → the input file, byte for byte as published
//	submitter                              submitter: one per voted epoch
//	  epoch u64 → write-ahead vote record, JSON (submitter/doc.go)
//
// Version history:
//
//	1  settle's and the submitter's records in free-form buckets nested in
//	   "kv": kv/epochs/{"rec/", "result/", "input/"} + epoch u64 and
//	   kv/submitter/"vote/" + epoch u64 (v1Records).
//	2  each kind of record in its own top-level bucket keyed by the epoch;
//	   "kv" is gone. Open migrates a version 1 ledger (migrateV1).
const schemaVersion uint32 = 2

var (
	bucketMeta         = []byte("meta")
	bucketBlocks       = []byte("blocks")
	bucketEvents       = []byte("events")
	bucketEpochRecords = []byte("epoch_records")
	bucketEpochResults = []byte("epoch_results")
	bucketEpochInputs  = []byte("epoch_inputs")
	bucketSubmitter    = []byte("submitter")

	keySchema   = []byte("schema")
	keyIdentity = []byte("identity")
	keyHead     = []byte("head")
)

// allBuckets is every bucket of the current schema; Open creates them in a
// new ledger and demands them in an existing one.
var allBuckets = [][]byte{bucketMeta, bucketBlocks, bucketEvents, bucketEpochRecords, bucketEpochResults, bucketEpochInputs, bucketSubmitter}

// bucketKVv1 is version 1's bucket of free-form namespaces.
var bucketKVv1 = []byte("kv")

// v1Records is every key shape version 1 stored under kv: namespace and
// key prefix, followed by the epoch as u64, and the bucket of the current
// schema that holds the same record under the epoch alone (migrateV1).
var v1Records = []struct {
	namespace, prefix string
	bucket            []byte
}{
	{"epochs", "rec/", bucketEpochRecords},
	{"epochs", "result/", bucketEpochResults},
	{"epochs", "input/", bucketEpochInputs},
	{"submitter", "vote/", bucketSubmitter},
}
