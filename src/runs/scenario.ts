/**
 * A deterministic honest load for the main job and the evidence data: per epoch, actions of every
 * kind submitted by a share of the nodes (about one in ten of them invalid, which the honest
 * agents refuse), and one timely oracle snapshot that drifts some nodes' dissonance. Every choice
 * comes from SHA-256 of (seed, epoch, counter): the same seed gives the same inputs, byte for byte.
 * The development oracle key signs the snapshots (its seed is published: demo and tests only).
 */
import { floorDiv, SCALE } from '../math/certified-math.ts';
import type { Json } from '../math/canonical.ts';
import { devLabel } from '../genesis/default-genesis.ts';
import type { EpochContext, EpochInputs } from '../epoch/epoch.ts';
import { sha256, toHex } from '../math/hashing.ts';
import { signSnapshot, type SignedSnapshot } from '../epoch/oracle.ts';
import { devKey } from '../math/signatures.ts';
import type { State } from '../economics/state.ts';

export type ScenarioOptions = {
  /** Seed of the load (any non-negative integer). */
  readonly seed: bigint;
  /** Share of nodes that submit an action each epoch, in parts per thousand. */
  readonly activityPerMille?: bigint;
  /** Whether the oracle signs a snapshot each epoch. */
  readonly oracle?: boolean;
};

function stream(seed: bigint, t: bigint): (bound: bigint) => bigint {
  let counter = 0n;
  return (bound) => {
    if (bound <= 0n) return 0n;
    const d = sha256(`qfs/v13/scenario/${seed}/${t}/${counter++}`);
    return BigInt(`0x${toHex(d)}`) % bound;
  };
}

/** The inputs of epoch `S.epoch + 1` under the scenario's honest load. */
export function scenarioInputs(ctx: EpochContext, S: State, opts: ScenarioOptions): EpochInputs {
  const t = S.epoch + 1n;
  const rnd = stream(opts.seed, t);
  const topo = ctx.topology;
  const n = BigInt(S.nodes.length);
  const activity = opts.activityPerMille ?? 250n;
  const byShard = new Map<bigint, Json[]>();
  const submit = (shard: bigint, action: Json) => {
    const list = byShard.get(shard) ?? [];
    list.push(action);
    byShard.set(shard, list);
  };
  const str = (x: bigint) => x.toString();
  S.nodes.forEach((node, i) => {
    if (rnd(1000n) >= activity) return;
    const shard = topo.shardIds[topo.nodeShard[i]!]!;
    const invalid = rnd(10n) === 0n;
    const nonce = node.nonce + 1n + (invalid && rnd(2n) === 0n ? 1n : 0n); // an invalid one may skip a nonce
    const share = (balance: bigint) => (invalid && rnd(2n) === 0n ? balance + 1n : floorDiv(balance * (1n + rnd(200n)), 1000n));
    const other = S.nodes[Number((BigInt(i) + 1n + rnd(n - 1n > 0n ? n - 1n : 1n)) % n)]!.id;
    const sameShard = topo.shardNodes[topo.nodeShard[i]!]!.filter((j) => j !== i);
    const kind = rnd(4n);
    if (kind === 0n && other !== node.id) {
      submit(shard, { kind: 'transfer', from: str(node.id), to: str(other), amount: str(share(node.flx)), nonce: str(nonce) });
    } else if (kind === 1n) {
      // Small stakes, so that the shard's C_s stays inside EA-9's bound.
      submit(shard, { kind: 'stake', node: str(node.id), amount: str(floorDiv(share(node.flx), 100n)), nonce: str(nonce) });
    } else if (kind === 2n) {
      submit(shard, { kind: 'unstake', node: str(node.id), amount: str(floorDiv(share(node.stake), 2n)), nonce: str(nonce) });
    } else if (sameShard.length > 0) {
      const to = S.nodes[sameShard[Number(rnd(BigInt(sameShard.length)))]!]!.id;
      submit(shard, { kind: 'psy_transfer', from: str(node.id), to: str(to), amount: str(share(node.psy)), nonce: str(nonce) });
    }
  });
  const snapshots: SignedSnapshot[] = [];
  if (opts.oracle ?? true) {
    const dis = S.nodes.flatMap((node) => {
      if (rnd(8n) !== 0n) return [];
      const step = floorDiv(SCALE, 20n);
      const up = rnd(2n) === 0n;
      const value = up ? (node.dis + step > SCALE ? SCALE : node.dis + step) : node.dis > step ? node.dis - step : 0n;
      return [{ node: node.id, value }];
    });
    snapshots.push(signSnapshot({ genesis: ctx.genesisHash, epoch: t, dis }, devKey(devLabel.oracle).secretKey));
  }
  const actions = [...byShard.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([shard, list]) => ({ shard, actions: list }));
  return { snapshots, validator: null, actions };
}
