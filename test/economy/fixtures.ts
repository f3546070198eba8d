/**
 * Fixtures for the economy tests: a small hand-computable genesis, and fast-check arbitraries for
 * random small genesis documents and valid actions. Genesis keys are placeholders: the economy
 * never reads them.
 */
import { fc } from '@fast-check/vitest';
import { SCALE } from '../../src/math/certified-math.ts';
import type { Constants } from '../../src/genesis/constants.ts';
import { GENESIS_VERSION, type Genesis, type GenesisNode } from '../../src/genesis/genesis.ts';
import type { Action } from '../../src/economics/harmonic-economics.ts';
import type { State } from '../../src/economics/state.ts';

export const S = SCALE;

export const CONSTANTS: Constants = {
  a_max: 4n,
  base: 2n * S,
  delta_max: S / 10n,
  epsilon_sync: S / 100n,
  delta_curl: 0n,
  kappa: S / 2n,
  flow_rate: S / 4n,
  penalty_rate: S / 2n,
  align_tol: 2n * S,
  res_rate: S / 10n,
  res_cap_ratio: S,
  psy_rate: S / 100n,
  release_rate: S / 10n,
  node_commission: S / 4n,
  oracle_window: 2n,
  halt_epochs: 2n,
  blacklist_after: 3n,
};

type NodeSpec = Partial<Omit<GenesisNode, 'id' | 'shard'>> & { id: bigint; shard: bigint };

export function genesisOf(spec: {
  nodes: readonly NodeSpec[];
  shards: readonly bigint[];
  edges: readonly (readonly [bigint, bigint])[];
  treasury?: bigint;
  constants?: Partial<Constants>;
}): Genesis {
  return {
    version: GENESIS_VERSION,
    chain_id: 'economy-test',
    constants: { ...CONSTANTS, ...spec.constants },
    groups: [[...spec.shards]],
    shards: spec.shards.map((id) => ({ id, key: `shard-key-${id}` })),
    nodes: spec.nodes.map((n) => ({ chr: 0n, flx: 0n, stake: 0n, psy: 0n, atr: 0n, res: 0n, dis: 0n, users: [], ...n })),
    edges: spec.edges,
    treasury: spec.treasury ?? 0n,
    oracle_key: 'oracle-key',
    founders: [{ id: 0n, key: 'founder-key-0' }],
    threshold: 1n,
  };
}

/**
 * The hand-computed example. Shards 0 = {2, 3}, 1 = {1, 4}, 2 = {} (shard order differs from node
 * order on purpose). Opening ψ (dis in the denominator SCALE + dis):
 *   ψ1 = 2S·3S/S = 6S;  ψ2 = 5S·1S/1.25S = 4S;  ψ3 = 1S·1S/S = 1S;  ψ4 = 3S·2S/1.5S = 4S.
 * Edges (1,2), (1,3), (2,3), (2,4); one triangle (1,2,3).
 */
export const EXAMPLE: Genesis = genesisOf({
  shards: [0n, 1n, 2n],
  nodes: [
    { id: 1n, shard: 1n, chr: 2n * S, flx: 10n * S, atr: 3n * S, res: S, dis: 0n, users: [{ id: 30n, weight: 1n }, { id: 31n, weight: 2n }] },
    { id: 2n, shard: 0n, chr: 5n * S, flx: 4n * S, psy: 5n * S, atr: S, res: 0n, dis: S / 4n, users: [{ id: 5n, weight: 3n }] },
    { id: 3n, shard: 0n, chr: S, flx: 2n * S + 4n, atr: S, res: 2n * S, dis: 0n },
    {
      id: 4n,
      shard: 1n,
      chr: 3n * S,
      flx: 0n,
      atr: 2n * S,
      res: S / 2n,
      dis: S / 2n,
      users: [
        { id: 40n, weight: 1n },
        { id: 41n, weight: 1n },
        { id: 42n, weight: 1n },
      ],
    },
  ],
  edges: [
    [1n, 2n],
    [1n, 3n],
    [2n, 3n],
    [2n, 4n],
  ],
  treasury: 1000n * S,
});

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** Balances biased to a few round values (ties, zero gradients, aligned edges) and to a wide range. */
const amount = fc.oneof(
  fc.constantFrom(0n, 1n, S / 2n, S, 2n * S, 3n * S, 10n * S),
  fc.bigInt({ min: 0n, max: 10n ** 4n * S }),
);
const dis = fc.oneof(fc.constantFrom(0n, S / 4n, S / 2n, S), fc.bigInt({ min: 0n, max: S }));

const arbNode = fc.record({
  shard: fc.nat(2),
  chr: amount,
  flx: amount,
  psy: amount,
  atr: amount,
  stakeShare: fc.bigInt({ min: 0n, max: S }),
  res: amount,
  dis,
  users: fc.array(fc.bigInt({ min: 1n, max: 1000n }), { maxLength: 3 }),
});

