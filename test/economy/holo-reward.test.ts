/** SPEC §6 step 9 (HoloRewardEngine): hand-computed rewards, the cap, and monotonicity of floor shares. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { floorShares, holoRewards } from '../../src/economics/holo-reward.ts';
import { openingField } from '../../src/field/psi-field.ts';
import { initialState } from '../../src/economics/state.ts';
import { topology } from '../../src/field/topology.ts';
import { arbGenesis, EXAMPLE, S } from './fixtures.ts';

describe('step 9: rewards', () => {
  it('by hand on the example', () => {
    const topo = topology(EXAMPLE);
    const st = initialState(EXAMPLE, '00');
    const field = openingField(topo, st.nodes);
    // ψ = 6S, 4S, 1S, 4S; BASE = 2S, A_MAX = 4: m = 3, 2, 0, 2.
    // res of S = S, 0, 2S, S/2: f = 2S, S, 2S, 1.5S. CHR_SUPPLY = 11S.
    // w1 = 3·floor(floor(2S·6S/11S)·2S/S) = 3·2·1_090_909_090_909_090_909
    // w2 = 2·floor(5S·4S/11S) = 2·1_818_181_818_181_818_181
    // w3 = 0 (m = 0)
    // w4 = 2·floor(1_090_909_090_909_090_909·1.5) = 2·1_636_363_636_363_636_363
    // R = 1000S·(S/10)/S = 100S; r_i = floor(R·w_i/W)
    const r = holoRewards(
      topo,
      field,
      st.nodes.map((n) => n.chr),
      st.nodes.map((n) => n.res),
      st.treasury,
    );
    expect(r.budget).toBe(100n * S);
    expect(r.total_weight).toBe(13_454_545_454_545_454_542n);
    expect(r.nodes).toEqual([
      { node: 1n, m: 3n, w: 6_545_454_545_454_545_454n, r: 48_648_648_648_648_648_657n },
      { node: 2n, m: 2n, w: 3_636_363_636_363_636_362n, r: 27_027_027_027_027_027_021n },
      { node: 3n, m: 0n, w: 0n, r: 0n },
      { node: 4n, m: 2n, w: 3_272_727_272_727_272_726n, r: 24_324_324_324_324_324_321n },
    ]);
    // One base unit of floor remainder stays in the treasury.
    expect(100n * S - r.nodes.reduce((s, x) => s + x.r, 0n)).toBe(1n);
  });

  it('W = 0: no rewards at all', () => {
    expect(floorShares(100n * S, [0n, 0n, 0n])).toEqual([0n, 0n, 0n]);
    expect(floorShares(100n * S, [])).toEqual([]);
  });

  it('the multiplier is capped by A_MAX', () => {
    const topo = topology(EXAMPLE);
    const st = initialState(EXAMPLE, '00');
    const field = { ...openingField(topo, st.nodes), psi: [100n * S, 4n * S, S, 4n * S] };
    const r = holoRewards(topo, field, st.nodes.map((n) => n.chr), st.nodes.map((n) => n.res), st.treasury);
    expect(r.nodes[0]!.m).toBe(4n); // floor(100S / 2S) = 50 > A_MAX = 4
  });

  const weights = fc.array(fc.bigInt({ min: 0n, max: 2n ** 100n }), { minLength: 1, maxLength: 8 });
  test.prop([fc.bigInt({ min: 0n, max: 2n ** 120n }), weights, fc.nat(), fc.bigInt({ min: 1n, max: 2n ** 100n })])(
    'reward.monotone (floor shares): raising one weight never lowers that node\'s share; Σ shares ≤ budget',
    (budget, ws, pick, extra) => {
      const i = pick % ws.length;
      const before = floorShares(budget, ws);
      const raised = ws.map((w, j) => (j === i ? w + extra : w));
      const after = floorShares(budget, raised);
      expect(after[i]!).toBeGreaterThanOrEqual(before[i]!);
      expect(before.reduce((s, x) => s + x, 0n)).toBeLessThanOrEqual(budget);
    },
  );

  test.prop([arbGenesis, fc.nat(), fc.bigInt({ min: 1n, max: 10n * S }), fc.constantFrom('chr', 'atr', 'res', 'dis')])(
    'reward.monotone: raising one node\'s chr, atr or res, or lowering its dis, never lowers its reward; reward.cap holds',
    (g, pick, delta, what) => {
      const topo = topology(g);
      const st = initialState(g, '00');
      const i = pick % st.nodes.length;
      const rewardsOf = (nodes: typeof st.nodes) => {
        const field = openingField(topo, nodes);
        return holoRewards(topo, field, nodes.map((n) => n.chr), nodes.map((n) => n.res), st.treasury);
      };
      // CHR is conserved (Σ chr ≤ CHR_SUPPLY), so a node's chr is raised from a lowered value back to
      // its genesis value; atr and res are raised from the genesis value; dis is lowered.
      const lowered = st.nodes.map((n, j) => (j === i && what === 'chr' ? { ...n, chr: n.chr > delta ? n.chr - delta : 0n } : n));
      const changed = st.nodes.map((n, j) => {
        if (j !== i || what === 'chr') return n;
        if (what === 'dis') return { ...n, dis: n.dis > delta ? n.dis - delta : 0n };
        return { ...n, [what]: n[what] + delta };
      });
      const before = rewardsOf(lowered);
      const after = rewardsOf(changed);
      expect(after.nodes[i]!.r).toBeGreaterThanOrEqual(before.nodes[i]!.r);
      for (const x of [before, after]) {
        expect(x.nodes.every((n) => n.m <= g.constants.a_max)).toBe(true);
        expect(x.nodes.reduce((s, n) => s + n.r, 0n)).toBeLessThanOrEqual(x.budget);
      }
    },
  );
});
