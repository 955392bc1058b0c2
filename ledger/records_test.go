package ledger

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"testing/quick"
)

// TestRecordsModel: any sequence of puts and deletes leaves Records
// holding exactly what a map would, read by Get, by Each in epoch order,
// and after reopening.
func TestRecordsModel(t *testing.T) {
	t.Parallel()
	type op struct {
		Epoch  uint8 // few epochs, so that ops collide
		Delete bool
		Value  []byte
	}
	dir := t.TempDir()
	run := 0
	prop := func(ops []op, from uint8) bool {
		run++
		path := filepath.Join(dir, fmt.Sprintf("ledger-%d.db", run))
		l := open(t, path)
		recs := l.Records(BucketSubmitter)
		model := map[uint64][]byte{}
		for _, o := range ops {
			k := uint64(o.Epoch % 16)
			err := recs.Update(func(tx *RecordsTx) error {
				if got, want := tx.Get(k), model[k]; !slices.Equal(got, want) || (got == nil) != (want == nil) {
					t.Errorf("in tx: epoch %d is %q, want %q", k, got, want)
				}
				if o.Delete {
					return tx.Delete(k)
				}
				return tx.Put(k, append([]byte{}, o.Value...))
			})
			if err != nil {
				t.Error(err)
				return false
			}
			if o.Delete {
				delete(model, k)
			} else {
				model[k] = append([]byte{}, o.Value...)
			}
		}
		l.Close()
		l = open(t, path)
		defer l.Close()
		recs = l.Records(BucketSubmitter)
		for k := range uint64(16) {
			got, err := recs.Get(k)
			want, ok := model[k]
			if ok != (err == nil) || (!ok && !errors.Is(err, ErrNotFound)) || !slices.Equal(got, want) {
				t.Logf("epoch %d: %q %v, want %q", k, got, err, want)
				return false
			}
		}
		var keys []uint64
		err := recs.Each(uint64(from%16), func(k uint64, v []byte) error {
			keys = append(keys, k)
			if !slices.Equal(v, model[k]) {
				t.Errorf("each: epoch %d is %q, want %q", k, v, model[k])
			}
			return nil
		})
		var want []uint64
		for _, k := range slices.Sorted(maps.Keys(model)) {
			if k >= uint64(from%16) {
				want = append(want, k)
			}
		}
		return err == nil && slices.Equal(keys, want)
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 40}); err != nil {
		t.Fatal(err)
	}
}

func TestEpochs(t *testing.T) {
	t.Parallel()
	l := open(t, filepath.Join(t.TempDir(), "ledger.db"))
	defer l.Close()
	read := func(k uint64) [3]string {
		var out [3]string
		for i, f := range []func(uint64) ([]byte, error){l.EpochRecord, l.EpochResult, l.EpochInput} {
			v, err := f(k)
			switch {
			case errors.Is(err, ErrNotFound):
				out[i] = "-"
			case err != nil:
				t.Fatal(err)
			default:
				out[i] = string(v)
			}
		}
		return out
	}
	steps := []struct {
		name string
		do   func() error
		want map[uint64][3]string
	}{
		{"put with input", func() error { return l.PutEpoch(3, []byte("r3"), []byte("res3"), []byte("in3")) },
			map[uint64][3]string{3: {"r3", "res3", "in3"}}},
		{"put without input", func() error { return l.PutEpoch(4, []byte("r4"), []byte("res4"), nil) },
			map[uint64][3]string{3: {"r3", "res3", "in3"}, 4: {"r4", "res4", "-"}}},
		{"record only", func() error { return l.PutEpochRecord(3, []byte("r3b")) },
			map[uint64][3]string{3: {"r3b", "res3", "in3"}, 4: {"r4", "res4", "-"}}},
		{"recompute without blocks drops the input", func() error { return l.PutEpoch(3, []byte("r3c"), []byte("res3c"), nil) },
			map[uint64][3]string{3: {"r3c", "res3c", "-"}, 4: {"r4", "res4", "-"}}},
		{"delete", func() error { return l.DeleteEpoch(4) },
			map[uint64][3]string{3: {"r3c", "res3c", "-"}, 4: {"-", "-", "-"}}},
		{"result required", func() error {
			if err := l.PutEpoch(5, []byte("r5"), nil, nil); err == nil {
				return errors.New("accepted an epoch without result")
			}
			return nil
		}, map[uint64][3]string{5: {"-", "-", "-"}}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if err := s.do(); err != nil {
				t.Fatal(err)
			}
			for k, want := range s.want {
				if got := read(k); got != want {
					t.Fatalf("epoch %d: %q, want %q", k, got, want)
				}
			}
		})
	}
	var recs []string
	if err := l.EachEpochRecord(0, func(k uint64, v []byte) error { recs = append(recs, string(v)); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(recs, []string{"r3c"}) {
		t.Fatalf("records %q", recs)
	}
}
