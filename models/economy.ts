/**
 * fast-check arbitraries for whole economies (SPEC §3 geneses built for the epoch pipeline), and a
 * cheap epoch context for them.
 *
 * `economyGenesis` extends `validGenesis` (models/genesis.ts) where the economy needs more than
 * "any valid document": shards in up to three groups (shards without nodes included); topologies
 * built from explicit triangles, cross-shard edges and random extra edges, so that triangles and
 * cross-shard edges occur in most economies; node balances on one of three scales — `round`
 * (a few round values: ties, zero gradients, aligned edges), `wide` (many magnitudes, zero
 * included) and `limit` (each node near its share of the §3 supply bounds: Σ chr ≤ 2^89,
 * FLX supply + Σ atr ≤ 2^90, Σ psy ≤ 2^100, Σ res ≤ 2^100); dissonance 0, SCALE or anywhere
 * between; constants anywhere inside their bounds, biased towards values that make the step-3
 * refusals (EA-9) and every EA-11 reason (a short ORACLE_WINDOW) reachable in a few epochs.
 *
 * Keys are development keys (P4): the oracle key is the real `oracle` dev key, so snapshots carry
 * real ML-DSA-87 signatures. Signing (~10–19 ms) and verification (~4–6 ms) are cached by
 * src/math/signatures.ts, so a snapshot signed twice, or verified by the re-executions of one epoch,
 * costs once.
 */
import fc from 'fast-check';
import { canonicalString, parseCanonical, type Encodable, type Json } from '../src/math/canonical.ts';
import { SCALE } from '../src/math/certified-math.ts';
import { CHR_SUPPLY_MAX, FLX_ATR_SUPPLY_MAX, PSY_SUPPLY_MAX, RES_SUPPLY_MAX, type Constants } from '../src/genesis/constants.ts';
import { devLabel } from '../src/genesis/default-genesis.ts';
import { epochContext, type EpochContext } from '../src/epoch/epoch.ts';
import { validateGenesis, type Genesis, type GenesisNode } from '../src/genesis/genesis.ts';
import { signSnapshot, type SignedSnapshot } from '../src/epoch/oracle.ts';
import { devKey, type KeyPair } from '../src/math/signatures.ts';
import { devGenesis, validConstants } from './genesis.ts';

const S = SCALE;
const big = (min: bigint, max: bigint): fc.Arbitrary<bigint> => fc.bigInt({ min, max });

/** The largest economies of the model-based suite (≤ 6 shards, ≤ 16 nodes keep 200 runs fast). */
export const ECONOMY_MAX = { shards: 6, nodes: 16 } as const;

export type Scale = 'round' | 'wide' | 'limit';

// ---------------------------------------------------------------------------------------------
// Constants

/**
 * Constants inside every §3 bound, biased to lively epochs: a short oracle window (stale snapshots
 * within a few epochs), a small DELTA_MAX (stakes that diverge, EA-9), zero or full commission,
 * zero or huge alignment tolerance.
 */
export const livelyConstants: fc.Arbitrary<Constants> = fc
  .oneof(fc.constantFrom(S / 100n, S / 10n), big(1n, S))
  .chain((eps) =>
    fc.record({
      a_max: fc.oneof(fc.constantFrom(1n, 4n, 64n), big(1n, 64n)),
      base: fc.oneof(fc.constantFrom(S / 2n, S, 1n), big(1n, S)),
      delta_max: fc.oneof(fc.constant(eps), big(eps, S)),
      epsilon_sync: fc.constant(eps),
      delta_curl: fc.oneof(fc.constant(0n), big(0n, eps)),
      kappa: fc.oneof(fc.constantFrom(S / 2n, S), big(1n, S)),
      flow_rate: fc.oneof(fc.constantFrom(S / 4n, S / 2n), big(1n, S / 2n)),
      penalty_rate: fc.oneof(fc.constantFrom(0n, S / 2n, S), big(0n, S)),
      align_tol: fc.oneof(fc.constantFrom(0n, 2n * S), big(0n, 10n ** 20n), big(0n, 2n ** 127n - 1n)),
      res_rate: fc.oneof(fc.constantFrom(0n, S / 10n), big(0n, S)),
      res_cap_ratio: fc.oneof(fc.constantFrom(S, 100n * S), big(1n, 100n * S)),
      psy_rate: fc.oneof(fc.constantFrom(0n, S / 100n, S), big(0n, S)),
      release_rate: fc.oneof(fc.constantFrom(S / 10n, 1n), big(1n, S / 10n)),
      node_commission: fc.oneof(fc.constantFrom(0n, S / 4n, S), big(0n, S)),
      oracle_window: fc.oneof({ arbitrary: big(0n, 3n), weight: 4 }, { arbitrary: big(0n, 16n), weight: 1 }),
      halt_epochs: big(1n, 64n),
      blacklist_after: big(1n, 16n),
    }),
  );

