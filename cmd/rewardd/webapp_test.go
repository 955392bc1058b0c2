package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/devsys"
)

// chromiumPath finds a Chromium or Chrome binary, "" when there is none.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// testWallet is the EIP-1193 provider the browser test puts in the page
// before its scripts run: accounts and chain switches are answered here,
// every other call goes to Go (window.cmtRPC forwards to the dev chain,
// window.cmtSend signs with the delegator's key), so no extension and no
// key in the page are needed. %q is the account; cmtSwitchAccount(a)
// switches to account a, as a wallet's account picker does, and emits
// accountsChanged (the test switches the signing key in Go first).
const testWallet = `(() => {
  let account = %q;
  const listeners = {};
  window.cmtSwitchAccount = (a) => { account = a; for (const f of listeners.accountsChanged || []) f([a]); };
  async function request({ method, params = [] }) {
    switch (method) {
      case 'eth_requestAccounts': case 'eth_accounts': return [account];
      case 'wallet_switchEthereumChain': case 'wallet_addEthereumChain': return null;
      case 'eth_sendTransaction': return await window.cmtSend(params[0]);
    }
    const r = await window.cmtRPC({ method, params });
    if (r.error) throw Object.assign(new Error(r.error.message), r.error);
    return r.result;
  }
  window.ethereum = { request, on(e, f) { (listeners[e] ||= []).push(f); }, removeListener() {} };
})();`

type rpcCall struct {
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

type rpcReply struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  *rpcReplyError  `json:"error,omitempty"`
}

type rpcReplyError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"` // revert data, which viem decodes
}

type sendArgs struct {
	From  common.Address  `json:"from"`
	To    *common.Address `json:"to"`
	Data  hexutil.Bytes   `json:"data"`
	Value *hexutil.Big    `json:"value"`
}

