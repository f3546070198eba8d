/**
 * The commands of the model-based economy suite (fast-check `fc.commands` / `fc.modelRun`).
 *
 * Every command is plain data (`CommandData`, JSON): a user action is an *intent* resolved against
 * the current state when the command runs (node index mod n, an amount as a fraction of the
 * relevant balance left or an invalid amount, a nonce offset from the next valid nonce, a target),
 * so a stored counterexample replays after the generators change (`commandsFromData`).
 *
 *   submit      one user action, valid or not, to its own shard or another one
 *   duplicate   a second copy of an already submitted action (nonce_conflict when the first is taken)
 *   snapshot    oracle snapshots: timely, stale, future, replayed, several competing, or malformed;
 *               signed with the dev oracle key or a wrong key; one copy, two copies, or a good and a
 *               wrong-key copy of one snapshot
 *   validator   the validator's answer for the next epoch: honest, lying on some nodes, malformed
 *   safe-mode   sets S.mode = "safe" (what a CIR-511 abort leaves): the honest epoch's frozen path
 *               (§6 step 0, P6.10) is reachable this way, and every later epoch is frozen, since
 *               exiting needs a governance record, which the honest epoch does not read yet. The edit
 *               is outside any epoch, so the next epoch is checked without the previous record
 *               (ledger.chain still checks prev_root = root(S))
 *   advance     runs the epoch on the pending inputs (`runHonestEpoch`) and checks, in this order:
 *               every applicable §9 step invariant (`checkStep`, with the previous record);
 *               record.inputs (inputs_hash is the SHA-256 of the stored inputs, computed by the
 *               model; the stored snapshot copies and validator answer are what was received);
 *               ledger.deterministic (the same inputs arriving in another order — actions one by one
 *               and shuffled across arrival order and shard groups, snapshot copies shuffled and
 *               repeated — give the same record bytes, root and refusals); record.replay
 *               (`replayHonestEpoch` of the stored inputs reproduces the record byte for byte); then
 *               the model (models/spec-model.ts): the outcome and the active shards, each agent's
 *               refusal codes (agent.refusals) and taken actions (agent.taken), the EA-11 incidents
 *               and the admission (oracle.EA-11), the EA-12 evidence and validator_malformed
 *               (validator.EA-12), and the next state's epoch, mode, last_oracle_epoch, dissonance
 *               and nonces (model.state). A failure is an `InvariantFailure` naming the id, the
 *               epoch, the expected and the actual value.
 *
 * Halting or blacklisting a shard needs the ledger (steps 3 and 12), which does not exist yet: no
 * command does it.
 */
import fc from 'fast-check';
import { canonicalString, type Encodable, type Json } from '../src/math/canonical.ts';
import { LIMIT, SCALE } from '../src/math/certified-math.ts';
import type { EpochRecord } from '../src/epoch/epoch-record.ts';
import { replayHonestEpoch, runHonestEpoch, type EpochContext, type EpochInputs, type HonestEpoch, type StoredInputs } from '../src/epoch/epoch.ts';
import type { Genesis } from '../src/genesis/genesis.ts';
import { checkStep } from '../src/invariants/catalog.ts';
import type { SignedSnapshot } from '../src/epoch/oracle.ts';
import { initialState, stateRoot, type State } from '../src/economics/state.ts';
import { asJson, economyContext, economyFacts, signedSnapshot } from './economy.ts';
import {
  chainShape,
  modelAgents,
  modelDis,
  modelNodes,
  modelOracle,
  modelPsi,
  modelCanonical,
  modelInputsHash,
  modelValidator,
  oracleDigest,
  validatorDigestOf,
  type ChainShape,
  type ModelChoice,
  type ModelCopy,
  type ModelNode,
  type ModelSubmission,
} from './spec-model.ts';

const S = SCALE;

// ---------------------------------------------------------------------------------------------
// Command data

export type ActionKind = 'transfer' | 'stake' | 'unstake' | 'psy_transfer';
/**
 * A fraction (per mille, 1..1000) of what the node has left of the relevant balance, or an invalid
 * amount: 0 (non_positive_amount), −1 or 2^127 (malformed), more than the balance in S (overdraft),
 * or a JSON number (no canonical form: dropped on receipt, no refusal).
 */
export type AmountIntent = { readonly permille: number } | { readonly bad: 'zero' | 'negative' | 'over' | 'huge' | 'float' };
/** `peer`: another node of the acting node's shard; `any`: any other node; or itself; or no node at all. */
export type TargetIntent = { readonly peer: number } | { readonly any: number } | 'self' | 'unknown';

