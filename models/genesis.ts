/**
 * fast-check arbitraries for genesis documents (SPEC §3). `validGenesis` covers the valid space
 * broadly (shards with no nodes, nodes without users, empty edge sets, every constant anywhere
 * inside its bounds); keys are development keys from a small pool, so generation stays cheap.
 */
import fc from 'fast-check';
import { SCALE } from '../src/math/certified-math.ts';
import type { Constants } from '../src/genesis/constants.ts';
import { devLabel } from '../src/genesis/default-genesis.ts';
import { GENESIS_VERSION, type Genesis, type GenesisNode } from '../src/genesis/genesis.ts';
import { toHex } from '../src/math/hashing.ts';
import { devKey } from '../src/math/signatures.ts';

export const MAX_SHARDS = 6;
export const MAX_FOUNDERS = 5;
export const pubKey = (label: string): string => toHex(devKey(label).publicKey);

const inRange = (min: bigint, max: bigint) => fc.bigInt({ min, max });
/** Amounts spread over many magnitudes, zero included. */
export const amount = (maxExp = 24): fc.Arbitrary<bigint> =>
  fc.oneof(fc.constant(0n), inRange(1n, 1000n), fc.tuple(inRange(1n, 999n), fc.integer({ min: 15, max: maxExp })).map(([m, e]) => m * 10n ** BigInt(e)));

export const validConstants: fc.Arbitrary<Constants> = inRange(1n, SCALE).chain((eps) =>
  fc.record({
    a_max: inRange(1n, 64n),
    base: inRange(1n, SCALE),
    delta_max: inRange(eps, SCALE),
    epsilon_sync: fc.constant(eps),
    delta_curl: inRange(0n, eps),
    kappa: inRange(1n, SCALE),
    flow_rate: inRange(1n, SCALE / 2n),
    penalty_rate: inRange(0n, SCALE),
    align_tol: fc.oneof(inRange(0n, 10n ** 20n), inRange(0n, 2n ** 127n - 1n)),
    res_rate: inRange(0n, SCALE),
    res_cap_ratio: inRange(1n, 100n * SCALE),
    psy_rate: inRange(0n, SCALE),
    release_rate: inRange(1n, SCALE / 10n),
    node_commission: inRange(0n, SCALE),
    oracle_window: inRange(0n, 16n),
    halt_epochs: inRange(1n, 64n),
    blacklist_after: inRange(1n, 16n),
  }),
);

export interface GenesisShape {
  shards: number;
  nodes: number;
  founders: number;
}

/** A valid genesis of at most the given size. */
export function validGenesis(max: Partial<GenesisShape> = {}): fc.Arbitrary<Genesis> {
  const maxShards = Math.min(max.shards ?? MAX_SHARDS, 8);
  const maxNodes = max.nodes ?? 12;
  const maxFounders = Math.min(max.founders ?? MAX_FOUNDERS, MAX_FOUNDERS);
  return fc
    .record({
      shardCount: fc.integer({ min: 1, max: maxShards }),
      groupOf: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }),
      nodeCount: fc.integer({ min: 1, max: maxNodes }),
      founderCount: fc.integer({ min: 1, max: maxFounders }),
      idGaps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: maxNodes, maxLength: maxNodes }),
      constants: validConstants,
      treasury: amount(24), // with 12 nodes of at most ~10^25 each, every §3 supply bound holds
      chainId: fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
    })
    .chain((p) =>
      fc
        .record({
          nodes: fc.array(
            fc.record({
              shard: fc.integer({ min: 0, max: p.shardCount - 1 }),
              chr: amount(22),
              flx: amount(22),
              atr: amount(22),
              stakeShare: fc.integer({ min: 0, max: 4 }),
              psy: amount(),
              res: amount(),
              dis: fc.oneof(fc.constant(0n), fc.constant(SCALE), inRange(0n, SCALE)),
              users: fc.array(inRange(1n, 2n ** 40n), { maxLength: 3 }),
            }),
            { minLength: p.nodeCount, maxLength: p.nodeCount },
          ),
          // Pairs a < b by construction (a filter would loop for ever on a one-node economy).
          edges:
            p.nodeCount < 2
              ? fc.constant([] as [number, number][])
              : fc.uniqueArray(
                  fc.integer({ min: 0, max: p.nodeCount - 2 }).chain((a) => fc.tuple(fc.constant(a), fc.integer({ min: a + 1, max: p.nodeCount - 1 }))),
                  { maxLength: p.nodeCount * 3, selector: ([a, b]) => `${a}-${b}` },
                ),
          threshold: fc.integer({ min: Math.floor(p.founderCount / 2) + 1, max: p.founderCount }),
          firstChr: inRange(1n, 10n ** 22n),
        })
        .map((q): Genesis => {
          let id = 0n;
          let userId = 0n;
          const ids = q.nodes.map((_, i) => (id += BigInt(p.idGaps[i]!)));
          const nodes: GenesisNode[] = q.nodes.map((n, i) => ({
            id: ids[i]!,
            shard: BigInt(n.shard),
            chr: i === 0 && n.chr === 0n ? q.firstChr : n.chr,
            flx: n.flx,
            stake: n.stakeShare === 0 ? 0n : n.atr / BigInt(n.stakeShare),
            psy: n.psy,
            atr: n.atr,
            res: n.res,
            dis: n.dis,
            users: n.users.map((weight) => ({ id: (userId += 2n), weight })),
          }));
          const edges = q.edges
            .map(([a, b]) => [ids[a]!, ids[b]!] as [bigint, bigint])
            .sort((e, f) => (e[0] !== f[0] ? (e[0] < f[0] ? -1 : 1) : e[1] < f[1] ? -1 : 1));
          return devGenesis({
            chainId: p.chainId,
            constants: p.constants,
            shardCount: p.shardCount,
            groupOf: p.groupOf,
            nodes,
            edges,
            treasury: p.treasury,
            founderCount: p.founderCount,
            threshold: BigInt(q.threshold),
          });
        }),
    );
}

/** The parts of a generated genesis that vary; the rest (groups, development keys) is assembled here. */
export type DevGenesisParts = {
  readonly chainId: string;
  readonly constants: Constants;
  readonly shardCount: number;
  /** Group (0, 1 or 2) of each shard index; empty groups are dropped, the others ordered by first id. */
  readonly groupOf: readonly number[];
  readonly nodes: readonly GenesisNode[];
  readonly edges: readonly (readonly [bigint, bigint])[];
  readonly treasury: bigint;
  readonly founderCount: number;
  readonly threshold: bigint;
};

/** A genesis whose shard, oracle and founder keys are the development keys of their labels. */
export function devGenesis(x: DevGenesisParts): Genesis {
  const shardIds = Array.from({ length: x.shardCount }, (_, i) => BigInt(i));
  const groups = [0, 1, 2]
    .map((g) => shardIds.filter((s) => x.groupOf[Number(s)] === g))
    .filter((g) => g.length > 0)
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  return {
    version: GENESIS_VERSION,
    chain_id: x.chainId,
    constants: x.constants,
    groups,
    shards: shardIds.map((s) => ({ id: s, key: pubKey(devLabel.shard(s)) })),
    nodes: x.nodes,
    edges: x.edges,
    treasury: x.treasury,
    oracle_key: pubKey(devLabel.oracle),
    founders: Array.from({ length: x.founderCount }, (_, i) => ({ id: BigInt(i), key: pubKey(devLabel.founder(i)) })),
    threshold: x.threshold,
  };
}
