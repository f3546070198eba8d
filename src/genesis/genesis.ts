/**
 * GenesisHarmonicState (SPEC §3): the genesis document, its checks in the spec's exact order
 * (schema and references, bounds, rules, supplies; the first failure decides code and field),
 * and its hash G. Certification and governance live in `founders.ts`.
 */
import { floorDiv, LIMIT, SCALE } from '../math/certified-math.ts';
import type { Json } from '../math/canonical.ts';
import {
  CHR_SUPPLY_MAX,
  CONSTANT_BOUNDS,
  CONSTANT_KEYS,
  FLX_ATR_SUPPLY_MAX,
  MAX_DEGREE,
  PSY_SUPPLY_MAX,
  RES_SUPPLY_MAX,
  WEIGHT_LIMIT,
  type Constants,
} from './constants.ts';
import { attempt, QfsError, type Result } from '../core/errors.ts';
import { taggedHashHex } from '../math/hashing.ts';
import { at, Reader } from '../math/schema.ts';

export const GENESIS_VERSION = 'QFS-V13-P3';

export interface GenesisUser {
  readonly id: bigint;
  readonly weight: bigint;
}
export interface GenesisNode {
  readonly id: bigint;
  readonly shard: bigint;
  readonly chr: bigint;
  readonly flx: bigint;
  readonly stake: bigint;
  readonly psy: bigint;
  readonly atr: bigint;
  readonly res: bigint;
  readonly dis: bigint;
  readonly users: readonly GenesisUser[];
}
export interface KeyedMember {
  readonly id: bigint;
  readonly key: string;
}
export interface Genesis {
  readonly version: string;
  readonly chain_id: string;
  readonly constants: Constants;
  readonly groups: readonly (readonly bigint[])[];
  readonly shards: readonly KeyedMember[];
  readonly nodes: readonly GenesisNode[];
  readonly edges: readonly (readonly [bigint, bigint])[];
  readonly treasury: bigint;
  readonly oracle_key: string;
  readonly founders: readonly KeyedMember[];
  readonly threshold: bigint;
}

const TEMPLATE_KEYS = [
  'version',
  'chain_id',
  'constants',
  'groups',
  'shards',
  'nodes',
  'edges',
  'treasury',
  'oracle_key',
  'founders',
  'threshold',
] as const;
const NODE_KEYS = ['id', 'shard', 'chr', 'flx', 'stake', 'psy', 'atr', 'res', 'dis', 'users'] as const;
const BALANCE_KEYS = ['chr', 'flx', 'stake', 'psy', 'atr', 'res'] as const;

const ASCII = /^[\x20-\x7e]+$/;

/**
 * Size limits of a genesis (docs/spec.md P13.5), checked by the schema walk before a list is read:
 * five times the 100k-node benchmark genesis (bench/synthetic.ts: ~2 edges and ~2 users per node)
 * fits, and the largest accepted document stays below the 256 MiB file limit.
 */
export const GENESIS_LIMITS = {
  chain_id: 128,
  shards: 1024,
  groups: 1024,
  founders: 256,
  nodes: 500_000,
  edges: 2_000_000,
  users: 2_000_000,
  users_per_node: 65_536,
} as const;

function limited(r: Reader, v: Json | undefined, path: string, max: number): readonly Json[] {
  const list = r.array(v, path);
  if (list.length > max) r.fail(path, `${list.length} entries, more than the limit of ${max} (P13.5)`);
  return list;
}

/** Strictly ascending by `key`; the later element of a pair out of order (or equal) is the fault. */
function ascending<T>(r: Reader, items: readonly T[], path: (i: number) => string, less: (a: T, b: T) => boolean, what: string): void {
  for (let i = 1; i < items.length; i++) {
    if (!less(items[i - 1] as T, items[i] as T)) r.fail(path(i), `${what} are not sorted strictly ascending (duplicate or out of order)`);
  }
}

const byId = (a: { id: bigint }, b: { id: bigint }): boolean => a.id < b.id;

