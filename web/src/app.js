// The holders' app: connect a wallet, see the validators, stake, unstake
// matured stake, withdraw, claim rewards, run for validator and vote.
import { h, render } from 'preact';
import { useState, useEffect, useCallback, useRef } from 'preact/hooks';
import htm from 'htm';
import { loadConfig } from './config.js';
import { findProvider, makeChain, publicClient, walletClient, ensureChain, describeError, send } from './chain.js';
import * as data from './data.js';
import { formatCMT, parseCMT, countdown, short } from './units.js';

const html = htm.bind(h);
const REFRESH_MS = 3000;

function App() {
  const [cfg, setCfg] = useState(null);
  const [wallet, setWallet] = useState({ provider: null, account: null, chainId: 0 });
  const [vals, setVals] = useState(null);
  const [acct, setAcct] = useState(null);
  const [rew, setRew] = useState(null);
  const [txs, setTxs] = useState([]);
  const [err, setErr] = useState('');
  const busy = useRef(false);

  useEffect(() => { loadConfig().then(setCfg); }, []);

  const onRight = cfg && wallet.account && (!cfg.chainId || wallet.chainId === cfg.chainId);
  const chain = cfg && makeChain(cfg.chainId || wallet.chainId || 18, cfg.rpc);
  const pub = chain && publicClient(chain, onRight ? wallet.provider : null, cfg.rpc);

  const refresh = useCallback(async () => {
    if (!pub || !cfg.contract || busy.current) return;
    busy.current = true;
    try {
      const [rows, extra] = await Promise.all([data.validators(pub, cfg.contract), data.apiValidators()]);
      for (const r of rows) r.api = extra?.get(r.address.toLowerCase()) || null;
      setVals(rows);
      if (onRight) {
        const a = await data.account(pub, cfg.contract, wallet.account, rows.map((r) => r.address));
        setAcct(a);
        setRew(await data.rewards(pub, cfg.contract, wallet.account, a.claimed));
      }
      setErr('');
    } catch (e) { setErr(describeError(e)); } finally { busy.current = false; }
  }, [cfg, wallet.account, wallet.chainId, onRight]);

  useEffect(() => { refresh(); const t = setInterval(refresh, REFRESH_MS); return () => clearInterval(t); }, [refresh]);

  async function connect() {
    const provider = findProvider();
    if (!provider) { setErr('no wallet found: install MetaMask or another EIP-1193 wallet'); return; }
    try {
      const [account] = await provider.request({ method: 'eth_requestAccounts' });
      const chainId = Number(await provider.request({ method: 'eth_chainId' }));
      // Re-read on events instead of reloading (a reload loop is a known trap).
      provider.on?.('accountsChanged', (a) => setWallet((w) => ({ ...w, account: a[0] || null })));
      provider.on?.('chainChanged', (c) => setWallet((w) => ({ ...w, chainId: Number(c) })));
      setWallet({ provider, account, chainId });
      setErr('');
    } catch (e) { setErr(describeError(e)); }
  }

  async function switchChain() {
    try {
      await ensureChain(wallet.provider, cfg.chainId, cfg.rpc);
      setWallet({ ...wallet, chainId: Number(await wallet.provider.request({ method: 'eth_chainId' })) });
    } catch (e) { setErr(describeError(e)); }
  }

  // tx sends one contract call and keeps its state in the list.
  async function tx(label, functionName, args, value) {
    const id = Date.now() + Math.random();
    const update = (s) => setTxs((l) => [{ id, label, ...s }, ...l.filter((x) => x.id !== id)].slice(0, 8));
    try {
      await send({ pub, wallet: walletClient(chain, wallet.provider, wallet.account), address: cfg.contract,
        functionName, args, value, onState: update });
    } catch (e) { update({ state: 'failed', error: describeError(e) }); }
    refresh();
  }

  // claim reads the latest accepted epoch's proof again at the click and
  // sends it only if its root is the contract's current root: a proof of a
  // superseded root would revert.
  async function claim() {
    const fresh = await data.rewards(pub, cfg.contract, wallet.account, acct.claimed);
    setRew(fresh);
    if (!fresh.current || fresh.claimable === 0n) {
      setErr('Nothing to claim against the contract\'s current root yet (its epoch may not be published here yet).');
      return;
    }
    return tx(`Claim ${formatCMT(fresh.claimable)} CMT`, 'claim', [wallet.account, fresh.cumulative, fresh.latest.proof]);
  }

  if (!cfg) return html`<main><p>Loading…</p></main>`;
  return html`<main>
    <${Header} cfg=${cfg} wallet=${wallet} connect=${connect} switchChain=${switchChain} />
    ${err && html`<p class="error" id="error">${err}</p>`}
    ${!cfg.contract && html`<p class="error">No contract: open the page with ?contract=0x… (and ?rpc=…), or point ?api= at a rewardd that reports it.</p>`}
    ${!pub && cfg.contract && html`<p class="note">Connect a wallet to read the chain (or open the page with ?rpc=).</p>`}
    <${Txs} txs=${txs} />
    ${onRight && acct && html`<${Account} acct=${acct} vals=${vals} tx=${tx} />`}
    ${onRight && acct && rew && html`<${Rewards} rew=${rew} acct=${acct} claim=${claim} />`}
    ${vals && html`<${Validators} vals=${vals} acct=${onRight ? acct : null} tx=${tx} />`}
    ${onRight && acct && html`<${Candidacy} acct=${acct} tx=${tx} />`}
  </main>`;
}