export type SubmitData = {
  readonly cmd: 'submit';
  readonly kind: ActionKind;
  /** Node index mod n, or a node that does not exist. */
  readonly node: number | 'unknown';
  readonly amount: AmountIntent;
  /** 0 = the next valid nonce; anything else is added to it (an invalid nonce). */
  readonly nonce: number;
  readonly target: TargetIntent;
  /** 0 = the acting node's own shard; k = the k-th next shard (wrong_shard when it is another one). */
  readonly via: number;
};
export type DuplicateData = { readonly cmd: 'duplicate'; readonly pick: number };
export type SnapshotWhen = 'timely' | 'stale' | 'future' | 'replayed' | 'competing' | 'malformed';
export type SnapshotData = {
  readonly cmd: 'snapshot';
  readonly when: SnapshotWhen;
  /** How far inside or outside the window (and which flaw, for a malformed one). */
  readonly lag: number;
  /** Listed nodes (index mod n) and their dissonance level (level · SCALE / 4). */
  readonly dis: readonly { readonly node: number; readonly level: number }[];
  readonly key: 'oracle' | 'wrong';
  readonly copies: 'one' | 'two' | 'plus-wrong';
};
export type LieKind = 'plus-one' | 'minus-one' | 'zero' | 'double';
export type ValidatorData = {
  readonly cmd: 'validator';
  readonly kind: 'honest' | 'lying' | 'malformed';
  readonly lies: readonly { readonly node: number; readonly lie: LieKind }[];
  /** Which schema fault, for a malformed answer. */
  readonly flaw: number;
};
export type SafeModeData = { readonly cmd: 'safe-mode' };
export type AdvanceData = { readonly cmd: 'advance'; /** Seed of the arrival-order permutation. */ readonly perm: number };

export type CommandData = SubmitData | DuplicateData | SnapshotData | ValidatorData | SafeModeData | AdvanceData;

// ---------------------------------------------------------------------------------------------
// Engines (the broken-economy suite wraps them)

export type EpochOutput = { readonly state: State; readonly record: EpochRecord };

/** The computation under test: the honest epoch, or a deliberately broken one. */
export type Engine = {
  readonly name: string;
  run(ctx: EpochContext, S: State, inputs: EpochInputs): HonestEpoch;
  replay(ctx: EpochContext, S: State, stored: StoredInputs): EpochOutput;
};

export const HONEST: Engine = { name: 'honest', run: runHonestEpoch, replay: replayHonestEpoch };

// ---------------------------------------------------------------------------------------------
// Failures

const clip = (s: string, n = 600): string => (s.length <= n ? s : `${s.slice(0, n)}… (${s.length} chars)`);