function keyedList(r: Reader, v: Json | undefined, path: string): KeyedMember[] {
  const list = limited(r, v, path, path === 'shards' ? GENESIS_LIMITS.shards : GENESIS_LIMITS.founders).map((x, i) => {
    const p = at(path, i);
    const o = r.object(x, p, ['id', 'key']);
    return { id: r.id(o.id, at(p, 'id')), key: r.publicKey(o.key, at(p, 'key')) };
  });
  ascending(r, list, (i) => at(path, i), byId, path);
  return list;
}

/** E_GENESIS_SCHEMA: the shape, in template key order, each list in list order; then the references. */
function readSchema(doc: Json): Genesis {
  const r = new Reader('E_GENESIS_SCHEMA');
  const d = r.object(doc, '', TEMPLATE_KEYS);
  const version = r.string(d.version, 'version');
  if (version !== GENESIS_VERSION) r.fail('version', `expected ${JSON.stringify(GENESIS_VERSION)}`);
  const chainId = r.string(d.chain_id, 'chain_id');
  if (chainId.length > GENESIS_LIMITS.chain_id) r.fail('chain_id', `${chainId.length} characters, more than the limit of ${GENESIS_LIMITS.chain_id} (P13.5)`);
  if (!ASCII.test(chainId)) r.fail('chain_id', 'expected a non-empty printable ASCII string');

  const c = r.object(d.constants, 'constants', CONSTANT_KEYS);
  const constants = Object.fromEntries(CONSTANT_KEYS.map((k) => [k, r.integer(c[k], at('constants', k))])) as Constants;

  const groups = limited(r, d.groups, 'groups', GENESIS_LIMITS.groups).map((g, i) => {
    const p = at('groups', i);
    const ids = limited(r, g, p, GENESIS_LIMITS.shards).map((x, j) => r.id(x, at(p, j)));
    ascending(r, ids, (j) => at(p, j), (a, b) => a < b, 'group members');
    return ids;
  });
  const nonEmpty = groups.map((g, i) => ({ g, i })).filter(({ g }) => g.length > 0);
  for (let k = 1; k < nonEmpty.length; k++) {
    const prev = nonEmpty[k - 1]!;
    const cur = nonEmpty[k]!;
    if (!(prev.g[0]! < cur.g[0]!)) r.fail(at('groups', cur.i), 'non-empty groups are not ordered strictly by their first id');
  }

  const shards = keyedList(r, d.shards, 'shards');

  const userIds = new Set<bigint>();
  const nodes = limited(r, d.nodes, 'nodes', GENESIS_LIMITS.nodes).map((x, i): GenesisNode => {
    const p = at('nodes', i);
    const o = r.object(x, p, NODE_KEYS);
    const id = r.id(o.id, at(p, 'id'));
    const shard = r.id(o.shard, at(p, 'shard'));
    const bal = Object.fromEntries(BALANCE_KEYS.map((k) => [k, r.integer(o[k], at(p, k))])) as Record<(typeof BALANCE_KEYS)[number], bigint>;
    const dis = r.integer(o.dis, at(p, 'dis'));
    const up = at(p, 'users');
    const userList = limited(r, o.users, up, GENESIS_LIMITS.users_per_node);
    if (userIds.size + userList.length > GENESIS_LIMITS.users) r.fail(up, `more than the limit of ${GENESIS_LIMITS.users} users in the genesis (P13.5)`);
    const users = userList.map((u, j) => {
      const q = at(up, j);
      const uo = r.object(u, q, ['id', 'weight']);
      return { id: r.id(uo.id, at(q, 'id')), weight: r.integer(uo.weight, at(q, 'weight')) };
    });
    ascending(r, users, (j) => at(up, j), byId, 'users');
    users.forEach((u, j) => {
      if (userIds.has(u.id)) r.fail(at(up, j), `user id ${u.id} appears on an earlier node`);
      userIds.add(u.id);
    });
    return { id, shard, ...bal, dis, users };
  });
  ascending(r, nodes, (i) => at('nodes', i), byId, 'nodes');

  const edges = limited(r, d.edges, 'edges', GENESIS_LIMITS.edges).map((x, i): readonly [bigint, bigint] => {
    const p = at('edges', i);
    if (!Array.isArray(x) || x.length !== 2) r.fail(p, 'an edge is a pair [a, b]');
    const pair = x as readonly Json[];
    const a = r.id(pair[0], p);
    const b = r.id(pair[1], p);
    if (!(a < b)) r.fail(p, a === b ? 'self-loop' : 'an edge must have a < b');
    return [a, b];
  });
  ascending(r, edges, (i) => at('edges', i), (e, f) => e[0] < f[0] || (e[0] === f[0] && e[1] < f[1]), 'edges');

  const treasury = r.integer(d.treasury, 'treasury');
  const oracleKey = r.publicKey(d.oracle_key, 'oracle_key');
  const founders = keyedList(r, d.founders, 'founders');
  const threshold = r.integer(d.threshold, 'threshold');

  // References.
  const shardIds = new Set(shards.map((s) => s.id));
  groups.forEach((g, i) => {
    const missing = g.find((s) => !shardIds.has(s));
    if (missing !== undefined) r.fail(at('groups', i), `shard ${missing} does not exist`);
  });
  nodes.forEach((n, i) => {
    if (!shardIds.has(n.shard)) r.fail(at(at('nodes', i), 'shard'), `shard ${n.shard} does not exist`);
  });
  const nodeIds = new Set(nodes.map((n) => n.id));
  edges.forEach(([a, b], i) => {
    if (!nodeIds.has(a) || !nodeIds.has(b)) r.fail(at('edges', i), `node ${nodeIds.has(a) ? b : a} does not exist`);
  });
  const membership = new Map<bigint, number>();
  for (const g of groups) for (const s of g) membership.set(s, (membership.get(s) ?? 0) + 1);
  shards.forEach((s, i) => {
    const n = membership.get(s.id) ?? 0;
    if (n !== 1) r.fail(at('shards', i), `shard ${s.id} is in ${n} groups, not exactly one`);
  });

  return {
    version,
    chain_id: chainId,
    constants,
    groups,
    shards,
    nodes,
    edges,
    treasury,
    oracle_key: oracleKey,
    founders,
    threshold,
  };
}

