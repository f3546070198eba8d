/**
 * The EconomicAdversarySuite's model (SPEC §8): Byzantine strategies as data, the interpreter that
 * runs them through the real ledger (real ML-DSA-87), the per-epoch *twin*, and every assertion §8
 * lists. A run is plain data — `{ shards, byzantine, epochs: [{ load, attacks, exit }] }` — so a
 * stored counterexample (SPEC §12) replays after the generators change; `arbitraries` live in
 * models/adversary-arbitraries.ts.
 *
 * Per epoch, `runAdversary` asserts (first failure throws `AdversaryFailure`):
 *   - `catalog`: every §9 step invariant on (S, record, next, stored inputs), and `record.replay`;
 *   - `adversary.twin`: the twin (same governance; same snapshots, or only the admitted one when
 *     the oracle attacks; honest validator; the attacked run's voters proposing their accepted
 *     actions with honest reports; the outcome and the bookkeeping imposed) has the same voters,
 *     and a committed epoch's root equals the twin's;
 *   - `adversary.incidents`: the attacked epoch's incidents are the twin's plus exactly the
 *     expected `(code, ea, shard)` of each attack that applied;
 *   - `adversary.response`: the response was carried out (halt, group halt, abort, safe mode,
 *     rejection);
 *   - `adversary.supplies`: CHR and FLX supplies equal the genesis supplies;
 * and over the whole run `adversary.liveness`: at most `2·f·BLACKLIST_AFTER` aborted epochs and
 * `f·BLACKLIST_AFTER` safe-mode entries (no reinstatements are generated, so r = 0).
 */
import { canonicalString, parseCanonical, type Encodable, type Json } from '../src/math/canonical.ts';
import type { LedgerEpoch, LedgerWindows, Publication1, Publication2 } from '../src/coherence/windows.ts';
import { closeWindow1, type Stage1 } from '../src/coherence/window1.ts';
import { closeWindow2 } from '../src/coherence/window2.ts';
import { closeWindow3 } from '../src/coherence/window3.ts';
import { quorumNeeded } from '../src/coherence/step12.ts';
import { checkLedgerEpoch, checkRecordReplay } from '../src/coherence/replay.ts';
import { actionDigest, compareActions, stakeCoherence, readAction } from '../src/economics/action-rules.ts';
import { defaultGenesis, devLabel } from '../src/genesis/default-genesis.ts';
import { epochContext, runHonestEpoch, type EpochContext } from '../src/epoch/epoch.ts';
import type { EpochRecord, Incident } from '../src/epoch/epoch-record.ts';
import { signGovernance, type GovernanceRecord } from '../src/genesis/founders.ts';
import type { Genesis } from '../src/genesis/genesis.ts';
import { actingNode, type Action } from '../src/economics/harmonic-economics.ts';
import { honestReports, type ProposalBody } from '../src/economics/honest-agent.ts';
import { oracleIncident, signSnapshot, snapshotDigest, type SignedSnapshot } from '../src/epoch/oracle.ts';
import { ownedEdges, signProposal, toJson, type SignedCopy } from '../src/ledger/proposal.ts';
import { scenarioInputs } from '../src/runs/scenario.ts';
import { HonestShardAgent } from '../src/coherence/shard-agent.ts';
import { devKey } from '../src/math/signatures.ts';
import { atrSupply, chrSupply, flxSupply, initialState, psySupply, resSupply, stateRoot, type State } from '../src/economics/state.ts';
import type { GovernanceCopy } from '../src/ledger/system-recovery.ts';
import { signVote, type VoteBody } from '../src/ledger/vote.ts';
import { exactMulDiv } from '../src/math/exact-math.ts';
import { SCALE } from '../src/math/certified-math.ts';
import { EA_IDS, EA_TABLE, type EaId } from '../src/core/vocabulary.ts';

// ---------------------------------------------------------------------------------------------
// Strategies as data

export const EAS = EA_IDS;
export type Ea = EaId;

export type ShardAttack =
  | { readonly ea: 'EA-1'; readonly shard: bigint; readonly pick: bigint; readonly delta: bigint }
  | { readonly ea: 'EA-2'; readonly shard: bigint; readonly below: boolean; readonly delta: bigint }
  | { readonly ea: 'EA-3'; readonly shard: bigint; readonly field: 'payouts' | 'flx_delta'; readonly pick: bigint; readonly delta: bigint }
  | { readonly ea: 'EA-4'; readonly shard: bigint; readonly pick: bigint; readonly delta: bigint }
  | { readonly ea: 'EA-5'; readonly shard: bigint; readonly pick: bigint; readonly delta: bigint }
  | { readonly ea: 'EA-6'; readonly shard: bigint; readonly flaw: 'zero' | 'overdraft' | 'foreign' | 'nonce'; readonly pick: bigint }
  | { readonly ea: 'EA-7'; readonly shard: bigint; readonly pick: bigint; readonly delta: bigint }
  | { readonly ea: 'EA-8'; readonly shard: bigint; readonly delta: bigint }
  | { readonly ea: 'EA-9'; readonly shard: bigint }
  | { readonly ea: 'EA-10'; readonly shard: bigint; readonly side: 'in' | 'out'; readonly delta: bigint }
  | { readonly ea: 'EA-13'; readonly shard: bigint; readonly field: 'multipliers' | 'rewards' | 'psy_minted'; readonly pick: bigint; readonly delta: bigint };

export type OracleAttack = { readonly ea: 'EA-11'; readonly kind: 'stale' | 'future' | 'replayed' | 'superseded'; readonly delta: bigint };
export type ValidatorAttack = { readonly ea: 'EA-12'; readonly pick: bigint; readonly delta: bigint };
export type Attack = ShardAttack | OracleAttack | ValidatorAttack;