/** A broken invariant: its id, the epoch, what was expected and what was found. */
export class InvariantFailure extends Error {
  constructor(
    readonly id: string,
    readonly epoch: bigint,
    readonly detail: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${id} broken at epoch ${epoch}: ${detail}\n  expected: ${clip(expected)}\n  actual:   ${clip(actual)}`);
    this.name = 'InvariantFailure';
  }
}

const text = (v: unknown): string => (typeof v === 'string' ? v : canonicalString(v as Encodable));

/** The path of the first difference between two canonical values, with the two sub-values (for readable failures). */
function firstDifference(e: Json, a: Json, path = ''): { path: string; expected: Json; actual: Json } {
  const isObj = (x: Json): x is { readonly [k: string]: Json } => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (Array.isArray(e) && Array.isArray(a)) {
    const n = Math.max(e.length, a.length);
    for (let i = 0; i < n; i++) {
      if (i >= e.length || i >= a.length) return { path: `${path}[${i}]`, expected: i < e.length ? e[i]! : '(none)', actual: i < a.length ? a[i]! : '(none)' };
      if (canonicalString(e[i] as Encodable) !== canonicalString(a[i] as Encodable)) return firstDifference(e[i]!, a[i]!, `${path}[${i}]`);
    }
  } else if (isObj(e) && isObj(a)) {
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    for (const k of keys) {
      const p = path === '' ? k : `${path}.${k}`;
      if (!(k in e) || !(k in a)) return { path: p, expected: k in e ? e[k]! : '(none)', actual: k in a ? a[k]! : '(none)' };
      if (canonicalString(e[k] as Encodable) !== canonicalString(a[k] as Encodable)) return firstDifference(e[k]!, a[k]!, p);
    }
  }
  return { path: path === '' ? '(the value)' : path, expected: e, actual: a };
}

function expectSame(id: string, epoch: bigint, what: string, expected: unknown, actual: unknown): void {
  const e = text(expected);
  const a = text(actual);
  if (e === a) return;
  if (e.length + a.length < 400 || typeof expected === 'string' || typeof actual === 'string') throw new InvariantFailure(id, epoch, what, e, a);
  const d = firstDifference(JSON.parse(e) as Json, JSON.parse(a) as Json);
  throw new InvariantFailure(id, epoch, `${what}: first difference at ${d.path}`, text(d.expected), text(d.actual));
}

// ---------------------------------------------------------------------------------------------
// Statistics

export class Counter {
  readonly counts = new Map<string, number>();
  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  merge(o: Counter): void {
    for (const [k, v] of o.counts) this.add(k, v);
  }
  toString(): string {
    const num = (k: string): number => (/^[0-9]+\+?$/.test(k) ? parseInt(k, 10) : NaN);
    const order = (a: string, b: string): number => (Number.isNaN(num(a)) || Number.isNaN(num(b)) ? (a < b ? -1 : a > b ? 1 : 0) : num(a) - num(b));
    return [...this.counts].sort(([a], [b]) => order(a, b)).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
  }
}

/** What one run (or, merged, a whole suite) generated and executed. */
export class EconomyStats {
  runs = 0;
  readonly totals = new Counter();
  readonly economies = new Counter();
  readonly epochsPerRun = new Counter();
  readonly commands = new Counter();
  readonly outcomes = new Counter();
  readonly refused = new Counter();
  readonly snapshots = new Counter();
  readonly validator = new Counter();
  readonly moves = new Counter();
  readonly events = new Counter();
  readonly takenKinds = new Counter();

  merge(o: EconomyStats): void {
    this.runs += o.runs;
    for (const k of ['totals', 'economies', 'epochsPerRun', 'commands', 'outcomes', 'refused', 'snapshots', 'validator', 'moves', 'events', 'takenKinds'] as const) this[k].merge(o[k]);
  }

  format(title: string): string {
    const t = (k: string): number => this.totals.get(k);
    return [
      `[qfs] ${title}: ${this.runs} runs, ${t('epochs')} epochs (${t('multi-epoch runs')} runs with ≥ 2 epochs), ${t('commands')} commands`,
      `  economies: ${this.economies}`,
      `  epochs per run: ${this.epochsPerRun}`,
      `  commands: ${this.commands}`,
      `  outcomes: ${this.outcomes}`,
      `  actions: submitted ${t('submitted')} (+ ${t('ignored (frozen)')} in frozen epochs), dropped ${t('dropped (no canonical form)')}, taken ${t('taken')} (${this.takenKinds}), refused ${t('refused')} (${this.refused})`,
      `  snapshots: ${t('snapshot copies')} copies, ${t('distinct snapshots')} distinct; EA-11 by reason: ${this.snapshots}`,
      `  validator: ${this.validator}`,
      `  moves by kind: ${this.moves}`,
      `  events: ${this.events}`,
    ].join('\n');
  }
}

// ---------------------------------------------------------------------------------------------
// Model and real system

type Submission = ModelSubmission & { readonly label: string };

export type EconomyModel = {
  readonly shape: ChainShape;
  epoch: bigint;
  mode: 'normal' | 'safe';
  lastOracleEpoch: bigint;
  nodes: ModelNode[];
  submissions: Submission[];
  copies: ModelCopy[];
  validator: ValidatorData | null;
  /** Copies admitted by earlier epochs (a "replayed" snapshot re-sends one). */
  admitted: ModelCopy[];
  /** Distinct ML-DSA signatures this run asked for (bounded: repeats are cached). */
  signatures: Set<string>;
};

export type EconomyReal = {
  readonly ctx: EpochContext;
  readonly engine: Engine;
  readonly stats: EconomyStats;
  state: State;
  prevRecord: EpochRecord | null;
  /** The state was edited between epochs (safe-mode): the next epoch is not chained to the previous record. */
  chainBroken: boolean;
  snapshots: SignedSnapshot[];
  actions: { shard: bigint; actions: Json[] }[];
  /** Commands executed, as data (for stored counterexamples). */
  readonly log: CommandData[];
};

/** At most this many distinct signatures per run (ML-DSA-87 signing is ~10–19 ms). */
export const MAX_SIGNATURES_PER_RUN = 5;

/** The `modelRun` setup of one run over `genesis`. */
export function economySetup(genesis: Genesis, engine: Engine = HONEST): () => { model: EconomyModel; real: EconomyReal } {
  return () => {
    const ctx = economyContext(genesis);
    const state = initialState(genesis, ctx.genesisHash);
    const stats = new EconomyStats();
    stats.runs = 1;
    const f = economyFacts(genesis);
    stats.economies.add(`${f.shards === 1 ? 'one shard' : 'several shards'}`);
    if (f.triangles > 0) stats.economies.add('with triangles');
    if (f.crossEdges > 0) stats.economies.add('with cross-shard edges');
    if (f.nearLimit) stats.economies.add('near a §3 supply bound');
    stats.totals.add('nodes', f.nodes);
    const model: EconomyModel = {
      shape: chainShape(genesis, ctx.genesisHash),
      epoch: 0n,
      mode: 'normal',
      lastOracleEpoch: 0n,
      nodes: modelNodes(state),
      submissions: [],
      copies: [],
      validator: null,
      admitted: [],
      signatures: new Set(),
    };
    const real: EconomyReal = { ctx, engine, stats, state, prevRecord: null, chainBroken: false, snapshots: [], actions: [], log: [] };
    return { model, real };
  };
}

/** Closes a run's statistics (call after `fc.modelRun` returned). */
export function finishRun(real: EconomyReal): EconomyStats {
  const epochs = real.stats.totals.get('epochs');
  real.stats.epochsPerRun.add(epochs >= 10 ? '10+' : String(epochs));
  if (epochs >= 2) real.stats.totals.add('multi-epoch runs');
  return real.stats;
}

// ---------------------------------------------------------------------------------------------
// The model's current prediction

const active = (m: EconomyModel): bigint[] => (m.mode === 'normal' ? [...m.shape.shardIds] : []);

/** What the pending inputs lead to, as the model predicts it. */
function predict(m: EconomyModel): { t: bigint; oracle: ReturnType<typeof modelOracle>; dis: bigint[]; psi: bigint[]; choice: ModelChoice } {
  const t = m.epoch + 1n;
  const oracle = m.mode === 'safe' ? { admitted: null, rejections: [] } : modelOracle(m.shape, m.copies, t, m.lastOracleEpoch);
  const dis = modelDis(m.shape, m.nodes, oracle.admitted);
  const psi = modelPsi(m.nodes, dis);
  const choice = modelAgents(m.shape, m.nodes, dis, psi, m.submissions, active(m));
  return { t, oracle, dis, psi, choice };
}

// ---------------------------------------------------------------------------------------------
// submit / duplicate

const pct = (permille: number): string => `${(permille / 10).toFixed(1)}%`;

function describe(d: CommandData): string {
  switch (d.cmd) {
    case 'submit': {
      const amount = 'permille' in d.amount ? pct(d.amount.permille) : d.amount.bad;
      const nonce = d.nonce === 0 ? 'next' : `next${d.nonce > 0 ? '+' : ''}${d.nonce}`;
      const target = d.kind === 'stake' || d.kind === 'unstake' ? '' : ` to=${typeof d.target === 'string' ? d.target : 'peer' in d.target ? `peer#${d.target.peer}` : `any#${d.target.any}`}`;
      return `Submit(${d.kind} node=${d.node === 'unknown' ? 'unknown' : `#${d.node}`} amount=${amount} nonce=${nonce}${target}${d.via === 0 ? '' : ` via=shard+${d.via}`})`;
    }
    case 'duplicate':
      return `Duplicate(#${d.pick})`;
    case 'snapshot':
      return `Snapshot(${d.when}${d.lag === 0 ? '' : ` lag=${d.lag}`} dis=[${d.dis.map((x) => `#${x.node}:${x.level}/4`).join(' ')}] key=${d.key}${d.copies === 'one' ? '' : ` copies=${d.copies}`})`;
    case 'validator':
      return d.kind === 'honest'
        ? 'Validator(honest)'
        : d.kind === 'malformed'
          ? `Validator(malformed flaw=${VALIDATOR_FLAWS[d.flaw % VALIDATOR_FLAWS.length]})`
          : `Validator(lying ${d.lies.map((l) => `#${l.node}:${l.lie}`).join(' ')})`;
    case 'safe-mode':
      return 'SafeMode()';
    case 'advance':
      return `AdvanceEpoch(perm=${d.perm})`;
  }
}

function resolveSubmit(m: EconomyModel, d: SubmitData): Submission {
  const shape = m.shape;
  const n = shape.ids.length;
  const i = d.node === 'unknown' ? -1 : d.node % n;
  const from = i < 0 ? shape.unknownId : shape.ids[i]!;
  const home = i < 0 ? 0 : shape.nodeShard[i]!;
  const shard = shape.shardIds[(home + d.via) % shape.shardIds.length]!;
  const { choice } = predict(m);
  const node = i < 0 ? undefined : m.nodes[i];
  const used = i < 0 ? { flx: 0n, psy: 0n, stake: 0n } : choice.used[i]!;
  const full = node === undefined ? 10n * S : d.kind === 'psy_transfer' ? node.psy : d.kind === 'unstake' ? node.stake - node.queued : node.flx;
  const left = node === undefined ? full : full - (d.kind === 'psy_transfer' ? used.psy : d.kind === 'unstake' ? used.stake : used.flx);
  const amount =
    'permille' in d.amount
      ? ((left > 0n ? left : 0n) * BigInt(d.amount.permille)) / 1000n
      : d.amount.bad === 'zero'
        ? 0n
        : d.amount.bad === 'negative'
          ? -1n
          : d.amount.bad === 'over'
            ? full + 1n
            : d.amount.bad === 'huge'
              ? LIMIT
              : 1n;
  const nonce = (i < 0 ? 1n : choice.lastNonce[i]! + 1n) + BigInt(d.nonce);
  let json: Json;
  if (d.kind === 'stake' || d.kind === 'unstake') json = asJson({ kind: d.kind, node: from, amount, nonce });
  else {
    const others = shape.ids.flatMap((id, j) => (j === i ? [] : [{ id, j }]));
    const peers = others.filter(({ j }) => shape.nodeShard[j] === home);
    const pick = (xs: { id: bigint }[], k: number): bigint => (xs.length === 0 ? from : xs[k % xs.length]!.id);
    const to =
      d.target === 'self' ? from : d.target === 'unknown' ? shape.unknownId : 'peer' in d.target ? pick(peers.length > 0 ? peers : others, d.target.peer) : pick(others, d.target.any);
    json = asJson({ kind: d.kind, from, to, amount, nonce });
  }
  // A JSON number has no canonical form (§2): the message cannot have been received.
  if ('bad' in d.amount && d.amount.bad === 'float') json = { ...(json as { readonly [k: string]: Json }), amount: 1.5 as unknown as Json };
  return { shard, json, label: d.kind };
}

// ---------------------------------------------------------------------------------------------
// snapshot

const SNAPSHOT_FLAWS = ['value above SCALE', 'nodes out of order', 'extra key', 'another chain', 'unknown node'] as const;

function snapshotDis(m: EconomyModel, d: SnapshotData, shift: number): { node: bigint; value: bigint }[] {
  const n = m.shape.ids.length;
  const seen = new Map<bigint, bigint>();
  for (const x of d.dis) {
    const id = m.shape.ids[x.node % n]!;
    if (!seen.has(id)) seen.set(id, (BigInt((x.level + shift) % 5) * S) / 4n);
  }
  return [...seen].sort(([a], [b]) => (a < b ? -1 : 1)).map(([node, value]) => ({ node, value }));
}

function addCopy(m: EconomyModel, r: EconomyReal, c: ModelCopy): void {
  m.copies.push(c);
  r.snapshots.push({ snapshot: c.snapshot, signature: c.signature });
  r.stats.totals.add('snapshot copies');
}

function signedCopy(m: EconomyModel, r: EconomyReal, epoch: bigint, dis: { node: bigint; value: bigint }[], key: 'oracle' | 'wrong'): ModelCopy {
  const signed = signedSnapshot(r.ctx, epoch, dis, key);
  const digest = oracleDigest(signed.snapshot);
  m.signatures.add(`${digest}/${key}`);
  return { snapshot: signed.snapshot, signature: signed.signature, digest, epoch, dis, valid: key === 'oracle' };
}

function runSnapshot(m: EconomyModel, r: EconomyReal, d: SnapshotData): void {
  const t = m.epoch + 1n;
  const W = m.shape.constants.oracle_window;
  const L = m.lastOracleEpoch;
  const lag = BigInt(d.lag);
  const minW = (x: bigint): bigint => (x < W ? x : W);
  const send = (epoch: bigint, dis: { node: bigint; value: bigint }[]): void => {
    const c = signedCopy(m, r, epoch, dis, d.key);
    addCopy(m, r, c);
    if (d.copies === 'two') addCopy(m, r, c);
    if (d.copies === 'plus-wrong') addCopy(m, r, signedCopy(m, r, epoch, dis, d.key === 'oracle' ? 'wrong' : 'oracle'));
  };
  switch (d.when) {
    case 'timely': {
      const e = t - minW(lag);
      send(e > L ? e : L + 1n, snapshotDis(m, d, 0));
      return;
    }
    case 'stale': {
      const e = t - W - 1n - lag;
      send(e < 0n ? 0n : e, snapshotDis(m, d, 0));
      return;
    }
    case 'future':
      send(t + 1n + lag, snapshotDis(m, d, 0));
      return;
    case 'replayed': {
      if (m.admitted.length > 0) {
        const c = m.admitted[m.admitted.length - 1 - (d.lag % m.admitted.length)]!;
        addCopy(m, r, c);
        if (d.copies === 'two') addCopy(m, r, c);
        return;
      }
      send(L - (lag < L ? lag : L), snapshotDis(m, d, 0));
      return;
    }
    case 'competing': {
      const k = 2 + (d.lag % 2);
      for (let j = 0; j < k; j++) {
        const e = t - minW(BigInt(j % 2));
        send(e > L ? e : L + 1n, snapshotDis(m, d, j + 1));
      }
      return;
    }
    case 'malformed': {
      const flaw = SNAPSHOT_FLAWS[d.lag % SNAPSHOT_FLAWS.length]!;
      const dis = snapshotDis(m, d, 0);
      const entries: { node: bigint; value: bigint }[] =
        flaw === 'value above SCALE'
          ? (dis.length > 0 ? dis : [{ node: m.shape.ids[0]!, value: 0n }]).map((x) => ({ node: x.node, value: S + 1n }))
          : flaw === 'nodes out of order'
            ? dis.length >= 2
              ? [...dis].reverse()
              : [{ node: m.shape.ids[0]!, value: 0n }, { node: m.shape.ids[0]!, value: 0n }]
            : flaw === 'unknown node'
              ? [{ node: m.shape.unknownId, value: 0n }]
              : dis;
      const doc: Record<string, unknown> = { genesis: flaw === 'another chain' ? '00'.repeat(32) : m.shape.genesisHash, epoch: t, dis: entries };
      if (flaw === 'extra key') doc.extra = 1n;
      const snapshot = asJson(doc);
      const c: ModelCopy = { snapshot, signature: '', digest: oracleDigest(snapshot), epoch: null, dis: [], valid: false };
      addCopy(m, r, c);
      if (d.copies !== 'one') addCopy(m, r, c);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// validator

const VALIDATOR_FLAWS = ['another epoch', 'a node missing', 'nodes out of order', 'a negative value', 'an extra key'] as const;

function lieAbout(psi: bigint, lie: LieKind): bigint {
  switch (lie) {
    case 'plus-one':
      return psi + 1n < LIMIT ? psi + 1n : psi - 1n;
    case 'minus-one':
      return psi > 0n ? psi - 1n : 1n;
    case 'zero':
      return psi > 0n ? 0n : S;
    case 'double':
      return psi === 0n ? S : 2n * psi < LIMIT ? 2n * psi : psi - 1n;
  }
}

function validatorAnswer(m: EconomyModel, d: ValidatorData, t: bigint, psi: readonly bigint[]): Json {
  const values = [...psi];
  if (d.kind === 'lying') for (const l of d.lies) values[l.node % values.length] = lieAbout(values[l.node % values.length]!, l.lie);
  let entries: { node: unknown; value: unknown }[] = m.shape.ids.map((node, i) => ({ node, value: values[i]! }));
  let epoch = t;
  const doc: Record<string, unknown> = {};
  if (d.kind === 'malformed') {
    let flaw = VALIDATOR_FLAWS[d.flaw % VALIDATOR_FLAWS.length]!;
    if (flaw === 'nodes out of order' && entries.length < 2) flaw = 'another epoch';
    if (flaw === 'another epoch') epoch = t + 1n;
    if (flaw === 'a node missing') entries = entries.slice(0, -1);
    if (flaw === 'nodes out of order') entries = [entries[1]!, entries[0]!, ...entries.slice(2)];
    if (flaw === 'a negative value') entries = entries.map((e, i) => (i === 0 ? { ...e, value: -1n } : e));
    if (flaw === 'an extra key') doc.extra = 0n;
  }
  return asJson({ ...doc, epoch, psi: entries });
}

// ---------------------------------------------------------------------------------------------
// advance

const rng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
};

/** The same inputs arriving in another order: actions one by one, shuffled; snapshot copies shuffled, some repeated. */
export function permuted(inputs: EpochInputs, seed: number): EpochInputs {
  const next = rng(seed);
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  };
  const snapshots = shuffle([...inputs.snapshots, ...inputs.snapshots.filter(() => next() < 0.5)]);
  const actions = shuffle(inputs.actions.flatMap((g) => g.actions.map((a) => ({ shard: g.shard, actions: [a] }))));
  return { snapshots, validator: inputs.validator, actions };
}

const canonical = (v: Json): boolean => {
  try {
    modelCanonical(v);
    return true;
  } catch {
    return false;
  }
};

const refusalKey = (x: { shard: bigint; code: string; digest: string }): string => `${x.shard}/${x.digest}/${x.code}`;
const sorted = (xs: string[]): string[] => xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function runAdvance(m: EconomyModel, r: EconomyReal, d: AdvanceData): void {
  const S0 = r.state;
  const t = S0.epoch + 1n;
  expectSame('model.state', t, 'the model and the chain are at the same epoch', m.epoch + 1n, t);
  const frozen = m.mode === 'safe';
  const p = predict(m);
  const answer = m.validator === null ? null : validatorAnswer(m, m.validator, t, p.psi);
  const inputs: EpochInputs = { snapshots: r.snapshots, validator: answer, actions: r.actions };
  const out = r.engine.run(r.ctx, S0, inputs);

  // 1. Every applicable step invariant of the catalog.
  const violations = checkStep(r.ctx, S0, out.record, out.state, out.inputs, r.chainBroken ? null : r.prevRecord);
  if (violations.length > 0) {
    const v = violations[0]!;
    const also = violations.length > 1 ? ` (also broken: ${violations.slice(1).map((x) => x.id).join(', ')})` : '';
    throw new InvariantFailure(v.id, t, `${v.message}${also}`, v.expected, v.actual);
  }
  // 2. record.inputs: the hash of the stored inputs.
  expectSame('record.inputs', t, 'inputs_hash is the SHA-256 of the stored inputs (computed by the model)', modelInputsHash(out.inputs), out.record.inputs_hash);
  // What the inputs document stores (P6.7): every distinct (digest, signature) copy, sorted; the answer as received.
  const storedCopies = frozen ? [] : [...new Map(m.copies.map((c) => [`${c.digest}/${c.signature}`, [c.digest, c.signature]])).values()].sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : x[1]! < y[1]! ? -1 : x[1]! > y[1]! ? 1 : 0));
  expectSame('record.inputs', t, 'the stored snapshot copies (each distinct (digest, signature) once, sorted)', storedCopies, out.inputs.snapshots.map((c) => [c.digest, c.signature]));
  expectSame('record.inputs', t, "the stored validator answer (as received; none when frozen)", frozen ? null : answer, out.inputs.validator);
  // 3. ledger.deterministic: the same inputs in another arrival order.
  const again = r.engine.run(r.ctx, S0, permuted(inputs, d.perm));
  expectSame('ledger.deterministic', t, 'the record of the same inputs arriving in another order', out.record, again.record);
  expectSame('ledger.deterministic', t, 'the root of the same inputs arriving in another order', stateRoot(out.state), stateRoot(again.state));
  expectSame('ledger.deterministic', t, 'the refusals of the same inputs arriving in another order', out.refusals.map(refusalKey), again.refusals.map(refusalKey));
  // 4. record.replay: re-executing the stored inputs.
  const replay = r.engine.replay(r.ctx, S0, out.inputs);
  expectSame('record.replay', t, 'the record re-executed from the stored inputs', out.record, replay.record);
  expectSame('record.replay', t, 'the state re-executed from the stored inputs', stateRoot(out.state), stateRoot(replay.state));

