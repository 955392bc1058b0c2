// Exact CMT amounts. Wei are bigints end to end; text is parsed and printed
// with string arithmetic, never through Number, so 18 decimals stay exact.

const DECIMALS = 18;
const ONE = 10n ** 18n;

// formatCMT prints wei as CMT with all 18 decimal places ("1.500000000000000000").
export function formatCMT(wei) {
  const neg = wei < 0n;
  const abs = neg ? -wei : wei;
  const whole = (abs / ONE).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (abs % ONE).toString().padStart(DECIMALS, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

// parseCMT reads a CMT amount typed by a person into wei. It refuses rather
// than rounds: more than 18 decimals, signs, exponents and stray characters
// are errors (viem's parseUnits rounds excess digits).
export function parseCMT(text) {
  const s = String(text).trim().replace(/,/g, '');
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) throw new Error('enter an amount such as 100 or 0.5');
  const frac = m[2] ?? '';
  if (frac.length > DECIMALS) throw new Error(`at most ${DECIMALS} decimal places`);
  return BigInt(m[1] || '0') * ONE + BigInt(frac.padEnd(DECIMALS, '0') || '0');
}

// countdown says how long until unix time `at` (seconds) from `now`.
export function countdown(at, now) {
  let s = Number(at - now);
  if (s <= 0) return 'matured';
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m ${s}s` : `${m}m ${s}s`;
}

export const short = (a) => (a ? `${a.slice(0, 6)}…${a.slice(-4)}` : '');