/** One epoch of a run: the honest load's seed, the attacks, and whether the founders exit safe mode (if in it). */
export type EpochCommand = {
  readonly load: bigint;
  readonly attacks: readonly Attack[];
  readonly exit: boolean;
  /** The founders who sign the exit record (default: founders 0 and 1, the threshold M = 2 of the built-in chains). */
  readonly exit_founders?: readonly bigint[];
};
/** Planted bugs the harness can run the ledger with (to show that it catches them; models/adversary.ts applies them). */
export const MUTANTS = ['first-proposal-wins'] as const;
export type Mutant = (typeof MUTANTS)[number];
export type AdversaryRun = { readonly shards: bigint; readonly byzantine: readonly bigint[]; readonly epochs: readonly EpochCommand[]; readonly mutant?: Mutant };

export const PROPOSAL_EAS: readonly Ea[] = ['EA-1', 'EA-2', 'EA-6', 'EA-7', 'EA-8', 'EA-9'];
export const VOTE_EAS: readonly Ea[] = ['EA-3', 'EA-4', 'EA-5', 'EA-10', 'EA-13'];

/** The `(code, ea, shard)` an applied attack must add (SPEC §7, §8). */
export function expectedTriple(a: Attack): Triple {
  switch (a.ea) {
    case 'EA-1':
    case 'EA-4':
    case 'EA-5':
    case 'EA-6':
    case 'EA-9':
      return ['CIR-302', a.ea, a.shard];
    case 'EA-2':
    case 'EA-7':
    case 'EA-8':
      return ['CIR-412', a.ea, a.shard];
    case 'EA-3':
    case 'EA-10':
      return ['CIR-511', a.ea, a.shard];
    case 'EA-13':
      return [null, 'EA-13', a.shard];
    case 'EA-11':
    case 'EA-12':
      return [null, a.ea, null];
  }
}

/** SPEC §8's response column, as reports print it (src/core/vocabulary.ts). */
export const EXPECTED_RESPONSE: Readonly<Record<Ea, string>> = Object.fromEntries(EA_IDS.map((ea) => [ea, EA_TABLE[ea].response])) as Record<Ea, string>;

// ---------------------------------------------------------------------------------------------
// Reading a run back from its canonical JSON (a stored counterexample's `commands`)

const big = (v: unknown, where: string): bigint => {
  if (typeof v !== 'string' || !/^(?:0|-?[1-9][0-9]*)$/.test(v)) throw new Error(`adversary run: ${where} is not an integer string`);
  return BigInt(v);
};
const oneOf = <T extends string>(v: unknown, options: readonly T[], where: string): T => {
  if (typeof v !== 'string' || !options.includes(v as T)) throw new Error(`adversary run: ${where} must be one of ${options.join(', ')}`);
  return v as T;
};

function readAttack(j: Json, where: string): Attack {
  const o = j as Record<string, Json>;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error(`adversary run: ${where} is not an object`);
  const ea = oneOf(o.ea, EAS, `${where}.ea`);
  const shard = () => big(o.shard, `${where}.shard`);
  const pick = () => big(o.pick, `${where}.pick`);
  const delta = () => big(o.delta, `${where}.delta`);
  switch (ea) {
    case 'EA-1':
    case 'EA-4':
    case 'EA-5':
    case 'EA-7':
      return { ea, shard: shard(), pick: pick(), delta: delta() };
    case 'EA-2':
      return { ea, shard: shard(), below: o.below === true, delta: delta() };
    case 'EA-3':
      return { ea, shard: shard(), field: oneOf(o.field, ['payouts', 'flx_delta'] as const, `${where}.field`), pick: pick(), delta: delta() };
    case 'EA-6':
      return { ea, shard: shard(), flaw: oneOf(o.flaw, ['zero', 'overdraft', 'foreign', 'nonce'] as const, `${where}.flaw`), pick: pick() };
    case 'EA-8':
      return { ea, shard: shard(), delta: delta() };
    case 'EA-9':
      return { ea, shard: shard() };
    case 'EA-10':
      return { ea, shard: shard(), side: oneOf(o.side, ['in', 'out'] as const, `${where}.side`), delta: delta() };
    case 'EA-13':
      return { ea, shard: shard(), field: oneOf(o.field, ['multipliers', 'rewards', 'psy_minted'] as const, `${where}.field`), pick: pick(), delta: delta() };
    case 'EA-11':
      return { ea, kind: oneOf(o.kind, ['stale', 'future', 'replayed', 'superseded'] as const, `${where}.kind`), delta: delta() };
    case 'EA-12':
      return { ea, pick: pick(), delta: delta() };
    case 'EA-14':
      throw new Error(`adversary run: ${where}: EA-14 is a storage attack (models/storage-attack.ts), not an epoch attack`);
  }
}

/**
 * A run as §12 commands: `[{ kind: "setup", shards, byzantine, mutant }, { kind: "epoch", load,
 * attacks, exit }, …]` (canonical JSON; `mutant` null, or the name of a planted bug of
 * models/mutants.ts that the run executes with).
 */
export function runCommands(run: AdversaryRun): Json[] {
  const setup = { kind: 'setup', shards: run.shards, byzantine: run.byzantine, mutant: run.mutant ?? null };
  return jsonOf([setup, ...run.epochs.map((e) => ({ kind: 'epoch', ...e }))]) as Json[];
}

