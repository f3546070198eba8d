/**
 * Large synthetic economies for benchmarks (PERFORMANCE.md's shape): n nodes, about 4 edges per
 * node made of triangles (half of them), 25% of edges across shards, about 2 users per node,
 * balances spread over several orders of magnitude from 10^18 base units up to what the §3 supply
 * bounds allow for n nodes, 64 shards in 2 groups (fewer for small n). Deterministic
 * (a linear congruential stream from a fixed seed): the same n gives the same genesis.
 */
import type { Json } from '../src/math/canonical.ts';
import { SCALE } from '../src/math/certified-math.ts';
import { DEFAULT_CONSTANTS, devLabel } from '../src/genesis/default-genesis.ts';
import type { EpochContext, EpochInputs } from '../src/epoch/epoch.ts';
import { GENESIS_VERSION, type Genesis, type GenesisNode } from '../src/genesis/genesis.ts';
import { toHex } from '../src/math/hashing.ts';
import { signSnapshot, type SignedSnapshot } from '../src/epoch/oracle.ts';
import { openingField } from '../src/field/psi-field.ts';
import { devKey } from '../src/math/signatures.ts';
import type { State } from '../src/economics/state.ts';

function lcg(seed: number): (n: number) => number {
  let x = BigInt(seed);
  return (n) => {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number((x >> 33n) % BigInt(n));
  };
}

export function syntheticGenesis(n: number, shards = Math.min(64, Math.max(4, n >> 6))): Genesis {
  const rnd = lcg(n);
  const shardOf = (i: number) => Math.floor((i * shards) / n);
  // Log-uniform from 10^18 up to `cap`, so that Σ over n nodes stays inside the §3 supply bounds.
  const digits = (x: bigint) => x.toString().length - 1;
  const magBelow = (cap: bigint) => {
    const e = 18 + rnd(Math.max(1, digits(cap) - 18));
    return BigInt(1 + rnd(9)) * 10n ** BigInt(e);
  };
  const chrCap = 2n ** 89n / BigInt(n) / 10n;
  const flxCap = 2n ** 90n / BigInt(n) / 30n;
  const mag = () => magBelow(flxCap);
  const nodes: GenesisNode[] = [];
  let user = 0n;
  for (let i = 0; i < n; i++) {
    const atr = mag();
    const users = Array.from({ length: rnd(5) }, () => ({ id: user++, weight: BigInt(1 + rnd(1000)) }));
    nodes.push({
      id: BigInt(i),
      shard: BigInt(shardOf(i)),
      chr: magBelow(chrCap),
      flx: mag(),
      stake: rnd(2) === 0 ? 0n : atr / 4n,
      psy: 0n,
      atr,
      res: 0n,
      dis: BigInt(rnd(1000)) * (SCALE / 1000n),
      users,
    });
  }
  const deg = new Uint8Array(n);
  const edges = new Set<string>();
  const add = (a: number, b: number) => {
    if (a === b || deg[a]! >= 60 || deg[b]! >= 60) return;
    const k = a < b ? `${a},${b}` : `${b},${a}`;
    if (edges.has(k)) return;
    edges.add(k);
    deg[a]!++;
    deg[b]!++;
  };
  const near = (i: number) => {
    // 25% of partners in another shard.
    if (rnd(4) === 0) return rnd(n);
    const s = shardOf(i);
    const lo = Math.ceil((s * n) / shards);
    const hi = Math.ceil(((s + 1) * n) / shards);
    return lo + rnd(Math.max(1, hi - lo));
  };
  for (let i = 0; i + 2 < n; i += 3) {
    // a triangle (i, j, k) and one more edge from each corner: about 4 edges per node
    const j = near(i);
    const k = near(i);
    add(i, j);
    add(j, k);
    add(i, k);
    add(i + 1, near(i + 1));
    add(i + 2, near(i + 2));
    add(i + 1, i + 2);
  }
  const edgeList = [...edges]
    .map((k) => k.split(',').map(BigInt) as [bigint, bigint])
    .sort((e, f) => (e[0] !== f[0] ? (e[0] < f[0] ? -1 : 1) : e[1] < f[1] ? -1 : e[1] > f[1] ? 1 : 0));
  const shardIds = Array.from({ length: shards }, (_, i) => BigInt(i));
  const half = shards >> 1;
  return {
    version: GENESIS_VERSION,
    chain_id: `bench-${n}`,
    constants: DEFAULT_CONSTANTS,
    groups: [shardIds.slice(0, half), shardIds.slice(half)],
    shards: shardIds.map((id) => ({ id, key: toHex(devKey(devLabel.shard(id)).publicKey) })),
    nodes,
    edges: edgeList,
    treasury: 2n ** 90n / 10n,
    oracle_key: toHex(devKey(devLabel.oracle).publicKey),
    founders: [0n, 1n, 2n].map((id) => ({ id, key: toHex(devKey(devLabel.founder(id)).publicKey) })),
    threshold: 2n,
  };
}

