/** The named geneses of the §4–§6 vectors (small hand-made ones and the default), their states, and how the vectors describe them. */
import type { Json } from '../../src/math/canonical.ts';
import { defaultGenesis, devLabel } from '../../src/genesis/default-genesis.ts';
import type { Constants } from '../../src/genesis/constants.ts';
import { genesisHash, validateGenesis, type Genesis } from '../../src/genesis/genesis.ts';
import { toHex } from '../../src/math/hashing.ts';
import { devKey } from '../../src/math/signatures.ts';
import { initialState, type State } from '../../src/economics/state.ts';
import { applyPatch, type Patch } from '../patch.ts';
import { j, S, s } from './common.ts';

export const GENESES_TEXT =
  'geneses: each entry is { patch } — the patch (set/delete/copy, as in genesis.json) applied to genesis.json\'s ' +
  'default.genesis — or { document } — a whole genesis document in which every key (shards[i].key, founders[i].key, ' +
  'oracle_key) is written "dev:<label>": it stands for the lowercase hex of the development public key of <label> ' +
  '(P4: ML-DSA-87 KeyGen on SHA-256("qfs/v13/dev-key/" + label)). Replace those strings before validating or hashing. ' +
  'Every genesis here is valid (§3). Node-aligned arrays of integers are in node id order (the genesis node order).';

type GenesisSpec = { readonly patch: Patch } | { readonly document: Json };

