/**
 * State (SPEC §4): the committed state of an epoch, its initial value from the genesis, its root,
 * and its supplies. Also the *topology*: the parts of the genesis that never change (node and
 * shard ids, each node's shard, the edges, the users and their weights), indexed once so that the
 * economy steps work on arrays aligned with `state.nodes` instead of searching by id.
 *
 * Accounts (pinned here for the epoch record's `moves: [{ kind, from, to, amount }]`, §6):
 * an account is one ASCII string,
 *
 *     "node:<id>:flx" | "node:<id>:stake" | "node:<id>:psy" | "user:<id>:flx" | "treasury"
 *
 * with `<id>` written as §2 writes every integer (decimal, no sign, no leading zero), so the set of
 * accounts is the regular language `ACCOUNT` below. A string rather than an object because:
 * it is one canonical value with no optional key (the treasury has no id); it is an exact map key
 * in TypeScript, Python and Rust alike, which is what the `flx.kirchhoff` check groups by; and it
 * keeps a 100k-node record about half the size of `{ kind, id }` objects.
 *
 * Move kinds and the accounts they join (every move has `amount > 0`: a zero is never recorded):
 *
 *     transfer      node:<from>:flx   → node:<to>:flx      step 4
 *     stake         node:<n>:flx      → node:<n>:stake     step 4
 *     psy_transfer  node:<from>:psy   → node:<to>:psy      step 4
 *     unstake       node:<n>:stake    → node:<n>:flx       step 4, when a queued unstake executes
 *                                                          (queueing moves nothing)
 *     flow          node:<src>:flx    → node:<dst>:flx     step 5
 *     cut           treasury          → node:<n>:flx       step 10
 *     payout        treasury          → user:<u>:flx       step 10
 *
 * A stake or unstake also changes `atr` by the same amount; ATR is not an account (it is not a
 * token anyone holds), so that change is implied by the move and not recorded separately.
 */
import type { Constants } from './constants.ts';
import type { Genesis } from './genesis.ts';
import { totals } from './genesis.ts';
import { taggedHashHex } from './hashing.ts';
import { globalCoherence, psiOf } from './psi-field.ts';

export type Mode = 'normal' | 'safe';

export type NodeState = {
  readonly id: bigint;
  readonly chr: bigint;
  readonly flx: bigint;
  readonly stake: bigint;
  readonly psy: bigint;
  readonly atr: bigint;
  readonly res: bigint;
  readonly dis: bigint;
  readonly nonce: bigint;
};
export type UserState = { readonly id: bigint; readonly flx: bigint };
export type ShardState = {
  readonly id: bigint;
  readonly halted_until: bigint;
  readonly violations: bigint;
  readonly blacklisted: boolean;
};
export type UnstakeEntry = { readonly node: bigint; readonly nonce: bigint; readonly amount: bigint; readonly since: bigint };
export type Founder = { readonly id: bigint; readonly key: string };

/** SPEC §4. Every list sorted by id; `unstakes` by `(node, nonce)`. `genesis` is the hash G. */
export type State = {
  readonly genesis: string;
  readonly epoch: bigint;
  readonly mode: Mode;
  readonly nodes: readonly NodeState[];
  readonly users: readonly UserState[];
  readonly treasury: bigint;
  readonly chr_pool: bigint;
  readonly shards: readonly ShardState[];
  readonly unstakes: readonly UnstakeEntry[];
  readonly coherence: bigint;
  readonly founders: readonly Founder[];
  readonly last_oracle_epoch: bigint;
};

// ---------------------------------------------------------------------------------------------
// Accounts and moves

export type Account = `node:${bigint}:flx` | `node:${bigint}:stake` | `node:${bigint}:psy` | `user:${bigint}:flx` | 'treasury';
export type MoveKind = 'transfer' | 'psy_transfer' | 'stake' | 'unstake' | 'flow' | 'cut' | 'payout';
export type Move = { readonly kind: MoveKind; readonly from: Account; readonly to: Account; readonly amount: bigint };

