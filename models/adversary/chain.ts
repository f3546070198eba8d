/** The chains of the adversary runs: the default genesis cut to its first n shards, real development keys. */
import { defaultGenesis, devLabel } from '../../src/genesis/default-genesis.ts';
import { epochContext, type EpochContext } from '../../src/epoch/epoch.ts';
import type { Genesis } from '../../src/genesis/genesis.ts';
import { devKey } from '../../src/math/signatures.ts';
import { chrSupply, flxSupply, initialState, type State } from '../../src/economics/state.ts';

// ---------------------------------------------------------------------------------------------
// The chains: the default genesis cut to its first n shards (4 ≤ n ≤ 8), real development keys

export type Chain = { readonly genesis: Genesis; readonly ctx: EpochContext; readonly S0: State; readonly f: bigint; readonly chr: bigint; readonly flx: bigint };
export const chains = new Map<bigint, Chain>();

/** The default genesis restricted to shards 0 … n − 1 (their nodes, the edges among them, groups split in two halves). */
export function adversaryChain(n: bigint): Chain {
  const cached = chains.get(n);
  if (cached !== undefined) return cached;
  if (n < 4n || n > 8n) throw new Error(`adversary chain: ${n} shards (4 … 8 supported)`);
  const g = defaultGenesis();
  const keep = (s: bigint) => s < n;
  const nodes = g.nodes.filter((x) => keep(x.shard));
  const ids = new Set(nodes.map((x) => x.id));
  const shardIds = g.shards.filter((s) => keep(s.id)).map((s) => s.id);
  const half = Number(n) >> 1;
  const genesis: Genesis = {
    ...g,
    chain_id: `qfs-v13-p3-adversary-${n}`,
    shards: g.shards.filter((s) => keep(s.id)),
    groups: [shardIds.slice(0, half), shardIds.slice(half)],
    nodes,
    edges: g.edges.filter(([a, b]) => ids.has(a) && ids.has(b)),
  };
  const chain = chainOf(genesis);
  chains.set(n, chain);
  return chain;
}

/** The chain of any genesis whose shard, founder and oracle keys are development keys (P4). */
export function chainOf(genesis: Genesis): Chain {
  const ctx = epochContext(genesis);
  const S0 = initialState(genesis, ctx.genesisHash);
  return { genesis, ctx, S0, f: (BigInt(genesis.shards.length) - 1n) / 3n, chr: chrSupply(S0), flx: flxSupply(S0) };
}

export const shardSecret = (shard: bigint): Uint8Array => devKey(devLabel.shard(shard)).secretKey;
export const ORACLE_SECRET = (): Uint8Array => devKey(devLabel.oracle).secretKey;