  // 5. The model.
  expectSame('model.outcome', t, 'the outcome (frozen iff safe mode; otherwise every shard votes and the epoch commits)', frozen ? 'frozen' : 'commit', out.record.outcome);
  expectSame('model.outcome', t, 'the active shards', active(m), out.record.active);
  const refusals = p.choice.refusals.map(refusalKey);
  expectSame('agent.refusals', t, "the honest agents' refusals (shard/digest/code)", sorted(refusals), sorted(out.refusals.map(refusalKey)));
  const taken = new Map<bigint, readonly string[]>(out.inputs.proposals.map((q) => [q.shard, q.actions.map((a) => modelCanonical(a))]));
  expectSame('agent.taken', t, 'the actions each honest agent takes, in proposal order', [...p.choice.taken], [...taken]);
  const ea11 = p.oracle.rejections.map((x) => ({ code: null, ea: 'EA-11', shard: null, evidence: x }));
  expectSame('oracle.EA-11', t, 'the EA-11 incidents (one per rejected snapshot digest, in digest order)', ea11, out.record.incidents.filter((i) => i.ea === 'EA-11'));
  const admittedEvent = p.oracle.admitted === null ? [] : [{ kind: 'oracle_admitted', digest: p.oracle.admitted.digest, epoch: p.oracle.admitted.epoch! }];
  expectSame('oracle.EA-11', t, 'the admitted snapshot', admittedEvent, out.record.events.filter((e) => e.kind === 'oracle_admitted'));
  const v = answer === null || frozen ? null : modelValidator(m.shape, p.psi, t, answer);
  const ea12 = v === null || v.malformed || v.nodes.length === 0 ? [] : [{ code: null, ea: 'EA-12', shard: null, evidence: { digest: validatorDigestOf(answer!), nodes: v.nodes } }];
  expectSame('validator.EA-12', t, 'the EA-12 incident (every differing node, with both values)', ea12, out.record.incidents.filter((i) => i.ea === 'EA-12'));
  const malformedEvents = v !== null && v.malformed ? [{ kind: 'validator_malformed', digest: validatorDigestOf(answer!) }] : [];
  expectSame('validator.EA-12', t, 'the validator_malformed event', malformedEvents, out.record.events.filter((e) => e.kind === 'validator_malformed'));
  const commit = out.record.outcome === 'commit';
  const lastOracleEpoch = commit && p.oracle.admitted !== null ? p.oracle.admitted.epoch! : m.lastOracleEpoch;
  expectSame('model.state', t, 'epoch, mode and last_oracle_epoch of the next state', [t, m.mode, lastOracleEpoch], [out.state.epoch, out.state.mode, out.state.last_oracle_epoch]);
  expectSame('model.state', t, 'dissonance after the epoch', commit ? p.dis : m.nodes.map((n) => n.dis), out.state.nodes.map((n) => n.dis));
  expectSame('model.state', t, "nonces after the epoch (each node's last taken nonce)", commit ? p.choice.lastNonce : m.nodes.map((n) => n.nonce), out.state.nodes.map((n) => n.nonce));

