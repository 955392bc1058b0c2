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
  const [view, setView] = useState(null);
  const [ballots, setBallots] = useState(null);
  const [income, setIncome] = useState(null);
  const [txs, setTxs] = useState([]);
  const [err, setErr] = useState('');
  const busy = useRef(false);

  useEffect(() => { loadConfig().then(setCfg); }, []);

  const onRight = cfg && wallet.account && (!cfg.chainId || wallet.chainId === cfg.chainId);
  const mine = (x) => !!x && !!wallet.account && x.account === wallet.account;
  const chain = cfg && makeChain(cfg.chainId || wallet.chainId || 18, cfg.rpc);
  const pub = chain && publicClient(chain, onRight ? wallet.provider : null, cfg.rpc);

  const refresh = useCallback(async () => {
    if (!pub || !cfg.contract || busy.current) return;
    busy.current = true;
    try {
      const [rows, extra, bal] = await Promise.all([data.validators(pub, cfg.contract), data.apiValidators(), data.apiBallots()]);
      for (const r of rows) r.api = extra?.map.get(r.address.toLowerCase()) || null;
      setVals(rows);
      setView(extra?.view || null);
      setBallots(bal);
      if (onRight) {
        // Each read is tagged with its account: after a switch in the
        // wallet, nothing of the previous account is shown as this one's.
        const who = wallet.account;
        const a = await data.account(pub, cfg.contract, who, rows.map((r) => r.address));
        a.account = who;
        setAcct(a);
        const r = await data.rewards(pub, cfg.contract, who, a.claimed);
        r.account = who;
        setRew(r);
        const inc = await data.apiAccount(who);
        if (inc) inc.account = who;
        setIncome(inc);
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

  // tx sends one contract call and keeps its state in the list. again,
  // if given, is asked after a call failed before anything was sent (its
  // simulation reverted): it returns { label, args } to try once more in
  // the same list entry, or null to report the failure.
  async function tx(label, functionName, args, value, again) {
    const id = Date.now() + Math.random();
    const from = wallet.account;
    let sent = false;
    const update = (s) => {
      if (s.state === 'sent') sent = true;
      setTxs((l) => [{ id, label, from, ...s }, ...l.filter((x) => x.id !== id)].slice(0, 20));
    };
    for (;;) {
      try {
        await send({ pub, wallet: walletClient(chain, wallet.provider, wallet.account), address: cfg.contract,
          functionName, args, value, onState: update });
      } catch (e) {
        const next = !sent && again ? await again(e).catch(() => null) : null;
        if (next) { ({ label, args } = next); continue; }
        update({ state: 'failed', error: describeError(e) });
      }
      refresh();
      return;
    }
  }

  // claim reads the latest accepted epoch's proof again at the click and
  // sends it only if its root is the contract's current root: a proof of a
  // superseded root would revert. If a newer root is accepted between the
  // read and the send (the simulation reverts InvalidProof), it claims
  // again with the new root's proof, at most twice.
  async function claim() {
    const read = () => data.rewards(pub, cfg.contract, wallet.account, acct.claimed).then((f) => { setRew(f); return f; });
    const ok = (f) => f.current && f.claimable > 0n;
    let used = await read();
    if (!ok(used)) {
      setErr(used.lagging ? 'The contract\'s current root is not an epoch this API has accepted yet; claim when it is.' : 'Nothing to claim.');
      return;
    }
    const call = (r) => ({ label: `Claim ${formatCMT(r.claimable)} CMT`, args: [wallet.account, r.cumulative, r.latest.proof] });
    let retries = 2;
    const first = call(used);
    return tx(first.label, 'claim', first.args, undefined, async () => {
      if (retries-- <= 0) return null;
      const f = await read();
      if (!ok(f) || f.currentRoot === used.currentRoot) return null;
      used = f;
      return call(f);
    });
  }

  if (!cfg) return html`<main><p>Loading…</p></main>`;
  return html`<main>
    <${Header} cfg=${cfg} wallet=${wallet} connect=${connect} switchChain=${switchChain} />
    ${err && html`<p class="error" id="error">${err}</p>`}
    ${!cfg.contract && html`<p class="error">No contract: open the page with ?contract=0x… (and ?rpc=…), or point ?api= at a rewardd that reports it.</p>`}
    ${!pub && cfg.contract && html`<p class="note">Connect a wallet to read the chain (or open the page with ?rpc=).</p>`}
    <${Txs} txs=${txs.filter((x) => same(x.from, wallet.account)).slice(0, 8)} />
    ${onRight && mine(acct) && html`<${Account} acct=${acct} vals=${vals} tx=${tx} />`}
    ${onRight && mine(acct) && mine(rew) && html`<${Rewards} rew=${rew} acct=${acct} claim=${claim} income=${mine(income) ? income : null} />`}
    ${vals && html`<${Validators} vals=${vals} view=${view} acct=${onRight && mine(acct) ? acct : null} tx=${tx} dao=${!!ballots} />`}
    ${ballots && html`<${Dao} b=${ballots} vals=${vals} acct=${onRight && mine(acct) ? acct : null} me=${wallet.account} tx=${tx} />`}
    ${onRight && mine(acct) && html`<${Candidacy} acct=${acct} tx=${tx} />`}
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

function Rewards({ rew, acct, claim, income }) {
  if (rew.unavailable) return html`<section id="rewards"><h2>Rewards</h2><p class="note">The API does not list epochs.</p></section>`;
  const p = rew.latest;
  return html`<section id="rewards"><h2>Rewards</h2>
    <p>Claimed <b class="amt" id="claimed">${formatCMT(acct.claimed)}</b> CMT</p>
    <p>Claimable <b class="amt" id="claimable">${formatCMT(rew.claimable)}</b> CMT
      ${rew.claimable > 0n && html` <button id="claim" onClick=${claim}>Claim</button>`}</p>
    ${rew.lagging ? html`<p class="note" id="rewards-note">Epoch ${rew.newest}'s root is not the contract's current root yet; claim when it is.</p>`
      : !p ? html`<p class="note" id="rewards-note">${rew.newest == null ? 'No epoch has been accepted yet.' : 'No accepted epoch pays this account yet.'}</p>`
      : rew.claimable === 0n && html`<p class="note" id="rewards-note">Nothing to claim: everything up to epoch ${rew.epoch} is claimed.</p>`}
    ${income ? html`<${Income} a=${income} />` : rew.recent.length > 0 && html`<table class="income"><thead><tr><th>Epoch (latest accepted)</th><th>Income (CMT)</th></tr></thead><tbody>
      ${rew.recent.map((r) => html`<tr><td>${r.epoch}</td><td class="amt">${formatCMT(r.amount)}</td></tr>`)}
    </tbody></table>`}
  </section>`;
}

// cmt prints an API amount ({wei, cmt}) exactly, like formatCMT.
const cmt = (a) => (a && /^\d+$/.test(a.wei || '') ? formatCMT(BigInt(a.wei)) : (a && a.cmt) || '—');
const same = (x, y) => !!x && !!y && x.toLowerCase() === y.toLowerCase();

// standing says whether a validator is in good standing this epoch so far,
// which is the eligibility forecast if the epoch ended now (from
// /v1/validators; a word and a sign, not only a colour); "—" while the API
// does not serve it.
function standing(v, active) {
  if (!active) return 'not validating';
  if (!v) return '—';
  const missed = (v.missed_blocks || []).length;
  const tally = ` (${v.sealed_in_turn ?? 0} in turn, ${v.sealed_out_of_turn ?? 0} out of turn, ${missed} missed)`;
  return v.eligible ? `✓ eligible${tally}` : `✗ not eligible: ${v.reason || 'no reason given'}${tally}`;
}

// Strip cell states (api/validators.go), each a word and a class; a missed
// cell also has a white bar, so it does not rely on colour alone.
const CELL = { M: ['missed', 's-m'], X: ['not a Clique signer', 's-x'], '-': ['not active', 's-n'],
  I: ['sealed in turn', 's-i'], O: ['sealed out of turn', 's-o'], '.': ['not its turn', 's-d'] };

function Legend({ view }) {
  const b = view.strip_bucket_blocks || 1;
  return html`<div class="legend" title=${view.strip_legend || ''}>
    ${Object.entries(CELL).map(([, [word, cls]]) => html`<span><i class=${`c ${cls}`}></i>${word}</span>`)}
    <span class="note">one cell = ${b} block${b > 1 ? 's (the worst state among them)' : ''}; hover or tap a cell for its block</span>
  </div>`;
}

function Strip({ v, view }) {
  const s = v.strip || '';
  if (!s) return html`<span class="note">no blocks yet</span>`;
  const b = view.strip_bucket_blocks || 1;
  const first = view.first_block || 0;
  const last = view.last_block ?? first + s.length * b - 1;
  const missed = v.missed_blocks || [];
  const [pick, setPick] = useState('');
  const cells = [...s].map((c, i) => {
    const lo = first + i * b; const hi = Math.min(lo + b - 1, last);
    const ms = c === 'M' ? missed.filter((m) => m >= lo && m <= hi) : [];
    const where = lo === hi ? `block ${lo}` : `blocks ${lo}–${hi}`;
    const title = `${where}: ${CELL[c]?.[0] || c}${ms.length ? ` (missed ${ms.join(', ')})` : ''}`;
    return html`<i class=${`c ${CELL[c]?.[1] || ''}`} title=${title} onClick=${() => setPick(title)}></i>`;
  });
  return html`<div class="strip" data-validator=${v.address}>${cells}</div>
    ${pick && html`<div class="pick">${pick}</div>`}
    ${missed.length > 0 && html`<div class="missed">Missed at block${missed.length > 1 ? 's' : ''} ${missed.slice(0, 12).join(', ')}${missed.length > 12 ? ` and ${missed.length - 12} more` : ''}</div>`}`;
}

function Drift({ view }) {
  const d = view.set_drift;
  if (view.set_drift_error) return html`<p class="note">Set drift unknown: ${view.set_drift_error}</p>`;
  if (!d || (!(d.validators_not_signing || []).length && !(d.signers_not_validators || []).length)) return null;
  return html`<div class="warn" id="set-drift"><b>Validator set and Clique signers differ</b> (block ${d.block}):
    ${(d.validators_not_signing || []).length > 0 && html`<div>Active validators that are not Clique signers (not in good standing until voted in): ${d.validators_not_signing.map((a) => html`<span class="mono">${a}</span> `)}</div>`}
    ${(d.signers_not_validators || []).length > 0 && html`<div>Clique signers that sign for no active validator (earn nothing): ${d.signers_not_validators.map((a) => html`<span class="mono">${a}</span> `)}</div>`}
  </div>`;
}

function Validators({ vals, view, acct, tx, dao }) {
  const v = view || {};
  const cols = 7;
  return html`<section id="validators"><h2>Validators and candidates</h2>
    ${view && html`<p class="epoch">Epoch <b>${v.epoch}</b>, blocks ${v.first_block}–${v.last_block} (${v.blocks} block${v.blocks === 1 ? '' : 's'}${v.final ? ', final' : ' so far'}).
      If it ended now: <span class="amt">${cmt(v.validator_pool)}</span> CMT to validators (20%), <span class="amt">${cmt(v.delegator_pool)}</span> CMT to delegators (80%).
      Eligibility: ${v.eligibility_policy || '—'}${v.window ? `, window ${v.window} blocks, threshold ${v.threshold}` : ''}.</p>`}
    ${view && html`<${Drift} view=${v} />`}
    ${view && html`<${Legend} view=${v} />`}
    <div class="scroll"><table class="vals"><thead><tr><th>Address</th><th>Role</th><th>Standing so far (forecast)</th><th title="its share of the validators' 20% and its delegators' share of the 80%">If the epoch ended now: validator 20% / delegators 80% (CMT)</th><th>Stake (CMT)</th><th>Delegators</th><th>Ballot</th></tr></thead>
    ${vals.map((r) => {
      const ballot = !dao && acct?.isActive && !acct.stakes.find((s) => s.validator === r.address)?.voted;
      const good = r.api && r.active ? (r.api.eligible ? 'good' : 'bad') : '';
      return html`<tbody class=${r.active ? 'active' : 'candidate'}><tr>
        <td class="mono" data-label="Address" title=${r.address}>${short(r.address)}</td>
        <td data-label="Role">${r.active ? 'validator' : 'candidate'}</td>
        <td data-label="Forecast" class=${`standing ${good}`}><span>${standing(r.api, r.active)}
          ${r.api?.not_signing && html` <span class="flag">⚠ not a Clique signer</span>`}</span></td>
        <td data-label="If ended now" class="split">${r.api ? html`<span><span class="note" title="the validator's share of the validators' 20%">20% </span><span class="amt">${cmt(r.api.validator_reward)}</span><br/><span class="note" title="its delegators' share of the delegators' 80%">80% </span><span class="amt">${cmt(r.api.delegator_rewards)}</span></span>` : '—'}</td>
        <td class="amt" data-label="Stake">${formatCMT(r.stake)}</td>
        <td data-label="Delegators">${r.api?.delegators ?? '—'}</td>
        <td data-label="Ballot">${String(r.votes)} vote(s)
          ${ballot && html` <button class="small" onClick=${() => tx(`${r.active ? 'Vote to remove' : 'Vote to promote'} ${short(r.address)}`,
            r.active ? 'voteRemove' : 'votePromote', [r.address])}>${r.active ? 'Vote remove' : 'Vote promote'}</button>`}</td>
      </tr>
      ${r.api && r.active && html`<tr class="striprow"><td colspan=${cols} data-label="Blocks"><${Strip} v=${r.api} view=${v} /></td></tr>`}
      </tbody>`;
    })}
    </table></div>
  </section>`;
}

// Income is /v1/accounts/{address}: the account's income per epoch, split
// by validator and role, with its cumulative, claimed and claimable sums.
function Income({ a }) {
  const eps = (a.epochs || []).filter((e) => (e.lines || []).length > 0).slice(-8).reverse();
  return html`<div id="income">
    <dl class="sums">
      <dt>Cumulative (all computed epochs)</dt><dd class="amt" id="cumulative">${cmt(a.cumulative)}</dd>
      <dt>Accepted cumulative${a.accepted_epoch != null ? ` (to epoch ${a.accepted_epoch})` : ''}</dt><dd class="amt">${cmt(a.accepted_cumulative)}</dd>
    </dl>
    ${eps.length === 0 ? html`<p class="note">No income in a computed epoch yet.</p>` : html`<table class="income lines">
      <thead><tr><th>Validator</th><th>Role</th><th>Income (CMT)</th></tr></thead>
      ${eps.map((e) => html`<tbody data-epoch=${e.epoch}><tr class="ep"><th colspan="3">Epoch ${e.epoch} · ${e.accepted ? 'accepted' : e.state} ·
        total <span class="amt">${cmt(e.amount)}</span> · cumulative <span class="amt">${cmt(e.cumulative)}</span></th></tr>
        ${e.lines.map((l) => html`<tr class="line"><td class="mono" title=${l.validator}>${l.validator && !/^0x0+$/.test(l.validator) ? short(l.validator) : '—'}</td>
          <td>${l.role}</td><td class="amt">${cmt(l.amount)}</td></tr>`)}
      </tbody>`)}
    </table>`}
  </div>`;
}

// Dao shows the pending promotions and removals with their votes and
// evidence, and each epoch's root votes; active validators can vote here.
function Dao({ b, vals, acct, me, tx }) {
  const canVote = !!acct?.isActive;
  const voted = (x) => (x.voted || []).some((a) => same(a, me)) || !!acct?.stakes.find((s) => same(s.validator, x.target))?.voted;
  // The API lists candidates with stake; the contract's other candidates
  // (CandidacyDeclared, no stake yet) are added from the chain.
  const promotions = [...(b.promotions || [])];
  for (const r of vals || []) {
    if (!r.active && !promotions.some((x) => same(x.target, r.address))) {
      promotions.push({ target: r.address, votes: Number(r.votes), votes_needed: b.votes_needed, voted: [], stake: { wei: String(r.stake) }, delegators: 0 });
    }
  }
  const row = (x, remove) => {
    const n = x.votes ?? (x.voted || []).length;
    return html`<tr class=${`ballot ${n > 0 ? 'pending' : ''}`} data-target=${x.target}>
      <td data-label=${remove ? 'Remove' : 'Promote'} class="mono" title=${x.target}>${short(x.target)}</td>
      <td data-label="Votes"><b>${n}</b> / ${x.votes_needed}${voted(x) ? ' (you voted)' : ''}
        ${(x.voted || []).length > 0 && html`<div class="note">by ${x.voted.map(short).join(', ')}</div>`}</td>
      <td data-label="Evidence"><span><span class="amt">${cmt(x.stake)}</span> CMT staked by ${x.delegators} delegator(s)
        ${remove && (x.recent_epochs || []).length > 0 && html`<div class="chips">${x.recent_epochs.map((e) => html`<span class=${`chip ${e.eligible ? 'ok' : 'bad'}`} title=${e.reason || 'eligible'}>
          epoch ${e.epoch} ${e.eligible ? '✓' : `✗ ${e.reason || ''}`}</span>`)}</div>`}
        ${remove && !(x.recent_epochs || []).length && html`<div class="note">no computed epoch yet</div>`}</span></td>
      <td data-label="">${canVote && !voted(x) && !same(x.target, me) && html`<button class="small vote" onClick=${() => tx(`${remove ? 'Vote to remove' : 'Vote to promote'} ${short(x.target)}`,
        remove ? 'voteRemove' : 'votePromote', [x.target])}>${remove ? 'Vote remove' : 'Vote promote'}</button>`}</td>
    </tr>`;
  };
  const byVotes = (l) => [...(l || [])].sort((p, q) => (q.votes ?? 0) - (p.votes ?? 0));
  return html`<section id="dao"><h2>DAO</h2>
    <p class="note">${b.active_validators} active validator(s); a promotion or removal needs ${b.votes_needed} votes (a strict majority).${' '}${canVote ? 'This account is an active validator and can vote.' : 'Only active validators can vote.'}</p>
    ${b.contract_error && html`<p class="note">Contract: ${b.contract_error}</p>`}
    <h3>Promotions</h3>
    ${promotions.length === 0 ? html`<p class="note">No candidates.</p>` : html`<table class="ballots">${byVotes(promotions).map((x) => row(x, false))}</table>`}
    <h3>Removals</h3>
    ${(b.removals || []).length === 0 ? html`<p class="note">No active validators.</p>` : html`<table class="ballots">${byVotes(b.removals).map((x) => row(x, true))}</table>`}
    <h3>Epoch roots</h3>
    ${(b.roots || []).length === 0 ? html`<p class="note">No root votes yet.</p>` : (b.roots || []).map((r) => html`<div class="card root" data-epoch=${r.epoch}>
      <div><b>Epoch ${r.epoch}</b> ${r.open ? html`<span class="badge">open</span>` : r.accepted ? html`<span class="badge ok">accepted <span class="mono" title=${r.accepted.root}>${short(r.accepted.root)}</span></span>` : ''}
        ${r.computed && html` <span class="note">this daemon computed <span class="mono" title=${r.computed.root}>${short(r.computed.root)}</span></span>`}</div>
      <ul class="votes">${(r.votes || []).map((v) => {
        const ok = v.vote && r.accepted && same(v.vote.root, r.accepted.root);
        return html`<li class=${ok ? 'ok' : v.vote ? '' : 'none'}><span class="mono" title=${v.validator}>${short(v.validator)}</span>
          ${v.vote ? html`<span class="mono" title=${v.vote.root}>${short(v.vote.root)}</span>${ok ? ' ✓' : r.accepted ? ' ✗' : ''}` : html`<span class="note">no vote</span>`}</li>`;
      })}</ul>
    </div>`)}
  </section>`;
}

function Candidacy({ acct, tx }) {
  const [key, setKey] = useState('');
  if (acct.isActive) return html`<section id="candidacy"><h2>Candidacy</h2><p id="active-validator">This account is an active validator.</p></section>`;
  if (acct.isCandidate) {
    return html`<section id="candidacy"><h2>Candidacy</h2><p id="candidate">This account is a candidate.</p>
      <button onClick=${() => tx('Withdraw candidacy', 'withdrawCandidacy', [])}>Withdraw candidacy</button></section>`;
  }
  const ok = /^0x[0-9a-fA-F]{128}$/.test(key.trim());
  return html`<section id="candidacy"><h2>Run for validator</h2>
    <form class="amount" onSubmit=${(e) => { e.preventDefault(); if (ok) tx('Declare candidacy', 'declareCandidacy', [key.trim()]); }}>
      <input id="candidacy-key" placeholder="node public key: 0x + 128 hex digits" value=${key} onInput=${(e) => setKey(e.currentTarget.value)} />
      <button id="candidacy-go" disabled=${!ok}>Declare candidacy</button>
    </form></section>`;
}

render(html`<${App} />`, document.getElementById('app'));
