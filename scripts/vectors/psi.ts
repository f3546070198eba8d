/** psi.json: §5 the ψ-field of a state (densities, gradients, flux demands, curls, C and C_s). */
import { curl, openingField, triangles, type OpeningField } from '../../src/field/psi-field.ts';
import { topology } from '../../src/field/topology.ts';
import type { Patch } from '../patch.ts';
import { j, mathError, S, s, type Vectors } from './common.ts';
import { GENESES_TEXT, genesesUsed, genesisNamed, patchedState } from './fixtures.ts';

type Reported = { a: bigint; b: bigint; value: bigint };

function psiCase(name: string, genesis: string, statePatch: Patch, reported: Reported[] = []): unknown {
  const g = genesisNamed(genesis);
  const topo = topology(g);
  const st = patchedState(genesis, statePatch);
  const head = { name, genesis, state_patch: statePatch, ...(reported.length > 0 ? { reported: j(reported) } : {}) };
  let field: OpeningField;
  try {
    field = openingField(topo, st.nodes);
  } catch (e) {
    return { ...head, error: mathError(e) };
  }
  const id = topo.nodeIds;
  const grads = [...field.gradients];
  for (const r of reported) {
    const e = g.edges.findIndex(([a, b]) => a === r.a && b === r.b);
    if (e < 0) throw new Error(`vectors: no edge (${r.a}, ${r.b})`);
    grads[e] = r.value;
  }
  return {
    ...head,
    psi: j(id.map((node, i) => ({ node, value: field.psi[i]! }))),
    sum_psi: s(field.sumPsi),
    c: s(field.c),
    c_shards: j(topo.shardIds.map((shard, k) => ({ shard, value: field.cShards[k]! }))),
    gradients: j(g.edges.map(([a, b], e) => ({ a, b, value: field.gradients[e]! }))),
    flux: j(
      g.edges.map(([a, b], e) => {
        const gr = field.gradients[e]!;
        const [from, to] = gr === 0n ? [null, null] : gr > 0n ? [a, b] : [b, a];
        return { a, b, demand: field.demand[e]!, from, to };
      }),
    ),
    triangles: j(triangles(topo).map((t) => ({ a: id[t.a]!, b: id[t.b]!, c: id[t.c]!, curl: curl(grads, t) }))),
  };
}

export function psiVectors(): Vectors {
  const set = (path: (string | number)[], value: bigint | string): Patch[number] => ({ op: 'set', path, value: typeof value === 'string' ? value : s(value) });
  const big = 2n ** 126n;
  const cases = [
    psiCase('example at genesis', 'example', []),
    psiCase('example: dis at SCALE and flooring densities', 'example', [set(['nodes', 0, 'dis'], S), set(['nodes', 2, 'chr'], S + 1n), set(['nodes', 3, 'dis'], S / 3n)]),
    psiCase('example: equal densities on an edge (no gradient, no direction)', 'example', [set(['nodes', 0, 'chr'], 4n * S), set(['nodes', 0, 'atr'], S)]),
    psiCase('example: a gradient of 1 whose demand floors to 0 (direction kept)', 'example', [set(['nodes', 0, 'chr'], 4n * S), set(['nodes', 0, 'atr'], S), set(['nodes', 1, 'dis'], S / 4n - 1n)]),
    psiCase('example: zero density everywhere', 'example', [0, 1, 2, 3].map((i) => set(['nodes', i, 'chr'], 0n))),
    psiCase('example: a lied gradient on the triangle (curl ≠ 0)', 'example', [], [{ a: 1n, b: 3n, value: -4n * S }]),
    psiCase('single node, no edge', 'single', []),
    psiCase('triangle at genesis', 'triangle', []),
    psiCase('triangle: two lied gradients', 'triangle', [], [{ a: 10n, b: 20n, value: 1n }, { a: 20n, b: 30n, value: -(2n ** 126n) }]),
    psiCase('default at genesis', 'default', []),
    psiCase('default-patched at genesis (zero chr, dis at SCALE)', 'default-patched', []),
    psiCase('default: a lied gradient on a cross-shard triangle', 'default', [], [{ a: 4n, b: 13n, value: 12345n }]),
    psiCase('a density out of range: E_MATH out_of_range', 'example', [set(['nodes', 0, 'chr'], 2n ** 100n), set(['nodes', 0, 'atr'], 2n ** 100n)]),
    psiCase('Σψ reaches 2^127: E_MATH out_of_range', 'example', [
      set(['nodes', 0, 'chr'], big),
      set(['nodes', 0, 'atr'], S),
      set(['nodes', 2, 'chr'], big),
      set(['nodes', 2, 'atr'], S),
    ]),
    psiCase('Σψ = 2^127 − 1: in range', 'example', [
      set(['nodes', 0, 'chr'], big),
      set(['nodes', 0, 'atr'], S),
      set(['nodes', 2, 'chr'], big - 1n - 8n * S), // ψ = [2^126, 4·SCALE, this, 4·SCALE]: Σψ = 2^127 − 1
      set(['nodes', 2, 'atr'], S),
    ]),
  ];
  return {
    format: 'qfs-vectors/1',
    section: '§5 ψ-field: density per node, gradient and flux demand per edge, curl per triangle, C and C_s',
    conventions:
      `${GENESES_TEXT} A case's state is the state at epoch 0 of its genesis with state_patch applied to its JSON form (§4 keys). ` +
      'flux lists every edge: demand |d_e| and its direction from the lower-ψ end to the higher-ψ end, from/to null iff g_e = 0 (a demand that floors to 0 keeps the direction of its gradient). ' +
      'triangles lists every triangle a < b < c by (a, b, c); its curl g_ab + g_bc − g_ac is computed (exactly) from the gradients with `reported` replacing the named edges\' values, so it is 0 without `reported`. ' +
      'c_shards lists every shard in id order (0 for a shard with no nodes). An error case is { code, reason } of the MathViolation (P1.1).',
    geneses: genesesUsed(['example', 'single', 'triangle', 'default', 'default-patched']),
    cases,
  };
}
