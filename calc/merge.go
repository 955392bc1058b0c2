package calc

import (
	"math"
	"runtime"
	"slices"
	"sort"

	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/internal/bulk"
)

// maxRuns is the most ascending runs mergeCredits merges; more and it
// sorts. Export writes stakes by validator then delegator, so the credits
// of a real epoch are one run per validator (each ascending by delegator),
// the previous cumulatives one more, and the positions events opened a few.
const maxRuns = 256

// keysPerPart is how many more keys than positions (perWorker) a core
// takes at least: a key is cheaper than a position.
const keysPerPart = 16

// mergeCredits orders the credit keys by address (cmpAddrKey) and sums the
// credits into one account per address, in address order: Amount is P_p
// and Cumulative holds the previous cumulative (cumulate adds them). It
// also returns Σ P_p. Sums cannot overflow: they are bounded by E
// (checked) plus one previous cumulative each.
//
// It never moves the credits, only small keys (the address as three words
// and a reference), and never writes the ordered keys out: keys that form
// at most maxRuns ascending runs (in the order given) are merged straight
// into the accounts, on every core, each core taking the keys between two
// addresses from every run; others are sorted first (one run). keys is
// reordered only in that case. The accounts are written to room, zeroed,
// when it has one per key.
func mergeCredits(keys []addrKey, refs *creditRefs, perWorker int, room []Payout) ([]Payout, uint256.Int) {
	var paid uint256.Int
	if len(keys) == 0 {
		return []Payout{}, paid
	}
	starts, ok := runStarts(keys, perWorker)
	if !ok {
		bulk.SortFunc(keys, cmpAddrKey)
		starts = []int{0}
	}
	runs := make([][2]int, len(starts))
	longest := 0
	for r, s := range starts {
		e := len(keys)
		if r+1 < len(starts) {
			e = starts[r+1]
		}
		runs[r] = [2]int{s, e}
		if e-s > runs[longest][1]-runs[longest][0] {
			longest = r
		}
	}
	// cut[p][r] is where part p starts in run r. The pivots are addresses
	// of the longest run, and a part starts at the first key of its
	// pivot's address in every run, so no address spans two parts. Each
	// pivot is the one that leaves about as many keys of all runs before
	// it as its part's share (the runs need not be alike).
	parts := workersFor(len(keys), perWorker*keysPerPart)
	lr := runs[longest]
	cutAt := func(x int, cut []int) int { // cut at the address of keys[x]; keys before it
		pivot := keys[x]
		pivot.i = math.MinInt32
		total := 0
		for r, b := range runs {
			i, _ := slices.BinarySearchFunc(keys[b[0]:b[1]], pivot, cmpAddrKey)
			cut[r] = b[0] + i
			total += i
		}
		return total
	}
	cut := make([][]int, parts+1)
	for p := 0; p <= parts; p++ {
		cut[p] = make([]int, len(runs))
		switch p {
		case 0:
			for r, b := range runs {
				cut[p][r] = b[0]
			}
		case parts:
			for r, b := range runs {
				cut[p][r] = b[1]
			}
		default:
			want := len(keys) * p / parts
			x := lr[0] + sort.Search(lr[1]-lr[0], func(j int) bool { return cutAt(lr[0]+j, cut[p]) >= want })
			if x == lr[1] {
				x-- // every pivot leaves too few before it: the last does best
			}
			cutAt(x, cut[p])
			for r := range runs {
				cut[p][r] = max(cut[p][r], cut[p-1][r])
			}
		}
	}
	// Part p writes its accounts from the number of keys before it (at
	// most one account each), and the parts are then moved together.
	accts := room[:min(len(room), len(keys))]
	if len(accts) < len(keys) {
		accts = make([]Payout, len(keys))
	}
	base := make([]int, parts+1)
	for p := 0; p < parts; p++ {
		base[p+1] = base[p]
		for r := range runs {
			base[p+1] += cut[p+1][r] - cut[p][r]
		}
	}
	counts := make([]int, parts)
	paids := make([]uint256.Int, parts)
	bulk.Chunks(parts, parts, func(p, _, _ int) {
		counts[p], paids[p] = mergeSum(accts[base[p]:base[p+1]], keys, cut[p], cut[p+1], refs)
	})
	at := 0
	for p := 0; p < parts; p++ {
		moveAccounts(accts, at, base[p], counts[p])
		at += counts[p]
		paid.Add(&paid, &paids[p])
	}
	return accts[:at], paid
}

// moveAccounts moves the n accounts at accts[from:] down to accts[to:]
// (to ≤ from), on every core when the two ranges do not overlap.
func moveAccounts(accts []Payout, to, from, n int) {
	if to == from || n == 0 {
		return
	}
	if to+n > from || n < 1<<16 {
		copy(accts[to:to+n], accts[from:from+n])
		return
	}
	bulk.Chunks(n, runtime.GOMAXPROCS(0), func(_, lo, hi int) {
		copy(accts[to+lo:to+hi], accts[from+lo:from+hi])
	})
}

// runStarts returns where each ascending run of keys starts, found on
// every core, or false if there are more than maxRuns.
func runStarts(keys []addrKey, perWorker int) ([]int, bool) {
	workers := workersFor(len(keys), perWorker*keysPerPart)
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
	all := slices.Concat(starts...)
	return all, len(all) <= maxRuns
}

// mergeSum merges the ascending runs keys[lo[r]:hi[r]] with a binary heap
// of the runs' heads and sums the credits of each address into the next
// account of dst, which has room for one account per key. It returns how
// many accounts it wrote and the sum of the amounts (not previous
// cumulatives) it added. The heap holds each head's key itself, so
// ordering it reads no keys from memory.
func mergeSum(dst []Payout, keys []addrKey, lo, hi []int, refs *creditRefs) (int, uint256.Int) {
	var paid uint256.Int
	type head struct {
		k       addrKey
		at, end int
	}
	h := make([]head, 0, len(lo))
	for r := range lo {
		if lo[r] < hi[r] {
			h = append(h, head{keys[lo[r]], lo[r], hi[r]})
		}
	}
	less := func(a, b *addrKey) bool { return cmpAddrKey(*a, *b) < 0 }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && less(&h[r].k, &h[l].k) {
				m = r
			}
			if !less(&h[m].k, &h[i].k) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	n := 0
	var last addrKey
	for len(h) > 0 {
		key := h[0].k
		if n == 0 || !sameKeyAddr(&last, &key) {
			dst[n].Account = key.address()
			n++
		}
		last = key
		a := &dst[n-1]
		amt, prev := refs.amount(key.i)
		if prev {
			a.Cumulative = *amt
		} else {
			a.Amount.Add(&a.Amount, amt)
			paid.Add(&paid, amt)
		}
		if h[0].at++; h[0].at == h[0].end {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		} else {
			h[0].k = keys[h[0].at]
		}
		if len(h) > 0 {
			down(0)
		}
	}
	return n, paid
}