export const arbConstants: fc.Arbitrary<Constants> = fc.record({
  a_max: fc.bigInt({ min: 1n, max: 64n }),
  base: fc.oneof(fc.constantFrom(S, S / 2n), fc.bigInt({ min: 1n, max: S })),
  delta_max: fc.constant(S / 10n),
  epsilon_sync: fc.constant(S / 100n),
  delta_curl: fc.constant(0n),
  kappa: fc.bigInt({ min: 1n, max: S }),
  flow_rate: fc.bigInt({ min: 1n, max: S / 2n }),
  penalty_rate: fc.bigInt({ min: 0n, max: S }),
  align_tol: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 10n * S }), fc.bigInt({ min: 0n, max: 10n ** 8n * S })),
  res_rate: fc.bigInt({ min: 0n, max: S }),
  res_cap_ratio: fc.oneof(fc.bigInt({ min: 1n, max: S }), fc.bigInt({ min: 1n, max: 100n * S })),
  psy_rate: fc.bigInt({ min: 0n, max: S }),
  release_rate: fc.bigInt({ min: 1n, max: S / 10n }),
  node_commission: fc.oneof(fc.constantFrom(0n, S), fc.bigInt({ min: 0n, max: S })),
  oracle_window: fc.constant(2n),
  halt_epochs: fc.constant(2n),
  blacklist_after: fc.constant(3n),
});

/** A random small genesis: 1–7 nodes in 1–3 shards, any subset of the possible edges. */
export const arbGenesis: fc.Arbitrary<Genesis> = fc
  .record({
    nodes: fc.array(arbNode, { minLength: 1, maxLength: 7 }),
    shards: fc.integer({ min: 1, max: 3 }),
    edgeBits: fc.array(fc.boolean(), { minLength: 21, maxLength: 21 }),
    constants: arbConstants,
    treasury: amount,
  })
  .map(({ nodes, shards, edgeBits, constants, treasury }) => {
    let nextUser = 100n;
    const built = nodes.map((n, i) => ({
      id: BigInt(2 * i + 1), // odd ids: an id is not an index
      shard: BigInt(n.shard % shards),
      chr: i === 0 && nodes.every((m) => m.chr === 0n) ? 1n : n.chr,
      flx: n.flx,
      stake: (n.atr * n.stakeShare) / S,
      psy: n.psy,
      atr: n.atr,
      res: n.res,
      dis: n.dis,
      users: n.users.map((weight) => ({ id: nextUser++, weight })),
    }));
    const edges: [bigint, bigint][] = [];
    let k = 0;
    for (let a = 0; a < built.length; a++) {
      for (let b = a + 1; b < built.length; b++) if (edgeBits[k++]) edges.push([built[a]!.id, built[b]!.id]);
    }
    return genesisOf({ nodes: built, shards: Array.from({ length: shards }, (_, s) => BigInt(s)), edges, treasury, constants });
  });

/** One node's intentions for an epoch; `validActions` turns them into actions that step 3 accepts. */
export const arbIntent = fc.record({
  transfer: fc.boolean(),
  stake: fc.boolean(),
  unstake: fc.boolean(),
  psy: fc.boolean(),
  to: fc.nat(),
  share: fc.bigInt({ min: 1n, max: S }),
});
export type Intent = typeof arbIntent extends fc.Arbitrary<infer T> ? T : never;

/**
 * Valid actions against `state` (step 3's rules: amounts > 0, per node Σ transfers + Σ stakes ≤ flx,
 * Σ psy_transfers ≤ psy, Σ unstakes ≤ stake − queued, psy_transfer within the shard, nonces
 * S.nonce + 1, + 2, …), returned in a scrambled order so that the canonical sort is exercised.
 */
export function validActions(g: Genesis, state: State, intents: readonly Intent[]): Action[] {
  const out: Action[] = [];
  state.nodes.forEach((n, i) => {
    const want = intents[i];
    if (want === undefined) return;
    let nonce = n.nonce;
    const shard = g.nodes[i]!.shard;
    const others = state.nodes.filter((m) => m.id !== n.id);
    const sameShard = state.nodes.filter((m, j) => m.id !== n.id && g.nodes[j]!.shard === shard);
    const third = (x: bigint): bigint => (x * want.share) / S / 3n;
    const t = third(n.flx);
    if (want.transfer && t > 0n && others.length > 0) {
      out.push({ kind: 'transfer', from: n.id, to: others[want.to % others.length]!.id, amount: t, nonce: ++nonce });
    }
    if (want.stake && t > 0n) out.push({ kind: 'stake', node: n.id, amount: t, nonce: ++nonce });
    const queued = state.unstakes.filter((u) => u.node === n.id).reduce((s, u) => s + u.amount, 0n);
    const free = (((n.stake - queued) * want.share) / S);
    if (want.unstake && free > 0n) out.push({ kind: 'unstake', node: n.id, amount: free, nonce: ++nonce });
    const p = (n.psy * want.share) / S;
    if (want.psy && p > 0n && sameShard.length > 0) {
      out.push({ kind: 'psy_transfer', from: n.id, to: sameShard[want.to % sameShard.length]!.id, amount: p, nonce: ++nonce });
    }
  });
  return out.reverse();
}
