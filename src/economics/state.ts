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
import type { Genesis } from '../genesis/genesis.ts';
import { canonicalString, type Encodable } from '../math/canonical.ts';
import { taggedHasher, taggedHashHex, type TaggedHasher } from '../math/hashing.ts';
import { globalCoherence, psiOf } from '../field/psi-field.ts';
import { compareBigint, compareString } from '../core/vocabulary.ts';
import type { Amount, Epoch, FounderId, NodeId, Nonce, Scaled, ShardId, UserId } from '../core/units.ts';

export type Mode = 'normal' | 'safe';

export type NodeState = {
  readonly id: NodeId;
  readonly chr: Amount;
  readonly flx: Amount;
  readonly stake: Amount;
  readonly psy: Amount;
  readonly atr: Amount;
  readonly res: Amount;
  readonly dis: Scaled;
  readonly nonce: Nonce;
};
export type UserState = { readonly id: UserId; readonly flx: Amount };
export type ShardState = {
  readonly id: ShardId;
  readonly halted_until: Epoch;
  readonly violations: bigint;
  readonly blacklisted: boolean;
};
export type UnstakeEntry = { readonly node: NodeId; readonly nonce: Nonce; readonly amount: Amount; readonly since: Epoch };
export type Founder = { readonly id: FounderId; readonly key: string };

