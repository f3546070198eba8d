/**
 * The model of the model-based economy suite: what docs/spec.md predicts for the parts of an
 * honest epoch that the model follows exactly — the oracle's decision (§6 step 1, EA-11), the
 * opening ψ (§5), the honest agents' choices and refusal codes (§6 step 3 rules, P6.9 order) and
 * the validator's EA-12 evidence (§6 step 2, P6.4). It is written from the spec, independently of
 * the src/ modules it is compared with — it has its own canonical encoder (§2) and tagged hash (over
 * @noble/hashes' SHA-256), and it never verifies a signature (the model knows which key signed each
 * copy).
 *
 * The economy of steps 4–10 is not modelled here: the §9 catalog (`checkStep`) recomputes it after
 * every epoch, and the model takes the balances of each committed state from the real run.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Json } from '../src/math/canonical.ts';
import { LIMIT, SCALE } from '../src/math/certified-math.ts';
import type { Constants } from '../src/genesis/constants.ts';
import type { Genesis } from '../src/genesis/genesis.ts';
import type { State } from '../src/economics/state.ts';

const ID_LIMIT = 2n ** 63n;
const INTEGER = /^(0|-?[1-9][0-9]*)$/;

// ---------------------------------------------------------------------------------------------
// §2, written again: canonical text and tagged hashes

/**
 * Canonical text (§2, P2): keys `[a-z0-9_]+` sorted by code unit, bigints as decimal strings,
 * strings escaped as JSON.stringify does, no whitespace; anything else (a JSON number, undefined,
 * a lone surrogate) has no canonical form and throws.
 */