function Header({ cfg, wallet, connect, switchChain }) {
  const wrong = wallet.account && cfg.chainId && wallet.chainId !== cfg.chainId;
  return html`<header>
    <h1>CMT staking</h1>
    <dl>
      <dt>Account</dt><dd id="account" class="mono">${wallet.account || '—'}</dd>
      <dt>Chain</dt><dd id="chain">${wallet.chainId || cfg.chainId || '—'}${wrong ? ` (expected ${cfg.chainId})` : ''}</dd>
      <dt>Contract</dt><dd id="contract" class="mono">${cfg.contract || '—'}</dd>
    </dl>
    ${!wallet.account && html`<button id="connect" onClick=${connect}>Connect wallet</button>`}
    ${wrong && html`<button id="switch" onClick=${switchChain}>Switch to chain ${cfg.chainId}</button>`}
  </header>`;
}

function Txs({ txs }) {
  if (!txs.length) return null;
  return html`<section><h2>Transactions</h2><ul class="txs" id="txs">
    ${txs.map((t) => html`<li class=${`tx ${t.state}`} data-state=${t.state}>
      <b>${t.label}</b> <span class="badge">${t.state}</span>
      ${t.hash && html` <span class="mono">${short(t.hash)}</span>`}
      ${t.block !== undefined && html` block ${String(t.block)}`}
      ${t.error && html`<div class="why">${t.error}</div>`}
    </li>`)}
  </ul></section>`;
}

// AmountForm is an amount field with a button; it refuses text that is not
// an exact amount and amounts above max.
function AmountForm({ id, label, max, onSubmit, disabled }) {
  const [text, setText] = useState('');
  let wei = null; let why = '';
  if (text) {
    try { wei = parseCMT(text); if (wei === 0n) why = 'more than 0'; else if (max !== undefined && wei > max) why = `at most ${formatCMT(max)} CMT`; } catch (e) { why = e.message; }
  }
  const ok = wei !== null && !why && !disabled;
  return html`<form class="amount" onSubmit=${(e) => { e.preventDefault(); if (ok) { onSubmit(wei); setText(''); } }}>
    <input id=${`${id}-amount`} inputmode="decimal" placeholder="CMT" value=${text} onInput=${(e) => setText(e.currentTarget.value)} />
    <button id=${`${id}-go`} disabled=${!ok}>${label}</button>
    ${why && html`<span class="why">${why}</span>`}
  </form>`;
}

function Account({ acct, vals, tx }) {
  const [target, setTarget] = useState('');
  const mine = acct.stakes.filter((s) => s.stake > 0n);
  const v = target || vals?.[0]?.address || '';
  return html`<section id="mine"><h2>Your stake</h2>
    <p>Balance <b class="amt" id="balance">${formatCMT(acct.balance)}</b> CMT</p>
    <div class="row">
      <select id="stake-validator" value=${v} onChange=${(e) => setTarget(e.currentTarget.value)}>
        ${(vals || []).map((r) => html`<option value=${r.address}>${short(r.address)} ${r.active ? '' : '(candidate)'}</option>`)}
      </select>
      <${AmountForm} id="stake" label="Stake" max=${acct.balance} onSubmit=${(wei) => tx(`Stake ${formatCMT(wei)} CMT`, 'stake', [v], wei)} />
    </div>
    ${mine.length === 0 && html`<p class="note">No stake yet.</p>`}
    ${mine.map((s) => html`<div class="card stake" data-validator=${s.validator}>
      <div class="mono">${s.validator}</div>
      <div>Staked <b class="amt">${formatCMT(s.stake)}</b> CMT</div>
      <div>Matured (can unstake) <b class="amt unlocked">${formatCMT(s.unlocked)}</b> CMT</div>
      ${s.lots.length > 0 && html`<ul class="lots">${s.lots.map((l) => html`<li class="lot">
        <span class="amt">${formatCMT(l.amount)}</span> unlocks in <b class="countdown">${countdown(l.unlocksAt, acct.now)}</b></li>`)}</ul>`}
      <${AmountForm} id=${`unstake-${s.validator}`} label="Unstake" max=${s.unlocked} disabled=${s.unlocked === 0n}
        onSubmit=${(wei) => tx(`Unstake ${formatCMT(wei)} CMT`, 'unstake', [s.validator, wei])} />
    </div>`)}
    <p>Withdrawable <b class="amt" id="withdrawable">${formatCMT(acct.withdrawable)}</b> CMT
      ${acct.withdrawable > 0n && html` <button id="withdraw" onClick=${() => tx(`Withdraw ${formatCMT(acct.withdrawable)} CMT`, 'withdraw', [])}>Withdraw</button>`}</p>
  </section>`;
}

