/**
 * Steps 4–10 together (`runEconomy`) over several epochs of valid random actions: the §4 supplies,
 * Kirchhoff per account (every FLX change and PSY transfer is a recorded move), the unstake queue,
 * ATR under rising coherence, nonces, and the move order.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { LIMIT } from '../../src/math/certified-math.ts';
import { defaultGenesis } from '../../src/genesis/default-genesis.ts';
import type { Genesis } from '../../src/genesis/genesis.ts';
import { actingNode, runEconomy, type Action } from '../../src/economics/harmonic-economics.ts';
import { openingField } from '../../src/field/psi-field.ts';
import { account, atrSupply, chrSupply, flxSupply, initialState, psySupply, resSupply, type Account, type State } from '../../src/economics/state.ts';
import { type Topology, topology } from '../../src/field/topology.ts';
import { arbGenesis, arbIntent, S, validActions, type Intent } from './fixtures.ts';

/** Every account's balance. */
function balances(st: State): Map<Account, bigint> {
  const m = new Map<Account, bigint>();
  for (const n of st.nodes) {
    m.set(account.nodeFlx(n.id), n.flx);
    m.set(account.nodeStake(n.id), n.stake);
    m.set(account.nodePsy(n.id), n.psy);
  }
  for (const u of st.users) m.set(account.userFlx(u.id), u.flx);
  m.set(account.treasury, st.treasury);
  return m;
}

const STEP_OF = { transfer: 4, stake: 4, psy_transfer: 4, unstake: 4, flow: 5, cut: 10, payout: 10 } as const;

/** One committing epoch of the economy, with every check of this file. `release` forces the queue decision. */
function checkedEpoch(topo: Topology, g: Genesis, st0: State, intents: readonly Intent[], release: 'real' | 'yes' | 'no'): State {
  const st: State = release === 'real' ? st0 : { ...st0, coherence: release === 'yes' ? LIMIT - 1n : 0n };
  const t = st.epoch + 1n;
  const field = openingField(topo, st.nodes);
  const actions: Action[] = validActions(g, st, intents);
  const r = runEconomy(topo, st, field, actions, t);
  const next: State = {
    ...st,
    epoch: t,
    nodes: r.nodes,
    users: r.users,
    treasury: r.treasury,
    chr_pool: r.chr_pool,
    unstakes: r.unstakes,
    coherence: field.c,
  };

  // §4 supplies.
  expect(chrSupply(next)).toBe(chrSupply(st));
  expect(flxSupply(next)).toBe(flxSupply(st));
  const minted = r.record.psy_minted.reduce((s, x) => s + x.value, 0n);
  expect(psySupply(next)).toBe(psySupply(st) + minted);
  expect(resSupply(next)).toBeLessThanOrEqual(r.record.res.cap);
  expect(next.nodes.every((n) => n.flx >= 0n && n.stake >= 0n && n.atr >= n.stake && n.chr >= 0n && n.psy >= 0n && n.res >= 0n)).toBe(true);

  // flx.kirchhoff: per account, Δ = Σ in − Σ out (+ mint for PSY).
  const delta = new Map<Account, bigint>();
  const bump = (a: Account, x: bigint) => delta.set(a, (delta.get(a) ?? 0n) + x);
  for (const m of r.record.moves) {
    expect(m.amount).toBeGreaterThan(0n);
    bump(m.from, -m.amount);
    bump(m.to, m.amount);
  }
  for (const x of r.record.psy_minted) bump(account.nodePsy(x.node), x.value);
  const before = balances(st);
  for (const [a, after] of balances(next)) expect(after - before.get(a)!).toBe(delta.get(a) ?? 0n);

  // Moves in step order.
  const steps = r.record.moves.map((m) => STEP_OF[m.kind]);
  expect([...steps].sort((x, y) => x - y)).toEqual(steps);

  // ATR changes only by stake and unstake, and does not fall while C rises.
  const staked = r.record.moves.filter((m) => m.kind === 'stake').reduce((s, m) => s + m.amount, 0n);
  const unstaked = r.record.moves.filter((m) => m.kind === 'unstake').reduce((s, m) => s + m.amount, 0n);
  expect(atrSupply(next)).toBe(atrSupply(st) + staked - unstaked);
  if (field.c > st.coherence) expect(unstaked).toBe(0n);

  // unstake.queue: an entry leaves iff C <= S.coherence and since < t; new entries are this epoch's unstakes.
  const released = field.c <= st.coherence;
  const news = actions.filter((a) => a.kind === 'unstake').map((a) => ({ node: a.node, nonce: a.nonce, amount: a.amount, since: t }));
  const kept = released ? [] : st.unstakes;
  const expected = [...kept, ...news].sort((x, y) => (x.node !== y.node ? (x.node < y.node ? -1 : 1) : x.nonce < y.nonce ? -1 : 1));
  expect(next.unstakes).toEqual(expected);

  // Each acting node's nonce is its last used nonce; the others keep theirs.
  next.nodes.forEach((n, i) => {
    const own = actions.filter((a) => actingNode(a) === n.id).map((a) => a.nonce);
    expect(n.nonce).toBe(own.length === 0 ? st.nodes[i]!.nonce : own.reduce((x, y) => (x > y ? x : y)));
  });
  return next;
}

describe('steps 4–10 together', () => {
  const epochs = fc.array(
    fc.record({ intents: fc.array(arbIntent, { minLength: 7, maxLength: 7 }), release: fc.constantFrom('real' as const, 'yes' as const, 'no' as const) }),
    { minLength: 1, maxLength: 4 },
  );

  test.prop([arbGenesis, epochs])('supplies, Kirchhoff, queue, ATR and nonces hold over random epochs of valid actions', (g, plan) => {
    const topo = topology(g);
    let st = initialState(g, '00');
    for (const e of plan) st = checkedEpoch(topo, g, st, e.intents, e.release);
  });

  it('the default genesis runs 6 epochs with actions and keeps every check', () => {
    const g = defaultGenesis();
    const topo = topology(g);
    let st = initialState(g, '00');
    const intents = (k: number): Intent[] =>
      st.nodes.map((_, i) => ({ transfer: (i + k) % 3 === 0, stake: (i + k) % 4 === 1, unstake: (i + k) % 5 === 2, psy: (i + k) % 2 === 0, to: i * 7 + k, share: S / 2n }));
    for (let k = 0; k < 6; k++) st = checkedEpoch(topo, g, st, intents(k), k % 3 === 2 ? 'yes' : 'real');
    expect(st.epoch).toBe(6n);
  });

  it('runEconomy leaves its inputs untouched', () => {
    const g = defaultGenesis();
    const topo = topology(g);
    const st = initialState(g, '00');
    const snapshot = structuredClone(st);
    const field = openingField(topo, st.nodes);
    runEconomy(topo, st, field, [{ kind: 'stake', node: 1n, amount: 1n, nonce: 1n }], 1n);
    expect(st).toEqual(snapshot);
  });
});
