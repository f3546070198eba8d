/** The chain's fixed shape, indexed once per genesis (its own module: ψ-field and state both read it). */
import type { Constants } from '../genesis/constants.ts';
import { totals, type Genesis } from '../genesis/genesis.ts';
import { compareBigint } from '../core/vocabulary.ts';

/**
 * The fixed shape of the chain, indexed once per genesis. Node index i is the position of the node
 * in `genesis.nodes` and in every `state.nodes` (both sorted by id, nodes are never added or
 * removed); user index j the position in `state.users` (sorted by id); edge index e the position
 * in `genesis.edges`, whose ends are node indices `edgeA[e] < edgeB[e]`.
 */
export type Topology = {
  readonly constants: Constants;
  /** Genesis Σ chr: the constant CHR supply (CHR_SUPPLY of step 9). */
  readonly chrSupply: bigint;
  readonly nodeIds: readonly bigint[];
  readonly nodeIndex: ReadonlyMap<bigint, number>;
  /** Shard index of each node. */
  readonly nodeShard: Int32Array;
  readonly shardIds: readonly bigint[];
  readonly shardIndex: ReadonlyMap<bigint, number>;
  /** Node indices of each shard, ascending. */
  readonly shardNodes: readonly (readonly number[])[];
  readonly edgeA: Int32Array;
  readonly edgeB: Int32Array;
  readonly userIds: readonly bigint[];
  readonly userIndex: ReadonlyMap<bigint, number>;
  readonly userWeight: readonly bigint[];
  /** Node index of each user. */
  readonly userNode: Int32Array;
  /** User indices of each node, in user id order. */
  readonly nodeUsers: readonly (readonly number[])[];
  /** Σ weight of each node's users (0 for a node with none). */
  readonly nodeWeight: readonly bigint[];
};

/** Indexes a (validated) genesis. */
export function topology(g: Genesis): Topology {
  const nodeIds = g.nodes.map((n) => n.id);
  const nodeIndex = new Map(nodeIds.map((id, i) => [id, i]));
  const shardIds = g.shards.map((s) => s.id);
  const shardIndex = new Map(shardIds.map((id, i) => [id, i]));
  const nodeShard = new Int32Array(nodeIds.length);
  const shardNodes: number[][] = shardIds.map(() => []);
  g.nodes.forEach((n, i) => {
    const s = shardIndex.get(n.shard)!;
    nodeShard[i] = s;
    shardNodes[s]!.push(i);
  });
  const edgeA = new Int32Array(g.edges.length);
  const edgeB = new Int32Array(g.edges.length);
  g.edges.forEach(([a, b], e) => {
    edgeA[e] = nodeIndex.get(a)!;
    edgeB[e] = nodeIndex.get(b)!;
  });
  const users = g.nodes.flatMap((n, i) => n.users.map((u) => ({ id: u.id, weight: u.weight, node: i })));
  users.sort((x, y) => compareBigint(x.id, y.id));
  const userIndex = new Map(users.map((u, j) => [u.id, j]));
  const userNode = Int32Array.from(users.map((u) => u.node));
  const nodeUsers = g.nodes.map((n) => n.users.map((u) => userIndex.get(u.id)!));
  const nodeWeight = g.nodes.map((n) => n.users.reduce((s, u) => s + u.weight, 0n));
  return {
    constants: g.constants,
    chrSupply: totals(g).chr,
    nodeIds,
    nodeIndex,
    nodeShard,
    shardIds,
    shardIndex,
    shardNodes,
    edgeA,
    edgeB,
    userIds: users.map((u) => u.id),
    userIndex,
    userWeight: users.map((u) => u.weight),
    userNode,
    nodeUsers,
    nodeWeight,
  };
}
