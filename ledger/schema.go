package ledger

// Bucket layout, schema version 1. All integers are big-endian so that
// bbolt's byte order is numeric order.
//
//	meta
//	  "schema"    uint32                   schema version
//	  "identity"  chainID u64 | contract 20 | startBlock u64
//	  "head"      number u64 | hash 32     last ingested block
//	blocks
//	  number u64 → hash 32 | parent 32 | time u64 | difficulty u64 |
//	               sealer 20 | coinbase 20 | voteAuth u8 | nSigners u16 | signers 20·n
//	events
//	  block u64 | logIndex u32 → kind u8 | validator 20 | delegator 20 | amount 32 | tx 32
//	kv
//	  free-form keys for other packages (settlement state), see Put/Get
const schemaVersion uint32 = 1

var (
	bucketMeta   = []byte("meta")
	bucketBlocks = []byte("blocks")
	bucketEvents = []byte("events")
	bucketKV     = []byte("kv")

	keySchema   = []byte("schema")
	keyIdentity = []byte("identity")
	keyHead     = []byte("head")
)

var allBuckets = [][]byte{bucketMeta, bucketBlocks, bucketEvents, bucketKV}
