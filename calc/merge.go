package calc

import (
	"runtime"
	"slices"
	"sync"

	"github.com/cmt-rewards/cmt-rewards/internal/bulk"
)

// maxRuns is the most ascending runs mergeKeys merges; more and it sorts.
// Export writes stakes by validator then delegator, so the credits of a
// real epoch are one run per validator (each ascending by delegator), the
// previous cumulatives one more, and the positions events opened a few.
const maxRuns = 256

// sortKeys sorts keys by cmpAddrKey. Keys that form at most maxRuns
// ascending runs (in the order given) are merged on every core, in linear
// time; others are sorted. Either way the order is the same total order.
func sortKeys(keys []addrKey) []addrKey {
	// The start of each run, found on every core.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(keys)/(1<<16)))
	starts := make([][]int, workers)
	bulk.Chunks(len(keys), workers, func(w, lo, hi int) {
		var st []int
		for i := lo; i < hi && len(st) <= maxRuns; i++ {
			if i == 0 || cmpAddrKey(keys[i-1], keys[i]) > 0 {
				st = append(st, i)
			}
		}
		starts[w] = st
	})
	runs := slices.Concat(starts...)
	if len(runs) > maxRuns {
		bulk.SortFunc(keys, cmpAddrKey)
		return keys
	}
	if len(runs) <= 1 {
		return keys
	}
	bounds := make([][2]int, len(runs))
	for r, s := range runs {
		e := len(keys)
		if r+1 < len(runs) {
			e = runs[r+1]
		}
		bounds[r] = [2]int{s, e}
	}
	out := make([]addrKey, len(keys))
	// Split the key space at pivots taken from the longest run, so each
	// core merges the keys between two pivots from every run.
	parts := max(1, min(runtime.GOMAXPROCS(0), len(keys)/(1<<16)))
	longest := bounds[0]
	for _, b := range bounds {
		if b[1]-b[0] > longest[1]-longest[0] {
			longest = b
		}
	}
	// cut[p][r] is where part p starts in run r.
	cut := make([][]int, parts+1)
	for p := 0; p <= parts; p++ {
		cut[p] = make([]int, len(bounds))
		for r, b := range bounds {
			switch p {
			case 0:
				cut[p][r] = b[0]
			case parts:
				cut[p][r] = b[1]
			default:
				pivot := keys[longest[0]+(longest[1]-longest[0])*p/parts]
				i, _ := slices.BinarySearchFunc(keys[b[0]:b[1]], pivot, cmpAddrKey)
				cut[p][r] = b[0] + i
			}
		}
	}
	var wg sync.WaitGroup
	at := 0
	for p := 0; p < parts; p++ {
		n := 0
		for r := range bounds {
			n += cut[p+1][r] - cut[p][r]
		}
		dst := out[at : at+n]
		at += n
		wg.Go(func() { mergeRuns(dst, keys, cut[p], cut[p+1]) })
	}
	wg.Wait()
	return out
}

// mergeRuns merges the ascending runs keys[lo[r]:hi[r]] into dst, which
// holds exactly their keys, with a binary heap of the runs' heads.
func mergeRuns(dst, keys []addrKey, lo, hi []int) {
	type head struct{ at, end int }
	h := make([]head, 0, len(lo))
	for r := range lo {
		if lo[r] < hi[r] {
			h = append(h, head{lo[r], hi[r]})
		}
	}
	less := func(a, b head) bool { return cmpAddrKey(keys[a.at], keys[b.at]) < 0 }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && less(h[r], h[l]) {
				m = r
			}
			if !less(h[m], h[i]) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for k := range dst {
		dst[k] = keys[h[0].at]
		if h[0].at++; h[0].at == h[0].end {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		if len(h) > 0 {
			down(0)
		}
	}
}