/** E_GENESIS_BOUND: every constant's bound, in table order. */
function checkBounds(g: Genesis): void {
  for (const b of CONSTANT_BOUNDS) {
    const v = g.constants[b.key];
    if (!b.holds(v, g.constants)) {
      throw new QfsError('E_GENESIS_BOUND', at('constants', b.key), `${b.name} (${b.key}) = ${v} breaks ${b.bound}`);
    }
  }
}

/** Number of edges at each node. */
export function degrees(g: Pick<Genesis, 'edges'>): Map<bigint, number> {
  const deg = new Map<bigint, number>();
  for (const [a, b] of g.edges) {
    deg.set(a, (deg.get(a) ?? 0) + 1);
    deg.set(b, (deg.get(b) ?? 0) + 1);
  }
  return deg;
}

/** E_GENESIS_RULE, in the spec's order. */
function checkRules(g: Genesis): void {
  const fail = (field: string, message: string): never => {
    throw new QfsError('E_GENESIS_RULE', field, message);
  };
  const n = BigInt(g.founders.length);
  if (!(n >= 1n && floorDiv(n, 2n) + 1n <= g.threshold && g.threshold <= n)) {
    fail('threshold', `threshold M = ${g.threshold} of N = ${n} founders breaks floorDiv(N, 2) + 1 <= M <= N, N >= 1`);
  }
  g.groups.forEach((grp, i) => {
    if (grp.length === 0) fail(at('groups', i), 'a group must not be empty');
  });
  const keys = new Set<string>();
  const seeKey = (key: string, field: string) => {
    if (keys.has(key)) fail(field, 'key is used more than once (shard, founder and oracle keys must be pairwise distinct)');
    keys.add(key);
  };
  g.shards.forEach((s, i) => seeKey(s.key, at(at('shards', i), 'key')));
  g.founders.forEach((f, i) => seeKey(f.key, at(at('founders', i), 'key')));
  seeKey(g.oracle_key, 'oracle_key');

  const deg = degrees(g);
  g.nodes.forEach((node, i) => {
    const p = at('nodes', i);
    if (node.dis < 0n || node.dis > SCALE) fail(at(p, 'dis'), `dis = ${node.dis} is outside [0, SCALE]`);
    for (const k of BALANCE_KEYS) {
      if (node[k] < 0n || node[k] >= LIMIT) fail(at(p, k), `${k} = ${node[k]} is outside [0, 2^127)`);
    }
    if (node.atr < node.stake) fail(at(p, 'atr'), `atr = ${node.atr} is below stake = ${node.stake}`);
    const d = deg.get(node.id) ?? 0;
    if (d > MAX_DEGREE) fail(p, `node ${node.id} has ${d} edges, more than ${MAX_DEGREE}`);
  });
  g.nodes.forEach((node, i) => {
    const up = at(at('nodes', i), 'users');
    let total = 0n;
    node.users.forEach((u, j) => {
      if (u.weight < 1n || u.weight >= WEIGHT_LIMIT) fail(at(at(up, j), 'weight'), `weight = ${u.weight} breaks 1 <= weight < 2^64`);
      total += u.weight;
    });
    if (total >= WEIGHT_LIMIT) fail(up, `Σ weight = ${total} breaks Σ weight < 2^64`);
  });
  if (g.treasury < 0n || g.treasury >= LIMIT) fail('treasury', `treasury = ${g.treasury} is outside [0, 2^127)`);
  if (totals(g).chr <= 0n) fail('', 'Σ chr must be > 0');
}

