/** The supply checks (§9): CHR, FLX, PSY, ATR and RES supplies, and every balance in range. */
import { LIMIT, SCALE } from '../math/certified-math.ts';
import type { State } from '../economics/state.ts';
import { enc, fail, first, isCommit, same, sameList, total } from './compare.ts';
import { derive } from './recompute.ts';
import type { StepCheck } from './step-check.ts';

export const chrConserved: StepCheck = ({ prev, next }) => {
  const before = total(prev.nodes.map((n) => n.chr)) + prev.chr_pool;
  const after = total(next.nodes.map((n) => n.chr)) + next.chr_pool;
  return before === after ? null : fail('CHR supply Σ chr + chr_pool changed', before.toString(), after.toString());
};

export const chrRebalance: StepCheck = (x) => {
  const d = derive(x);
  const { p, P, s } = d.chr;
  return first(
    () => sameList('next chr', x.prev.nodes.map((n, i) => n.chr - p[i]! + s[i]!), x.next.nodes.map((n) => n.chr)),
    () => same('chr_pool (P − Σ s_i)', P - total(s), x.next.chr_pool),
    () => sameList('record chr.penalties', p.map((value, i) => ({ node: x.topology.nodeIds[i]!, value })), x.record.chr.penalties),
    () => sameList('record chr.shares', s.map((value, i) => ({ node: x.topology.nodeIds[i]!, value })), x.record.chr.shares),
    () => same('record chr.pool', P - total(s), x.record.chr.pool),
  );
};

const flxSupply = (st: State): bigint => total(st.nodes.map((n) => n.flx + n.stake)) + total(st.users.map((u) => u.flx)) + st.treasury;
export const flxConserved: StepCheck = ({ prev, next }) => {
  const before = flxSupply(prev);
  const after = flxSupply(next);
  return before === after ? null : fail('FLX supply Σ flx + Σ stake + Σ users.flx + treasury changed', before.toString(), after.toString());
};

const psySupply = (st: State): bigint => total(st.nodes.map((n) => n.psy));
export const psyMonotone: StepCheck = (x) => {
  const before = psySupply(x.prev);
  const after = psySupply(x.next);
  if (after < before) return fail('PSY supply decreased', `>= ${before}`, after.toString());
  if (!isCommit(x)) return null;
  const d = derive(x);
  const mint = d.psy;
  const exhaustedEvent = x.record.events.some((e) => e.kind === 'psy_exhausted');
  return first(
    () => sameList('psy_minted', mint.mint.map((value, i) => ({ node: x.topology.nodeIds[i]!, value })), x.record.psy_minted),
    () => same('PSY supply after the mint', before + total(mint.mint), after),
    () => (exhaustedEvent === mint.exhausted ? null : fail('the psy_exhausted event does not follow the mint', mint.exhausted, exhaustedEvent)),
  );
};

export const atrAttractor: StepCheck = (x) => {
  if (x.record.outcome === 'frozen') return null; // nothing is computed; ledger.atomic keeps ATR
  const d = derive(x);
  if (!(d.field.c > x.prev.coherence)) return null;
  const before = total(x.prev.nodes.map((n) => n.atr));
  const after = total(x.next.nodes.map((n) => n.atr));
  return after >= before ? null : fail(`ATR supply fell while C rose (${x.prev.coherence} → ${d.field.c})`, `>= ${before}`, after.toString());
};

export const resEnvelope: StepCheck = (x) => {
  const d = derive(x);
  const r = d.res;
  const sum = total(x.next.nodes.map((n) => n.res));
  return first(
    () => same('record res.cap', r.cap, x.record.res.cap),
    () => (sum <= r.cap ? null : fail('Σres exceeds the envelope of step 7', `<= ${r.cap}`, sum.toString())),
    () => sameList('next res (step 7)', r.res, x.next.nodes.map((n) => n.res)),
    () => sameList('record res.credits', r.credits, x.record.res.credits),
  );
};

const inRange = (v: unknown): boolean => typeof v === 'bigint' && v >= 0n && v < LIMIT;
export const stateNonnegative: StepCheck = ({ next }) => {
  for (const n of next.nodes) {
    for (const key of ['chr', 'flx', 'stake', 'psy', 'atr', 'res', 'dis', 'nonce'] as const) {
      if (!inRange(n[key])) return fail(`node ${n.id}: ${key} is out of range`, '[0, 2^127)', enc(n[key]));
    }
    if (n.dis > SCALE) return fail(`node ${n.id}: dis exceeds SCALE`, `<= ${SCALE}`, n.dis.toString());
  }
  const u = next.users.find((x) => !inRange(x.flx));
  if (u !== undefined) return fail(`user ${u.id}: flx is out of range`, '[0, 2^127)', enc(u.flx));
  const q = next.unstakes.find((x) => !inRange(x.amount) || x.amount === 0n);
  if (q !== undefined) return fail(`unstake (${q.node}, ${q.nonce}): amount is out of range`, '(0, 2^127)', enc(q.amount));
  for (const key of ['treasury', 'chr_pool', 'coherence'] as const) {
    if (!inRange(next[key])) return fail(`${key} is out of range`, '[0, 2^127)', enc(next[key]));
  }
  return null;
};

// atr.covers-stake — the README's worked example of adding an invariant (docs/spec.md P8).
export const atrCoversStake: StepCheck = ({ prev, next }) => {
  for (let i = 0; i < next.nodes.length; i++) {
    const before = prev.nodes[i]!.atr - prev.nodes[i]!.stake;
    const after = next.nodes[i]!.atr - next.nodes[i]!.stake;
    if (after !== before) return fail(`node ${next.nodes[i]!.id}: atr − stake changed`, before.toString(), after.toString());
  }
  return null;
};