function Rewards({ rew, acct, claim }) {
  if (rew.unavailable) return html`<section id="rewards"><h2>Rewards</h2><p class="note">The API does not list epochs.</p></section>`;
  const p = rew.latest;
  return html`<section id="rewards"><h2>Rewards</h2>
    <p>Claimed <b class="amt" id="claimed">${formatCMT(acct.claimed)}</b> CMT</p>
    <p>Claimable <b class="amt" id="claimable">${formatCMT(rew.claimable)}</b> CMT
      ${rew.claimable > 0n && html` <button id="claim" onClick=${claim}>Claim</button>`}</p>
    ${p && !rew.current && html`<p class="note">Epoch ${p.epoch}'s root is not the contract's current root yet; claim when it is.</p>`}
    ${!p && html`<p class="note">No accepted epoch pays this account yet.</p>`}
    ${rew.recent.length > 0 && html`<table class="income"><thead><tr><th>Epoch (latest accepted)</th><th>Income (CMT)</th></tr></thead><tbody>
      ${rew.recent.map((r) => html`<tr><td>${r.epoch}</td><td class="amt">${formatCMT(r.amount)}</td></tr>`)}
    </tbody></table>`}
  </section>`;
}

// standing says whether a validator is in good standing this epoch, from
// /v1/validators (shape and misses as a word, not only a colour); "—"
// while the API does not serve it.
function standing(v, active) {
  if (!active) return 'not validating';
  if (!v) return '—';
  const missed = (v.missed_blocks || []).length;
  const tally = ` (${v.sealed_in_turn ?? 0} sealed, ${missed} missed)`;
  return v.eligible ? `✓ good${tally}` : `✗ ${v.reason || 'not eligible'}${tally}`;
}

function Validators({ vals, acct, tx }) {
  return html`<section id="validators"><h2>Validators and candidates</h2>
    <div class="scroll"><table class="vals"><thead><tr><th>Address</th><th>Role</th><th>Standing this epoch</th><th>Stake (CMT)</th><th>Delegators</th><th>Ballot</th></tr></thead><tbody>
    ${vals.map((r) => {
      const ballot = acct?.isActive && !acct.stakes.find((s) => s.validator === r.address)?.voted;
      const good = r.api && r.active ? (r.api.eligible ? 'good' : 'bad') : '';
      return html`<tr class=${r.active ? 'active' : 'candidate'}>
        <td class="mono" data-label="Address">${r.address}</td>
        <td data-label="Role">${r.active ? 'validator' : 'candidate'}</td>
        <td data-label="Standing" class=${`standing ${good}`}>${standing(r.api, r.active)}</td>
        <td class="amt" data-label="Stake">${formatCMT(r.stake)}</td>
        <td data-label="Delegators">${r.api?.delegators ?? '—'}</td>
        <td data-label="Ballot">${String(r.votes)} vote(s)
          ${ballot && html` <button class="small" onClick=${() => tx(`${r.active ? 'Vote to remove' : 'Vote to promote'} ${short(r.address)}`,
            r.active ? 'voteRemove' : 'votePromote', [r.address])}>${r.active ? 'Vote remove' : 'Vote promote'}</button>`}</td>
      </tr>`;
    })}
    </tbody></table></div>
  </section>`;
}

function Candidacy({ acct, tx }) {
  const [key, setKey] = useState('');
  if (acct.isActive) return html`<section id="candidacy"><h2>Candidacy</h2><p>This account is an active validator.</p></section>`;
  if (acct.isCandidate) {
    return html`<section id="candidacy"><h2>Candidacy</h2><p>This account is a candidate.</p>
      <button onClick=${() => tx('Withdraw candidacy', 'withdrawCandidacy', [])}>Withdraw candidacy</button></section>`;
  }
  const ok = /^0x[0-9a-fA-F]{128}$/.test(key.trim());
  return html`<section id="candidacy"><h2>Run for validator</h2>
    <form class="amount" onSubmit=${(e) => { e.preventDefault(); if (ok) tx('Declare candidacy', 'declareCandidacy', [key.trim()]); }}>
      <input placeholder="node public key: 0x + 128 hex digits" value=${key} onInput=${(e) => setKey(e.currentTarget.value)} />
      <button disabled=${!ok}>Declare candidacy</button>
    </form></section>`;
}

render(html`<${App} />`, document.getElementById('app'));
