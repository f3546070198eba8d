/**
 * The built-in default genesis used by the main job, demos and tests: 8 shards in 2 groups,
 * 72 nodes (64 of them with users), rings with chords (triangles) inside each shard and
 * cross-shard edges, balances across five orders of magnitude, 3 founders with M = 2.
 * Every key is a DEVELOPMENT key derived from a published seed (`signatures.ts`): anyone can
 * recompute the secret keys, so this genesis is for demos and tests only.
 * Pseudo-random choices come from SHA-256 of a fixed label: the genesis is a constant.
 */
import { floorDiv, SCALE } from '../math/certified-math.ts';
import type { Constants } from './constants.ts';
import { GENESIS_VERSION, type Genesis, type GenesisNode } from './genesis.ts';
import { sha256, toHex } from '../math/hashing.ts';
import { devKey } from '../math/signatures.ts';

export const DEFAULT_CHAIN_ID = 'qfs-v13-p3-dev';
export const SHARDS = 8;
export const NODES_PER_SHARD = 9;

export const DEFAULT_CONSTANTS: Constants = {
  a_max: 16n,
  base: SCALE,
  delta_max: floorDiv(SCALE, 10n),
  epsilon_sync: floorDiv(SCALE, 100n),
  delta_curl: floorDiv(SCALE, 1000n),
  kappa: floorDiv(SCALE, 10n),
  flow_rate: floorDiv(SCALE, 20n),
  penalty_rate: floorDiv(SCALE, 10n),
  align_tol: 10n ** 19n,
  res_rate: floorDiv(SCALE, 100n),
  res_cap_ratio: 2n * SCALE,
  psy_rate: floorDiv(SCALE, 1000n),
  release_rate: floorDiv(SCALE, 100n),
  node_commission: floorDiv(SCALE, 10n),
  oracle_window: 2n,
  halt_epochs: 2n,
  blacklist_after: 3n,
};

/** Development key labels; `seed = SHA-256("qfs/v13/dev-key/" + label)`. */
export const devLabel = {
  shard: (id: number | bigint) => `shard-${id}`,
  founder: (id: number | bigint) => `founder-${id}`,
  oracle: 'oracle',
  evidence: 'evidence-signer',
  /** Signs ledger store anchors (docs/spec.md P10.11). */
  operator: 'operator',
} as const;

/** A deterministic stream of bigints from a label (SHA-256 in counter mode). */
function stream(label: string): (bound: bigint) => bigint {
  let counter = 0;
  return (bound) => {
    const digest = sha256(`qfs/v13/default-genesis/${label}/${counter++}`);
    return BigInt(`0x${toHex(digest)}`) % bound;
  };
}

const pub = (label: string): string => toHex(devKey(label).publicKey);

export function defaultGenesis(): Genesis {
  const rnd = stream('balances');
  const nodes: GenesisNode[] = [];
  let nextUser = 1000n;
  for (let s = 0; s < SHARDS; s++) {
    for (let k = 0; k < NODES_PER_SHARD; k++) {
      const id = BigInt(s * NODES_PER_SHARD + k);
      // Magnitudes from 0.1 to 10,000 tokens so that multipliers, shares and flows all vary.
      const mag = (n: bigint) => 10n ** (17n + ((id + n) % 6n));
      const chr = (1n + rnd(9n)) * mag(0n);
      const atr = (1n + rnd(9n)) * mag(3n);
      const stake = k % 3 === 0 ? 0n : floorDiv(atr, 2n + rnd(4n));
      const users = [];
      const userCount = k === NODES_PER_SHARD - 1 ? 0 : 1 + (k % 4); // the last node of each shard has no users
      for (let u = 0; u < userCount; u++) users.push({ id: nextUser++, weight: 1n + rnd(1000n) });
      nodes.push({
        id,
        shard: BigInt(s),
        chr,
        flx: (1n + rnd(99n)) * mag(1n) * 10n,
        stake,
        psy: k % 2 === 0 ? 0n : rnd(1000n) * SCALE,
        atr,
        res: k % 4 === 1 ? rnd(10n) * SCALE : 0n,
        dis: k % 5 === 0 ? 0n : rnd(SCALE + 1n),
        users,
      });
    }
  }
  const edgeSet = new Map<string, readonly [bigint, bigint]>();
  const addEdge = (x: number, y: number) => {
    const [a, b] = x < y ? [x, y] : [y, x];
    edgeSet.set(`${a}-${b}`, [BigInt(a), BigInt(b)]);
  };
  for (let s = 0; s < SHARDS; s++) {
    const base = s * NODES_PER_SHARD;
    for (let k = 0; k < NODES_PER_SHARD; k++) {
      addEdge(base + k, base + ((k + 1) % NODES_PER_SHARD)); // ring
      if (k % 2 === 0) addEdge(base + k, base + ((k + 2) % NODES_PER_SHARD)); // chord: triangle (k, k+1, k+2)
    }
    const next = ((s + 1) % SHARDS) * NODES_PER_SHARD;
    addEdge(base, next); // cross-shard
    addEdge(base + 4, next + 4);
    addEdge(base + 4, next + 5); // with the edge (next+4, next+5): a cross-shard triangle
  }
  const edges = [...edgeSet.values()].sort((e, f) => (e[0] !== f[0] ? (e[0] < f[0] ? -1 : 1) : e[1] < f[1] ? -1 : e[1] > f[1] ? 1 : 0));
  const shardIds = Array.from({ length: SHARDS }, (_, i) => BigInt(i));
  return {
    version: GENESIS_VERSION,
    chain_id: DEFAULT_CHAIN_ID,
    constants: DEFAULT_CONSTANTS,
    groups: [shardIds.slice(0, SHARDS >> 1), shardIds.slice(SHARDS >> 1)],
    shards: shardIds.map((id) => ({ id, key: pub(devLabel.shard(id)) })),
    nodes,
    edges,
    treasury: 10n ** 6n * SCALE,
    oracle_key: pub(devLabel.oracle),
    founders: [0n, 1n, 2n].map((id) => ({ id, key: pub(devLabel.founder(id)) })),
    threshold: 2n,
  };
}
