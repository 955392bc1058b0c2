package seal

import (
	"bytes"
	"crypto/ecdsa"
	"math/rand"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

type signer struct {
	key *ecdsa.PrivateKey
	pub []byte
	k   *Key
}

func newSigners(t testing.TB, n int) []signer {
	t.Helper()
	out := make([]signer, n)
	for i := range out {
		key, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		pub := crypto.FromECDSAPub(&key.PublicKey)
		k, err := NewKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		if k.Address != crypto.PubkeyToAddress(key.PublicKey) {
			t.Fatalf("address %s, want %s", k.Address, crypto.PubkeyToAddress(key.PublicKey))
		}
		out[i] = signer{key, pub, k}
	}
	return out
}

// recovers reports what the slow path says: whether sig over hash
// recovers to pub.
func recovers(hash, sig, pub []byte) bool {
	got, err := crypto.Ecrecover(hash, sig)
	return err == nil && bytes.Equal(got, pub)
}

// TestCheckAgreesWithRecovery: for genuine seals, guessed right and
// wrong, and for tampered ones, Check says yes exactly when
// crypto.Ecrecover returns the guessed key.
func TestCheckAgreesWithRecovery(t *testing.T) {
	t.Run("active", testCheckAgrees)
	if useIFMA {
		t.Run("one by one", func(t *testing.T) {
			old := useIFMA
			useIFMA = false
			t.Cleanup(func() { useIFMA = old })
			testCheckAgrees(t)
		})
	}
	if useAsm {
		t.Run("portable", func(t *testing.T) {
			oldI, oldA := useIFMA, useAsm
			useIFMA, useAsm = false, false
			t.Cleanup(func() { useIFMA, useAsm = oldI, oldA })
			testCheckAgrees(t)
		})
	}
}

func testCheckAgrees(t *testing.T) {
	ss := newSigners(t, 3)
	r := rand.New(rand.NewSource(3))
	var jobs []Job
	var wantPub [][]byte
	for i := 0; i < 400; i++ {
		var h [32]byte
		r.Read(h[:])
		signerIdx := r.Intn(len(ss))
		sig, err := crypto.Sign(h[:], ss[signerIdx].key)
		if err != nil {
			t.Fatal(err)
		}
		guess := signerIdx
		switch r.Intn(6) {
		case 0:
			guess = (signerIdx + 1) % len(ss)
		case 1:
			sig[r.Intn(64)] ^= 1 << r.Intn(8)
		case 2:
			sig[64] ^= 1 // the other R
		case 3:
			h[r.Intn(32)] ^= 1
		}
		jobs = append(jobs, Job{Key: ss[guess].k, Hash: h, Sig: sig})
		wantPub = append(wantPub, ss[guess].pub)
	}
	Check(jobs) // groups of 16, and the tail
	yes := 0
	for i, j := range jobs {
		want := recovers(j.Hash[:], j.Sig, wantPub[i])
		if j.OK != want {
			t.Fatalf("job %d: Check says %v, recovery says %v", i, j.OK, want)
		}
		if want {
			yes++
		}
	}
	if yes < 100 {
		t.Fatalf("only %d of %d seals matched: the test is not testing the yes case", yes, len(jobs))
	}
}

// TestCheckLeavesOddSealsToRecovery: seals the fast path does not handle
// are a "no", whatever recovery would say; nil keys are skipped.
func TestCheckLeavesOddSealsToRecovery(t *testing.T) {
	ss := newSigners(t, 1)
	h := crypto.Keccak256Hash([]byte("block"))
	good, _ := crypto.Sign(h[:], ss[0].key)
	n := common.FromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	mod := func(f func(sig []byte) []byte) []byte { return f(bytes.Clone(good)) }
	cases := []struct {
		name string
		sig  []byte
		key  *Key
	}{
		{"v=2", mod(func(s []byte) []byte { s[64] = 2; return s }), ss[0].k},
		{"v=27", mod(func(s []byte) []byte { s[64] = 27; return s }), ss[0].k},
		{"r=0", mod(func(s []byte) []byte { clear(s[:32]); return s }), ss[0].k},
		{"s=0", mod(func(s []byte) []byte { clear(s[32:64]); return s }), ss[0].k},
		{"r=n", mod(func(s []byte) []byte { copy(s[:32], n); return s }), ss[0].k},
		{"s=n", mod(func(s []byte) []byte { copy(s[32:64], n); return s }), ss[0].k},
		{"short", good[:64], ss[0].k},
		{"nil key", good, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			jobs := []Job{{Key: c.key, Hash: h, Sig: c.sig}, {Key: ss[0].k, Hash: h, Sig: good}}
			Check(jobs)
			if jobs[0].OK {
				t.Fatal("fast path accepted it")
			}
			if !jobs[1].OK {
				t.Fatal("the good seal beside it was not accepted")
			}
		})
	}
	// High s is valid for recovery (Clique does not require low s).
	t.Run("high s", func(t *testing.T) {
		sig := bytes.Clone(good)
		var s, ns [32]byte
		copy(s[:], sig[32:64])
		subN(&ns, n, s[:])
		copy(sig[32:64], ns[:])
		sig[64] ^= 1
		jobs := []Job{{Key: ss[0].k, Hash: h, Sig: sig}}
		Check(jobs)
		if want := recovers(h[:], sig, ss[0].pub); jobs[0].OK != want || !want {
			t.Fatalf("high s: Check %v, recovery %v (want both true)", jobs[0].OK, want)
		}
	})
}