export function modelCanonical(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return `"${v.toString()}"`;
  if (typeof v === 'string') {
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v)) throw new Error('a lone surrogate has no canonical form');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(modelCanonical).join(',')}]`;
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    for (const k of keys) if (!/^[a-z0-9_]+$/.test(k)) throw new Error(`key ${JSON.stringify(k)} has no canonical form`);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${modelCanonical(o[k])}`).join(',')}}`;
  }
  throw new Error(`a ${typeof v} has no canonical form`);
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** `H(tag, v) = SHA-256(utf8(tag) || 0x00 || canonical(v))`, lowercase hex. */
export function modelTaggedHash(tag: string, v: unknown): string {
  const t = utf8(tag);
  const c = utf8(modelCanonical(v));
  const m = new Uint8Array(t.length + 1 + c.length);
  m.set(t, 0);
  m.set(c, t.length + 1);
  return hex(sha256(m));
}

/** Plain SHA-256 of the canonical text (P6.7's `inputs_hash`). */
export const modelInputsHash = (inputs: unknown): string => hex(sha256(utf8(modelCanonical(inputs))));

/** The fixed shape of the chain, as the model indexes it. */
export type ChainShape = {
  readonly genesisHash: string;
  readonly constants: Constants;
  readonly ids: readonly bigint[];
  readonly index: ReadonlyMap<bigint, number>;
  readonly shardIds: readonly bigint[];
  /** Shard index of each node. */
  readonly nodeShard: readonly number[];
  /** Node indices of each shard. */
  readonly shardNodes: readonly (readonly number[])[];
  /** An id that names no node (still a valid id, so not malformed). */
  readonly unknownId: bigint;
};

export function chainShape(g: Genesis, genesisHash: string): ChainShape {
  const ids = g.nodes.map((n) => n.id);
  const shardIds = g.shards.map((s) => s.id);
  const nodeShard = g.nodes.map((n) => shardIds.indexOf(n.shard));
  return {
    genesisHash,
    constants: g.constants,
    ids,
    index: new Map(ids.map((id, i) => [id, i])),
    shardIds,
    nodeShard,
    shardNodes: shardIds.map((_, s) => nodeShard.flatMap((x, i) => (x === s ? [i] : []))),
    unknownId: (ids.length === 0 ? 0n : ids[ids.length - 1]!) + 1000n,
  };
}

/** The model's view of one node of S (balances synced from the committed state). */
export type ModelNode = {
  readonly id: bigint;
  readonly chr: bigint;
  readonly flx: bigint;
  readonly stake: bigint;
  readonly psy: bigint;
  readonly atr: bigint;
  readonly res: bigint;
  readonly dis: bigint;
  readonly nonce: bigint;
  /** Σ of the node's queued unstakes in S. */
  readonly queued: bigint;
};

export function modelNodes(state: State): ModelNode[] {
  const queued = new Map<bigint, bigint>();
  for (const u of state.unstakes) queued.set(u.node, (queued.get(u.node) ?? 0n) + u.amount);
  return state.nodes.map((n) => ({ id: n.id, chr: n.chr, flx: n.flx, stake: n.stake, psy: n.psy, atr: n.atr, res: n.res, dis: n.dis, nonce: n.nonce, queued: queued.get(n.id) ?? 0n }));
}

const cmpBig = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const absBig = (a: bigint): bigint => (a < 0n ? -a : a);

// ---------------------------------------------------------------------------------------------
// §5: ψ

/** `ψ_i = floor(chr_i · atr_i / (SCALE + dis_i))` with the dissonance after step 1. */
export const modelPsi = (nodes: readonly ModelNode[], dis: readonly bigint[]): bigint[] =>
  nodes.map((n, i) => (n.chr * n.atr) / (SCALE + dis[i]!));

/** `C_s = floor(Σ ψ over the shard / its size)`, 0 for a shard without nodes. */
export const modelShardC = (shape: ChainShape, psi: readonly bigint[], s: number): bigint => {
  const members = shape.shardNodes[s]!;
  return members.length === 0 ? 0n : members.reduce((acc, i) => acc + psi[i]!, 0n) / BigInt(members.length);
};

// ---------------------------------------------------------------------------------------------
// Step 1: the oracle

/** One received snapshot copy, as the model built it. */
export type ModelCopy = {
  readonly snapshot: Json;
  readonly signature: string;
  readonly digest: string;
  /** Null iff the model built it malformed. */
  readonly epoch: bigint | null;
  readonly dis: readonly { readonly node: bigint; readonly value: bigint }[];
  /** The signature is the oracle key's over this snapshot. */
  readonly valid: boolean;
};

export const oracleDigest = (snapshot: Json): string => modelTaggedHash('qfs/v13/oracle', snapshot);

export type ModelRejection = { readonly digest: string; readonly reason: string; readonly epoch: bigint | null; readonly admitted: string | null };
export type ModelOracle = { readonly admitted: ModelCopy | null; readonly rejections: readonly ModelRejection[] };

/**
 * Step 1 as §6 states it: copies with one digest are one message, signed iff one copy's signature
 * is valid; reasons in the order malformed, bad_signature, future (epoch > t), stale
 * (epoch + ORACLE_WINDOW < t), replayed (epoch <= last_oracle_epoch); the highest epoch, then the
 * lowest digest, of the rest is admitted and the others are superseded; rejections in digest order.
 */
export function modelOracle(shape: ChainShape, copies: readonly ModelCopy[], t: bigint, last: bigint): ModelOracle {
  const byDigest = new Map<string, ModelCopy & { signed: boolean }>();
  for (const c of copies) {
    const seen = byDigest.get(c.digest);
    byDigest.set(c.digest, { ...(seen ?? c), signed: (seen?.signed ?? false) || c.valid });
  }
  const window = shape.constants.oracle_window;
  const judged = [...byDigest.values()]
    .sort((x, y) => cmpStr(x.digest, y.digest))
    .map((c) => {
      const e = c.epoch;
      const reason = e === null ? 'malformed' : !c.signed ? 'bad_signature' : e > t ? 'future' : e + window < t ? 'stale' : e <= last ? 'replayed' : null;
      return { c, reason };
    });
  let winner: ModelCopy | null = null;
  for (const { c, reason } of judged) {
    if (reason !== null) continue;
    if (winner === null || c.epoch! > winner.epoch! || (c.epoch === winner.epoch && c.digest < winner.digest)) winner = c;
  }
  const rejections = judged
    .filter(({ c }) => winner === null || c.digest !== winner.digest)
    .map(({ c, reason }) => ({ digest: c.digest, reason: reason ?? 'superseded', epoch: c.epoch, admitted: reason === null ? winner!.digest : null }));
  return { admitted: winner, rejections };
}

/** The dissonance after step 1 (the admitted snapshot's listed nodes; the others keep theirs). */
export function modelDis(shape: ChainShape, nodes: readonly ModelNode[], admitted: ModelCopy | null): bigint[] {
  const dis = nodes.map((n) => n.dis);
  if (admitted !== null) for (const { node, value } of admitted.dis) dis[shape.index.get(node)!] = value;
  return dis;
}

// ---------------------------------------------------------------------------------------------
// Step 3 rules and the honest agent (P6.9)

export type ModelAction =
  | { readonly kind: 'transfer' | 'psy_transfer'; readonly from: bigint; readonly to: bigint; readonly amount: bigint; readonly nonce: bigint }
  | { readonly kind: 'stake' | 'unstake'; readonly node: bigint; readonly amount: bigint; readonly nonce: bigint };

const KEYS: Record<ModelAction['kind'], readonly string[]> = {
  transfer: ['amount', 'from', 'kind', 'nonce', 'to'],
  psy_transfer: ['amount', 'from', 'kind', 'nonce', 'to'],
  stake: ['amount', 'kind', 'node', 'nonce'],
  unstake: ['amount', 'kind', 'node', 'nonce'],
};

function int(v: Json | undefined, lo: bigint, hi: bigint): bigint | null {
  if (typeof v !== 'string' || !INTEGER.test(v)) return null;
  const x = BigInt(v);
  return x >= lo && x < hi ? x : null;
}

/** §6 action schema: one of the four key sets, ids in [0, 2^63), amount and nonce in [0, 2^127). Null = malformed. */
export function modelReadAction(json: Json): ModelAction | null {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
  const o = json as { readonly [k: string]: Json };
  const kind = o.kind;
  if (kind !== 'transfer' && kind !== 'psy_transfer' && kind !== 'stake' && kind !== 'unstake') return null;
  const keys = Object.keys(o).sort(cmpStr);
  if (keys.join(',') !== KEYS[kind].join(',')) return null;
  const amount = int(o.amount, 0n, LIMIT);
  const nonce = int(o.nonce, 0n, LIMIT);
  if (amount === null || nonce === null) return null;
  if (kind === 'stake' || kind === 'unstake') {
    const node = int(o.node, 0n, ID_LIMIT);
    return node === null ? null : { kind, node, amount, nonce };
  }
  const from = int(o.from, 0n, ID_LIMIT);
  const to = int(o.to, 0n, ID_LIMIT);
  return from === null || to === null ? null : { kind, from, to, amount, nonce };
}

export const actor = (a: ModelAction): bigint => ('node' in a ? a.node : a.from);
export const actionDigestOf = (json: Json): string => modelTaggedHash('qfs/v13/action', json);
export const validatorDigestOf = (answer: Json): string => modelTaggedHash('qfs/v13/validator', answer);

export type ModelSubmission = { readonly shard: bigint; readonly json: Json };
export type ModelRefusal = { readonly shard: bigint; readonly code: string; readonly digest: string };

/** What the agents of the active shards take and refuse, and what the taken actions use of S. */
export type ModelChoice = {
  /** Canonical text of each shard's taken actions, in proposal order. */
  readonly taken: ReadonlyMap<bigint, readonly string[]>;
  readonly refusals: readonly ModelRefusal[];
  /** Last taken nonce per node index (S's nonce when none). */
  readonly lastNonce: readonly bigint[];
  /** What each node's taken actions use: flx (transfers + stakes), psy, stake (unstakes). */
  readonly used: readonly { flx: bigint; psy: bigint; stake: bigint }[];
};

/**
 * The honest agents of `active` (every shard here: no halts without the ledger). For each shard:
 * malformed submissions refused first in digest order, then the rest judged in (acting node,
 * nonce, digest) order against S (after step 1) and the actions already taken, the first broken
 * rule in the order unknown_node, wrong_shard, self_transfer, non_positive_amount, nonce_conflict,
 * bad_nonce, overdraft, coherence_divergence (EA-9) deciding the code.
 */
export function modelAgents(
  shape: ChainShape,
  nodes: readonly ModelNode[],
  dis: readonly bigint[],
  psi: readonly bigint[],
  submissions: readonly ModelSubmission[],
  active: readonly bigint[],
): ModelChoice {
  const lastNonce = nodes.map((n) => n.nonce);
  const used = nodes.map(() => ({ flx: 0n, psy: 0n, stake: 0n }));
  const taken = new Map<bigint, string[]>();
  const refusals: ModelRefusal[] = [];
  const deltaMax = shape.constants.delta_max;
  const psiWith = (i: number, extra: bigint): bigint => (nodes[i]!.chr * (nodes[i]!.atr + extra)) / (SCALE + dis[i]!);
  for (const shard of active) {
    const s = shape.shardIds.indexOf(shard);
    const mine = submissions.flatMap((x) => {
      if (x.shard !== shard) return [];
      // A value with no canonical form cannot have been received (§6): dropped, no refusal.
      let digest: string;
      try {
        digest = actionDigestOf(x.json);
      } catch {
        return [];
      }
      return [{ json: x.json, digest, action: modelReadAction(x.json) }];
    });
    const malformed = mine.filter((x) => x.action === null).sort((x, y) => cmpStr(x.digest, y.digest));
    for (const x of malformed) refusals.push({ shard, code: 'malformed', digest: x.digest });
    const readable = mine
      .filter((x) => x.action !== null)
      .sort((x, y) => cmpBig(actor(x.action!), actor(y.action!)) || cmpBig(x.action!.nonce, y.action!.nonce) || cmpStr(x.digest, y.digest));
    const members = shape.shardNodes[s]!;
    const open = modelShardC(shape, psi, s);
    const bound = (maxBig(open, SCALE) * deltaMax) / SCALE;
    let sumWith = members.reduce((acc, i) => acc + psi[i]!, 0n);
    const staked = new Map<number, bigint>();
    const list: string[] = [];
    for (const { action: a, digest, json } of readable) {
      const code = ((): string | null => {
        const from = actor(a!);
        const i = shape.index.get(from);
        const to = a!.kind === 'transfer' || a!.kind === 'psy_transfer' ? a!.to : undefined;
        const j = to === undefined ? undefined : shape.index.get(to);
        if (i === undefined || (to !== undefined && j === undefined)) return 'unknown_node';
        if (shape.nodeShard[i] !== s) return 'wrong_shard';
        if (a!.kind === 'psy_transfer' && shape.nodeShard[j!] !== s) return 'wrong_shard';
        if (to !== undefined && to === from) return 'self_transfer';
        if (a!.amount === 0n) return 'non_positive_amount';
        const sNonce = nodes[i]!.nonce;
        if (a!.nonce > sNonce && a!.nonce <= lastNonce[i]!) return 'nonce_conflict';
        if (a!.nonce !== lastNonce[i]! + 1n) return 'bad_nonce';
        const n = nodes[i]!;
        const u = used[i]!;
        if ((a!.kind === 'transfer' || a!.kind === 'stake') && u.flx + a!.amount > n.flx) return 'overdraft';
        if (a!.kind === 'psy_transfer' && u.psy + a!.amount > n.psy) return 'overdraft';
        if (a!.kind === 'unstake' && u.stake + a!.amount > n.stake - n.queued) return 'overdraft';
        if (a!.kind === 'stake') {
          const before = staked.get(i) ?? 0n;
          const total = sumWith - psiWith(i, before) + psiWith(i, before + a!.amount);
          if (absBig(total / BigInt(members.length) - open) > bound) return 'coherence_divergence';
        }
        return null;
      })();
      if (code !== null) {
        refusals.push({ shard, code, digest });
        continue;
      }
      const i = shape.index.get(actor(a!))!;
      if (a!.kind === 'transfer') used[i]!.flx += a!.amount;
      if (a!.kind === 'psy_transfer') used[i]!.psy += a!.amount;
      if (a!.kind === 'unstake') used[i]!.stake += a!.amount;
      if (a!.kind === 'stake') {
        const before = staked.get(i) ?? 0n;
        sumWith += psiWith(i, before + a!.amount) - psiWith(i, before);
        staked.set(i, before + a!.amount);
        used[i]!.flx += a!.amount;
      }
      lastNonce[i] = a!.nonce;
      list.push(modelCanonical(json));
    }
    taken.set(shard, list);
  }
  return { taken, refusals, lastNonce, used };
}

// ---------------------------------------------------------------------------------------------
// Step 2: the validator

export type ModelValidator = { readonly malformed: boolean; readonly nodes: readonly { node: bigint; engine: bigint; validator: bigint }[] };

/** P6.6/P6.4: malformed unless `{ epoch: t, psi: one value per node, in id order, in [0, 2^127) }`; else every differing node. */
export function modelValidator(shape: ChainShape, psi: readonly bigint[], t: bigint, answer: Json): ModelValidator {
  const bad: ModelValidator = { malformed: true, nodes: [] };
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) return bad;
  const o = answer as { readonly [k: string]: Json };
  if (Object.keys(o).sort(cmpStr).join(',') !== 'epoch,psi') return bad;
  if (int(o.epoch, 0n, ID_LIMIT) !== t || !Array.isArray(o.psi) || o.psi.length !== shape.ids.length) return bad;
  const nodes: { node: bigint; engine: bigint; validator: bigint }[] = [];
  for (const [i, e] of (o.psi as readonly Json[]).entries()) {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return bad;
    const x = e as { readonly [k: string]: Json };
    if (Object.keys(x).sort(cmpStr).join(',') !== 'node,value' || int(x.node, 0n, ID_LIMIT) !== shape.ids[i]) return bad;
    const value = int(x.value, 0n, LIMIT);
    if (value === null) return bad;
    if (value !== psi[i]) nodes.push({ node: shape.ids[i]!, engine: psi[i]!, validator: value });
  }
  return { malformed: false, nodes };
}
