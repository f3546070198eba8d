/** SPEC §5 ψ-field: hand-computed example, triangle enumeration, and curl-freeness of computed gradients. */
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { MathViolation } from '../../src/math/certified-math.ts';
import { defaultGenesis } from '../../src/genesis/default-genesis.ts';
import { curl, flowEnds, globalCoherence, openingField, psiOf, triangles } from '../../src/field/psi-field.ts';
import { initialState } from '../../src/economics/state.ts';
import { topology, type Topology } from '../../src/field/topology.ts';
import { arbGenesis, EXAMPLE, genesisOf, S } from './fixtures.ts';

/** Every triangle by brute force over all node triples, for comparison with the enumerator. */
function bruteTriangles(t: Topology): [number, number, number][] {
  const has = new Set<string>();
  for (let e = 0; e < t.edgeA.length; e++) has.add(`${t.edgeA[e]}-${t.edgeB[e]}`);
  const out: [number, number, number][] = [];
  const n = t.nodeIds.length;
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++)
      for (let c = b + 1; c < n; c++) if (has.has(`${a}-${b}`) && has.has(`${b}-${c}`) && has.has(`${a}-${c}`)) out.push([a, b, c]);
  return out;
}

describe('psi-field', () => {
  it('the example field by hand', () => {
    const t = topology(EXAMPLE);
    const f = openingField(t, initialState(EXAMPLE, '00').nodes);
    // ψ1 = 2S·3S/S, ψ2 = 5S·S/(S + S/4), ψ3 = S·S/S, ψ4 = 3S·2S/(S + S/2)
    expect(f.psi).toEqual([6n * S, 4n * S, S, 4n * S]);
    // g = ψ_b − ψ_a on (1,2), (1,3), (2,3), (2,4)
    expect(f.gradients).toEqual([-2n * S, -5n * S, -3n * S, 0n]);
    // |d| = KAPPA·|g|/S with KAPPA = S/2
    expect(f.demand).toEqual([S, 2_500_000_000_000_000_000n, 1_500_000_000_000_000_000n, 0n]);
    expect(f.sumPsi).toBe(15n * S);
    expect(f.c).toBe(3_750_000_000_000_000_000n); // 15S / 4
    // shard 0 = {2, 3}: (4S + S)/2; shard 1 = {1, 4}: (6S + 4S)/2; shard 2 is empty
    expect(f.cShards).toEqual([2_500_000_000_000_000_000n, 5n * S, 0n]);
    // Flux runs from the lower-ψ end to the higher: 2 → 1, 3 → 1, 3 → 2; none on (2,4).
    expect(flowEnds(t, f.gradients[0]!, 0)).toEqual({ from: 1, to: 0 });
    expect(flowEnds(t, f.gradients[1]!, 1)).toEqual({ from: 2, to: 0 });
    expect(flowEnds(t, f.gradients[2]!, 2)).toEqual({ from: 2, to: 1 });
    expect(flowEnds(t, f.gradients[3]!, 3)).toBeNull();
    const tri = triangles(t);
    expect(tri).toEqual([{ a: 0, b: 1, c: 2, ab: 0, bc: 2, ac: 1 }]);
    expect(curl(f.gradients, tri[0]!)).toBe(0n); // −2S + (−3S) − (−5S)
    // A reported lie on one edge shows up as curl, exactly.
    expect(curl([-2n * S + 7n, -5n * S, -3n * S, 0n], tri[0]!)).toBe(7n);
  });

  it('ψ floors: S·S/(S + S/3) = 0.75S (the quarter unit is dropped)', () => {
    expect(psiOf({ chr: S, atr: S, dis: 333_333_333_333_333_333n })).toBe(750_000_000_000_000_000n);
    expect(psiOf({ chr: 3n, atr: 1n, dis: 0n })).toBe(0n); // 3·1/S floors to 0
  });

  it('C over zero nodes is a zero divisor (unreachable from a valid genesis)', () => {
    expect(() => globalCoherence([])).toThrow(MathViolation);
  });

  it('the default genesis: triangles match brute force, sorted, and every curl is 0', () => {
    const g = defaultGenesis();
    const t = topology(g);
    const tri = triangles(t);
    expect(tri.map((x) => [x.a, x.b, x.c])).toEqual(bruteTriangles(t));
    expect(tri.length).toBeGreaterThan(8);
    const f = openingField(t, initialState(g, '00').nodes);
    for (const x of tri) expect(curl(f.gradients, x)).toBe(0n);
  });

  test.prop([arbGenesis])('psi.curl-free: computed gradients have curl 0 on every triangle; triangles are all found, in (a, b, c) order', (g) => {
    const t = topology(g);
    const f = openingField(t, initialState(g, '00').nodes);
    const tri = triangles(t);
    expect(tri.map((x) => [x.a, x.b, x.c])).toEqual(bruteTriangles(t));
    for (const x of tri) {
      expect([t.edgeA[x.ab], t.edgeB[x.ab], t.edgeA[x.bc], t.edgeB[x.bc], t.edgeA[x.ac], t.edgeB[x.ac]]).toEqual([x.a, x.b, x.b, x.c, x.a, x.c]);
      expect(curl(f.gradients, x)).toBe(0n);
    }
    // C and C_s are floors of the means.
    const total = f.psi.reduce((s, x) => s + x, 0n);
    expect(f.c).toBe(total / BigInt(f.psi.length));
    t.shardNodes.forEach((members, s) => {
      const sum = members.reduce((acc, i) => acc + f.psi[i]!, 0n);
      expect(f.cShards[s]).toBe(members.length === 0 ? 0n : sum / BigInt(members.length));
    });
  });

  test.prop([arbGenesis])('psi.demand: |d_e| = floor(KAPPA·|g_e|/S) and direction is lower ψ → higher ψ', (g) => {
    const t = topology(g);
    const f = openingField(t, initialState(g, '00').nodes);
    for (let e = 0; e < t.edgeA.length; e++) {
      const gr = f.gradients[e]!;
      const abs = gr < 0n ? -gr : gr;
      expect(f.demand[e]).toBe((g.constants.kappa * abs) / S);
      const ends = flowEnds(t, gr, e);
      if (gr === 0n) expect(ends).toBeNull();
      else expect(f.psi[ends!.from]! < f.psi[ends!.to]!).toBe(true);
    }
  });

  it('an out-of-range ψ is a MathViolation, not a wrap', () => {
    const t = topology(genesisOf({ shards: [0n], nodes: [{ id: 0n, shard: 0n, chr: 1n }], edges: [] }));
    expect(() => openingField(t, [{ chr: 2n ** 126n, atr: 2n ** 126n, dis: 0n }])).toThrow(MathViolation);
  });
});