/** A run from its §12 commands; throws naming the command and field at fault. */
export function readRunCommands(commands: readonly Json[]): AdversaryRun {
  const [setup, ...rest] = commands as Record<string, Json>[];
  if (setup === undefined || setup === null || typeof setup !== 'object' || setup.kind !== 'setup') throw new Error('adversary run: commands[0] must be the setup command');
  const byz = setup.byzantine;
  if (!Array.isArray(byz)) throw new Error('adversary run: commands[0].byzantine must be an array');
  const mutant = setup.mutant === null || setup.mutant === undefined ? undefined : oneOf(setup.mutant, MUTANTS, 'commands[0].mutant');
  return {
    shards: big(setup.shards, 'commands[0].shards'),
    byzantine: byz.map((b, i) => big(b, `commands[0].byzantine[${i}]`)),
    ...(mutant === undefined ? {} : { mutant }),
    epochs: rest.map((eo, i) => {
      const where = `commands[${i + 1}]`;
      if (eo === null || typeof eo !== 'object' || eo.kind !== 'epoch') throw new Error(`adversary run: ${where} must be an epoch command`);
      const attacks = eo.attacks;
      if (!Array.isArray(attacks)) throw new Error(`adversary run: ${where}.attacks must be an array`);
      const founders = eo.exit_founders;
      if (founders !== undefined && !Array.isArray(founders)) throw new Error(`adversary run: ${where}.exit_founders must be an array`);
      return {
        load: big(eo.load, `${where}.load`),
        exit: eo.exit === true,
        ...(founders === undefined ? {} : { exit_founders: founders.map((x, k) => big(x, `${where}.exit_founders[${k}]`)) }),
        attacks: attacks.map((a, k) => readAttack(a, `${where}.attacks[${k}]`)),
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// The chains: the default genesis cut to its first n shards (4 ≤ n ≤ 8), real development keys

export type Chain = { readonly genesis: Genesis; readonly ctx: EpochContext; readonly S0: State; readonly f: bigint; readonly chr: bigint; readonly flx: bigint };
const chains = new Map<bigint, Chain>();

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

const shardSecret = (shard: bigint): Uint8Array => devKey(devLabel.shard(shard)).secretKey;
const ORACLE_SECRET = (): Uint8Array => devKey(devLabel.oracle).secretKey;

// ---------------------------------------------------------------------------------------------
// Failures and reports

export type Triple = readonly [string | null, string | null, bigint | null];

/** A check that failed: the invariant (or suite assertion) id, the epoch, expected and actual. */
export class AdversaryFailure extends Error {
  override readonly name = 'AdversaryFailure';
  constructor(
    readonly invariant: string,
    readonly epoch: bigint,
    /** The failure without the "<invariant> at epoch <e>" prefix (the counterexample's `failure.message`). */
    readonly detail: string,
    readonly expected: Json,
    readonly actual: Json,
    readonly roots: readonly string[],
  ) {
    super(`${invariant} at epoch ${epoch}: ${detail}`);
  }
}

/** What one attack did in its epoch (the suite's statistics). */
export type AttackOutcome = { readonly ea: Ea; readonly applied: boolean; readonly detected: boolean; readonly paused: boolean; readonly epoch: bigint };

/** A non-negative fraction `[numerator, denominator > 0]`. */
export type Fraction = readonly [bigint, bigint];
export const SHIFT_TOKENS = ['chr', 'flx', 'psy', 'atr', 'res'] as const;
/** §8's pause shift of one attack: per token a fraction of the plain twin's supply (null: n/a, that supply is 0). */
export type PauseShift = Readonly<Record<(typeof SHIFT_TOKENS)[number], Fraction | null>>;

const largerFraction = (a: Fraction | null, b: Fraction | null): Fraction | null => (a === null ? b : b === null ? a : a[0] * b[1] >= b[0] * a[1] ? a : b);
/** The token-wise larger of two pause shifts (undefined: not measured). */
export function maxShift(a: PauseShift | undefined, b: PauseShift | undefined): PauseShift | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return { chr: largerFraction(a.chr, b.chr), flx: largerFraction(a.flx, b.flx), psy: largerFraction(a.psy, b.psy), atr: largerFraction(a.atr, b.atr), res: largerFraction(a.res, b.res) };
}
/** The exact form kept in the evidence: "<num>/<den>" or "n/a". */
export const fractionText = (x: Fraction | null): string => (x === null ? 'n/a' : `${x[0]}/${x[1]}`);
/** A fraction as a percentage with 4 decimals, for people. */
export function fractionPercent(x: Fraction | null): string {
  if (x === null || x[1] === 0n) return 'n/a';
  const bp = (x[0] * 1_000_000n) / x[1];
  return `${bp / 10000n}.${(bp % 10000n).toString().padStart(4, '0')}%`;
}

export type EpochReport = {
  readonly epoch: bigint;
  /** The pause shift of the epoch's applied attacks, when the run went on for HALT_EPOCHS more epochs. */
  shift?: PauseShift;
  readonly outcome: EpochRecord['outcome'];
  readonly root: string;
  readonly attacks: readonly AttackOutcome[];
  readonly safeModeEntered: boolean;
};

export type RunReport = {
  readonly genesisHash: string;
  readonly epochs: readonly EpochReport[];
  readonly roots: readonly string[];
  /** The run's start state and every epoch's record and next state (the evidence's ledger runs). */
  readonly start: State;
  readonly steps: readonly { readonly record: EpochRecord; readonly next: State }[];
  readonly aborted: bigint;
  readonly safeModeEntries: bigint;
  readonly bound: { readonly aborts: bigint; readonly safeMode: bigint };
};

const triple = (i: Incident): Triple => [i.code, i.ea, i.shard];
const tripleKey = (t: Triple): string => `${t[0] ?? '-'}|${t[1] ?? '-'}|${t[2] ?? '-'}`;
const sortedKeys = (ts: readonly Triple[]): string[] => ts.map(tripleKey).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

// ---------------------------------------------------------------------------------------------
// The lies (each returns null when the attack cannot apply in this epoch)

const pickOf = <T>(list: readonly T[], pick: bigint): T | undefined => (list.length === 0 ? undefined : list[Number(pick % BigInt(list.length))]);

function sortActions(actions: readonly Action[]): Action[] {
  return actions
    .map((action) => ({ action, digest: actionDigest(action) }))
    .sort(compareActions)
    .map((x) => x.action);
}

/** A proposal lie on the honest body (null: not applicable). */
function lieProposal(a: ShardAttack, body: ProposalBody, p1: Publication1, chain: Chain): Json | null {
  const basis = p1.basis;
  const topo = chain.ctx.topology;
  const c = topo.constants;
  const json = toJson(body) as Record<string, Json>;
  const reports = json.reports as Record<string, Json>;
  switch (a.ea) {
    case 'EA-1': {
      const psi = [...(reports.psi as Json[])] as { node: string; value: string }[];
      const k = Number(a.pick % BigInt(psi.length));
      psi[k] = { node: psi[k]!.node, value: (BigInt(psi[k]!.value) + a.delta).toString() };
      return { ...json, reports: { ...reports, psi } };
    }
    case 'EA-2': {
      const C = basis.field.c;
      const bound = exactMulDiv(C, c.epsilon_sync, SCALE);
      const low = C - bound - a.delta;
      const sync = a.below && low >= 0n ? low : C + bound + a.delta;
      return { ...json, reports: { ...reports, sync: sync.toString() } };
    }
    case 'EA-6': {
      const s = topo.shardIndex.get(a.shard)!;
      const own = topo.shardNodes[s]!;
      const i = own[Number(a.pick % BigInt(own.length))]!;
      const node = basis.nodes[i]!;
      const used = body.actions.filter((x) => actingNode(x) === node.id).length;
      const nonce = node.nonce + BigInt(used) + 1n;
      const str = (x: bigint) => x.toString();
      const others = topo.nodeIds.filter((id) => id !== node.id);
      const to = others[Number(a.pick % BigInt(others.length))]!;
      let bad: Json;
      switch (a.flaw) {
        case 'zero':
          bad = { kind: 'transfer', from: str(node.id), to: str(to), amount: '0', nonce: str(nonce) };
          break;
        case 'overdraft':
          bad = { kind: 'transfer', from: str(node.id), to: str(to), amount: str(node.flx + 1n), nonce: str(nonce) };
          break;
        case 'nonce':
          bad = { kind: 'stake', node: str(node.id), amount: '1', nonce: '0' };
          break;
        case 'foreign': {
          const foreign = topo.nodeIds.filter((_, j) => topo.nodeShard[j] !== s);
          const f = foreign[Number(a.pick % BigInt(foreign.length))]!;
          bad = { kind: 'stake', node: str(f), amount: '1', nonce: str(basis.nodes[topo.nodeIndex.get(f)!]!.nonce + 1n) };
          break;
        }
      }
      const read = readAction(bad);
      if (!read.ok) throw new Error(`EA-6 generator: ${read.error.message}`);
      return toJson({ ...body, actions: sortActions([...body.actions, read.value]) });
    }
    case 'EA-7': {
      const s = topo.shardIndex.get(a.shard)!;
      const owned = ownedEdges(topo, s);
      const inTriangle = owned.map((e, k) => ({ e, k })).filter(({ e }) => edgeInTriangle(chain, e));
      const chosen = pickOf(inTriangle, a.pick);
      if (chosen === undefined) return null;
      const bound = exactMulDiv(basis.field.c, c.delta_curl, SCALE);
      const gradients = [...(reports.gradients as Json[])] as { a: string; b: string; value: string }[];
      const g = gradients[chosen.k]!;
      const lie = a.delta % 2n === 0n ? BigInt(g.value) + bound + a.delta : BigInt(g.value) - bound - a.delta;
      gradients[chosen.k] = { ...g, value: lie.toString() };
      return { ...json, reports: { ...reports, gradients } };
    }
    case 'EA-9': {
      // All-in stakes by the shard's nodes without actions, largest FLX first, until C_s diverges.
      const s = topo.shardIndex.get(a.shard)!;
      const acting = new Set(body.actions.map(actingNode));
      const free = topo.shardNodes[s]!.map((i) => basis.nodes[i]!).filter((n) => !acting.has(n.id) && n.flx > 0n);
      free.sort((x, y) => (x.flx > y.flx ? -1 : x.flx < y.flx ? 1 : x.id < y.id ? -1 : 1));
      const added: Action[] = [];
      for (const n of free) {
        added.push({ kind: 'stake', node: n.id, amount: n.flx, nonce: n.nonce + 1n } as Action);
        const actions = sortActions([...body.actions, ...added]);
        const cs = stakeCoherence(basis, a.shard, actions);
        const diff = cs.with_stakes > cs.open ? cs.with_stakes - cs.open : cs.open - cs.with_stakes;
        if (diff > cs.bound) return toJson({ ...body, actions });
      }
      return null;
    }
    case 'EA-8':
      return null; // handled by the caller (two proposals)
    default:
      return null;
  }
}

const triangleEdges = new WeakMap<EpochContext, Set<number>>();
function edgeInTriangle(chain: Chain, e: number): boolean {
  let set = triangleEdges.get(chain.ctx);
  if (set === undefined) {
    const topo = chain.ctx.topology;
    const index = new Map<string, number>();
    for (let k = 0; k < topo.edgeA.length; k++) index.set(`${topo.edgeA[k]}-${topo.edgeB[k]}`, k);
    const adj = new Map<number, number[]>();
    for (let k = 0; k < topo.edgeA.length; k++) {
      adj.set(topo.edgeA[k]!, [...(adj.get(topo.edgeA[k]!) ?? []), topo.edgeB[k]!]);
    }
    set = new Set<number>();
    for (let k = 0; k < topo.edgeA.length; k++) {
      const x = topo.edgeA[k]!;
      const y = topo.edgeB[k]!;
      for (const z of adj.get(y) ?? []) {
        const xz = index.get(`${x}-${z}`);
        if (xz !== undefined) {
          set.add(k);
          set.add(index.get(`${y}-${z}`)!);
          set.add(xz);
        }
      }
    }
    triangleEdges.set(chain.ctx, set);
  }
  return set.has(e);
}

/** A vote lie on the honest vote (null: not applicable). */
function lieVote(a: ShardAttack, vote: VoteBody): Json | null {
  const claims = toJson(vote.claims) as Record<string, Json>;
  const bump = (list: Json, pick: bigint, delta: bigint): Json[] | null => {
    const l = [...(list as Json[])] as { node: string; value: string }[];
    if (l.length === 0) return null;
    const k = Number(pick % BigInt(l.length));
    l[k] = { node: l[k]!.node, value: (BigInt(l[k]!.value) + delta).toString() };
    return l;
  };
  const withClaims = (field: string, value: Json | null): Json | null =>
    value === null ? null : ({ ...(toJson(vote) as Record<string, Json>), claims: { ...claims, [field]: value } } as Json);
  switch (a.ea) {
    case 'EA-3': {
      const payouts = [...(claims.payouts as Json[])] as { node: string; cut: string; users: Json }[];
      if (a.field === 'payouts' && payouts.length > 0) {
        const k = Number(a.pick % BigInt(payouts.length));
        payouts[k] = { ...payouts[k]!, cut: (BigInt(payouts[k]!.cut) + a.delta).toString() };
        return withClaims('payouts', payouts);
      }
      return withClaims('flx_delta', bump(claims.flx_delta!, a.pick, a.delta));
    }
    case 'EA-4':
      return withClaims('res', bump(claims.res!, a.pick, a.delta));
    case 'EA-5':
      return withClaims('chr_delta', bump(claims.chr_delta!, a.pick, a.delta));
    case 'EA-13':
      return withClaims(a.field, bump(claims[a.field]!, a.pick, a.delta));
    case 'EA-10': {
      const field = a.side === 'in' ? 'cross_in' : 'cross_out';
      const legs = [...(claims[field] as Json[])] as { leg: string; value: string }[];
      if (legs.length === 0) return withClaims(field, [{ leg: 'ff'.repeat(32), value: a.delta.toString() }]);
      legs[0] = { leg: legs[0]!.leg, value: (BigInt(legs[0]!.value) + a.delta).toString() };
      return withClaims(field, legs);
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// One attacked epoch

type Applied = { readonly attack: Attack; applied: boolean; badSnapshot?: string };

export type AttackedEpoch = {
  readonly out: LedgerEpoch;
  readonly stage1: Stage1;
  readonly applied: readonly Applied[];
  readonly governance: readonly GovernanceCopy[];
  readonly snapshots: readonly SignedSnapshot[];
  /** Every message each window closed with, in arrival order (what ledgerEpoch re-executes). */
  readonly windows: LedgerWindows;
};

/** Runs epoch S.epoch + 1 of the run with its attacks through the real ledger (three windows). */
export function attackedEpoch(chain: Chain, S: State, cmd: EpochCommand, lastAdmitted: SignedSnapshot | null, mutant?: Mutant): AttackedEpoch {
  const { ctx } = chain;
  const t = S.epoch + 1n;
  const load = scenarioInputs(ctx, S, { seed: cmd.load });
  const submitted = new Map(load.actions.map((x) => [x.shard, x.actions] as const));
  const applied: Applied[] = cmd.attacks.map((attack) => ({ attack, applied: false }));

  // Window 1: governance (founders exit safe mode when asked), snapshots (+ the oracle's lies).
  const governance: GovernanceCopy[] = [];
  if (cmd.exit && S.mode === 'safe') {
    const record: GovernanceRecord = { kind: 'exit_safe_mode', genesis: ctx.genesisHash, epoch: t };
    const founders = cmd.exit_founders ?? [0n, 1n];
    governance.push({ record: toJson(record), signatures: founders.map((f) => signGovernance(record, f, devKey(devLabel.founder(f)).secretKey)) });
  }
  const snapshots: SignedSnapshot[] = [...load.snapshots];
  for (const ap of applied) {
    if (ap.attack.ea !== 'EA-11') continue;
    const a = ap.attack;
    const window = ctx.topology.constants.oracle_window;
    const honest = load.snapshots[0];
    const dis = (shift: bigint) => S.nodes.slice(0, 3).map((n) => ({ node: n.id, value: (n.dis + shift) % (SCALE + 1n) }));
    let bad: SignedSnapshot | null = null;
    const sign = (epoch: bigint, shift: bigint) => signSnapshot({ genesis: ctx.genesisHash, epoch, dis: dis(shift) }, ORACLE_SECRET());
    if (a.kind === 'stale' && t > window + 1n) bad = sign(t - window - 1n - (a.delta % (t - window - 1n)), a.delta);
    else if (a.kind === 'replayed' && lastAdmitted !== null) bad = lastAdmitted;
    else if (a.kind === 'superseded' && honest !== undefined && t >= 2n && S.last_oracle_epoch < t - 1n) bad = sign(t - 1n, a.delta);
    else bad = sign(t + 1n + (a.delta % 5n), a.delta); // future
    snapshots.push(bad);
    ap.badSnapshot = canonicalString(bad.snapshot as Encodable);
  }
  const stage1 = closeWindow1(ctx, S, governance, snapshots);
  const p1 = stage1.publication;

  // Window 2: the validator (honest = no answer; EA-12 = the engine's ψ with one value changed), proposals.
  let validator: Json | null = null;
  for (const ap of applied) {
    if (ap.attack.ea !== 'EA-12' || stage1.frozen) continue;
    const psi = stage1.field.psi.map((v, i) => ({ node: ctx.topology.nodeIds[i]!, value: v }));
    const k = Number(ap.attack.pick % BigInt(psi.length));
    psi[k] = { node: psi[k]!.node, value: psi[k]!.value + ap.attack.delta };
    validator = toJson({ epoch: t, psi });
  }
  const agents = ctx.genesis.shards.map((s) => new HonestShardAgent(s.id, shardSecret(s.id), () => submitted.get(s.id) ?? []));
  const attackOf = new Map<bigint, Applied>();
  for (const ap of applied) if ('shard' in ap.attack) attackOf.set(ap.attack.shard, ap);
  const proposals: SignedCopy[] = [];
  if (!stage1.frozen) {
    for (const agent of agents) {
      const body = agent.proposalBody(p1);
      if (body === null) continue;
      const ap = attackOf.get(agent.shard);
      const honestCopy = () => signProposal(body, agent.secretKey);
      if (ap === undefined || !PROPOSAL_EAS.includes(ap.attack.ea)) {
        proposals.push(honestCopy());
        continue;
      }
      const a = ap.attack as ShardAttack;
      if (a.ea === 'EA-8') {
        const variant = { ...body, reports: { ...body.reports, sync: body.reports.sync + a.delta } };
        proposals.push(honestCopy(), signProposal(variant, agent.secretKey));
        ap.applied = true;
        continue;
      }
      const lie = lieProposal(a, body, p1, chain);
      if (lie === null) proposals.push(honestCopy());
      else {
        proposals.push(signProposal(lie, agent.secretKey));
        ap.applied = true;
      }
    }
  }
  const stage2 = closeWindow2(stage1, validator, mutant === 'first-proposal-wins' ? firstProposalWins(proposals) : proposals);
  const p2: Publication2 | null = stage2.publication;

  // Window 3: votes.
  const votes: SignedCopy[] = [];
  if (p2 !== null && p2.candidate !== null) {
    for (const agent of agents) {
      const vote = agent.voteBody(p2);
      if (vote === null) continue;
      const ap = attackOf.get(agent.shard);
      if (ap !== undefined && VOTE_EAS.includes(ap.attack.ea)) {
        const lie = lieVote(ap.attack as ShardAttack, vote);
        if (lie !== null) {
          votes.push(signVote(lie, agent.secretKey));
          ap.applied = true;
          continue;
        }
      }
      votes.push(signVote(vote, agent.secretKey));
    }
  }
  const out = closeWindow3(stage2, votes);
  for (const ap of applied) {
    if (ap.attack.ea === 'EA-11') ap.applied = !stage1.frozen;
    if (ap.attack.ea === 'EA-12') ap.applied = !stage1.frozen;
  }
  const windows: LedgerWindows = { governance, snapshots: stage1.frozen ? [] : snapshots, validator: stage1.frozen ? null : validator, proposals, votes };
  return { out, stage1, applied, governance, snapshots, windows };
}

/**
 * Planted bug "first-proposal-wins": a ledger that reads only the first proposal each shard sent
 * (so an equivocating shard's first proposal counts and EA-8 goes undetected).
 */
function firstProposalWins(proposals: readonly SignedCopy[]): SignedCopy[] {
  const seen = new Set<string>();
  return proposals.filter((p) => {
    const shard = String((p.message as Record<string, Json>).shard);
    if (seen.has(shard)) return false;
    seen.add(shard);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// The twin (SPEC §8)

export type Twin = { readonly voters: readonly bigint[]; readonly triples: readonly Triple[]; readonly root: string | null };

export function twinOf(chain: Chain, S: State, e: AttackedEpoch): Twin {
  const { ctx } = chain;
  const { out, stage1 } = e;
  const oracleAttacked = e.applied.some((ap) => ap.attack.ea === 'EA-11');
  const admitted = stage1.oracle.admitted?.digest ?? null;
  const snapshots = oracleAttacked ? e.snapshots.filter((s) => admitted !== null && snapshotDigestOf(s) === admitted) : e.snapshots;
  const t1 = closeWindow1(ctx, S, e.governance, snapshots);
  if (t1.frozen) return { voters: [], triples: t1.oracle.rejections.map((r) => triple(oracleIncident(r))), root: null };
  const accepted = out.publications.window2?.proposals ?? [];
  const proposals = accepted.map((p) =>
    signProposal({ epoch: p.epoch, shard: p.shard, prev_root: p.prev_root, actions: p.actions, reports: honestReports(t1.publication.basis, p.shard) }, shardSecret(p.shard)),
  );
  const t2 = closeWindow2(t1, null, proposals);
  const triples: Triple[] = [
    ...t1.oracle.rejections.map((r) => triple(oracleIncident(r))),
    ...t2.incidents2.map(triple),
    ...t2.step3Incidents.map(triple),
    ...(t2.mathIncident === null ? [] : [triple(t2.mathIncident)]),
  ];
  let root: string | null = null;
  const cand = t2.publication?.candidate ?? null;
  if (out.record.outcome === 'commit' && cand !== null) {
    root = stateRoot({ ...cand.state, shards: out.state.shards, mode: out.state.mode });
  }
  return { voters: t2.voters, triples, root };
}

const snapshotDigestOf = (s: SignedSnapshot): string => snapshotDigest(s.snapshot) ?? '';

// ---------------------------------------------------------------------------------------------
// The interpreter with every assertion

/** One executed epoch of a run, without any assertion (the ledger property suites check what they name). */
export type RunEpoch = { readonly chain: Chain; readonly S: State; readonly prevRecord: EpochRecord | null; readonly e: AttackedEpoch };

/** Executes a run epoch by epoch and hands each epoch to `visit` (no checks). */
export function executeRun(run: AdversaryRun, visit: (x: RunEpoch) => void, chain: Chain = adversaryChain(run.shards)): void {
  let S = chain.S0;
  let prevRecord: EpochRecord | null = null;
  let lastAdmitted: SignedSnapshot | null = null;
  for (const cmd of run.epochs) {
    const e = attackedEpoch(chain, S, cmd, lastAdmitted, run.mutant);
    visit({ chain, S, prevRecord, e });
    const admittedDigest = e.stage1.oracle.admitted?.digest;
    if (admittedDigest !== undefined) lastAdmitted = e.snapshots.find((x) => snapshotDigestOf(x) === admittedDigest) ?? lastAdmitted;
    prevRecord = e.out.record;
    S = e.out.state;
  }
}

/** Runs a whole adversary run, asserting every check of SPEC §8 epoch by epoch; throws AdversaryFailure. */
export function runAdversary(run: AdversaryRun, chainOverride?: Chain): RunReport {
  const chain = chainOverride ?? adversaryChain(run.shards);
  const { ctx } = chain;
  const H = ctx.topology.constants.halt_epochs;
  const B = ctx.topology.constants.blacklist_after;
  const f = BigInt(run.byzantine.length);
  if (f > chain.f) throw new Error(`adversary run: ${f} Byzantine shards among ${run.shards} (at most ${chain.f})`);
  for (const cmd of run.epochs) for (const a of cmd.attacks) if ('shard' in a && !run.byzantine.includes(a.shard)) throw new Error(`adversary run: shard ${a.shard} attacks but is not Byzantine`);
  const roots: string[] = [];
  const epochs: EpochReport[] = [];
  let aborted = 0n;
  let safeModeEntries = 0n;
  /** The attack that entered safe mode (frozen epochs are its pause), when one attack alone did. */
  let safeCause: Ea | null = null;
  const history: HistoryEntry[] = [];
  const records: EpochRecord[] = [];
  const fail = (id: string, t: bigint, message: string, expected: unknown, actual: unknown): never => {
    throw new AdversaryFailure(id, t, message, jsonOf(expected), jsonOf(actual), [...roots]);
  };

  executeRun(run, ({ S, prevRecord, e }) => {
    const t = S.epoch + 1n;
    const { out } = e;
    const rec = out.record;
    const next = out.state;
    roots.push(rec.root);

    // The catalog (step 14 ran it too; this is the harness's own call) and record.replay.
    const broken = checkLedgerEpoch(ctx, S, rec, next, out.inputs, prevRecord);
    if (broken.length > 0) fail(broken[0]!.id, t, broken[0]!.message, broken[0]!.expected, broken[0]!.actual);
    const replay = checkRecordReplay(ctx, S, rec, out.inputs);
    if (replay !== null) fail('record.replay', t, replay.message, 'the same record bytes', 'different bytes');
    if (rec.incidents.some((i) => i.code === 'CIR-511' && i.ea === null && (i.evidence as { cause?: string }).cause === 'invariant')) {
      fail('catalog', t, 'step 14 turned a broken invariant into an abort', [], rec.incidents.map(triple));
    }

    // The twin.
    const twin = twinOf(chain, S, e);
    if (rec.outcome !== 'frozen') {
      if (canonicalString(twin.voters as unknown as Encodable) !== canonicalString(rec.voters as unknown as Encodable)) {
        fail('adversary.twin', t, "the twin's voters are not the attacked run's", rec.voters, twin.voters);
      }
      if (rec.outcome === 'commit' && twin.root !== rec.root) fail('adversary.twin', t, "the committed root is not the twin's", twin.root, rec.root);
    }

    // Incidents: the twin's plus exactly the expected ones.
    const expectedTriples = [...twin.triples, ...e.applied.filter((ap) => ap.applied).map((ap) => expectedTriple(ap.attack))];
    const want = sortedKeys(expectedTriples);
    const got = sortedKeys(rec.incidents.map(triple));
    if (canonicalString(want) !== canonicalString(got)) fail('adversary.incidents', t, "the incidents are not the twin's plus the expected ones", want, got);

    // Responses.
    const shardOf = (id: bigint) => S.shards.find((s) => s.id === id)!;
    const nextOf = (id: bigint) => next.shards.find((s) => s.id === id)!;
    for (const ap of e.applied) {
      if (!ap.applied) continue;
      const a = ap.attack;
      const [code] = expectedTriple(a);
      if ('shard' in a && (code === 'CIR-302' || code === 'CIR-412' || code === 'CIR-511')) {
        const before = shardOf(a.shard);
        const after = nextOf(a.shard);
        if (after.halted_until < t + H) fail('adversary.response', t, `${a.ea}: shard ${a.shard} is not halted until ${t + H}`, (t + H).toString(), after.halted_until.toString());
        if (after.violations !== before.violations + 1n) fail('adversary.response', t, `${a.ea}: shard ${a.shard} did not gain one violation`, (before.violations + 1n).toString(), after.violations.toString());
        if (after.violations >= B && !after.blacklisted) fail('adversary.response', t, `${a.ea}: shard ${a.shard} reached ${B} violations and is not blacklisted`, true, false);
        if (rec.voters.includes(a.shard) && PROPOSAL_EAS.includes(a.ea)) fail('adversary.response', t, `${a.ea}: the offender ${a.shard} is still a voter`, 'excluded', 'voter');
        if (code === 'CIR-412') {
          const group = ctx.genesis.groups.find((g) => g.includes(a.shard))!;
          for (const m of group) {
            if (m !== a.shard && nextOf(m).halted_until < t + 1n) fail('adversary.response', t, `${a.ea}: group-mate ${m} is not halted for epoch ${t + 1n}`, (t + 1n).toString(), nextOf(m).halted_until.toString());
          }
        }
      }
      if ((a.ea === 'EA-3' || a.ea === 'EA-10') && (rec.outcome !== 'abort' || next.mode !== 'safe')) {
        fail('adversary.response', t, `${a.ea}: not an abort into safe mode`, 'abort, safe', `${rec.outcome}, ${next.mode}`);
      }
      if ((a.ea === 'EA-4' || a.ea === 'EA-5') && rec.outcome !== 'abort') fail('adversary.response', t, `${a.ea}: the epoch was not aborted`, 'abort', rec.outcome);
      if (a.ea === 'EA-13') {
        // The vote does not count: a commit had a quorum without it; a no-quorum abort did not count it.
        const n = BigInt(rec.voters.length);
        if (rec.outcome === 'commit' && n - 1n < quorumNeeded(n)) fail('adversary.response', t, 'EA-13: the epoch committed although the capped vote was needed for the quorum', `< ${quorumNeeded(n)} other votes`, (n - 1n).toString());
        const nq = rec.events.find((x) => x.kind === 'no_quorum');
        if (nq !== undefined && nq.kind === 'no_quorum' && nq.votes > n - 1n) fail('adversary.response', t, 'EA-13: the capped vote was counted', `<= ${n - 1n}`, nq.votes.toString());
      }
      if (a.ea === 'EA-11') {
        const bad = e.snapshots.find((s) => canonicalString(s.snapshot as Encodable) === ap.badSnapshot)!;
        if (e.stage1.oracle.admitted?.digest === snapshotDigestOf(bad)) {
          fail('adversary.response', t, 'EA-11: the lying snapshot was admitted', 'rejected', 'admitted');
        }
      }
    }

    // Supplies.
    if (chrSupply(next) !== chain.chr) fail('adversary.supplies', t, 'CHR supply changed', chain.chr.toString(), chrSupply(next).toString());
    if (flxSupply(next) !== chain.flx) fail('adversary.supplies', t, 'FLX supply changed', chain.flx.toString(), flxSupply(next).toString());

    const entered = S.mode !== 'safe' && next.mode === 'safe';
    if (rec.outcome === 'abort') aborted++;
    if (entered) safeModeEntries++;
    // Pauses are attributed to an attack only when it was the one attack applied in its epoch
    // (an aborted epoch), or the one that entered safe mode (the frozen epochs that follow).
    const appliedHere = e.applied.filter((ap) => ap.applied);
    const sole = appliedHere.length === 1 ? appliedHere[0]!.attack.ea : null;
    const attacks: AttackOutcome[] = e.applied.map((ap) => ({ ea: ap.attack.ea, applied: ap.applied, detected: ap.applied, paused: rec.outcome === 'abort' && sole === ap.attack.ea, epoch: t }));
    if (rec.outcome === 'frozen' && safeCause !== null) attacks.push({ ea: safeCause, applied: false, detected: false, paused: true, epoch: t });
    if (entered) safeCause = sole;
    if (next.mode !== 'safe') safeCause = null;
    epochs.push({ epoch: t, outcome: rec.outcome, root: rec.root, safeModeEntered: entered, attacks });
    records.push(rec);
    history.push({
      before: S,
      after: next,
      snapshots: e.applied.some((ap) => ap.attack.ea === 'EA-11') ? e.snapshots.filter((x) => snapshotDigestOf(x) === e.stage1.oracle.admitted?.digest) : e.snapshots,
      actions: (out.publications.window2?.proposals ?? []).flatMap((p) => p.actions),
    });
  }, chain);
  const last = history.at(-1)?.after.epoch ?? chain.S0.epoch;

  // Pause shifts (reported, not gated): for each epoch with an applied attack, when the run went on
  // for HALT_EPOCHS more epochs and did not start in safe mode.
  // Only windows with exactly one applied attack (at e, none after it) are measured, so that the
  // shift is that attack's.
  for (let i = 0; i + Number(H) < history.length; i++) {
    const h = history[i]!;
    const appliedAt = (j: number) => epochs[j]!.attacks.filter((a) => a.applied).length;
    if (h.before.mode === 'safe' || appliedAt(i) !== 1) continue;
    if (Array.from({ length: Number(H) }, (_, d) => appliedAt(i + 1 + d)).some((x) => x > 0)) continue;
    epochs[i]!.shift = pauseShift(chain, run.byzantine, history.slice(i, i + Number(H) + 1));
  }

  const bound = { aborts: 2n * f * B, safeMode: f * B };
  if (aborted > bound.aborts) fail('adversary.liveness', last, `${aborted} aborted epochs exceed 2·(f + r)·BLACKLIST_AFTER`, bound.aborts.toString(), aborted.toString());
  if (safeModeEntries > bound.safeMode) fail('adversary.liveness', last, `${safeModeEntries} safe-mode entries exceed (f + r)·BLACKLIST_AFTER`, bound.safeMode.toString(), safeModeEntries.toString());
  return { genesisHash: ctx.genesisHash, epochs, roots, start: chain.S0, steps: history.map((h, i) => ({ record: records[i]!, next: h.after })), aborted, safeModeEntries, bound };
}

type HistoryEntry = { readonly before: State; readonly after: State; readonly snapshots: readonly SignedSnapshot[]; readonly actions: readonly Action[] };

/**
 * §8's plain twin of epochs e … e + HALT_EPOCHS (`entries`): from the attacked state before e,
 * the same snapshots and the actions of the accepted proposals, submitted to honest agents (every
 * active shard reports and votes honestly; nothing imposed) — the honest epoch of epoch.ts. Per
 * token, Σ over the Byzantine shards' nodes (and, for FLX, their users) of max(0, attacked − plain)
 * at the end, over the plain twin's supply.
 */
function pauseShift(chain: Chain, byzantine: readonly bigint[], entries: readonly HistoryEntry[]): PauseShift {
  const { ctx } = chain;
  const topo = ctx.topology;
  let plain = entries[0]!.before;
  for (const h of entries) {
    const byShard = new Map<bigint, Json[]>();
    for (const a of h.actions) {
      const shard = topo.shardIds[topo.nodeShard[topo.nodeIndex.get(actingNode(a))!]!]!;
      byShard.set(shard, [...(byShard.get(shard) ?? []), toJson(a)]);
    }
    plain = runHonestEpoch(ctx, plain, { snapshots: h.snapshots, validator: null, actions: [...byShard].map(([shard, actions]) => ({ shard, actions })) }).state;
  }
  const attacked = entries[entries.length - 1]!.after;
  const byz = new Set(byzantine);
  const mine = (i: number) => byz.has(topo.shardIds[topo.nodeShard[i]!]!);
  const usersOf = new Map<bigint, bigint>(); // user id → shard of its node
  ctx.genesis.nodes.forEach((n) => n.users.forEach((u) => usersOf.set(u.id, n.shard)));
  const token = (get: (n: State['nodes'][number]) => bigint, users: boolean, supply: bigint): readonly [bigint, bigint] | null => {
    let num = 0n;
    plain.nodes.forEach((p, i) => {
      const d = get(attacked.nodes[i]!) - get(p);
      if (mine(i) && d > 0n) num += d;
    });
    if (users) {
      plain.users.forEach((u, i) => {
        const d = attacked.users[i]!.flx - u.flx;
        if (byz.has(usersOf.get(u.id)!) && d > 0n) num += d;
      });
    }
    return supply === 0n ? null : [num, supply];
  };
  // A node's FLX holding is its balance plus its stake (staked FLX is still its FLX).
  return {
    chr: token((n) => n.chr, false, chrSupply(plain)),
    flx: token((n) => n.flx + n.stake, true, flxSupply(plain)),
    psy: token((n) => n.psy, false, psySupply(plain)),
    atr: token((n) => n.atr, false, atrSupply(plain)),
    res: token((n) => n.res, false, resSupply(plain)),
  };
}

const jsonOf = (v: unknown): Json => parseCanonical(canonicalString(v as Encodable));