/** SPEC §4. Every list sorted by id; `unstakes` by `(node, nonce)`. `genesis` is the hash G. */
export type State = {
  readonly genesis: string;
  readonly epoch: Epoch;
  readonly mode: Mode;
  readonly nodes: readonly NodeState[];
  readonly users: readonly UserState[];
  readonly treasury: Amount;
  readonly chr_pool: Amount;
  readonly shards: readonly ShardState[];
  readonly unstakes: readonly UnstakeEntry[];
  readonly coherence: Scaled;
  readonly founders: readonly Founder[];
  readonly last_oracle_epoch: Epoch;
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

/** The accounts of a list of ids, by index: `names[i]` is `account.<kind>(ids[i])` for the ids the list was made from. */
export type AccountNames = { readonly ids: readonly bigint[]; readonly names: readonly Account[] };
const accountNameLists = { nodeFlx: new WeakMap<readonly bigint[], AccountNames>(), userFlx: new WeakMap<readonly bigint[], AccountNames>() };

/**
 * `account.nodeFlx` (or `userFlx`) of every id of `ids`, made once per list (a topology's
 * `nodeIds`, `userIds`): an epoch of a 100k-node economy names about a million accounts in its
 * moves, and reusing the strings spares as many allocations. The list keeps a copy of the ids it
 * was made from: a caller checks `names.ids[i] === id` before using `names.names[i]`, so a list
 * changed in place is never misnamed.
 */
export function accountNames(ids: readonly bigint[], kind: 'nodeFlx' | 'userFlx'): AccountNames {
  const lists = accountNameLists[kind];
  let l = lists.get(ids);
  if (l === undefined || l.ids.length !== ids.length) {
    const make = account[kind];
    l = { ids: [...ids], names: ids.map((id) => make(id)) };
    lists.set(ids, l);
  }
  return l;
}

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
  users.sort((x, y) => compareBigint(x.id, y.id));
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

/**
 * State root `R = H("qfs/v13/state", state)`, lowercase hex.
 *
 * The bytes hashed are always `canonical(state)`; two things only make it cheaper on large states:
 * - a state of the §4 shape (exactly the §4 keys; nodes and users plain objects with exactly their
 *   keys and bigint values) is encoded by a writer that knows the layout, reusing the decimal text
 *   of node and user fields whose value did not change since the last root at the same index
 *   (ids, stakes, atr, dissonance, nonces, res); anything else, or any fault, takes the general
 *   encoder from the start, which raises exactly as before;
 * - the root of a state object is remembered with a copy of every value it was computed from, and
 *   reused only if the object still holds exactly those values and keys (checked at each call, so
 *   a state changed in place is hashed again). An epoch's `prev_root` is the root its previous
 *   epoch computed for the same object.
 */
export function stateRoot(state: State): string {
  const memo = rootMemo.get(state);
  if (memo !== undefined && memoHolds(memo, state)) return memo.root;
  const fast = layoutRoot(state);
  if (fast !== undefined) {
    rootMemo.set(state, fast);
    return fast.root;
  }
  return taggedHashHex('qfs/v13/state', state);
}


/** Key orders accepted as one key set (the set is `sorted`); a few insertion orders are remembered. */
class KeySet {
  private readonly orders: (readonly string[])[] = [];
  constructor(readonly sorted: readonly string[]) {
    this.orders.push(sorted);
  }
  /** Whether `o` is a plain object whose own enumerable keys are exactly the set. */
  holds(o: unknown): boolean {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
    const proto = Object.getPrototypeOf(o) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    const keys = Object.keys(o);
    const n = this.sorted.length;
    if (keys.length !== n) return false;
    for (let k = 0; k < this.orders.length; k++) {
      const order = this.orders[k]!;
      let i = 0;
      while (i < n && order[i] === keys[i]) i++;
      if (i === n) return true;
    }
    const sorted = keys.sort(compareString);
    for (let i = 0; i < n; i++) if (sorted[i] !== this.sorted[i]) return false;
    if (this.orders.length < 8) this.orders.push(Object.keys(o));
    return true;
  }
}

const TOP = new KeySet(['chr_pool', 'coherence', 'epoch', 'founders', 'genesis', 'last_oracle_epoch', 'mode', 'nodes', 'shards', 'treasury', 'unstakes', 'users']);
const NODE_KEYS = ['atr', 'chr', 'dis', 'flx', 'id', 'nonce', 'psy', 'res', 'stake'] as const;
const NODE = new KeySet(NODE_KEYS);
const USER = new KeySet(['flx', 'id']);
/** Decimal text kept per node index for the fields an honest epoch changes rarely (atr, dis, id, nonce, res, stake). */
const keptValue: bigint[][] = NODE_KEYS.map(() => []);
const keptText: string[][] = NODE_KEYS.map(() => []);
const keptUserId: bigint[] = [];
const keptUserIdText: string[] = [];

type RootMemo = {
  readonly root: string;
  /** Every node's values in NODE_KEYS order, then every user's (flx, id). */
  readonly nodeValues: readonly bigint[];
  readonly userValues: readonly bigint[];
  /** Canonical text of every other top-level value, in TOP order. */
  readonly others: readonly string[];
};
const rootMemo = new WeakMap<object, RootMemo>();
const CHUNK = 1 << 16;

/** The root of a state of the §4 shape, with what it was computed from; undefined for any other value. */
function layoutRoot(state: State): RootMemo | undefined {
  if (!TOP.holds(state)) return undefined;
  const nodes = state.nodes as readonly unknown[];
  const users = state.users as readonly unknown[];
  if (!Array.isArray(nodes) || !Array.isArray(users)) return undefined;
  const record = state as unknown as { readonly [key: string]: Encodable };
  const h = taggedHasher('qfs/v13/state');
  const others: string[] = [];
  const nodeValues: bigint[] = new Array<bigint>(nodes.length * NODE_KEYS.length);
  const userValues: bigint[] = new Array<bigint>(users.length * 2);
  const keys = TOP.sorted;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    h.write(`${k === 0 ? '{' : ','}"${key}":`);
    if (key === 'nodes') {
      if (!writeNodes(h, nodes, nodeValues)) return undefined;
    } else if (key === 'users') {
      if (!writeUsers(h, users, userValues)) return undefined;
    } else {
      let text: string;
      try {
        text = canonicalString(record[key]!);
      } catch {
        return undefined; // the general encoder raises it, with its path
      }
      others.push(text);
      h.write(text);
    }
  }
  h.write('}');
  return { root: h.hex(), nodeValues, userValues, others };
}

/** `"<decimal>"` of field f of node i, from the kept text when the value is the one kept. */
function keptQuoted(f: number, i: number, v: bigint): string {
  const kv = keptValue[f]!;
  if (kv[i] === v) return keptText[f]![i]!;
  const t = `"${v.toString()}"`;
  kv[i] = v;
  keptText[f]![i] = t;
  return t;
}

type NodeLike = { readonly [key: string]: unknown };