// TestWebApp drives the holders' web app, served by validator 0's daemon
// of a dev system, in headless Chromium with an injected wallet: connect,
// stake (and see the lot's countdown), a refused unstake of more than the
// matured stake, claim, then after the lock unstake, a withdrawal that
// another device front-runs (mined, reverted, the error decoded) and an
// unstake and withdrawal of one wei. After
// each action it checks the contract from Go, not only the page.
// Screenshots of each state, desktop and phone width, go to
// $TEST_ARTIFACTS/screenshots (or a temporary directory, logged).
func TestWebApp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the dev system and a browser")
	}
	browser := chromiumPath()
	if browser == "" {
		t.Skip("no chromium binary (apt-get install chromium); the web app is not tested in a browser")
	}
	shots := t.TempDir()
	if dir := os.Getenv("TEST_ARTIFACTS"); dir != "" {
		shots = filepath.Join(dir, "screenshots")
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", shots)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sys, apiURL := startDevSystem(t, ctx)
	key := sys.DelegatorKey(0)
	me := crypto.PubkeyToAddress(key.PublicKey)
	validator := sys.Validator(0)
	vs := contracts.NewValidatorSet()
	client := sys.Chain.Client()
	read := func(data []byte) []byte {
		t.Helper()
		c := sys.Contract()
		out, err := client.CallContract(ctx, ethereum.CallMsg{To: &c, Data: data}, nil)
		if err != nil {
			t.Fatalf("read contract: %v", err)
		}
		return out
	}
	stakeOf := func() *big.Int {
		v, err := vs.UnpackStakeOf(read(vs.PackStakeOf(me, validator)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	withdrawable := func() *big.Int {
		v, err := vs.UnpackWithdrawable(read(vs.PackWithdrawable(me)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	claimed := func() *big.Int {
		v, err := vs.UnpackClaimed(read(vs.PackClaimed(me)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	// The browser.
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	raw := sys.Chain.RPCURL()
	rc, err := rpc.DialContext(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	forward := func(ctx context.Context, c rpcCall) (rpcReply, error) {
		args := make([]any, len(c.Params))
		for i, p := range c.Params {
			args[i] = p
		}
		var res json.RawMessage
		err := rc.CallContext(ctx, &res, c.Method, args...)
		if err == nil {
			return rpcReply{Result: res}, nil
		}
		e := &rpcReplyError{Code: -32603, Message: err.Error()}
		var re rpc.Error
		if errors.As(err, &re) {
			e.Code = re.ErrorCode()
		}
		var de rpc.DataError
		if errors.As(err, &de) {
			e.Data = de.ErrorData()
		}
		return rpcReply{Error: e}, nil
	}
	// frontRun, when set, makes the wallet send a withdrawal of its own
	// before the page's next transaction, as another device of the same
	// holder would: the page's withdrawal is then mined and reverts.
	var frontRun atomic.Bool
	// signer is the key the wallet signs with: the delegator's, until the
	// test switches accounts (switchTo).
	var signer atomic.Pointer[ecdsa.PrivateKey]
	signer.Store(key)
	sendTx := func(ctx context.Context, a sendArgs) (string, error) {
		k := signer.Load()
		if from := crypto.PubkeyToAddress(k.PublicKey); a.From != from {
			return "", fmt.Errorf("the test wallet holds %s, not %s", from.Hex(), a.From.Hex())
		}
		if frontRun.CompareAndSwap(true, false) {
			c := sys.Contract()
			if _, err := sys.Chain.SendTx(ctx, key, &c, nil, vs.PackWithdraw()); err != nil {
				return "", fmt.Errorf("front-running withdrawal: %w", err)
			}
		}
		var value *big.Int
		if a.Value != nil {
			value = a.Value.ToInt()
		}
		// A validator's daemon may take the same nonce for a root vote: a
		// rejected transaction is signed again with the next nonce.
		for try := 0; ; try++ {
			tx, err := sys.Chain.SendTx(ctx, k, a.To, value, a.Data)
			if err == nil {
				return tx.Hash().Hex(), nil
			}
			if try == 4 || !strings.Contains(err.Error(), "nonce") && !strings.Contains(err.Error(), "underpriced") {
				return "", err
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if err := chromedp.Do(bctx,
		chromedp.ExposeFunc("cmtRPC", forward),
		chromedp.ExposeFunc("cmtSend", sendTx),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: fmt.Sprintf(testWallet, me.Hex())})
			return err
		}),
		chromedp.Navigate(apiURL+"/"),
		chromedp.WaitVisible(chromedp.ID("connect")),
	); err != nil {
		t.Fatalf("load the app: %v", err)
	}
	if fcp, err := chromedp.Run(bctx, chromedp.Evaluate[float64](
		`performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1`)); err == nil {
		t.Logf("first contentful paint %.0f ms after navigation", fcp)
	}
	shot := func(name string) {
		t.Helper()
		for _, v := range []struct {
			suffix string
			w, h   int64
			opts   []chromedp.EmulateViewportOption
		}{{"desktop", 1280, 900, nil}, {"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateScale(2), chromedp.EmulateMobile}}} {
			if err := chromedp.Do(bctx, chromedp.EmulateViewport(v.w, v.h, v.opts...)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // a relayout
			buf, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(shots, name+"-"+v.suffix+".png"), buf, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			t.Fatal(err)
		}
	}
	// waitMined waits for the n-th transaction of the page to be mined,
	// failing on a revert or a failure the page shows (beyond the
	// expected ones).
	expectedFailures := 0
	waitMined := func(what string, n int) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			states, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](
				`[...document.querySelectorAll('li.tx')].map(li => li.dataset.state + ': ' + li.textContent)`))
			if err != nil {
				t.Fatal(err)
			}
			mined, failed := 0, 0
			for _, s := range states {
				if strings.HasPrefix(s, "reverted") || strings.HasPrefix(s, "failed") {
					if failed++; failed > expectedFailures {
						t.Fatalf("%s: %s", what, s)
					}
				}
				if strings.HasPrefix(s, "mined") {
					mined++
				}
			}
			if mined >= n {
				return
			}
			if time.Now().After(deadline) {
				e, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById('error')?.textContent ?? ''`))
				t.Fatalf("%s: not mined in 60 s: %q (page error %q)", what, states, e)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	typeAmount := func(sel, amount string) {
		t.Helper()
		// Clearing by script fires the input event the app listens to;
		// the amount is then typed key by key.
		clear := fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = ''; el.dispatchEvent(new Event('input', { bubbles: true })); })()`, sel)
		steps := []chromedp.Action[chromedp.Void]{chromedp.Evaluate[chromedp.Void](clear)}
		if amount != "" {
			steps = append(steps, chromedp.SendKeys(chromedp.CSS(sel), amount))
		}
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("type %s into %s: %v", amount, sel, err)
		}
	}
	wait := func(sel string) {
		t.Helper()
		tctx, tcancel := context.WithTimeout(bctx, 90*time.Second)
		defer tcancel()
		if err := chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
			t.Fatalf("wait for %s: %v", sel, err)
		}
	}

	// Connect: the account, chain and contract are shown.
	shot("01-start")
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.ID("connect"))); err != nil {
		t.Fatal(err)
	}
	wait("#validators table")
	wait("#mine")
	if got := text("#account"); !strings.EqualFold(got, me.Hex()) {
		t.Fatalf("account shown %q, want %s", got, me.Hex())
	}
	if got := text("#contract"); !strings.EqualFold(got, sys.Contract().Hex()) {
		t.Fatalf("contract shown %q, want %s", got, sys.Contract().Hex())
	}
	shot("02-connected")

	// Stake 1234.5 CMT at validator 0 (the list's first): the stake grows
	// by exactly that and a locked lot with its countdown appears.
	amount, _ := new(big.Int).SetString("1234500000000000000000", 10)
	before := stakeOf()
	typeAmount("#stake-amount", "1234.5")
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.ID("stake-go"))); err != nil {
		t.Fatal(err)
	}
	waitMined("stake", 1)
	if got := new(big.Int).Sub(stakeOf(), before); got.Cmp(amount) != 0 {
		t.Fatalf("stake grew by %s wei, want %s", got, amount)
	}
	wait(".lot .countdown")
	if cd := text(".lot .countdown"); !strings.HasPrefix(cd, "6d") && !strings.HasPrefix(cd, "7d") {
		t.Errorf("lot countdown %q, want about 7 days", cd)
	}
	shot("03-staked")

	// Unstake refuses more than the matured stake (the new lot is locked).
	unlocked := text(".card.stake .unlocked")
	typeAmount(".card.stake input", "30000.000000000000000001")
	if why := text(".card.stake .why"); !strings.Contains(why, "at most "+unlocked) {
		t.Errorf("unstake of more than the unlocked %s: form says %q", unlocked, why)
	}
	if dis, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector('.card.stake button').disabled`)); err != nil || !dis {
		t.Errorf("unstake button enabled for more than the unlocked stake (%v)", err)
	}
	shot("04-unstake-refused")
	typeAmount(".card.stake input", "")

	// Claim once an accepted epoch pays this account: claimed on chain is
	// what the page showed as claimable.
	wait("#claim")
	claimable := text("#claimable")
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.ID("claim"))); err != nil {
		t.Fatal(err)
	}
	waitMined("claim", 2)
	got := claimed()
	if got.Sign() == 0 {
		t.Fatal("claimed on chain is 0 after the claim")
	}
	if fmtCMT(got) != claimable {
		t.Logf("claimed %s on chain, the page showed %s claimable (a newer epoch may have been accepted meanwhile)", fmtCMT(got), claimable)
	}
	deadline := time.Now().Add(30 * time.Second)
	for text("#claimed") != fmtCMT(got) {
		if time.Now().After(deadline) {
			t.Fatalf("page shows claimed %s, chain %s", text("#claimed"), fmtCMT(got))
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Right after the claim the contract's current root is the epoch just
	// claimed (or a newer one, whose income can be claimed again: epochs
	// are short here): the page says there is nothing to claim or offers
	// the claim, never that the root is not current.
	deadline = time.Now().Add(30 * time.Second)
	for {
		st, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](
			`[document.getElementById('rewards-note')?.textContent ?? '', document.getElementById('claim') ? 'claim' : '']`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(st[0], "not the contract's current root") {
			t.Fatalf("after the claim the Rewards card says %q", st[0])
		}
		if strings.Contains(st[0], "Nothing to claim") || st[1] == "claim" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the claim the Rewards card says %q, want nothing to claim", st[0])
		}
		time.Sleep(100 * time.Millisecond)
	}
	shot("05-claimed")

	// Past the 7-day lock the lot matures: unstake it, then withdraw.
	if err := sys.Chain.AdjustTime(7*24*time.Hour + time.Hour); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('.lot').length`))
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lot is still shown as locked after the lock period")
		}
		time.Sleep(200 * time.Millisecond)
	}
	before = stakeOf()
	typeAmount(".card.stake input", "1234.5")
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(".card.stake button"))); err != nil {
		t.Fatal(err)
	}
	waitMined("unstake", 3)
	if got := new(big.Int).Sub(before, stakeOf()); got.Cmp(amount) != 0 {
		t.Fatalf("stake fell by %s wei, want %s", got, amount)
	}
	if w := withdrawable(); w.Cmp(amount) != 0 {
		t.Fatalf("withdrawable %s wei, want %s", w, amount)
	}
	wait("#withdraw")
	shot("06-unstaked")
	// Another device withdraws first: the page's withdrawal is mined,
	// reverts, and the page names the contract's error.
	balBefore, err := client.BalanceAt(ctx, me, nil)
	if err != nil {
		t.Fatal(err)
	}
	frontRun.Store(true)
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.ID("withdraw"))); err != nil {
		t.Fatal(err)
	}
	wait("li.tx.reverted")
	expectedFailures = 1
	if why := text("li.tx.reverted .why"); !strings.HasPrefix(why, "NothingToWithdraw("+me.Hex()+")") {
		t.Errorf("reverted withdrawal: page says %q, want the decoded NothingToWithdraw(%s)", why, me.Hex())
	}
	if w := withdrawable(); w.Sign() != 0 {
		t.Fatalf("withdrawable %s wei after the withdrawal", w)
	}
	balAfter, err := client.BalanceAt(ctx, me, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The balance grew by the amount less the gas of both withdrawals.
	if gain := new(big.Int).Sub(balAfter, balBefore); gain.Cmp(amount) > 0 || gain.Cmp(new(big.Int).Sub(amount, big.NewInt(1e16))) < 0 {
		t.Fatalf("balance grew by %s wei, want %s less gas", gain, amount)
	}
	shot("07-reverted")

	// One wei, the smallest amount, unstaked and withdrawn exactly.
	typeAmount(".card.stake input", "0.000000000000000001")
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(".card.stake button"))); err != nil {
		t.Fatal(err)
	}
	waitMined("unstake of 1 wei", 4)
	if w := withdrawable(); w.Cmp(big.NewInt(1)) != 0 {
		t.Fatalf("withdrawable %s wei, want 1", w)
	}
	wait("#withdraw")
	if got := text("#withdrawable"); got != "0.000000000000000001" {
		t.Errorf("page shows withdrawable %q, want 0.000000000000000001", got)
	}
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.ID("withdraw"))); err != nil {
		t.Fatal(err)
	}
	waitMined("withdrawal of 1 wei", 5)
	if w := withdrawable(); w.Sign() != 0 {
		t.Fatalf("withdrawable %s wei after the withdrawal", w)
	}
	shot("07-withdrawn")

	isActive := func(a common.Address) bool {
		t.Helper()
		v, err := vs.UnpackIsActive(read(vs.PackIsActive(a)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	isCandidate := func(a common.Address) bool {
		t.Helper()
		v, err := vs.UnpackIsCandidate(read(vs.PackIsCandidate(a)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// switchTo makes the wallet sign with k and tells the page, which
	// then shows k's account.
	switchTo := func(k *ecdsa.PrivateKey) {
		t.Helper()
		a := crypto.PubkeyToAddress(k.PublicKey)
		signer.Store(k)
		if err := chromedp.Do(bctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`window.cmtSwitchAccount(%q)`, a.Hex()))); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for !strings.EqualFold(text("#account"), a.Hex()) {
			if time.Now().After(deadline) {
				t.Fatalf("page shows account %s after the switch to %s", text("#account"), a.Hex())
			}
			time.Sleep(100 * time.Millisecond)
		}
		wait("#mine")
	}
	// waitTx waits for n of the page's transactions labelled label (a
	// prefix) to be mined, failing if one of them is not.
	waitTx := func(label string, n int) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			states, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](
				`[...document.querySelectorAll('li.tx')].map(li => li.dataset.state + ': ' + li.textContent.trim())`))
			if err != nil {
				t.Fatal(err)
			}
			mined := 0
			for _, st := range states {
				state, rest, _ := strings.Cut(st, ": ")
				if !strings.HasPrefix(rest, label) {
					continue
				}
				if state == "reverted" || state == "failed" {
					t.Fatalf("%s: %s", label, st)
				}
				if state == "mined" {
					mined++
				}
			}
			if mined >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d of %d mined in 60 s: %q", label, mined, n, states)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	// A fresh account, funded by the delegator, runs for validator with
	// its node public key.
	cand, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	candAddr := crypto.PubkeyToAddress(cand.PublicKey)
	if _, err := sys.Chain.SendTx(ctx, key, &candAddr, big.NewInt(1e18), nil); err != nil {
		t.Fatalf("fund the candidate: %v", err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		b, err := client.BalanceAt(ctx, candAddr, nil)
		if err != nil {
			t.Fatal(err)
		}
		if b.Sign() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the candidate's funding is not mined in 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	switchTo(cand)
	wait("#candidacy-key")
	typeAmount("#candidacy-key", hexutil.Encode(crypto.FromECDSAPub(&cand.PublicKey)[1:]))
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.ID("candidacy-go"))); err != nil {
		t.Fatal(err)
	}
	waitTx("Declare candidacy", 1)
	if !isCandidate(candAddr) {
		t.Fatalf("%s is not a candidate on chain after declaring", candAddr.Hex())
	}
	wait("#candidate")
	row := fmt.Sprintf(`#dao tr.ballot[data-target=%q i]`, candAddr.Hex())
	wait(row)
	shot("08-candidate")

	// The active validators vote, from the page's DAO section, to promote
	// it until a strict majority has: it is then active on chain and the
	// page lists it as a validator. The candidate signer 3 has no daemon,
	// so its key goes first when it is active (fewer nonce races).
	votes := 0
	for _, i := range []int{3, 0, 1, 2} {
		if isActive(candAddr) {
			break
		}
		vk := sys.ValidatorKey(i)
		if !isActive(crypto.PubkeyToAddress(vk.PublicKey)) {
			continue
		}
		switchTo(vk)
		wait("#active-validator")
		wait(row + " button.vote")
		if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(row+" button.vote"))); err != nil {
			t.Fatal(err)
		}
		votes++
		waitTx("Vote to promote", 1) // the page lists the connected account's transactions
		if votes == 1 {
			deadline := time.Now().Add(30 * time.Second)
			for !isActive(candAddr) && !strings.Contains(text(row), "(you voted)") {
				if time.Now().After(deadline) {
					t.Fatalf("the ballot does not show the vote: %q", text(row))
				}
				time.Sleep(200 * time.Millisecond)
			}
			shot("09-voted")
		}
	}
	if !isActive(candAddr) {
		t.Fatalf("%s is not active after %d promotion votes", candAddr.Hex(), votes)
	}
	wait(fmt.Sprintf(`#validators tbody.active td[title=%q i]`, candAddr.Hex()))
	shot("10-promoted")
	t.Logf("promoted %s with %d votes", candAddr.Hex(), votes)
}