export const economyConstants: fc.Arbitrary<Constants> = fc.oneof({ arbitrary: livelyConstants, weight: 3 }, { arbitrary: validConstants, weight: 1 });

// ---------------------------------------------------------------------------------------------
// Balances

/** Per-node caps that keep every §3 supply bound for n nodes (and a treasury of one FLX share). */
export function nodeCaps(n: number): { chr: bigint; flxAtr: bigint; psy: bigint; res: bigint } {
  const k = BigInt(n);
  // flx + stake + atr ≤ 3·flxAtr per node (stake ≤ atr) and the treasury ≤ flxAtr: (3n + 1)·flxAtr ≤ 2^90.
  return { chr: CHR_SUPPLY_MAX / k, flxAtr: FLX_ATR_SUPPLY_MAX / (3n * k + 1n), psy: PSY_SUPPLY_MAX / k, res: RES_SUPPLY_MAX / k };
}

/** A balance on the given scale, at most `cap`. */
function balance(scale: Scale, cap: bigint): fc.Arbitrary<bigint> {
  switch (scale) {
    case 'round':
      return fc.constantFrom(0n, 1n, S / 2n, S, 2n * S, 3n * S, 10n * S);
    case 'wide':
      return fc.oneof(
        { arbitrary: fc.constant(0n), weight: 1 },
        { arbitrary: big(1n, 1000n), weight: 2 },
        { arbitrary: fc.tuple(big(1n, 999n), fc.integer({ min: 15, max: 24 })).map(([m, e]) => m * 10n ** BigInt(e)), weight: 5 },
      );
    case 'limit':
      return fc.oneof({ arbitrary: big(cap / 2n, cap), weight: 3 }, { arbitrary: big(0n, cap), weight: 1 }, { arbitrary: fc.constant(0n), weight: 1 });
  }
}

const dissonance = fc.oneof(fc.constantFrom(0n, S, S / 2n, S / 4n), big(0n, S));

// ---------------------------------------------------------------------------------------------
// Topology

/** Three distinct node indices from three naturals (n ≥ 3). */
function triple(n: number, [x, y, z]: readonly [number, number, number]): [number, number, number] {
  const a = x % n;
  const b = (a + 1 + (y % (n - 1))) % n;
  const rest = Array.from({ length: n }, (_, i) => i).filter((i) => i !== a && i !== b);
  const c = rest[z % rest.length]!;
  return [a, b, c];
}

/** Edges (index pairs a < b, deduplicated) from triangles, cross-shard pairs and extra pairs. */
export function buildEdges(
  shardOf: readonly number[],
  triangles: readonly (readonly [number, number, number])[],
  cross: readonly (readonly [number, number])[],
  extra: readonly (readonly [number, number])[],
): [number, number][] {
  const n = shardOf.length;
  const out = new Map<string, [number, number]>();
  const add = (p: number, q: number): void => {
    if (p === q) return;
    const [a, b] = p < q ? [p, q] : [q, p];
    out.set(`${a}-${b}`, [a, b]);
  };
  if (n >= 3) {
    for (const t of triangles) {
      const [a, b, c] = triple(n, t);
      add(a, b);
      add(b, c);
      add(a, c);
    }
  }
  for (const [x, y] of cross) {
    const a = x % n;
    const others = shardOf.flatMap((s, i) => (s !== shardOf[a] ? [i] : []));
    if (others.length > 0) add(a, others[y % others.length]!);
  }
  if (n >= 2) for (const [x, y] of extra) add(x % n, ((x % n) + 1 + (y % (n - 1))) % n);
  return [...out.values()].sort((e, f) => e[0] - f[0] || e[1] - f[1]);
}

// ---------------------------------------------------------------------------------------------
// Genesis

export type EconomyShape = { readonly shards?: number; readonly nodes?: number };

const nat3 = fc.tuple(fc.nat(), fc.nat(), fc.nat());
const nat2 = fc.tuple(fc.nat(), fc.nat());

/**
 * A valid genesis for the economy suites (see the file comment). At most `shards` shards
 * (default 6) and `nodes` nodes (default 16).
 */
