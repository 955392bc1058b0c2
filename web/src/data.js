// Reading what the page shows: the validator set from the API when it
// serves /v1/validators, else from the contract; the connected account's
// stakes, lots and rewards from the contract and the API's proofs.
import { abi } from './chain.js';
import { apiGet } from './config.js';

const read = (pub, address, functionName, args = []) => pub.readContract({ address, abi, functionName, args });

// validators lists the active validators and the candidates with their
// total stake and pending ballot votes. Candidates are not enumerable in
// the contract: they come from CandidacyDeclared logs, still candidates.
export async function validators(pub, contract) {
  const active = await read(pub, contract, 'activeValidators');
  const logs = await pub.getContractEvents({ address: contract, abi, eventName: 'CandidacyDeclared', fromBlock: 0n });
  const seen = new Set(active.map((a) => a.toLowerCase()));
  const maybe = [];
  for (const l of logs) {
    const a = l.args.candidate;
    if (!seen.has(a.toLowerCase())) { seen.add(a.toLowerCase()); maybe.push(a); }
  }
  const isCand = await Promise.all(maybe.map((a) => read(pub, contract, 'isCandidate', [a])));
  const candidates = maybe.filter((_, i) => isCand[i]);
  const rows = [...active.map((a) => ({ address: a, active: true })), ...candidates.map((a) => ({ address: a, active: false }))];
  await Promise.all(rows.map(async (r) => {
    [r.stake, r.votes] = await Promise.all([read(pub, contract, 'totalStakeAt', [r.address]), read(pub, contract, 'pendingVotes', [r.address])]);
  }));
  return rows;
}

// apiValidators is /v1/validators: {map, view}, the rows keyed by
// lower-case address and the whole view (epoch, strip legend, set drift),
// or null while the API does not serve it.
export async function apiValidators() {
  try {
    const j = await apiGet('/v1/validators');
    const list = Array.isArray(j) ? j : j?.validators;
    if (!Array.isArray(list)) return null;
    return { map: new Map(list.map((v) => [String(v.address).toLowerCase(), v])), view: Array.isArray(j) ? {} : j };
  } catch { return null; }
}

// apiAccount is /v1/accounts/{addr}: income per epoch split by validator
// and role, cumulative, claimed, claimable; null when not served.
export async function apiAccount(addr) {
  try { return await apiGet(`/v1/accounts/${addr}`); } catch { return null; }
}

// apiBallots is /v1/ballots: pending promotions and removals with their
// evidence, and every validator's root votes; null when not served.
export async function apiBallots() {
  try { return await apiGet('/v1/ballots'); } catch { return null; }
}

// account reads everything about one account: balance, withdrawable,
// claimed, and per validator its stake split into unlocked and lots.
export async function account(pub, contract, addr, targets) {
  const [balance, withdrawable, claimed, isActive, isCandidate, block] = await Promise.all([
    pub.getBalance({ address: addr }),
    read(pub, contract, 'withdrawable', [addr]),
    read(pub, contract, 'claimed', [addr]),
    read(pub, contract, 'isActive', [addr]),
    read(pub, contract, 'isCandidate', [addr]),
    pub.getBlock(),
  ]);
  const stakes = await Promise.all(targets.map(async (v) => {
    const [stake, unlocked, lots, voted] = await Promise.all([
      read(pub, contract, 'stakeOf', [addr, v]),
      read(pub, contract, 'unlockedStakeOf', [addr, v]),
      read(pub, contract, 'lockedLotsOf', [addr, v]),
      read(pub, contract, 'hasVotedOn', [addr, v]),
    ]);
    return { validator: v, stake, unlocked, lots: lots[0].map((amount, i) => ({ amount, unlocksAt: lots[1][i] })), voted };
  }));
  return { balance, withdrawable, claimed, isActive, isCandidate, now: block.timestamp, stakes };
}

// rewards finds the epoch to claim against: the latest epoch the API
// computed whose root is the contract's currentRoot(), so accepted on
// chain even while the API still records it as voted (several epochs can
// share a root: an epoch without income carries the tree over). It adds
// the account's income in the last few epochs the API records as
// accepted. lagging is set when no epoch the API knows has the contract's
// current root and the latest it records as accepted differs from it (the
// API is behind the chain): nothing can be claimed until it catches up.
export async function rewards(pub, contract, addr, claimed) {
  const epochs = await apiGet('/v1/epochs').catch(() => null);
  if (!Array.isArray(epochs)) return { unavailable: true };
  const desc = [...epochs].sort((a, b) => b.epoch - a.epoch);
  const accepted = desc.filter((e) => e.state === 'accepted');
  const currentRoot = String(await read(pub, contract, 'currentRoot')).toLowerCase();
  const root = (e) => String(e?.merkle_root || '').toLowerCase();
  const newest = accepted[0] || null;
  const target = desc.find((e) => e.state !== 'disputed' && root(e) === currentRoot) || null;
  const lagging = !target && !!newest && root(newest) !== currentRoot;
  const proofOf = (k) => apiGet(`/v1/epochs/${k}/proofs/${addr}`).catch(() => null);
  const recent = await Promise.all(accepted.slice(0, 6).map(async (e) => {
    const p = await proofOf(e.epoch);
    return { epoch: e.epoch, amount: p ? BigInt(p.amount_wei) : 0n, proof: p };
  }));
  let latest = target ? recent.find((r) => r.epoch === target.epoch)?.proof || null : null;
  if (target && !latest) latest = await proofOf(target.epoch);
  const current = !!latest && root(latest) === currentRoot;
  const cumulative = current ? BigInt(latest.cumulative_wei) : 0n;
  return {
    recent, latest, currentRoot, current, cumulative, lagging,
    epoch: target ? target.epoch : null, newest: newest ? newest.epoch : null,
    claimable: current && cumulative > claimed ? cumulative - claimed : 0n,
  };
}