  // Statistics.
  const st = r.stats;
  st.totals.add('epochs');
  st.outcomes.add(out.record.outcome);
  st.totals.add('submitted', frozen ? 0 : m.submissions.length);
  if (!frozen) st.totals.add('dropped (no canonical form)', m.submissions.filter((x) => !canonical(x.json)).length);
  if (frozen) st.totals.add('ignored (frozen)', m.submissions.length);
  st.totals.add('taken', out.inputs.proposals.reduce((k, q) => k + q.actions.length, 0));
  for (const q of out.inputs.proposals) for (const a of q.actions) st.takenKinds.add(a.kind);
  st.totals.add('refused', out.refusals.length);
  for (const x of out.refusals) st.refused.add(x.code);
  for (const x of out.record.incidents) if (x.ea === 'EA-11') st.snapshots.add(x.evidence.reason);
  if (p.oracle.admitted !== null && !frozen) st.snapshots.add('admitted');
  st.totals.add('distinct snapshots', new Set(out.inputs.snapshots.map((s) => s.digest)).size);
  if (answer !== null) st.validator.add(frozen ? 'not read (frozen)' : v!.malformed ? 'malformed' : v!.nodes.length === 0 ? 'agrees' : 'EA-12');
  st.totals.add('EA-12 nodes', ea12.length === 0 ? 0 : v!.nodes.length);
  for (const mv of out.record.moves) st.moves.add(mv.kind);
  for (const e of out.record.events) st.events.add(e.kind);

