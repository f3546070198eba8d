/**
 * SPEC §6 steps 4–8 (HarmonicEconomics): hand-computed examples on the EXAMPLE genesis (see
 * fixtures.ts; opening ψ = 6S, 4S, 1S, 4S, Σψ = 15S), and the step properties.
 */
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { LIMIT, MathViolation } from '../../src/math/certified-math.ts';
import { applyActions, canonicalActionOrder, fieldFlow, mintPsy, rebalanceChr, resonance, type Action } from '../../src/economics/harmonic-economics.ts';
import { openingField } from '../../src/field/psi-field.ts';
import { initialState, type State } from '../../src/economics/state.ts';
import { topology } from '../../src/field/topology.ts';
import { arbGenesis, EXAMPLE, S } from './fixtures.ts';

const topo = topology(EXAMPLE);
const genesisState = initialState(EXAMPLE, '00');
const field = openingField(topo, genesisState.nodes);

describe('step 4: actions and the unstake queue', () => {
  // S at epoch 4 (t = 5): shard 0 = {2, 3}, shard 1 = {1, 4}.
  const S4: State = {
    ...genesisState,
    epoch: 4n,
    coherence: 5n * S,
    nodes: [
      { id: 1n, chr: 2n * S, flx: 10n * S, stake: 2n * S, psy: 0n, atr: 3n * S, res: 0n, dis: 0n, nonce: 3n },
      { id: 2n, chr: 5n * S, flx: 4n * S, stake: 3n * S, psy: 5n * S, atr: 4n * S, res: 0n, dis: 0n, nonce: 7n },
      { id: 3n, chr: S, flx: 2n * S, stake: 0n, psy: 0n, atr: S, res: 0n, dis: 0n, nonce: 0n },
      { id: 4n, chr: 3n * S, flx: 0n, stake: 0n, psy: 0n, atr: 2n * S, res: 0n, dis: 0n, nonce: 0n },
    ],
    unstakes: [
      { node: 1n, nonce: 2n, amount: S / 4n, since: 3n },
      { node: 2n, nonce: 7n, amount: S, since: 4n },
    ],
  };
  const actions: Action[] = [
    { kind: 'stake', node: 1n, amount: S, nonce: 5n },
    { kind: 'transfer', from: 3n, to: 2n, amount: S / 2n, nonce: 1n },
    { kind: 'psy_transfer', from: 2n, to: 3n, amount: S, nonce: 9n },
    { kind: 'transfer', from: 1n, to: 3n, amount: 2n * S, nonce: 4n },
    { kind: 'unstake', node: 2n, amount: S / 2n, nonce: 8n },
  ];
  const input = JSON.stringify(S4, (_, v) => (typeof v === 'bigint' ? v.toString() : v));

  it('canonical order is (shard, node, nonce): shard 0 (nodes 2, 3) before shard 1 (node 1)', () => {
    expect(canonicalActionOrder(topo, actions).map((a) => a.nonce)).toEqual([8n, 9n, 1n, 4n, 5n]);
  });

  it('with C <= S.coherence: actions, nonces, then the queued unstakes with since < t execute in queue order', () => {
    const r = applyActions(topo, S4, actions, 5n, 5n * S);
    expect(r.released).toBe(true);
    // node 1: flx 10 − 2 − 1 + 0.25, stake 2 + 1 − 0.25, atr 3 + 1 − 0.25, nonce 5
    expect(r.nodes[0]).toMatchObject({ flx: 7_250_000_000_000_000_000n, stake: 2_750_000_000_000_000_000n, atr: 3_750_000_000_000_000_000n, psy: 0n, nonce: 5n });
    // node 2: flx 4 + 0.5 + 1, stake 3 − 1, atr 4 − 1, psy 5 − 1, nonce 9 (the new unstake stays queued)
    expect(r.nodes[1]).toMatchObject({ flx: 5_500_000_000_000_000_000n, stake: 2n * S, atr: 3n * S, psy: 4n * S, nonce: 9n });
    // node 3: flx 2 + 2 − 0.5, psy 0 + 1, nonce 1
    expect(r.nodes[2]).toMatchObject({ flx: 3_500_000_000_000_000_000n, stake: 0n, atr: S, psy: S, nonce: 1n });
    expect(r.nodes[3]).toEqual(S4.nodes[3]);
    expect(r.unstakes).toEqual([{ node: 2n, nonce: 8n, amount: S / 2n, since: 5n }]);
    expect(r.moves).toEqual([
      { kind: 'psy_transfer', from: 'node:2:psy', to: 'node:3:psy', amount: S },
      { kind: 'transfer', from: 'node:3:flx', to: 'node:2:flx', amount: S / 2n },
      { kind: 'transfer', from: 'node:1:flx', to: 'node:3:flx', amount: 2n * S },
      { kind: 'stake', from: 'node:1:flx', to: 'node:1:stake', amount: S },
      { kind: 'unstake', from: 'node:1:stake', to: 'node:1:flx', amount: S / 4n },
      { kind: 'unstake', from: 'node:2:stake', to: 'node:2:flx', amount: S },
    ]);
    // Pure: the input is untouched.
    expect(JSON.stringify(S4, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(input);
  });

  it('with C > S.coherence: nothing leaves the queue, the new unstake joins it in (node, nonce) order', () => {
    const r = applyActions(topo, S4, actions, 5n, 5n * S + 1n);
    expect(r.released).toBe(false);
    expect(r.nodes[0]).toMatchObject({ flx: 7n * S, stake: 3n * S, atr: 4n * S, nonce: 5n });
    expect(r.nodes[1]).toMatchObject({ flx: 4_500_000_000_000_000_000n, stake: 3n * S, atr: 4n * S, psy: 4n * S, nonce: 9n });
    expect(r.unstakes).toEqual([
      { node: 1n, nonce: 2n, amount: S / 4n, since: 3n },
      { node: 2n, nonce: 7n, amount: S, since: 4n },
      { node: 2n, nonce: 8n, amount: S / 2n, since: 5n },
    ]);
    expect(r.moves.filter((m) => m.kind === 'unstake')).toEqual([]);
  });

  it('an action that would overdraw (not validated) raises a MathViolation, never a negative balance', () => {
    const bad: Action = { kind: 'transfer', from: 4n, to: 1n, amount: 1n, nonce: 1n };
    expect(() => applyActions(topo, S4, [bad], 5n, 0n)).toThrow(MathViolation);
  });
});

describe('step 5: field flow', () => {
  it('by hand: node 2 within budget, node 3 over budget (scaled, floored)', () => {
    // flx: 10S, 4S, 2S + 4, 0; budgets (FLOW_RATE = S/4): 2.5S, S, 0.5S + 1, 0.
    // Node 2 sources (1,2) with demand S <= S: moves S to node 1.
    // Node 3 sources (1,3) 2.5S and (2,3) 1.5S: D = 4S > B = 0.5S + 1, so
    //   t13 = floor(2.5S·(0.5S + 1)/4S) = floor(0.3125S + 0.625), t23 = floor(0.1875S + 0.375).
    const r = fieldFlow(topo, field, [10n * S, 4n * S, 2n * S + 4n, 0n]);
    expect(r.flows).toEqual([
      { a: 1n, b: 2n, from: 2n, to: 1n, demand: S, amount: S },
      { a: 1n, b: 3n, from: 3n, to: 1n, demand: 2_500_000_000_000_000_000n, amount: 312_500_000_000_000_000n },
      { a: 2n, b: 3n, from: 3n, to: 2n, demand: 1_500_000_000_000_000_000n, amount: 187_500_000_000_000_000n },
    ]);
    expect(r.flx).toEqual([11_312_500_000_000_000_000n, 3_187_500_000_000_000_000n, 1_500_000_000_000_000_004n, 0n]);
    expect(r.moves).toEqual([
      { kind: 'flow', from: 'node:2:flx', to: 'node:1:flx', amount: S },
      { kind: 'flow', from: 'node:3:flx', to: 'node:1:flx', amount: 312_500_000_000_000_000n },
      { kind: 'flow', from: 'node:3:flx', to: 'node:2:flx', amount: 187_500_000_000_000_000n },
    ]);
  });

  it('a source with no FLX keeps its flows in the record at amount 0, with no move', () => {
    const r = fieldFlow(topo, field, [0n, 0n, 0n, 0n]);
    expect(r.flows.map((f) => f.amount)).toEqual([0n, 0n, 0n]);
    expect(r.moves).toEqual([]);
    expect(r.flx).toEqual([0n, 0n, 0n, 0n]);
  });

  test.prop([arbGenesis])('flx.follows-gradient: each flow ≤ |d_e|, low ψ → high ψ; a source pays at most its budget; FLX conserved', (g) => {
    const t = topology(g);
    const st = initialState(g, '00');
    const f = openingField(t, st.nodes);
    const flx = st.nodes.map((n) => n.flx);
    const r = fieldFlow(t, f, flx);
    const out = new Map<bigint, bigint>();
    for (const fl of r.flows) {
      expect(fl.amount).toBeGreaterThanOrEqual(0n);
      expect(fl.amount).toBeLessThanOrEqual(fl.demand);
      expect(fl.demand).toBeGreaterThan(0n);
      expect(f.psi[t.nodeIndex.get(fl.from)!]! < f.psi[t.nodeIndex.get(fl.to)!]!).toBe(true);
      out.set(fl.from, (out.get(fl.from) ?? 0n) + fl.amount);
    }
    for (const [node, paid] of out) {
      const i = t.nodeIndex.get(node)!;
      expect(paid).toBeLessThanOrEqual((flx[i]! * g.constants.flow_rate) / S);
    }
    expect(r.flx.reduce((s, x) => s + x, 0n)).toBe(flx.reduce((s, x) => s + x, 0n));
    expect(r.flx.every((x) => x >= 0n)).toBe(true);
  });
});

describe('step 6: CHR rebalancing', () => {
  it('by hand', () => {
    // chr of S 2S, 5S, S, 3S; dis 0, S/4, 0, S/2; PENALTY_RATE = S/2; pool 7.
    // p = 0, 5S·(S/8)/S = 0.625S, 0, 3S·(S/4)/S = 0.75S; P = 7 + 1.375S.
    // s_i = floor(P·ψ_i/15S): floor(P·2/5), floor(P·4/15), floor(P/15), floor(P·4/15).
    const r = rebalanceChr(topo, field, [2n * S, 5n * S, S, 3n * S], [0n, S / 4n, 0n, S / 2n], 7n);
    expect(r.record.penalties.map((x) => x.value)).toEqual([0n, 625_000_000_000_000_000n, 0n, 750_000_000_000_000_000n]);
    expect(r.record.shares.map((x) => x.value)).toEqual([
      550_000_000_000_000_002n,
      366_666_666_666_666_668n,
      91_666_666_666_666_667n,
      366_666_666_666_666_668n,
    ]);
    expect(r.record.penalties.map((x) => x.node)).toEqual([1n, 2n, 3n, 4n]);
    // P − Σ s = 1_375_000_000_000_000_007 − 1_375_000_000_000_000_005
    expect(r.chr_pool).toBe(2n);
    expect(r.record.pool).toBe(2n);
    expect(r.chr).toEqual([2_550_000_000_000_000_002n, 4_741_666_666_666_666_668n, 1_091_666_666_666_666_667n, 2_616_666_666_666_666_668n]);
  });

  it('Σψ = 0: nothing is shared, the penalties go to the pool', () => {
    const zero = { ...field, psi: [0n, 0n, 0n, 0n], sumPsi: 0n };
    const r = rebalanceChr(topo, zero, [2n * S, 5n * S, S, 3n * S], [0n, S / 4n, 0n, S / 2n], 7n);
    expect(r.record.shares.map((x) => x.value)).toEqual([0n, 0n, 0n, 0n]);
    expect(r.chr_pool).toBe(1_375_000_000_000_000_007n);
  });

  test.prop([arbGenesis])('chr.conserved: Σ chr + pool is unchanged by step 6; every chr stays ≥ 0', (g) => {
    const t = topology(g);
    const st = initialState(g, '00');
    const f = openingField(t, st.nodes);
    const chr = st.nodes.map((n) => n.chr);
    const pool = 12_345n;
    const r = rebalanceChr(t, f, chr, st.nodes.map((n) => n.dis), pool);
    const before = chr.reduce((s, x) => s + x, 0n) + pool;
    expect(r.chr.reduce((s, x) => s + x, 0n) + r.chr_pool).toBe(before);
    expect(r.chr.every((x) => x >= 0n)).toBe(true);
    r.chr.forEach((c, i) => expect(c).toBe(chr[i]! + r.record.shares[i]!.value - r.record.penalties[i]!.value));
  });
});

describe('step 7: resonance', () => {
  // ALIGN_TOL = 2S: edges (1,2) (|g| = 2S) and (2,4) (g = 0) are aligned; (1,3) and (2,3) are not.
  // r_12 = min(6S, 4S)·S/10/S = 0.4S, r_24 = 0.4S, one credit per end: Gen = 1.6S.
  it('room for everything: every credit is r_e', () => {
    // cap = 15S·S/S = 15S, Σres = 3S, room = 12S >= 1.6S
    const r = resonance(topo, field, [S, 0n, 2n * S, 0n]);
    expect(r.record.cap).toBe(15n * S);
    const c = 400_000_000_000_000_000n;
    expect(r.record.credits).toEqual([
      { a: 1n, b: 2n, node: 1n, value: c },
      { a: 1n, b: 2n, node: 2n, value: c },
      { a: 2n, b: 4n, node: 2n, value: c },
      { a: 2n, b: 4n, node: 4n, value: c },
    ]);
    expect(r.res).toEqual([S + c, 2n * c, 2n * S, c]);
  });

  it('generation over the room: each credit scaled by room/Gen, floored', () => {
    // Σres = 14S − 3, room = S + 3, each credit floor(0.4S·(S + 3)/1.6S) = floor(0.25S + 0.75)
    const r = resonance(topo, field, [10n * S, 0n, 4n * S - 3n, 0n]);
    const c = 250_000_000_000_000_000n;
    expect(r.record.credits.map((x) => x.value)).toEqual([c, c, c, c]);
    expect(r.res).toEqual([10n * S + c, 2n * c, 4n * S - 3n, c]);
  });

  it('Σres over the cap: every balance scaled by cap/Σres, nothing generated', () => {
    // Σres = 30S + 1 > 15S: floor((20S + 1)·15S/(30S + 1)) = 10S, floor(10S·15S/(30S + 1)) = 5S − 1
    const r = resonance(topo, field, [20n * S + 1n, 0n, 10n * S, 0n]);
    expect(r.record.credits).toEqual([]);
    expect(r.res).toEqual([10n * S, 0n, 5n * S - 1n, 0n]);
  });

  test.prop([arbGenesis])('res.envelope: Σres after step 7 ≤ cap; a balance only falls when the envelope was exceeded', (g) => {
    const t = topology(g);
    const st = initialState(g, '00');
    const f = openingField(t, st.nodes);
    const res = st.nodes.map((n) => n.res);
    const r = resonance(t, f, res);
    const cap = (f.sumPsi * g.constants.res_cap_ratio) / S;
    expect(r.record.cap).toBe(cap);
    expect(r.res.reduce((s, x) => s + x, 0n)).toBeLessThanOrEqual(cap);
    const before = res.reduce((s, x) => s + x, 0n);
    if (before <= cap) r.res.forEach((x, i) => expect(x).toBeGreaterThanOrEqual(res[i]!));
    else expect(r.record.credits).toEqual([]);
  });
});

describe('step 8: PSY', () => {
  it('each node mints ψ·PSY_RATE/S', () => {
    // PSY_RATE = S/100: 0.06S, 0.04S, 0.01S, 0.04S
    const r = mintPsy(topo, field, [0n, 5n * S, 0n, 0n]);
    expect(r.psy_exhausted).toBe(false);
    expect(r.psy_minted).toEqual([
      { node: 1n, value: 60_000_000_000_000_000n },
      { node: 2n, value: 40_000_000_000_000_000n },
      { node: 3n, value: 10_000_000_000_000_000n },
      { node: 4n, value: 40_000_000_000_000_000n },
    ]);
    expect(r.psy).toEqual([60_000_000_000_000_000n, 5_040_000_000_000_000_000n, 10_000_000_000_000_000n, 40_000_000_000_000_000n]);
  });

  it('psy_exhausted exactly when supply + mint would reach 2^127: all or nothing', () => {
    const mint = 150_000_000_000_000_000n; // Σ of the mints above
    const reach = mintPsy(topo, field, [0n, LIMIT - mint, 0n, 0n]);
    expect(reach.psy_exhausted).toBe(true);
    expect(reach.psy).toEqual([0n, LIMIT - mint, 0n, 0n]);
    expect(reach.psy_minted.map((x) => x.value)).toEqual([0n, 0n, 0n, 0n]);
    const below = mintPsy(topo, field, [0n, LIMIT - mint - 1n, 0n, 0n]);
    expect(below.psy_exhausted).toBe(false);
    expect(below.psy.reduce((s, x) => s + x, 0n)).toBe(LIMIT - 1n);
  });
});