function writeNodes(h: TaggedHasher, nodes: readonly unknown[], values: bigint[]): boolean {
  let buf = '[';
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as NodeLike;
    if (!NODE.holds(node)) return false;
    // NODE_KEYS order: atr, chr, dis, flx, id, nonce, psy, res, stake (named loads: one shape each).
    const { atr, chr, dis, flx, id, nonce, psy, res, stake } = node as NodeState;
    if (
      typeof atr !== 'bigint' ||
      typeof chr !== 'bigint' ||
      typeof dis !== 'bigint' ||
      typeof flx !== 'bigint' ||
      typeof id !== 'bigint' ||
      typeof nonce !== 'bigint' ||
      typeof psy !== 'bigint' ||
      typeof res !== 'bigint' ||
      typeof stake !== 'bigint'
    )
      return false;
    const b = i * 9;
    values[b] = atr;
    values[b + 1] = chr;
    values[b + 2] = dis;
    values[b + 3] = flx;
    values[b + 4] = id;
    values[b + 5] = nonce;
    values[b + 6] = psy;
    values[b + 7] = res;
    values[b + 8] = stake;
    buf +=
      `${i === 0 ? '' : ','}{"atr":${keptQuoted(0, i, atr)},"chr":"${chr.toString()}","dis":${keptQuoted(2, i, dis)}` +
      `,"flx":"${flx.toString()}","id":${keptQuoted(4, i, id)},"nonce":${keptQuoted(5, i, nonce)},"psy":"${psy.toString()}"` +
      `,"res":${keptQuoted(7, i, res)},"stake":${keptQuoted(8, i, stake)}}`;
    if (buf.length >= CHUNK) {
      h.write(buf);
      buf = '';
    }
  }
  h.write(`${buf}]`);
  return true;
}

function writeUsers(h: TaggedHasher, users: readonly unknown[], values: bigint[]): boolean {
  let buf = '[';
  for (let j = 0; j < users.length; j++) {
    const user = users[j] as { readonly [key: string]: unknown };
    if (!USER.holds(user)) return false;
    const flx = user.flx;
    const id = user.id;
    if (typeof flx !== 'bigint' || typeof id !== 'bigint') return false;
    values[2 * j] = flx;
    values[2 * j + 1] = id;
    let idText: string;
    if (keptUserId[j] === id) idText = keptUserIdText[j]!;
    else {
      idText = `"${id.toString()}"`;
      keptUserId[j] = id;
      keptUserIdText[j] = idText;
    }
    buf += `${j === 0 ? '' : ','}{"flx":"${flx.toString()}","id":${idText}}`;
    if (buf.length >= CHUNK) {
      h.write(buf);
      buf = '';
    }
  }
  h.write(`${buf}]`);
  return true;
}

/** Whether `state` still holds exactly the keys and values its remembered root was computed from. */
function memoHolds(memo: RootMemo, state: State): boolean {
  if (!TOP.holds(state)) return false;
  const nodes = state.nodes as readonly unknown[];
  const users = state.users as readonly unknown[];
  if (!Array.isArray(nodes) || !Array.isArray(users)) return false;
  const F = NODE_KEYS.length;
  if (nodes.length * F !== memo.nodeValues.length || users.length * 2 !== memo.userValues.length) return false;
  const nv = memo.nodeValues;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as NodeState;
    if (!NODE.holds(node)) return false;
    const b = i * F;
    if (
      node.atr !== nv[b] ||
      node.chr !== nv[b + 1] ||
      node.dis !== nv[b + 2] ||
      node.flx !== nv[b + 3] ||
      node.id !== nv[b + 4] ||
      node.nonce !== nv[b + 5] ||
      node.psy !== nv[b + 6] ||
      node.res !== nv[b + 7] ||
      node.stake !== nv[b + 8]
    )
      return false;
  }
  const uv = memo.userValues;
  for (let j = 0; j < users.length; j++) {
    const user = users[j] as { readonly [key: string]: unknown };
    if (!USER.holds(user) || user.flx !== uv[2 * j] || user.id !== uv[2 * j + 1]) return false;
  }
  const record = state as unknown as { readonly [key: string]: Encodable };
  const keys = TOP.sorted;
  let o = 0;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    if (key === 'nodes' || key === 'users') continue;
    let text: string;
    try {
      text = canonicalString(record[key]!);
    } catch {
      return false; // not encodable: certainly not the value the root was remembered for
    }
    if (text !== memo.others[o++]) return false;
  }
  return true;
}

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