/** Σ of each genesis balance, the genesis FLX supply and CHR supply (users hold no FLX at genesis). */
export function totals(g: Genesis): { chr: bigint; flx: bigint; stake: bigint; psy: bigint; atr: bigint; res: bigint; flxSupply: bigint } {
  let chr = 0n, flx = 0n, stake = 0n, psy = 0n, atr = 0n, res = 0n;
  for (const n of g.nodes) {
    chr += n.chr;
    flx += n.flx;
    stake += n.stake;
    psy += n.psy;
    atr += n.atr;
    res += n.res;
  }
  return { chr, flx, stake, psy, atr, res, flxSupply: flx + stake + g.treasury };
}

/** E_GENESIS_SUPPLY: CHR, then FLX + ATR, then PSY, then RES. */
function checkSupplies(g: Genesis): void {
  const t = totals(g);
  const fail = (message: string): never => {
    throw new QfsError('E_GENESIS_SUPPLY', '', message);
  };
  if (t.chr > CHR_SUPPLY_MAX) fail(`CHR supply Σ chr = ${t.chr} exceeds 2^89`);
  if (t.flxSupply + t.atr > FLX_ATR_SUPPLY_MAX) fail(`FLX supply + Σ atr = ${t.flxSupply + t.atr} exceeds 2^90`);
  if (t.psy > PSY_SUPPLY_MAX) fail(`Σ psy = ${t.psy} exceeds 2^100`);
  if (t.res > RES_SUPPLY_MAX) fail(`Σ res = ${t.res} exceeds 2^100`);
}

/** Every check of SPEC §3 in order; the first failure is the error (code and field). */
export function validateGenesis(doc: Json): Result<Genesis> {
  return attempt(() => {
    const g = readSchema(doc);
    checkBounds(g);
    checkRules(g);
    checkSupplies(g);
    return g;
  });
}

/** `G = H("qfs/v13/genesis", genesis)`, lowercase hex. */
export const genesisHash = (g: Genesis): string => taggedHashHex('qfs/v13/genesis', g as never);