/** Every account string, and nothing else. */
export const ACCOUNT = /^(?:node:(?:0|[1-9][0-9]*):(?:flx|stake|psy)|user:(?:0|[1-9][0-9]*):flx|treasury)$/;

export const account = {
  nodeFlx: (id: bigint): Account => `node:${id}:flx`,
  nodeStake: (id: bigint): Account => `node:${id}:stake`,
  nodePsy: (id: bigint): Account => `node:${id}:psy`,
  userFlx: (id: bigint): Account => `user:${id}:flx`,
  treasury: 'treasury' as Account,
} as const;

export type ParsedAccount =
  | { readonly kind: 'node'; readonly id: bigint; readonly balance: 'flx' | 'stake' | 'psy' }
  | { readonly kind: 'user'; readonly id: bigint; readonly balance: 'flx' }
  | { readonly kind: 'treasury' };

/** The parts of an account string; undefined if it is not one. */
export function parseAccount(s: string): ParsedAccount | undefined {
  if (!ACCOUNT.test(s)) return undefined;
  if (s === 'treasury') return { kind: 'treasury' };
  const [owner, id, balance] = s.split(':') as [string, string, string];
  return owner === 'node'
    ? { kind: 'node', id: BigInt(id), balance: balance as 'flx' | 'stake' | 'psy' }
    : { kind: 'user', id: BigInt(id), balance: 'flx' };
}

// ---------------------------------------------------------------------------------------------
// Topology

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

const byBigint = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

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
  users.sort((x, y) => byBigint(x.id, y.id));
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

// ---------------------------------------------------------------------------------------------
// Initial state and root

/** The state at epoch 0 (SPEC §4). `genesisHashHex` is G; `coherence` is C of the genesis field. */
export function initialState(g: Genesis, genesisHashHex: string): State {
  const nodes: NodeState[] = g.nodes.map((n) => ({
    id: n.id,
    chr: n.chr,
    flx: n.flx,
    stake: n.stake,
    psy: n.psy,
    atr: n.atr,
    res: n.res,
    dis: n.dis,
    nonce: 0n,
  }));
  const users: UserState[] = g.nodes.flatMap((n) => n.users.map((u) => ({ id: u.id, flx: 0n })));
  users.sort((x, y) => byBigint(x.id, y.id));
  return {
    genesis: genesisHashHex,
    epoch: 0n,
    mode: 'normal',
    nodes,
    users,
    treasury: g.treasury,
    chr_pool: 0n,
    shards: g.shards.map((s) => ({ id: s.id, halted_until: 0n, violations: 0n, blacklisted: false })),
    unstakes: [],
    coherence: globalCoherence(nodes.map(psiOf)),
    founders: g.founders.map((f) => ({ id: f.id, key: f.key })),
    last_oracle_epoch: 0n,
  };
}

/** State root `R = H("qfs/v13/state", state)`, lowercase hex. */
export const stateRoot = (state: State): string => taggedHashHex('qfs/v13/state', state);

// ---------------------------------------------------------------------------------------------
// Supplies. Exact sums (no range check): they are observations that invariant checks compare,
// and must report a tampered state rather than throw on it.

const total = <T>(xs: readonly T[], f: (x: T) => bigint): bigint => xs.reduce((s, x) => s + f(x), 0n);

/** CHR supply `Σ chr + chr_pool` (constant forever). */
export const chrSupply = (s: State): bigint => total(s.nodes, (n) => n.chr) + s.chr_pool;
/** FLX supply `Σ flx + Σ stake + Σ users.flx + treasury` (constant forever). */
export const flxSupply = (s: State): bigint =>
  total(s.nodes, (n) => n.flx + n.stake) + total(s.users, (u) => u.flx) + s.treasury;
/** PSY supply `Σ psy` (never decreases). */
export const psySupply = (s: State): bigint => total(s.nodes, (n) => n.psy);
/** ATR supply `Σ atr` (changes only by stake and unstake). */
export const atrSupply = (s: State): bigint => total(s.nodes, (n) => n.atr);
/** RES supply `Σ res` (changes only by step 7). */
export const resSupply = (s: State): bigint => total(s.nodes, (n) => n.res);