// ---------------------------------------------------------------------------------------------
// Inputs of an honest epoch on such an economy

export type SyntheticLoad = {
  /** Actions submitted per epoch (about 1 in 16 of them invalid, which the honest agents refuse). */
  readonly actions: number;
  /** Nodes whose dissonance one oracle snapshot (signed, epoch t) moves; 0: no snapshot. */
  readonly oracleNodes: number;
  /** A validator answer: none, the engine's ψ of S (differs where the snapshot moved dis), or a malformed one. */
  readonly validator?: 'none' | 'psi-of-S' | 'malformed';
  /** Seed of the load. */
  readonly seed?: number;
};

const str = (x: bigint): string => x.toString();

/**
 * Deterministic inputs for epoch `S.epoch + 1`: `load.actions` submissions of every kind (mostly
 * valid: nonces follow S, amounts are small shares of S's balances, stakes small enough for EA-9),
 * one oracle snapshot, an optional validator answer. Same (economy, S, load) → same inputs.
 */
export function syntheticInputs(ctx: EpochContext, S: State, load: SyntheticLoad): EpochInputs {
  const topo = ctx.topology;
  const n = S.nodes.length;
  const rnd = lcg((load.seed ?? 7) * 1_000_003 + Number(S.epoch) * 7919 + n);
  const byShard = new Map<bigint, Json[]>();
  const nextNonce = new Map<number, bigint>();
  const submit = (i: number, action: Record<string, string>) => {
    const shard = topo.shardIds[topo.nodeShard[i]!]!;
    const list = byShard.get(shard) ?? [];
    list.push(action);
    byShard.set(shard, list);
  };
  for (let k = 0; k < load.actions; k++) {
    const i = rnd(n);
    const node = S.nodes[i]!;
    const invalid = rnd(16) === 0;
    const nonce = nextNonce.get(i) ?? node.nonce + 1n;
    nextNonce.set(i, nonce + 1n);
    const used = invalid && rnd(2) === 0 ? nonce + 5n : nonce; // an invalid one may skip nonces
    const share = (balance: bigint, per: bigint) => (invalid && rnd(2) === 0 ? balance + 1n : (balance * BigInt(1 + rnd(50))) / per);
    const kind = rnd(4);
    if (kind === 0) {
      const j = (i + 1 + rnd(Math.max(1, n - 1))) % n;
      submit(i, { kind: 'transfer', from: str(node.id), to: str(S.nodes[j]!.id), amount: str(share(node.flx, 1000n) + 1n), nonce: str(used) });
    } else if (kind === 1) {
      submit(i, { kind: 'stake', node: str(node.id), amount: str(share(node.flx, 100_000n) + 1n), nonce: str(used) });
    } else if (kind === 2 && node.stake > 0n) {
      submit(i, { kind: 'unstake', node: str(node.id), amount: str(share(node.stake, 1000n) + 1n), nonce: str(used) });
    } else {
      const members = topo.shardNodes[topo.nodeShard[i]!]!;
      const j = members[rnd(members.length)]!;
      if (j === i || node.psy === 0n) {
        submit(i, { kind: 'transfer', from: str(node.id), to: str(S.nodes[(i + 1) % n]!.id), amount: '1', nonce: str(used) });
      } else {
        submit(i, { kind: 'psy_transfer', from: str(node.id), to: str(S.nodes[j]!.id), amount: str(share(node.psy, 1000n) + 1n), nonce: str(used) });
      }
    }
  }
  const t = S.epoch + 1n;
  const snapshots: SignedSnapshot[] = [];
  if (load.oracleNodes > 0) {
    const picked = new Set<number>();
    for (let k = 0; k < load.oracleNodes; k++) picked.add(rnd(n));
    const dis = [...picked]
      .sort((a, b) => a - b)
      .map((i) => ({ node: S.nodes[i]!.id, value: BigInt(rnd(1001)) * (SCALE / 1000n) }));
    snapshots.push(signSnapshot({ genesis: ctx.genesisHash, epoch: t, dis }, devKey(devLabel.oracle).secretKey));
  }
  let validator: Json | null = null;
  if (load.validator === 'psi-of-S') {
    const psi = openingField(topo, S.nodes).psi;
    validator = { epoch: str(t), psi: S.nodes.map((x, i) => ({ node: str(x.id), value: str(psi[i]!) })) };
  } else if (load.validator === 'malformed') {
    validator = { epoch: str(t), psi: [] };
  }
  const actions = [...byShard.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([shard, list]) => ({ shard, actions: list }));
  return { snapshots, validator, actions };
}