// subN sets out = n − s (big-endian).
func subN(out *[32]byte, n, s []byte) {
	borrow := 0
	for i := 31; i >= 0; i-- {
		d := int(n[i]) - int(s[i]) - borrow
		borrow = 0
		if d < 0 {
			d += 256
			borrow = 1
		}
		out[i] = byte(d)
	}
}

func TestNewKeyRejects(t *testing.T) {
	ss := newSigners(t, 1)
	bad := bytes.Clone(ss[0].pub)
	bad[64] ^= 1
	for name, pub := range map[string][]byte{
		"off curve": bad, "short": ss[0].pub[:64], "compressed": crypto.CompressPubkey(&ss[0].key.PublicKey),
		"prefix": append([]byte{3}, ss[0].pub[1:]...),
	} {
		if _, err := NewKey(pub); err == nil {
			t.Errorf("%s: NewKey accepted it", name)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	ss := newSigners(b, 1)
	jobs := make([]Job, 8)
	sigs := make([][]byte, 8)
	for i := range jobs {
		h := crypto.Keccak256Hash([]byte{byte(i)})
		sig, _ := crypto.Sign(h[:], ss[0].key)
		jobs[i] = Job{Key: ss[0].k, Hash: h, Sig: sig}
		sigs[i] = sig
	}
	b.Run("check-8", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			Check(jobs)
		}
		if !jobs[0].OK {
			b.Fatal("no")
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*8), "ns/seal")
	})
	b.Run("ecrecover-8", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, j := range jobs {
				crypto.Ecrecover(j.Hash[:], j.Sig)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*8), "ns/seal")
	})
	b.Run("newkey", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			NewKey(ss[0].pub)
		}
	})
}

// FuzzCheck: for any hash and 65 signature bytes, Check says yes only
// when crypto.Ecrecover returns the key (and, for genuine seals of the
// key, it does say yes).
func FuzzCheck(f *testing.F) {
	key, _ := crypto.HexToECDSA("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	pub := crypto.FromECDSAPub(&key.PublicKey)
	k, err := NewKey(pub)
	if err != nil {
		f.Fatal(err)
	}
	h := crypto.Keccak256([]byte("seed"))
	sig, _ := crypto.Sign(h, key)
	f.Add(h, sig, false)
	f.Add(h, sig, true)
	f.Fuzz(func(t *testing.T, hash, sig []byte, resign bool) {
		if len(hash) != 32 {
			return
		}
		if resign {
			sig, _ = crypto.Sign(hash, key)
		}
		var h [32]byte
		copy(h[:], hash)
		jobs := []Job{{Key: k, Hash: h, Sig: sig}}
		Check(jobs)
		want := len(sig) == 65 && recovers(hash, sig, pub)
		if jobs[0].OK && !want {
			t.Fatalf("Check accepted a seal that does not recover to the key: %x %x", hash, sig)
		}
		if resign && !jobs[0].OK {
			t.Fatalf("Check rejected a genuine seal: %x %x", hash, sig)
		}
	})
}
