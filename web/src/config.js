// Where the app's API, chain and contract are. The page works embedded in
// rewardd (same origin) and as static files on any host: ?api= names the
// rewardd API, ?rpc= a JSON-RPC endpoint for adding the chain to a wallet
// and for reads without one, ?contract= the validator contract. What the
// query leaves out is taken from the API when it offers it.

const q = new URLSearchParams(location.search);

export const params = {
  api: (q.get('api') || '').replace(/\/+$/, ''),
  rpc: q.get('rpc') || '',
  contract: q.get('contract') || '',
  chainId: q.get('chain') ? Number(q.get('chain')) : 0,
};

// apiGet fetches JSON from the API; null when the endpoint does not exist
// (404: an older daemon, or an account without a leaf), so callers degrade.
export async function apiGet(path) {
  const r = await fetch(params.api + path, { headers: { accept: 'application/json' } });
  if (r.status === 404) return null;
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `${path}: HTTP ${r.status}`);
  return body;
}

// loadConfig merges the query with what the daemon reports: rewardd serves
// /app-config.json beside the app; /v1/config and /v1/status may carry the
// same fields (contract, chain_id, rpc_url). The query wins.
export async function loadConfig() {
  const c = { ...params };
  for (const path of ['/app-config.json', '/v1/config', '/v1/status']) {
    try {
      const j = await apiGet(path);
      if (!j) continue;
      c.contract ||= j.contract || '';
      c.chainId ||= Number(j.chain_id || 0);
      c.rpc ||= j.rpc_url || '';
      if (c.contract) break;
    } catch { /* the API is optional for everything the chain answers */ }
  }
  return c;
}