/** The economy fixtures' constants (BASE = SCALE, to be a valid genesis): small numbers that make every branch reachable by hand. */
const SMALL_CONSTANTS: Constants = {
  a_max: 4n,
  base: S,
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

type SmallNode = {
  id: bigint;
  shard: bigint;
  chr?: bigint;
  flx?: bigint;
  stake?: bigint;
  psy?: bigint;
  atr?: bigint;
  res?: bigint;
  dis?: bigint;
  users?: [bigint, bigint][];
};

function smallGenesis(o: {
  chain_id: string;
  constants?: Partial<Constants>;
  groups: bigint[][];
  nodes: SmallNode[];
  edges: [bigint, bigint][];
  treasury: bigint;
  founders: bigint[];
  threshold: bigint;
}): GenesisSpec {
  const shards = o.groups.flat().sort((a, b) => (a < b ? -1 : 1));
  return {
    document: j({
      version: 'QFS-V13-P3',
      chain_id: o.chain_id,
      constants: { ...SMALL_CONSTANTS, ...o.constants },
      groups: o.groups,
      shards: shards.map((id) => ({ id, key: `dev:${devLabel.shard(id)}` })),
      nodes: o.nodes.map((n) => ({
        id: n.id,
        shard: n.shard,
        chr: n.chr ?? 0n,
        flx: n.flx ?? 0n,
        stake: n.stake ?? 0n,
        psy: n.psy ?? 0n,
        atr: n.atr ?? 0n,
        res: n.res ?? 0n,
        dis: n.dis ?? 0n,
        users: (n.users ?? []).map(([id, weight]) => ({ id, weight })),
      })),
      edges: o.edges,
      treasury: o.treasury,
      oracle_key: `dev:${devLabel.oracle}`,
      founders: o.founders.map((id) => ({ id, key: `dev:${devLabel.founder(id)}` })),
      threshold: o.threshold,
    }),
  };
}

const GENESES: Record<string, GenesisSpec> = {
  // The economy tests' hand-computed example (shards 0 = {2, 3}, 1 = {1, 4}, 2 = {}), with stakes.
  example: smallGenesis({
    chain_id: 'qfs-vectors-example',
    groups: [[0n, 1n, 2n]],
    nodes: [
      { id: 1n, shard: 1n, chr: 2n * S, flx: 10n * S, stake: S, atr: 3n * S, res: S, users: [[30n, 1n], [31n, 2n]] },
      { id: 2n, shard: 0n, chr: 5n * S, flx: 4n * S, stake: S / 2n, psy: 5n * S, atr: S, dis: S / 4n, users: [[5n, 3n]] },
      { id: 3n, shard: 0n, chr: S, flx: 2n * S + 4n, atr: S, res: 2n * S },
      { id: 4n, shard: 1n, chr: 3n * S, atr: 2n * S, res: S / 2n, dis: S / 2n, users: [[40n, 1n], [41n, 1n], [42n, 1n]] },
    ],
    edges: [[1n, 2n], [1n, 3n], [2n, 3n], [2n, 4n]],
    treasury: 1000n * S,
    founders: [0n],
    threshold: 1n,
  }),
  // One node, one shard, no edge, no user, an empty treasury.
  single: smallGenesis({
    chain_id: 'qfs-vectors-single',
    groups: [[0n]],
    nodes: [{ id: 0n, shard: 0n, chr: S, flx: 3n * S, atr: S }],
    edges: [],
    treasury: 0n,
    founders: [0n, 1n],
    threshold: 2n,
  }),
  // Every §3 supply at its bound with PSY_RATE = SCALE and no edge: node 0's ψ ≈ 2^119.2 mints the
  // most PSY per epoch a valid genesis allows, so the PSY supply reaches 2^127 in a few hundred
  // epochs (the psy-exhausted chain starts from the state it reaches just before).
  'psy-max': smallGenesis({
    chain_id: 'qfs-vectors-psy-max',
    constants: { psy_rate: S },
    groups: [[0n]],
    nodes: [
      { id: 0n, shard: 0n, chr: 2n ** 89n - S, psy: 2n ** 100n, atr: 2n ** 90n - 2n * S },
      { id: 1n, shard: 0n, chr: S, flx: S, atr: S },
    ],
    edges: [],
    treasury: 0n,
    founders: [0n],
    threshold: 1n,
  }),
  // Shard ids with gaps and two groups; a triangle across two shards; node 40 alone in its shard
  // and group; user ids not in node order; ORACLE_WINDOW 0; every FLX reward goes to users
  // (NODE_COMMISSION 0) except node 30's (no users); edge (20, 30) aligned exactly at ALIGN_TOL.
  triangle: smallGenesis({
    chain_id: 'qfs-vectors-triangle',
    constants: {
      oracle_window: 0n,
      node_commission: 0n,
      kappa: S,
      flow_rate: S / 2n,
      a_max: 1n,
      base: S,
      align_tol: 3n * S,
      res_cap_ratio: 100n * S,
      penalty_rate: S,
      delta_max: S,
    },
    groups: [[5n, 7n], [9n]],
    nodes: [
      { id: 10n, shard: 5n, chr: 7n * S, flx: 50n * S, stake: 2n * S, atr: 5n * S, dis: S / 3n, users: [[300n, 5n], [301n, 1n]] },
      { id: 20n, shard: 7n, chr: 3n * S, flx: S, psy: 100n * S, atr: 4n * S, users: [[100n, 7n]] },
      { id: 30n, shard: 5n, chr: 2n * S, flx: 3n * S, atr: 9n * S, res: 4n * S, dis: S },
      { id: 40n, shard: 9n, chr: S / 3n, flx: 5n * S, atr: S, users: [[200n, 1n], [201n, 2n ** 40n]] },
    ],
    edges: [[10n, 20n], [10n, 30n], [20n, 30n]],
    treasury: 12345n * S + 6789n,
    founders: [0n, 1n, 2n],
    threshold: 2n,
  }),
  default: { patch: [] },
  'default-patched': {
    patch: [
      { op: 'set', path: ['treasury'], value: '0' },
      { op: 'set', path: ['nodes', 5, 'dis'], value: s(S) },
      { op: 'set', path: ['nodes', 6, 'chr'], value: '0' },
    ],
  },
};

let defaultDocCache: Json | undefined;
const defaultDoc = (): Json => (defaultDocCache ??= j(defaultGenesis()));

function expandDevKeys(doc: Json): Json {
  const d = structuredClone(doc) as unknown as { shards: { key: string }[]; founders: { key: string }[]; oracle_key: string };
  const ex = (k: string) => (k.startsWith('dev:') ? toHex(devKey(k.slice(4)).publicKey) : k);
  for (const x of d.shards) x.key = ex(x.key);
  for (const x of d.founders) x.key = ex(x.key);
  d.oracle_key = ex(d.oracle_key);
  return d as unknown as Json;
}

const genesisCache = new Map<string, Genesis>();
export function genesisNamed(name: string): Genesis {
  const hit = genesisCache.get(name);
  if (hit) return hit;
  const spec = GENESES[name];
  if (spec === undefined) throw new Error(`vectors: no genesis ${name}`);
  const doc = 'patch' in spec ? applyPatch(defaultDoc(), spec.patch) : expandDevKeys(spec.document);
  const r = validateGenesis(doc);
  if (!r.ok) throw new Error(`vectors: genesis ${name} is invalid: ${r.error.describe()}`);
  genesisCache.set(name, r.value);
  return r.value;
}
export const genesesUsed = (names: readonly string[]): Record<string, Json> =>
  Object.fromEntries([...new Set(names)].map((n) => [n, GENESES[n] as unknown as Json]));

/** A state from its JSON form (the inverse of `j` on a State). */
function stateFromJson(x: Json): State {
  type O = Record<string, string>;
  const o = x as unknown as Record<string, unknown>;
  const b = (v: unknown): bigint => BigInt(v as string);
  return {
    genesis: o.genesis as string,
    epoch: b(o.epoch),
    mode: o.mode as 'normal' | 'safe',
    nodes: (o.nodes as O[]).map((n) => ({
      id: b(n.id),
      chr: b(n.chr),
      flx: b(n.flx),
      stake: b(n.stake),
      psy: b(n.psy),
      atr: b(n.atr),
      res: b(n.res),
      dis: b(n.dis),
      nonce: b(n.nonce),
    })),
    users: (o.users as O[]).map((u) => ({ id: b(u.id), flx: b(u.flx) })),
    treasury: b(o.treasury),
    chr_pool: b(o.chr_pool),
    shards: (o.shards as Record<string, unknown>[]).map((x) => ({
      id: b(x.id),
      halted_until: b(x.halted_until),
      violations: b(x.violations),
      blacklisted: x.blacklisted as boolean,
    })),
    unstakes: (o.unstakes as O[]).map((u) => ({ node: b(u.node), nonce: b(u.nonce), amount: b(u.amount), since: b(u.since) })),
    coherence: b(o.coherence),
    founders: (o.founders as O[]).map((f) => ({ id: b(f.id), key: f.key as string })),
    last_oracle_epoch: b(o.last_oracle_epoch),
  };
}

/** The initial state of a named genesis with a patch applied to its JSON form. */
export function patchedState(name: string, patch: Patch = []): State {
  const g = genesisNamed(name);
  const s0 = initialState(g, genesisHash(g));
  return patch.length === 0 ? s0 : stateFromJson(applyPatch(j(s0), patch));
}