export function economyGenesis(max: EconomyShape = {}): fc.Arbitrary<Genesis> {
  const maxShards = Math.max(1, Math.min(max.shards ?? ECONOMY_MAX.shards, 8));
  const maxNodes = Math.max(1, max.nodes ?? ECONOMY_MAX.nodes);
  return fc
    .record({
      shardCount: maxShards === 1 ? fc.constant(1) : fc.oneof({ arbitrary: fc.integer({ min: 2, max: maxShards }), weight: 5 }, { arbitrary: fc.constant(1), weight: 1 }),
      nodeCount:
        maxNodes < 3
          ? fc.integer({ min: 1, max: maxNodes })
          : fc.oneof({ arbitrary: fc.integer({ min: 3, max: Math.min(10, maxNodes) }), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: maxNodes }), weight: 1 }),
      scale: fc.oneof(
        { arbitrary: fc.constant<Scale>('round'), weight: 2 },
        { arbitrary: fc.constant<Scale>('wide'), weight: 3 },
        { arbitrary: fc.constant<Scale>('limit'), weight: 2 },
      ),
      constants: economyConstants,
      founderCount: fc.integer({ min: 1, max: 3 }),
      chainId: fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
    })
    .chain((p) => {
      const caps = nodeCaps(p.nodeCount);
      const node = fc.record({
        shard: fc.nat(),
        chr: balance(p.scale, caps.chr),
        flx: balance(p.scale, caps.flxAtr),
        atr: balance(p.scale, caps.flxAtr),
        stakeShare: fc.integer({ min: 0, max: 4 }),
        psy: balance(p.scale, caps.psy),
        res: balance(p.scale, caps.res),
        dis: dissonance,
        users: fc.array(fc.oneof(big(1n, 1000n), big(1n, 2n ** 40n)), { maxLength: 3 }),
      });
      return fc.record({
        nodes: fc.array(node, { minLength: p.nodeCount, maxLength: p.nodeCount }),
        groupOf: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: p.shardCount, maxLength: p.shardCount }),
        triangles: fc.array(nat3, { minLength: p.nodeCount >= 3 ? 1 : 0, maxLength: 4 }),
        cross: fc.array(nat2, { minLength: p.shardCount >= 2 ? 1 : 0, maxLength: Math.max(1, p.nodeCount) }),
        extra: fc.array(nat2, { maxLength: p.nodeCount }),
        idGaps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: p.nodeCount, maxLength: p.nodeCount }),
        treasury: balance(p.scale === 'round' ? 'wide' : p.scale, caps.flxAtr),
        firstChr: big(1n, caps.chr < 10n ** 22n ? caps.chr : 10n ** 22n),
        threshold: fc.integer({ min: Math.floor(p.founderCount / 2) + 1, max: p.founderCount }),
      }).map((q) => readable(buildGenesis(p, caps, q)));
    });
}

const short = (v: bigint): string => {
  if (v === 0n) return '0';
  if (v % S === 0n) return `${v / S}S`;
  const t = v.toString();
  return t.length > 8 ? `${t[0]}.${t.slice(1, 3)}e${t.length - 1}` : t;
};

/** A one-paragraph summary of an economy's genesis (fast-check prints it instead of its 2,592-byte keys). */
export function describeGenesis(g: Genesis): string {
  const k = g.constants;
  const nodes = g.nodes.map(
    (n) =>
      `#${n.id}@${n.shard} chr=${short(n.chr)} flx=${short(n.flx)} stake=${short(n.stake)} atr=${short(n.atr)} psy=${short(n.psy)} res=${short(n.res)} dis=${short(n.dis)}${n.users.length === 0 ? '' : ` users=${n.users.length}`}`,
  );
  const constants = (Object.keys(k) as (keyof Constants)[]).map((c) => `${c}=${short(k[c])}`).join(' ');
  return `Genesis(${g.chain_id}: shards ${g.shards.length} in groups ${JSON.stringify(g.groups.map((x) => x.map(Number)))}; nodes [${nodes.join('; ')}]; edges [${g.edges.map(([a, b]) => `${a}-${b}`).join(' ')}]; treasury ${short(g.treasury)}; ${constants}; dev keys)`;
}

/** Attaches `describeGenesis` as the value's fast-check printer (a non-enumerable symbol: the genesis's bytes are unchanged). */
export function readable(g: Genesis): Genesis {
  Object.defineProperty(g, fc.toStringMethod, { value: () => describeGenesis(g), enumerable: false });
  return g;
}

type Params = { shardCount: number; nodeCount: number; scale: Scale; constants: Constants; founderCount: number; chainId: string };
type Parts = {
  nodes: { shard: number; chr: bigint; flx: bigint; atr: bigint; stakeShare: number; psy: bigint; res: bigint; dis: bigint; users: bigint[] }[];
  groupOf: number[];
  triangles: [number, number, number][];
  cross: [number, number][];
  extra: [number, number][];
  idGaps: number[];
  treasury: bigint;
  firstChr: bigint;
  threshold: number;
};

const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);