// fmtCMT is the page's formatCMT: 18 decimals, thousands separated.
func fmtCMT(wei *big.Int) string {
	one := big.NewInt(1e18)
	q, r := new(big.Int).QuoRem(wei, one, new(big.Int))
	whole := q.String()
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s.%018s", b.String(), r.String())
}

// startDevSystem runs a dev system with fast blocks and its three daemons
// until ctx ends, as rewardd --dev does, and returns it with the API URL.
func startDevSystem(t *testing.T, ctx context.Context) (*devsys.System, string) {
	t.Helper()
	sys, err := devsys.Open(ctx, t.TempDir(), "127.0.0.1:0", 40*time.Millisecond, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	var daemons []*daemon
	for i, cfg := range sys.Configs {
		d, err := start(ctx, cfg, zap.NewNop(), hooks{})
		if err != nil {
			t.Fatalf("validator %d: %v", i, err)
		}
		daemons = append(daemons, d)
	}
	pctx, stop := context.WithCancel(ctx)
	done := make(chan struct{}, len(daemons)+1)
	go func() { sys.Produce(pctx, zap.NewNop()); done <- struct{}{} }()
	for _, d := range daemons {
		go func() { _ = d.run(pctx); done <- struct{}{} }()
	}
	t.Cleanup(func() {
		stop()
		for range len(daemons) + 1 {
			<-done
		}
		for _, d := range daemons {
			d.close()
		}
		sys.Close()
	})
	return sys, daemons[0].APIURL()
}