  // Next epoch.
  if (commit && p.oracle.admitted !== null) m.admitted.push(p.oracle.admitted);
  m.epoch = t;
  m.lastOracleEpoch = out.state.last_oracle_epoch;
  m.nodes = modelNodes(out.state);
  m.submissions = [];
  m.copies = [];
  m.validator = null;
  r.state = out.state;
  r.prevRecord = out.record;
  r.chainBroken = false;
  r.snapshots = [];
  r.actions = [];
}

// ---------------------------------------------------------------------------------------------
// The command class

export class EconomyCommand implements fc.Command<EconomyModel, EconomyReal> {
  constructor(readonly data: CommandData) {}

  check(m: Readonly<EconomyModel>): boolean {
    const d = this.data;
    switch (d.cmd) {
      case 'duplicate':
        return m.submissions.length > 0;
      case 'snapshot':
        return d.when === 'malformed' || (d.when === 'replayed' && m.admitted.length > 0) || m.signatures.size < MAX_SIGNATURES_PER_RUN;
      case 'safe-mode':
        return m.mode === 'normal' && m.epoch >= 1n;
      default:
        return true;
    }
  }

  run(m: EconomyModel, r: EconomyReal): void {
    const d = this.data;
    r.log.push(d);
    r.stats.totals.add('commands');
    r.stats.commands.add(d.cmd);
    switch (d.cmd) {
      case 'submit': {
        const s = resolveSubmit(m, d);
        m.submissions.push(s);
        r.actions.push({ shard: s.shard, actions: [s.json] });
        return;
      }
      case 'duplicate': {
        const s = m.submissions[d.pick % m.submissions.length]!;
        m.submissions.push({ ...s, label: `${s.label} (copy)` });
        r.actions.push({ shard: s.shard, actions: [s.json] });
        return;
      }
      case 'snapshot':
        runSnapshot(m, r, d);
        return;
      case 'validator':
        m.validator = d;
        return;
      case 'safe-mode':
        m.mode = 'safe';
        r.state = { ...r.state, mode: 'safe' };
        r.chainBroken = true;
        return;
      case 'advance':
        runAdvance(m, r, d);
        return;
    }
  }