function buildGenesis(p: Params, caps: ReturnType<typeof nodeCaps>, q: Parts): Genesis {
  let id = 0n;
  let userId = 0n;
  const ids = q.nodes.map((_, i) => (id += BigInt(q.idGaps[i]!)));
  const shardOf = q.nodes.map((n) => n.shard % p.shardCount);
  const chr = q.nodes.map((n) => minBig(n.chr, caps.chr));
  if (chr.reduce((acc, c) => acc + c, 0n) === 0n) chr[0] = q.firstChr;
  const nodes: GenesisNode[] = q.nodes.map((n, i) => {
    const atr = minBig(n.atr, caps.flxAtr);
    return {
      id: ids[i]!,
      shard: BigInt(shardOf[i]!),
      chr: chr[i]!,
      flx: minBig(n.flx, caps.flxAtr),
      stake: n.stakeShare === 0 ? 0n : atr / BigInt(n.stakeShare),
      psy: minBig(n.psy, caps.psy),
      atr,
      res: minBig(n.res, caps.res),
      dis: n.dis,
      users: n.users.map((weight) => ({ id: (userId += 1n + (weight % 2n)), weight })),
    };
  });
  const edges = buildEdges(shardOf, q.triangles, q.cross, q.extra).map(([a, b]) => [ids[a]!, ids[b]!] as const);
  return devGenesis({
    chainId: p.chainId,
    constants: p.constants,
    shardCount: p.shardCount,
    groupOf: q.groupOf,
    nodes,
    edges,
    treasury: minBig(q.treasury, caps.flxAtr),
    founderCount: p.founderCount,
    threshold: BigInt(q.threshold),
  });
}

// ---------------------------------------------------------------------------------------------
// Shape facts (for statistics and for the suites' own sanity checks)

export type EconomyFacts = { nodes: number; shards: number; edges: number; triangles: number; crossEdges: number; nearLimit: boolean };

export function economyFacts(g: Genesis): EconomyFacts {
  const shardOf = new Map(g.nodes.map((n) => [n.id, n.shard]));
  const has = new Set(g.edges.map(([a, b]) => `${a}-${b}`));
  let triangles = 0;
  for (const [a, b] of g.edges) for (const [x, c] of g.edges) if (x === b && has.has(`${a}-${c}`)) triangles++;
  const sum = (f: (n: GenesisNode) => bigint): bigint => g.nodes.reduce((s, n) => s + f(n), 0n);
  const flxAtr = sum((n) => n.flx + n.stake + n.atr) + g.treasury;
  const nearLimit = sum((n) => n.chr) * 4n >= CHR_SUPPLY_MAX || flxAtr * 4n >= FLX_ATR_SUPPLY_MAX || sum((n) => n.psy) * 4n >= PSY_SUPPLY_MAX || sum((n) => n.res) * 4n >= RES_SUPPLY_MAX;
  return {
    nodes: g.nodes.length,
    shards: g.shards.length,
    edges: g.edges.length,
    triangles,
    crossEdges: g.edges.filter(([a, b]) => shardOf.get(a) !== shardOf.get(b)).length,
    nearLimit,
  };
}

// ---------------------------------------------------------------------------------------------
// Epoch context, keys and signed snapshots

const contexts = new WeakMap<Genesis, EpochContext>();

/** The epoch context of a genesis, computed once per genesis object (G and the topology). */
export function economyContext(g: Genesis): EpochContext {
  let ctx = contexts.get(g);
  if (ctx === undefined) {
    ctx = epochContext(g);
    contexts.set(g, ctx);
  }
  return ctx;
}

/** The development oracle key (the one every generated genesis names). */
export const oracleKey = (): KeyPair => devKey(devLabel.oracle);
/** A key that is not the oracle's: its signatures are `bad_signature`. */
export const wrongOracleKey = (): KeyPair => devKey('not-the-oracle');

/** A snapshot of epoch `epoch` listing `dis`, signed with the oracle key or the wrong one (cached ML-DSA). */
export function signedSnapshot(ctx: EpochContext, epoch: bigint, dis: readonly { node: bigint; value: bigint }[], key: 'oracle' | 'wrong' = 'oracle'): SignedSnapshot {
  const k = key === 'oracle' ? oracleKey() : wrongOracleKey();
  return signSnapshot({ genesis: ctx.genesisHash, epoch, dis: dis.map(({ node, value }) => ({ node, value })) }, k.secretKey);
}

/** The canonical JSON of a value (bigints become decimal strings), as a received message. */
export const asJson = (v: unknown): Json => parseCanonical(canonicalString(v as Encodable));

/** A genesis as plain data (canonical JSON), and back through every §3 check: for stored counterexamples. */
export const genesisToData = (g: Genesis): Json => asJson(g);
export function genesisFromData(doc: Json): Genesis {
  const r = validateGenesis(doc);
  if (!r.ok) throw new Error(`stored genesis is not valid: ${r.error.message}`);
  return r.value;
}