  toString(): string {
    return describe(this.data);
  }
}

export const commandsFromData = (data: readonly CommandData[]): EconomyCommand[] => data.map((d) => new EconomyCommand(d));

/** The data of the commands that ran, from a command list as `fc.commands` produced it (its wrappers) or plain. */
export function ranCommandData(cmds: Iterable<unknown>): CommandData[] {
  const out: CommandData[] = [];
  for (const c of cmds) {
    const w = c as { hasRan?: boolean; cmd?: unknown };
    const cmd = (w.cmd ?? c) as EconomyCommand;
    if (w.hasRan === false) continue;
    if (cmd instanceof EconomyCommand) out.push(cmd.data);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const w = <T>(arbitrary: fc.Arbitrary<T>, weight: number): fc.WeightedArbitrary<T> => ({ arbitrary, weight });

export const submitData: fc.Arbitrary<SubmitData> = fc.record({
  cmd: fc.constant('submit' as const),
  kind: fc.constantFrom<ActionKind>('transfer', 'stake', 'unstake', 'psy_transfer'),
  node: fc.oneof(w(fc.nat(15), 30), w(fc.constant('unknown' as const), 1)),
  amount: fc.oneof(
    w(fc.record({ permille: fc.integer({ min: 1, max: 1000 }) }), 8),
    w(fc.record({ permille: fc.constantFrom(1000, 500, 100) }), 2),
    w(fc.record({ bad: fc.constantFrom('zero' as const, 'negative' as const, 'over' as const, 'huge' as const, 'float' as const) }), 1),
  ),
  nonce: fc.oneof(w(fc.constant(0), 12), w(fc.constantFrom(-2, -1, 1, 2, 1000), 1)),
  target: fc.oneof(
    w(fc.record({ peer: fc.nat(15) }), 8),
    w(fc.record({ any: fc.nat(15) }), 8),
    w(fc.constant('self' as const), 1),
    w(fc.constant('unknown' as const), 1),
  ),
  via: fc.oneof(w(fc.constant(0), 12), w(fc.integer({ min: 1, max: 5 }), 1)),
});

export const duplicateData: fc.Arbitrary<DuplicateData> = fc.record({ cmd: fc.constant('duplicate' as const), pick: fc.nat(31) });

export const snapshotData: fc.Arbitrary<SnapshotData> = fc.record({
  cmd: fc.constant('snapshot' as const),
  when: fc.oneof(
    w(fc.constant<SnapshotWhen>('timely'), 4),
    w(fc.constant<SnapshotWhen>('stale'), 2),
    w(fc.constant<SnapshotWhen>('future'), 2),
    w(fc.constant<SnapshotWhen>('replayed'), 2),
    w(fc.constant<SnapshotWhen>('competing'), 2),
    w(fc.constant<SnapshotWhen>('malformed'), 1),
  ),
  lag: fc.nat(3),
  dis: fc.array(fc.record({ node: fc.nat(15), level: fc.nat(4) }), { maxLength: 3 }),
  key: fc.oneof(w(fc.constant('oracle' as const), 4), w(fc.constant('wrong' as const), 1)),
  copies: fc.oneof(w(fc.constant('one' as const), 4), w(fc.constant('two' as const), 1), w(fc.constant('plus-wrong' as const), 1)),
});

export const validatorData: fc.Arbitrary<ValidatorData> = fc.record({
  cmd: fc.constant('validator' as const),
  kind: fc.constantFrom('honest' as const, 'lying' as const, 'lying' as const, 'malformed' as const),
  lies: fc.array(fc.record({ node: fc.nat(15), lie: fc.constantFrom<LieKind>('plus-one', 'minus-one', 'zero', 'double') }), { minLength: 1, maxLength: 3 }),
  flaw: fc.nat(4),
});

export const safeModeData: fc.Arbitrary<SafeModeData> = fc.constant({ cmd: 'safe-mode' as const });
export const advanceData: fc.Arbitrary<AdvanceData> = fc.record({ cmd: fc.constant('advance' as const), perm: fc.nat(0xffff) });

/** Every command, weighted (about one advance in four commands; safe mode rare, since it freezes the rest of the run). */
export const commandData: fc.Arbitrary<CommandData> = fc.oneof(
  w<CommandData>(submitData, 80),
  w<CommandData>(duplicateData, 8),
  w<CommandData>(snapshotData, 24),
  w<CommandData>(validatorData, 16),
  w<CommandData>(safeModeData, 1),
  w<CommandData>(advanceData, 40),
);

/** The command arbitraries for `fc.commands`. */
export const economyCommands = (): fc.Arbitrary<EconomyCommand>[] => [commandData.map((d) => new EconomyCommand(d))];
