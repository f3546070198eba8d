/**
 * The §9 invariant catalog as data. A *step* invariant is a function of (genesis, previous state,
 * [previous record], the epoch's inputs, the epoch's record, the next state) that runs after every
 * epoch; it recomputes what it checks — the active set, the oracle's decision, the opening field,
 * the step-4 balances, flows, penalties and shares, the envelope, mints, budget, rewards, cuts and
 * payouts — from the previous state and the inputs, and never trusts the record's copies (the
 * record is what is being checked). *Commit* entries apply to committed epochs; on an aborted or
 * frozen epoch `ledger.atomic` takes their place. *Metamorphic* entries re-execute an epoch with
 * changed inputs; their checks live in the property suites.
 *
 * Adding an invariant is adding one entry to `INVARIANTS`: `checkStep`, the CLI (`qfs invariants`)
 * and every suite pick it up.
 *
 * Without the ledger, `inputs` is the honest epoch's inputs document (epoch.ts, P6.7): the voters'
 * proposals carry their actions and reports. The ledger (`checkLedgerStep`) passes the same view
 * of its stored inputs (the voters' proposals) and, beside it, the stored inputs themselves
 * (`ledger`, P10.6): step 0 is then recomputed from the stored governance records (the mode, the
 * active set, rotations, reinstatements), `incident.evidence` re-derives every step-3 and step-12
 * incident from the stored messages, and `ledger.quorum` counts the stored votes.
 */
import { floorDiv, LIMIT, median, min, mulDiv, SCALE } from '../math/certified-math.ts';
import { canonicalString, type Encodable } from '../math/canonical.ts';
import type { EpochRecord, Incident } from '../epoch/epoch-record.ts';
import { firstActionFault, stakeCoherence, type ActionBasis } from '../economics/action-rules.ts';
import { actingNode, type Action, type Flow, type ResCredit } from '../economics/harmonic-economics.ts';
import type { Genesis } from '../genesis/genesis.ts';
import { decideOracle, oracleIncident, storedSnapshots, type OracleDecision } from '../epoch/oracle.ts';
import type { OpeningField } from '../field/psi-field.ts';
import { account, parseAccount, stateRoot, type Account, type Move, type MoveKind, type State, type UnstakeEntry } from '../economics/state.ts';
import { type Topology } from '../field/topology.ts';
import type { StoredInputs } from '../epoch/epoch.ts';
import type { ProposalBody } from '../economics/honest-agent.ts';
import { checkValidator } from '../epoch/validator.ts';
import { exactAbs, exactMulDiv } from '../math/exact-math.ts';
import { canonicalSha256, fromHex, toHex } from '../math/hashing.ts';
import { entriesOf, isRecoveryInputs, ledgerInputsHash, type Recovery, type StoredLedgerInputs } from '../ledger/ledger-inputs.ts';
import { ownedEdges, proposalDigest, readProposal } from '../ledger/proposal.ts';
import { triangles } from '../field/psi-field.ts';
import { verifyDigest } from '../math/signatures.ts';
import { governanceEntries, governanceStep, type Offender } from '../ledger/system-recovery.ts';
import { candidateClaims, CLAIM_FIELDS, eaOfClaimField, readVote, type Claims, type VoteBody } from '../ledger/vote.ts';
import { compareBigint, type CirCode, type InvariantId } from '../core/vocabulary.ts';

/** Every catalog violation is answered by CIR-511 (SPEC §9). */
export type CatalogCir = Extract<CirCode, 'CIR-511'>;

/** What a step check reads. */
export type StepArgs = {
  readonly genesis: Genesis;
  readonly genesisHash: string;
  readonly topology: Topology;
  readonly prev: State;
  /** The previous epoch's record (absent for the first epoch, or when the caller has none). */
  readonly prevRecord?: EpochRecord | null;
  readonly record: EpochRecord;
  readonly next: State;
  readonly inputs: StoredInputs;
  /** The ledger's stored inputs (P10.6), when the epoch was decided by the ledger; absent on the honest path. */
  readonly ledger?: StoredLedgerInputs | null;
};

/** A broken invariant: what was expected and what was found, as canonical text. */
export type Violation = { readonly message: string; readonly expected: string; readonly actual: string };
export type StepCheck = (x: StepArgs) => Violation | null;

export type StepInvariant = {
  readonly id: InvariantId;
  readonly kind: 'step';
  readonly commitOnly: boolean;
  readonly statement: string;
  readonly cir: CatalogCir;
  readonly check: StepCheck;
};
export type MetamorphicInvariant = {
  readonly id: InvariantId;
  readonly kind: 'metamorphic';
  readonly commitOnly: false;
  readonly statement: string;
  readonly cir: CatalogCir;
  /** Re-executes epochs with changed inputs: provided by the property suites named here. */
  readonly check: { readonly providedBy: 'property-suite'; readonly suites: readonly string[] };
};
export type Invariant = StepInvariant | MetamorphicInvariant;

// ---------------------------------------------------------------------------------------------
// Comparison helpers

const enc = (v: unknown): string => (v === undefined ? '(none)' : canonicalString(v as Encodable));

function same(what: string, expected: unknown, actual: unknown): Violation | null {
  const e = enc(expected);
  const a = enc(actual);
  return e === a ? null : { message: `${what} differs from its recomputation`, expected: e, actual: a };
}

/** The first differing element of two lists (by canonical bytes), or a length difference. */
function sameList(what: string, expected: readonly unknown[] | undefined, actual: readonly unknown[] | undefined): Violation | null {
  if (!Array.isArray(actual)) return { message: `${what} is not a list`, expected: 'a list', actual: enc(actual) };
  const ex = expected ?? [];
  const n = ex.length > actual.length ? ex.length : actual.length;
  for (let i = 0; i < n; i++) {
    const e = enc(ex[i]);
    const a = enc(actual[i]);
    if (e !== a) return { message: `${what}[${i}] differs from its recomputation`, expected: e, actual: a };
  }
  return null;
}

const fail = (message: string, expected: unknown, actual: unknown): Violation => ({
  message,
  expected: typeof expected === 'string' ? expected : enc(expected),
  actual: typeof actual === 'string' ? actual : enc(actual),
});

/** The first non-null of lazily evaluated checks. */
function first(...checks: (() => Violation | null)[]): Violation | null {
  for (const c of checks) {
    const v = c();
    if (v !== null) return v;
  }
  return null;
}

const total = (xs: readonly bigint[]): bigint => xs.reduce((s, x) => s + x, 0n);
const isCommit = (x: StepArgs): boolean => x.record.outcome === 'commit';

// ---------------------------------------------------------------------------------------------
// Recomputation from prev + inputs (memoised per StepArgs object)

type Step4 = {
  readonly flx: bigint[];
  readonly stake: bigint[];
  readonly atr: bigint[];
  readonly psy: bigint[];
  readonly nonce: bigint[];
  readonly queue: UnstakeEntry[];
  readonly newEntries: UnstakeEntry[];
  readonly actionMoves: Move[];
  readonly unstakeMoves: Move[];
};

class Derived {
  private readonly memo = new Map<string, unknown>();
  constructor(private readonly x: StepArgs) {}

  private once<T>(key: string, f: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, f());
    return this.memo.get(key) as T;
  }

  get t(): bigint {
    return this.x.prev.epoch + 1n;
  }
  get prevRoot(): string {
    return this.once('prevRoot', () => stateRoot(this.x.prev));
  }
  /** S after step 0, recomputed from the stored governance records (S itself on the honest path, which has none). */
  get s0(): State {
    return this.once('s0', () => {
      const records = this.x.ledger ? entriesOf(this.x.ledger, 'governance') : [];
      if (records.length === 0) return this.x.prev;
      const entries = governanceEntries(records.map((e) => ({ record: e.message, signatures: e.signatures })));
      return governanceStep(this.x.genesis, this.x.genesisHash, this.x.prev, this.t, entries).state;
    });
  }
  /** Frozen iff the mode after step 0 is safe. */
  get frozen(): boolean {
    return this.s0.mode === 'safe';
  }
  /** EA-14's recovery (§7, P10.9) when the stored inputs are a recovery epoch's document, else null. */
  get recovery(): Recovery | null {
    const l = this.x.ledger;
    return l && isRecoveryInputs(l) ? l.recovery : null;
  }
  /** The active set: none when frozen, and none in a recovery epoch (§7: it reads nothing, `active: []`). */
  get active(): bigint[] {
    return this.once('active', () =>
      this.frozen || this.recovery !== null ? [] : this.s0.shards.filter((s) => !s.blacklisted && s.halted_until < this.t).map((s) => s.id),
    );
  }
  /** Step 1 recomputed from the stored copies (digests recomputed, not read). */
  get oracle(): OracleDecision {
    return this.once('oracle', () => {
      if (this.frozen) return { admitted: null, rejections: [] };
      const copies = storedSnapshots(this.x.inputs.snapshots.map((s) => ({ snapshot: s.snapshot, signature: s.signature })));
      return decideOracle(
        { genesisHash: this.x.genesisHash, oracleKey: this.x.genesis.oracle_key, topology: this.x.topology },
        copies,
        this.t,
        this.x.prev.last_oracle_epoch,
      );
    });
  }
  /** Dissonance after step 1. */
  get dis(): bigint[] {
    return this.once('dis', () => {
      const dis = this.x.prev.nodes.map((n) => n.dis);
      const admitted = this.oracle.admitted;
      if (admitted !== null) for (const { node, value } of admitted.snapshot.dis) dis[this.x.topology.nodeIndex.get(node)!] = value;
      return dis;
    });
  }
  /** The opening field (§5), from prev's chr and atr and the dissonance after step 1. */
  get field(): OpeningField {
    return this.once('field', () => {
      const topo = this.x.topology;
      const k = this.x.genesis.constants;
      const psi = this.x.prev.nodes.map((n, i) => mulDiv(n.chr, n.atr, SCALE + this.dis[i]!));
      const gradients: bigint[] = [];
      const demand: bigint[] = [];
      for (let e = 0; e < topo.edgeA.length; e++) {
        const g = psi[topo.edgeB[e]!]! - psi[topo.edgeA[e]!]!;
        gradients.push(g);
        demand.push(mulDiv(k.kappa, g < 0n ? -g : g, SCALE));
      }
      const sumPsi = total(psi);
      const cShards = topo.shardNodes.map((members) =>
        members.length === 0 ? 0n : floorDiv(total(members.map((i) => psi[i]!)), BigInt(members.length)),
      );
      return { psi, gradients, demand, sumPsi, c: floorDiv(sumPsi, BigInt(psi.length)), cShards };
    });
  }
  get basis(): ActionBasis {
    return this.once('basis', () => ({
      topology: this.x.topology,
      nodes: this.x.prev.nodes.map((n, i) => ({ ...n, dis: this.dis[i]! })),
      unstakes: this.x.prev.unstakes,
      field: this.field,
    }));
  }
  /** The stored proposal of each voter (record.voters), by shard. */
  get proposals(): Map<bigint, ProposalBody[]> {
    return this.once('proposals', () => {
      const by = new Map<bigint, ProposalBody[]>();
      for (const p of this.x.inputs.proposals) by.set(p.shard, [...(by.get(p.shard) ?? []), p]);
      return by;
    });
  }
  /** The voters' actions in canonical order (shard, node, nonce). */
  get actions(): Action[] {
    return this.once('actions', () => {
      const topo = this.x.topology;
      const shardOf = (a: Action): bigint => topo.shardIds[topo.nodeShard[topo.nodeIndex.get(actingNode(a))!]!]!;
      const out = this.x.record.voters.flatMap((v) => (this.proposals.get(v) ?? []).flatMap((p) => p.actions));
      return out.sort((p, q) => compareBigint(shardOf(p), shardOf(q)) || compareBigint(actingNode(p), actingNode(q)) || compareBigint(p.nonce, q.nonce));
    });
  }
  /** Step 4 recomputed. */
  get step4(): Step4 {
    return this.once('step4', () => {
      const topo = this.x.topology;
      const prev = this.x.prev;
      const t = this.t;
      const flx = prev.nodes.map((n) => n.flx);
      const stake = prev.nodes.map((n) => n.stake);
      const atr = prev.nodes.map((n) => n.atr);
      const psy = prev.nodes.map((n) => n.psy);
      const nonce = prev.nodes.map((n) => n.nonce);
      const ix = (id: bigint): number => topo.nodeIndex.get(id)!;
      const actionMoves: Move[] = [];
      const newEntries: UnstakeEntry[] = [];
      for (const a of this.actions) {
        const i = ix(actingNode(a));
        if (a.kind === 'transfer') {
          flx[i]! -= a.amount;
          flx[ix(a.to)]! += a.amount;
          actionMoves.push({ kind: 'transfer', from: account.nodeFlx(a.from), to: account.nodeFlx(a.to), amount: a.amount });
        } else if (a.kind === 'stake') {
          flx[i]! -= a.amount;
          stake[i]! += a.amount;
          atr[i]! += a.amount;
          actionMoves.push({ kind: 'stake', from: account.nodeFlx(a.node), to: account.nodeStake(a.node), amount: a.amount });
        } else if (a.kind === 'psy_transfer') {
          psy[i]! -= a.amount;
          psy[ix(a.to)]! += a.amount;
          actionMoves.push({ kind: 'psy_transfer', from: account.nodePsy(a.from), to: account.nodePsy(a.to), amount: a.amount });
        } else newEntries.push({ node: a.node, nonce: a.nonce, amount: a.amount, since: t });
        nonce[i] = a.nonce > nonce[i]! ? a.nonce : nonce[i]!;
      }
      const byNodeNonce = (p: UnstakeEntry, q: UnstakeEntry): number => compareBigint(p.node, q.node) || compareBigint(p.nonce, q.nonce);
      newEntries.sort(byNodeNonce);
      const all = [...prev.unstakes, ...newEntries].sort(byNodeNonce);
      const unstakeMoves: Move[] = [];
      let queue = all;
      if (this.field.c <= prev.coherence) {
        queue = [];
        for (const u of all) {
          if (u.since >= t) {
            queue.push(u);
            continue;
          }
          const i = ix(u.node);
          stake[i]! -= u.amount;
          atr[i]! -= u.amount;
          flx[i]! += u.amount;
          unstakeMoves.push({ kind: 'unstake', from: account.nodeStake(u.node), to: account.nodeFlx(u.node), amount: u.amount });
        }
      }
      return { flx, stake, atr, psy, nonce, queue, newEntries, actionMoves, unstakeMoves };
    });
  }
  /** Step 5 recomputed: every flow, and the flow moves. */
  get flows(): { readonly flows: Flow[]; readonly moves: Move[] } {
    return this.once('flows', () => {
      const topo = this.x.topology;
      const f = this.field;
      const rate = this.x.genesis.constants.flow_rate;
      const sourced = new Map<number, bigint>();
      const src = (e: number): number => (f.gradients[e]! > 0n ? topo.edgeA[e]! : topo.edgeB[e]!);
      for (let e = 0; e < topo.edgeA.length; e++) if (f.demand[e]! > 0n) sourced.set(src(e), (sourced.get(src(e)) ?? 0n) + f.demand[e]!);
      const flows: Flow[] = [];
      const moves: Move[] = [];
      for (let e = 0; e < topo.edgeA.length; e++) {
        const d = f.demand[e]!;
        if (d === 0n) continue;
        const s = src(e);
        const r = s === topo.edgeA[e]! ? topo.edgeB[e]! : topo.edgeA[e]!;
        const B = mulDiv(this.step4.flx[s]!, rate, SCALE);
        const D = sourced.get(s)!;
        const amount = D <= B ? d : mulDiv(d, B, D);
        const from = topo.nodeIds[s]!;
        const to = topo.nodeIds[r]!;
        flows.push({ a: topo.nodeIds[topo.edgeA[e]!]!, b: topo.nodeIds[topo.edgeB[e]!]!, from, to, demand: d, amount });
        if (amount > 0n) moves.push({ kind: 'flow', from: account.nodeFlx(from), to: account.nodeFlx(to), amount });
      }
      return { flows, moves };
    });
  }
  /** Step 6 recomputed. */
  get chr(): { readonly p: bigint[]; readonly P: bigint; readonly s: bigint[] } {
    return this.once('chr', () => {
      const rate = this.x.genesis.constants.penalty_rate;
      const p = this.x.prev.nodes.map((n, i) => mulDiv(n.chr, mulDiv(this.dis[i]!, rate, SCALE), SCALE));
      const P = this.x.prev.chr_pool + total(p);
      const sum = this.field.sumPsi;
      const s = this.field.psi.map((psi) => (sum === 0n ? 0n : mulDiv(P, psi, sum)));
      return { p, P, s };
    });
  }
  /** Step 7 recomputed. */
  get res(): { readonly cap: bigint; readonly res: bigint[]; readonly credits: ResCredit[] } {
    return this.once('res', () => {
      const topo = this.x.topology;
      const k = this.x.genesis.constants;
      const f = this.field;
      const cap = mulDiv(f.sumPsi, k.res_cap_ratio, SCALE);
      const before = this.x.prev.nodes.map((n) => n.res);
      const sum = total(before);
      if (sum > cap) return { cap, res: before.map((r) => mulDiv(r, cap, sum)), credits: [] };
      const aligned: { e: number; r: bigint }[] = [];
      for (let e = 0; e < topo.edgeA.length; e++) {
        const g = f.gradients[e]!;
        if ((g < 0n ? -g : g) <= k.align_tol) aligned.push({ e, r: mulDiv(min(f.psi[topo.edgeA[e]!]!, f.psi[topo.edgeB[e]!]!), k.res_rate, SCALE) });
      }
      const gen = total(aligned.map(({ r }) => 2n * r));
      const room = cap - sum;
      const res = [...before];
      const credits: ResCredit[] = [];
      for (const { e, r } of aligned) {
        const value = gen <= room ? r : mulDiv(r, room, gen);
        const a = topo.nodeIds[topo.edgeA[e]!]!;
        const b = topo.nodeIds[topo.edgeB[e]!]!;
        res[topo.edgeA[e]!]! += value;
        res[topo.edgeB[e]!]! += value;
        credits.push({ a, b, node: a, value }, { a, b, node: b, value });
      }
      return { cap, res, credits };
    });
  }
  /** Step 8 recomputed. */
  get psy(): { readonly mint: bigint[]; readonly exhausted: boolean } {
    return this.once('psy', () => {
      const mint = this.field.psi.map((psi) => mulDiv(psi, this.x.genesis.constants.psy_rate, SCALE));
      const exhausted = total(this.step4.psy) + total(mint) >= LIMIT;
      return { mint: exhausted ? mint.map(() => 0n) : mint, exhausted };
    });
  }
  /** Step 9 recomputed (CHR_SUPPLY from the genesis document). */
  get rewards(): { readonly budget: bigint; readonly m: bigint[]; readonly w: bigint[]; readonly r: bigint[] } {
    return this.once('rewards', () => {
      const k = this.x.genesis.constants;
      const chrSupply = total(this.x.genesis.nodes.map((n) => n.chr));
      const budget = mulDiv(this.x.prev.treasury, k.release_rate, SCALE);
      const m = this.field.psi.map((psi) => min(k.a_max, floorDiv(psi, k.base)));
      const w = this.field.psi.map((psi, i) => {
        const n = this.x.prev.nodes[i]!;
        return m[i]! * mulDiv(mulDiv(n.chr, psi, chrSupply), SCALE + min(n.res, SCALE), SCALE);
      });
      const W = total(w);
      return { budget, m, w, r: w.map((wi) => (W === 0n ? 0n : mulDiv(budget, wi, W))) };
    });
  }
  /** Step 10 recomputed (users and weights from the genesis document). */
  get treasury(): { readonly k: bigint[]; readonly users: { user: bigint; node: bigint; u: bigint }[]; readonly moves: Move[]; readonly paid: bigint } {
    return this.once('treasury', () => {
      const g = this.x.genesis;
      const uOf = new Map<bigint, { node: bigint; u: bigint }>();
      const k: bigint[] = [];
      const moves: Move[] = [];
      let paid = 0n;
      g.nodes.forEach((n, i) => {
        const r = this.rewards.r[i]!;
        const cut = n.users.length === 0 ? r : mulDiv(r, g.constants.node_commission, SCALE);
        k.push(cut);
        paid += cut;
        if (cut > 0n) moves.push({ kind: 'cut', from: account.treasury, to: account.nodeFlx(n.id), amount: cut });
        const weight = total(n.users.map((u) => u.weight));
        for (const u of n.users) {
          const share = mulDiv(r - cut, u.weight, weight);
          uOf.set(u.id, { node: n.id, u: share });
          paid += share;
          if (share > 0n) moves.push({ kind: 'payout', from: account.treasury, to: account.userFlx(u.id), amount: share });
        }
      });
      const users = [...uOf.entries()].sort(([a], [b]) => compareBigint(a, b)).map(([user, v]) => ({ user, ...v }));
      return { k, users, moves, paid };
    });
  }
  /**
   * The candidate of the ledger (§6: the whole next state if the epoch commits, and each shard's
   * claims), recomputed from the pieces above: steps 4–11 over the voters' actions, on S after
   * steps 0–1, with the bookkeeping of the record's step-3 incidents. Null when the epoch has no
   * voter or is frozen.
   */
  get candidate(): { readonly state: State; readonly root: string; readonly claims: readonly Claims[] } | null {
    return this.once('candidate', () => {
      if (this.frozen || this.x.record.voters.length === 0) return null;
      const topo = this.x.topology;
      const prev = this.x.prev;
      const s4 = this.step4;
      const flx = [...s4.flx];
      const ix = (a: Account): number => topo.nodeIndex.get((parseAccount(a) as { id: bigint }).id)!;
      for (const mv of this.flows.moves) {
        flx[ix(mv.from)]! -= mv.amount;
        flx[ix(mv.to)]! += mv.amount;
      }
      const tr = this.treasury;
      tr.k.forEach((k, i) => {
        flx[i]! += k;
      });
      const { p, P, s } = this.chr;
      const mint = this.psy.mint;
      const nodes = prev.nodes.map((n, i) => ({
        id: n.id,
        chr: n.chr - p[i]! + s[i]!,
        flx: flx[i]!,
        stake: s4.stake[i]!,
        psy: s4.psy[i]! + mint[i]!,
        atr: s4.atr[i]!,
        res: this.res.res[i]!,
        dis: this.dis[i]!,
        nonce: s4.nonce[i]!,
      }));
      const paid = new Map(tr.users.map((u) => [u.user, u.u]));
      const adm = this.oracle.admitted;
      const state: State = {
        genesis: prev.genesis,
        epoch: this.t,
        mode: this.s0.mode,
        nodes,
        users: prev.users.map((u) => ({ id: u.id, flx: u.flx + (paid.get(u.id) ?? 0n) })),
        treasury: prev.treasury - tr.paid,
        chr_pool: P - total(s),
        shards: bookkeptShards(this.x, this.s0, step3Offenders(this.x.record.incidents)),
        unstakes: s4.queue,
        coherence: this.field.c,
        founders: this.s0.founders,
        last_oracle_epoch: adm === null ? prev.last_oracle_epoch : adm.snapshot.epoch,
      };
      const claims = candidateClaims({
        topology: topo,
        before: prev.nodes,
        after: nodes,
        psyMinted: mint.map((value, i) => ({ node: topo.nodeIds[i]!, value })),
        m: this.rewards.m,
        r: this.rewards.r,
        k: tr.k,
        u: topo.userIds.map((id) => paid.get(id) ?? 0n),
        actions: this.actions,
      });
      return { state, root: stateRoot(state), claims };
    });
  }
}

/** Shards answered at step 3 (their incidents name them and carry a code). */
const STEP3_EAS: ReadonlySet<string> = new Set(['EA-7', 'EA-1', 'EA-2', 'EA-6', 'EA-9', 'EA-8']);
const STEP12_EAS: ReadonlySet<string> = new Set(['EA-10', 'EA-3', 'EA-5', 'EA-4', 'EA-13']);
function step3Offenders(incidents: readonly Incident[]): Offender[] {
  return incidents.flatMap((i) => (i.shard !== null && i.code !== null && i.ea !== null && STEP3_EAS.has(i.ea) ? [{ shard: i.shard, groupHalt: i.code === 'CIR-412' }] : []));
}

/**
 * §7's bookkeeping, written out again (independently of system-recovery.ts): each offender
 * `halted_until = max(., t + HALT_EPOCHS)` and one violation (once per epoch), CIR-412 halts the
 * other shards of its group until t + 1 without a violation, blacklisted at BLACKLIST_AFTER.
 */
function bookkeptShards(x: StepArgs, s0: State, offenders: readonly Offender[]): State['shards'] {
  const t = x.prev.epoch + 1n;
  const k = x.genesis.constants;
  return s0.shards.map((sh) => {
    const mine = offenders.filter((o) => o.shard === sh.id);
    const grouped = offenders.some((o) => o.groupHalt && o.shard !== sh.id && x.genesis.groups.some((g) => g.includes(o.shard) && g.includes(sh.id)));
    let halted = sh.halted_until;
    if (grouped && t + 1n > halted) halted = t + 1n;
    if (mine.length > 0 && t + k.halt_epochs > halted) halted = t + k.halt_epochs;
    const violations = sh.violations + (mine.length > 0 ? 1n : 0n);
    return { id: sh.id, halted_until: halted, violations, blacklisted: sh.blacklisted || (mine.length > 0 && violations >= k.blacklist_after) };
  });
}

const derivedOf = new WeakMap<StepArgs, Derived>();
function derive(x: StepArgs): Derived {
  let d = derivedOf.get(x);
  if (d === undefined) {
    d = new Derived(x);
    derivedOf.set(x, d);
  }
  return d;
}

const movesOf = (r: EpochRecord, kinds: readonly MoveKind[]): Move[] => r.moves.filter((mv) => kinds.includes(mv.kind));

// ---------------------------------------------------------------------------------------------
// The checks

const chrConserved: StepCheck = ({ prev, next }) => {
  const before = total(prev.nodes.map((n) => n.chr)) + prev.chr_pool;
  const after = total(next.nodes.map((n) => n.chr)) + next.chr_pool;
  return before === after ? null : fail('CHR supply Σ chr + chr_pool changed', before.toString(), after.toString());
};

const chrRebalance: StepCheck = (x) => {
  const d = derive(x);
  const { p, P, s } = d.chr;
  return first(
    () => sameList('next chr', x.prev.nodes.map((n, i) => n.chr - p[i]! + s[i]!), x.next.nodes.map((n) => n.chr)),
    () => same('chr_pool (P − Σ s_i)', P - total(s), x.next.chr_pool),
    () => sameList('record chr.penalties', p.map((value, i) => ({ node: x.topology.nodeIds[i]!, value })), x.record.chr.penalties),
    () => sameList('record chr.shares', s.map((value, i) => ({ node: x.topology.nodeIds[i]!, value })), x.record.chr.shares),
    () => same('record chr.pool', P - total(s), x.record.chr.pool),
  );
};

const flxSupply = (st: State): bigint => total(st.nodes.map((n) => n.flx + n.stake)) + total(st.users.map((u) => u.flx)) + st.treasury;
const flxConserved: StepCheck = ({ prev, next }) => {
  const before = flxSupply(prev);
  const after = flxSupply(next);
  return before === after ? null : fail('FLX supply Σ flx + Σ stake + Σ users.flx + treasury changed', before.toString(), after.toString());
};

/** Accounts that each move kind joins (state.ts pins). */
function moveShapeFault(mv: Move, topo: Topology): string | null {
  const from = parseAccount(mv.from);
  const to = parseAccount(mv.to);
  if (from === undefined || to === undefined) return 'an account is not an account string';
  const exists = (a: NonNullable<typeof from>): boolean =>
    a.kind === 'treasury' || (a.kind === 'node' ? topo.nodeIndex.has(a.id) : topo.userIndex.has(a.id));
  if (!exists(from) || !exists(to)) return 'an account names no node or user';
  if (typeof mv.amount !== 'bigint' || mv.amount <= 0n) return 'the amount is not positive';
  const node = (a: typeof from, bal: string): boolean => a.kind === 'node' && a.balance === bal;
  const sameId = (): boolean => from.kind === 'node' && to.kind === 'node' && from.id === to.id;
  const ok = ((): boolean => {
    switch (mv.kind) {
      case 'transfer':
      case 'flow':
        return node(from, 'flx') && node(to, 'flx') && !sameId();
      case 'psy_transfer':
        return node(from, 'psy') && node(to, 'psy') && !sameId();
      case 'stake':
        return node(from, 'flx') && node(to, 'stake') && sameId();
      case 'unstake':
        return node(from, 'stake') && node(to, 'flx') && sameId();
      case 'cut':
        return from.kind === 'treasury' && node(to, 'flx');
      case 'payout':
        return from.kind === 'treasury' && to.kind === 'user';
      default:
        return false;
    }
  })();
  return ok ? null : `a ${String(mv.kind)} move cannot join ${mv.from} and ${mv.to}`;
}

const STEP_RANK: Record<MoveKind, number> = { transfer: 0, stake: 0, psy_transfer: 0, unstake: 1, flow: 2, cut: 3, payout: 3 };

function balances(st: State): Map<Account, bigint> {
  const out = new Map<Account, bigint>();
  for (const n of st.nodes) {
    out.set(account.nodeFlx(n.id), n.flx);
    out.set(account.nodeStake(n.id), n.stake);
    out.set(account.nodePsy(n.id), n.psy);
  }
  for (const u of st.users) out.set(account.userFlx(u.id), u.flx);
  out.set(account.treasury, st.treasury);
  return out;
}

const flxKirchhoff: StepCheck = ({ topology: topo, prev, record, next }) => {
  let rank = 0;
  for (const [i, mv] of record.moves.entries()) {
    const fault = moveShapeFault(mv, topo);
    if (fault !== null) return fail(`moves[${i}]: ${fault}`, 'a move between two accounts as state.ts pins them', mv);
    const r = STEP_RANK[mv.kind];
    if (r < rank) return fail(`moves[${i}] is out of step order`, 'moves in step order (actions, unstakes, flows, cuts and payouts)', mv);
    rank = r;
  }
  const delta = new Map<Account, bigint>();
  const bump = (a: Account, v: bigint): void => {
    delta.set(a, (delta.get(a) ?? 0n) + v);
  };
  for (const mv of record.moves) {
    bump(mv.from, -mv.amount);
    bump(mv.to, mv.amount);
  }
  for (const { node, value } of record.psy_minted) {
    if (!topo.nodeIndex.has(node)) return fail('psy_minted names no node', 'an existing node', node);
    bump(account.nodePsy(node), value);
  }
  const before = balances(prev);
  const after = balances(next);
  for (const [a, b] of before) {
    const got = (after.get(a) ?? 0n) - b;
    const want = delta.get(a) ?? 0n;
    if (got !== want) return fail(`${a}: Δ is not the sum of its recorded moves and mints`, want.toString(), got.toString());
  }
  // Per shard (its nodes' accounts and their users'), FLX and PSY apart.
  for (const [s, members] of topo.shardNodes.entries()) {
    for (const kind of ['flx', 'psy'] as const) {
      const accounts: Account[] =
        kind === 'psy'
          ? members.map((i) => account.nodePsy(topo.nodeIds[i]!))
          : members.flatMap((i) => [
              account.nodeFlx(topo.nodeIds[i]!),
              account.nodeStake(topo.nodeIds[i]!),
              ...topo.nodeUsers[i]!.map((j) => account.userFlx(topo.userIds[j]!)),
            ]);
      const got = total(accounts.map((a) => (after.get(a) ?? 0n) - before.get(a)!));
      const want = total(accounts.map((a) => delta.get(a) ?? 0n));
      if (got !== want) return fail(`shard ${topo.shardIds[s]}: Δ${kind.toUpperCase()} is not the sum of its recorded moves`, want.toString(), got.toString());
    }
  }
  // ATR moves with stake and unstake only (implied by those moves).
  const atrDelta = new Map<Account, bigint>();
  for (const mv of record.moves) {
    if (mv.kind === 'stake') atrDelta.set(mv.to, (atrDelta.get(mv.to) ?? 0n) + mv.amount);
    if (mv.kind === 'unstake') atrDelta.set(mv.from, (atrDelta.get(mv.from) ?? 0n) - mv.amount);
  }
  for (const [i, n] of next.nodes.entries()) {
    const id = topo.nodeIds[i]!;
    const want = atrDelta.get(account.nodeStake(id)) ?? 0n;
    const got = n.atr - prev.nodes[i]!.atr;
    if (got !== want) return fail(`node ${id}: Δatr is not its stake minus its unstake moves`, want.toString(), got.toString());
  }
  return null;
};

const flxFollowsGradient: StepCheck = (x) => {
  const d = derive(x);
  const topo = x.topology;
  const psi = d.field.psi;
  const edges = new Map<string, number>();
  for (let k = 0; k < topo.edgeA.length; k++) edges.set(`${topo.nodeIds[topo.edgeA[k]!]}-${topo.nodeIds[topo.edgeB[k]!]}`, k);
  for (const [i, f] of x.record.flows.entries()) {
    const ia = topo.nodeIndex.get(f.from);
    const ib = topo.nodeIndex.get(f.to);
    if (ia === undefined || ib === undefined) return fail(`flows[${i}] names no node`, 'existing nodes', f);
    if (!(psi[ia]! < psi[ib]!)) return fail(`flows[${i}] runs against the gradient (from ψ ${psi[ia]} to ψ ${psi[ib]})`, 'from the lower to the higher opening ψ', f);
    const e = edges.get(`${f.a}-${f.b}`);
    if (e === undefined || !((f.from === f.a && f.to === f.b) || (f.from === f.b && f.to === f.a))) return fail(`flows[${i}] is not on an edge`, 'an edge (a, b)', f);
    if (f.amount > d.field.demand[e]!) return fail(`flows[${i}] carries more than |d_e|`, d.field.demand[e]!.toString(), f.amount.toString());
  }
  const want = d.flows;
  return first(
    () => sameList('flows', want.flows, x.record.flows),
    () => sameList('flow moves', want.moves, movesOf(x.record, ['flow'])),
  );
};

const psySupply = (st: State): bigint => total(st.nodes.map((n) => n.psy));
const psyMonotone: StepCheck = (x) => {
  const before = psySupply(x.prev);
  const after = psySupply(x.next);
  if (after < before) return fail('PSY supply decreased', `>= ${before}`, after.toString());
  if (!isCommit(x)) return null;
  const d = derive(x);
  const mint = d.psy;
  const exhaustedEvent = x.record.events.some((e) => e.kind === 'psy_exhausted');
  return first(
    () => sameList('psy_minted', mint.mint.map((value, i) => ({ node: x.topology.nodeIds[i]!, value })), x.record.psy_minted),
    () => same('PSY supply after the mint', before + total(mint.mint), after),
    () => (exhaustedEvent === mint.exhausted ? null : fail('the psy_exhausted event does not follow the mint', mint.exhausted, exhaustedEvent)),
  );
};

const atrAttractor: StepCheck = (x) => {
  if (x.record.outcome === 'frozen') return null; // nothing is computed; ledger.atomic keeps ATR
  const d = derive(x);
  if (!(d.field.c > x.prev.coherence)) return null;
  const before = total(x.prev.nodes.map((n) => n.atr));
  const after = total(x.next.nodes.map((n) => n.atr));
  return after >= before ? null : fail(`ATR supply fell while C rose (${x.prev.coherence} → ${d.field.c})`, `>= ${before}`, after.toString());
};

const resEnvelope: StepCheck = (x) => {
  const d = derive(x);
  const r = d.res;
  const sum = total(x.next.nodes.map((n) => n.res));
  return first(
    () => same('record res.cap', r.cap, x.record.res.cap),
    () => (sum <= r.cap ? null : fail('Σres exceeds the envelope of step 7', `<= ${r.cap}`, sum.toString())),
    () => sameList('next res (step 7)', r.res, x.next.nodes.map((n) => n.res)),
    () => sameList('record res.credits', r.credits, x.record.res.credits),
  );
};

const rewardCap: StepCheck = (x) => {
  const d = derive(x);
  const w = d.rewards;
  const aMax = x.genesis.constants.a_max;
  const nodes = x.record.rewards.nodes;
  const over = nodes.find((n) => n.m > aMax);
  const sumR = total(nodes.map((n) => n.r));
  return first(
    () => same('rewards.budget', w.budget, x.record.rewards.budget),
    () => (over === undefined ? null : fail(`node ${over.node}'s multiplier exceeds A_MAX`, `<= ${aMax}`, over.m.toString())),
    () => (sumR <= w.budget ? null : fail('Σ rewards exceeds the budget', `<= ${w.budget}`, sumR.toString())),
    () =>
      sameList(
        'rewards.nodes (node, m, w, r)',
        x.topology.nodeIds.map((node, i) => ({ node, m: w.m[i]!, w: w.w[i]!, r: w.r[i]! })),
        nodes.map((n) => ({ node: n.node, m: n.m, w: n.w, r: n.r })),
      ),
  );
};

const treasuryExact: StepCheck = (x) => {
  const d = derive(x);
  const tr = d.treasury;
  return first(
    () => sameList('rewards.nodes k', tr.k, x.record.rewards.nodes.map((n) => n.k)),
    () => sameList('rewards.users', tr.users, x.record.rewards.users),
    () => sameList('cut and payout moves', tr.moves, movesOf(x.record, ['cut', 'payout'])),
    () => same('treasury paid (Σ k_i + Σ u)', tr.paid, x.prev.treasury - x.next.treasury),
  );
};

const syncAgreement: StepCheck = (x) => {
  const d = derive(x);
  const C = d.field.c;
  const tol = mulDiv(C, x.genesis.constants.epsilon_sync, SCALE);
  const sync = x.record.sync;
  if (sync === null) return fail('a committed epoch has no sync evidence', '{ c, median, reports }', 'null');
  const reports = x.record.voters.map((v) => ({ shard: v, value: (d.proposals.get(v) ?? [])[0]?.reports.sync }));
  const far = (v: bigint): boolean => (v > C ? v - C : C - v) > tol;
  const bad = sync.reports.find((r) => far(r.value));
  const values = sync.reports.map((r) => r.value);
  const med = values.length === 0 ? null : median(values);
  return first(
    () => same('the stored coherence (the ledger C)', C, x.next.coherence),
    () => same('sync.c', C, sync.c),
    () => sameList('sync.reports (the voters\' reports)', reports, sync.reports),
    () => (bad === undefined ? null : fail(`shard ${bad.shard}'s report is not within ε_sync of C`, `|report − ${C}| <= ${tol}`, bad.value.toString())),
    () => same('sync.median (lower median of the reports)', med, sync.median),
    () => (med === null || !far(med) ? null : fail('the median report is not within ε_sync of C', `|median − ${C}| <= ${tol}`, med.toString())),
  );
};

const fieldCurlFree: StepCheck = (x) => {
  if (x.record.voters.length === 0) return null;
  const d = derive(x);
  const topo = x.topology;
  for (const v of x.record.voters) {
    const s = topo.shardIndex.get(v);
    const ps = d.proposals.get(v) ?? [];
    if (s === undefined || ps.length !== 1) return fail(`voter ${v} has no single proposal in the inputs`, 'one proposal', ps.length.toString());
    const p = ps[0]!;
    const psi = topo.shardNodes[s]!.map((i) => ({ node: topo.nodeIds[i]!, value: d.field.psi[i]! }));
    const gradients: { a: bigint; b: bigint; value: bigint }[] = [];
    for (let e = 0; e < topo.edgeA.length; e++) {
      if (topo.nodeShard[topo.edgeA[e]!] === s) gradients.push({ a: topo.nodeIds[topo.edgeA[e]!]!, b: topo.nodeIds[topo.edgeB[e]!]!, value: d.field.gradients[e]! });
    }
    const v1 = sameList(`shard ${v}'s reported ψ`, psi, p.reports.psi) ?? sameList(`shard ${v}'s reported gradients`, gradients, p.reports.gradients);
    if (v1 !== null) return v1;
  }
  return null;
};

const coherenceBounded: StepCheck = (x) => {
  const d = derive(x);
  const want = x.record.voters.map((v) => {
    const c = stakeCoherence(d.basis, v, (d.proposals.get(v) ?? []).flatMap((p) => p.actions));
    return { shard: v, open: c.open, with_stakes: c.with_stakes, bound: c.bound };
  });
  const bad = want.find((c) => (c.with_stakes > c.open ? c.with_stakes - c.open : c.open - c.with_stakes) > c.bound);
  return first(
    () => (bad === undefined ? null : fail(`voter ${bad.shard}'s stakes move its C_s beyond the EA-9 bound`, `|Δ| <= ${bad.bound}`, (bad.with_stakes - bad.open).toString())),
    () => (x.record.c_shards === null ? fail('a committed epoch has no c_shards', 'a list', 'null') : null),
    () => sameList('c_shards', want.map(({ shard, open, with_stakes }) => ({ shard, open, with_stakes })), x.record.c_shards ?? []),
  );
};

const actionsApplied: StepCheck = (x) => {
  const d = derive(x);
  const topo = x.topology;
  const prevRoot = d.prevRoot;
  for (const v of x.record.voters) {
    const ps = d.proposals.get(v) ?? [];
    if (ps.length !== 1) return fail(`voter ${v} has no single proposal in the inputs`, 'one proposal', ps.length.toString());
    const p = ps[0]!;
    if (p.epoch !== d.t || p.prev_root !== prevRoot) return fail(`voter ${v}'s proposal is not for this epoch and S`, { epoch: d.t, prev_root: prevRoot }, { epoch: p.epoch, prev_root: p.prev_root });
    const fault = firstActionFault(d.basis, v, p.actions);
    if (fault !== null) return fail(`voter ${v}'s action ${fault.index} breaks step 3 (${fault.code})`, 'every applied action valid by step 3', p.actions[fault.index]!);
  }
  if (x.ledger) {
    for (const p of x.inputs.proposals) {
      const digest = proposalDigest(p);
      const v = digest === undefined ? 'it has no canonical form' : validProposal(x, digest, p.shard);
      if (typeof v === 'string') return fail(`voter ${p.shard}'s applied proposal is not a valid stored proposal: ${v}`, 'a signed proposal of the stored inputs', p);
    }
  }
  const nonVoter = x.inputs.proposals.find((p) => !x.record.voters.includes(p.shard));
  if (nonVoter !== undefined) return fail(`the inputs hold a proposal of shard ${nonVoter.shard}, which is not a voter (honest path: every proposal votes)`, x.record.voters, nonVoter.shard);
  const digests = d.actions.map((a) => canonicalString(a as unknown as Encodable));
  if (new Set(digests).size !== digests.length) return fail('an action is applied twice', 'each action once', 'a duplicate');
  const s4 = d.step4;
  const lastNonce = topo.nodeIds.map((_, i) => s4.nonce[i]!);
  return first(
    () => sameList('the step-4 action moves', s4.actionMoves, movesOf(x.record, ['transfer', 'stake', 'psy_transfer'])),
    () => sameList('the unstakes queued in t', s4.newEntries, x.next.unstakes.filter((u) => u.since === d.t)),
    () => sameList('nonces (each acting node\'s last applied nonce)', lastNonce, x.next.nodes.map((n) => n.nonce)),
  );
};

const haltFrozen: StepCheck = (x) => {
  const d = derive(x);
  const topo = x.topology;
  const notVoter = x.record.voters.find((v) => !d.active.includes(v));
  const inactive = new Set(topo.shardIds.filter((s) => !d.active.includes(s)));
  const inactiveNode = (id: bigint): boolean => {
    const i = topo.nodeIndex.get(id);
    return i !== undefined && inactive.has(topo.shardIds[topo.nodeShard[i]!]!);
  };
  const acting = movesOf(x.record, ['transfer', 'stake', 'psy_transfer'])
    .map((mv) => parseAccount(mv.from))
    .flatMap((a) => (a !== undefined && a.kind === 'node' ? [a.id] : []));
  const queued = x.next.unstakes.filter((u) => u.since === d.t).map((u) => u.node);
  const actor = [...acting, ...queued].find(inactiveNode);
  const nonce = x.next.nodes.findIndex((n, i) => inactiveNode(n.id) && n.nonce !== x.prev.nodes[i]!.nonce);
  return first(
    () => sameList('active (recomputed from S: mode, blacklist, halted_until < t)', d.active, x.record.active),
    () => (notVoter === undefined ? null : fail(`voter ${notVoter} is not active`, d.active, notVoter)),
    () => (actor === undefined ? null : fail(`node ${actor} of an inactive shard is the acting node of an applied action`, 'no action of an inactive shard', actor)),
    () => (nonce < 0 ? null : fail(`the nonce of node ${x.next.nodes[nonce]!.id} (inactive shard) changed`, x.prev.nodes[nonce]!.nonce, x.next.nodes[nonce]!.nonce)),
  );
};

const unstakeQueue: StepCheck = (x) => {
  const s4 = derive(x).step4;
  return first(
    () => sameList('unstakes (the queue after step 4)', s4.queue, x.next.unstakes),
    () => sameList('unstake moves (executed entries, queue order)', s4.unstakeMoves, movesOf(x.record, ['unstake'])),
  );
};

const oracleAdmission: StepCheck = (x) => {
  const d = derive(x);
  const adm = d.oracle.admitted;
  const event = x.record.events.find((e) => e.kind === 'oracle_admitted');
  const wantEvent = adm === null ? undefined : { kind: 'oracle_admitted', digest: adm.digest, epoch: adm.snapshot.epoch };
  const commit = isCommit(x);
  return first(
    () => (x.record.outcome === 'frozen' && x.inputs.snapshots.length > 0 ? fail('a frozen epoch read snapshots', 0, x.inputs.snapshots.length) : null),
    () => same('the oracle_admitted event', wantEvent, event),
    () => same('last_oracle_epoch', commit && adm !== null ? adm.snapshot.epoch : x.prev.last_oracle_epoch, x.next.last_oracle_epoch),
    () => sameList('dissonance after the epoch', commit ? d.dis : x.prev.nodes.map((n) => n.dis), x.next.nodes.map((n) => n.dis)),
  );
};

const incidentEvidence: StepCheck = (x) => {
  if (x.ledger) return ledgerIncidentEvidence(x);
  const d = derive(x);
  const frozen = x.record.outcome === 'frozen';
  const validator = frozen ? { events: [], incidents: [] } : checkValidator(x.topology, d.t, d.field.psi, x.inputs.validator);
  const want: Incident[] = [...d.oracle.rejections.map(oracleIncident), ...validator.incidents];
  const malformed = x.record.events.filter((e) => e.kind === 'validator_malformed');
  return first(
    () => {
      const other = x.record.incidents.find((i) => i.ea !== 'EA-11' && i.ea !== 'EA-12');
      return other === undefined ? null : fail('an incident the honest path cannot raise (no step 3 or 12 without the ledger)', 'EA-11 or EA-12', other);
    },
    () => sameList('incidents (EA-11 by digest, then EA-12), re-derived from the inputs', want, x.record.incidents),
    () => sameList('validator_malformed events', validator.events, malformed),
  );
};


// ---------------------------------------------------------------------------------------------
// The ledger's checks (steps 0, 3, 12, 13; P9)

const hex = (s: string): Uint8Array | undefined => fromHex(s);
function signedByShard(x: StepArgs, tag: 'qfs/v13/proposal' | 'qfs/v13/vote', digest: string, signatures: readonly string[], shard: bigint): boolean {
  const i = x.topology.shardIndex.get(shard);
  const key = i === undefined ? undefined : hex(x.genesis.shards[i]!.key);
  const d = hex(digest);
  if (key === undefined || d === undefined) return false;
  return signatures.some((sig) => {
    const b = hex(sig);
    return b !== undefined && verifyDigest(tag, d, b, key);
  });
}

/** A stored proposal that passes step 3's message checks for `shard` (schema, epoch, active, signature, prev_root), or why not. */
function validProposal(x: StepArgs, digest: string, shard: bigint): ProposalBody | string {
  const d = derive(x);
  const e = entriesOf(x.ledger!, 'proposal').find((p) => p.digest === digest);
  if (e === undefined) return `proposal ${digest} is not in the stored inputs`;
  const read = readProposal(e.message, x.topology);
  if (!read.ok) return `proposal ${digest} is malformed`;
  const body = read.value;
  if (body.shard !== shard) return `proposal ${digest} is shard ${body.shard}'s`;
  if (body.epoch !== d.t) return `proposal ${digest} is for epoch ${body.epoch}`;
  if (!d.active.includes(shard)) return `shard ${shard} is not active`;
  if (!signedByShard(x, 'qfs/v13/proposal', digest, e.signatures, shard)) return `proposal ${digest} is not signed by shard ${shard}`;
  if (body.prev_root !== d.prevRoot) return `proposal ${digest} names another prev_root`;
  return body;
}

/** A stored vote that passes step 12's message checks for `shard` (schema, epoch, voter, signature), or why not. */
function validVote(x: StepArgs, digest: string, shard: bigint): VoteBody | string {
  const d = derive(x);
  const e = entriesOf(x.ledger!, 'vote').find((v) => v.digest === digest);
  if (e === undefined) return `vote ${digest} is not in the stored inputs`;
  const read = readVote(e.message, x.topology);
  if (!read.ok) return `vote ${digest} is malformed`;
  const body = read.value;
  if (body.shard !== shard) return `vote ${digest} is shard ${body.shard}'s`;
  if (body.epoch !== d.t) return `vote ${digest} is for epoch ${body.epoch}`;
  if (!x.record.voters.includes(shard)) return `shard ${shard} is not a voter`;
  if (!signedByShard(x, 'qfs/v13/vote', digest, e.signatures, shard)) return `vote ${digest} is not signed by shard ${shard}`;
  return body;
}

/** Every stored vote that passes step 12's message checks, by voter. */
function validVotes(x: StepArgs): Map<bigint, { digest: string; body: VoteBody }[]> {
  const by = new Map<bigint, { digest: string; body: VoteBody }[]>();
  for (const e of entriesOf(x.ledger!, 'vote')) {
    const read = readVote(e.message, x.topology);
    if (!read.ok) continue;
    const v = validVote(x, e.digest, read.value.shard);
    if (typeof v !== 'string') by.set(v.shard, [...(by.get(v.shard) ?? []), { digest: e.digest, body: v }]);
  }
  return by;
}

const triangleMemo = new WeakMap<Topology, ReturnType<typeof triangles>>();
const trianglesOf = (topo: Topology): ReturnType<typeof triangles> => {
  let t = triangleMemo.get(topo);
  if (t === undefined) {
    t = triangles(topo);
    triangleMemo.set(topo, t);
  }
  return t;
};

/** Re-derives one step-3 incident from the stored proposal(s) and the recomputed opening field: the report really differs. */
function step3Fault(x: StepArgs, i: Incident & { shard: bigint }): Violation | null {
  const d = derive(x);
  const topo = x.topology;
  const k = x.genesis.constants;
  const bad = (what: string): Violation => fail(`incident ${i.ea} of shard ${i.shard}: ${what}`, 'an incident re-derived from the stored proposal and the opening field', i);
  const codeOf: Record<string, string> = { 'EA-7': 'CIR-412', 'EA-2': 'CIR-412', 'EA-8': 'CIR-412', 'EA-1': 'CIR-302', 'EA-6': 'CIR-302', 'EA-9': 'CIR-302' };
  if (i.code !== codeOf[i.ea!]) return bad(`the code is ${i.code}, not ${codeOf[i.ea!]}`);
  if (i.ea === 'EA-8') {
    const listed = i.evidence.proposals;
    for (let j = 1; j < listed.length; j++) if (!(listed[j - 1]! < listed[j]!)) return bad('the proposals are not ascending by digest');
    for (const digest of listed) {
      const v = validProposal(x, digest, i.shard);
      if (typeof v === 'string') return bad(v);
    }
    const all = entriesOf(x.ledger!, 'proposal').filter((e) => typeof validProposal(x, e.digest, i.shard) !== 'string').map((e) => e.digest);
    if (listed.length < 2 || enc(all) !== enc(listed)) return bad(`the shard's valid proposals are ${enc(all)}`);
    return null;
  }
  const ev = i.evidence as { proposal: string };
  const body = validProposal(x, ev.proposal, i.shard);
  if (typeof body === 'string') return bad(body);
  const s = topo.shardIndex.get(i.shard)!;
  const owned = ownedEdges(topo, s);
  const reported = new Map<number, bigint>(owned.map((e, j) => [e, body.reports.gradients[j]!.value]));
  const C = d.field.c;
  switch (i.ea) {
    case 'EA-7': {
      const e = i.evidence;
      const ni = (id: bigint): number => topo.nodeIndex.get(id) ?? -1;
      const tr = trianglesOf(topo).find((t) => t.a === ni(e.a) && t.b === ni(e.b) && t.c === ni(e.c));
      if (tr === undefined) return bad('no such triangle');
      if (![tr.ab, tr.bc, tr.ac].some((edge) => reported.has(edge))) return bad('the triangle has no edge of the shard');
      const g = (edge: number): bigint => reported.get(edge) ?? d.field.gradients[edge]!;
      const want = { ab: g(tr.ab), bc: g(tr.bc), ac: g(tr.ac), curl: g(tr.ab) + g(tr.bc) - g(tr.ac), bound: exactMulDiv(C, k.delta_curl, SCALE) };
      if (enc(want) !== enc({ ab: e.ab, bc: e.bc, ac: e.ac, curl: e.curl, bound: e.bound })) return bad(`recomputed ${enc(want)}`);
      return exactAbs(want.curl) > want.bound ? null : bad('the curl is within the bound');
    }
    case 'EA-1': {
      const e = i.evidence;
      if (e.report === 'psi') {
        const j = topo.shardNodes[s]!.findIndex((n) => topo.nodeIds[n] === e.node);
        if (j < 0) return bad('the node is not the shard\'s');
        const want = { reported: body.reports.psi[j]!.value, computed: d.field.psi[topo.shardNodes[s]![j]!]! };
        if (enc(want) !== enc({ reported: e.reported, computed: e.computed })) return bad(`recomputed ${enc(want)}`);
        return want.reported !== want.computed ? null : bad('the reported ψ equals the opening field');
      }
      const j = owned.findIndex((edge) => topo.nodeIds[topo.edgeA[edge]!] === e.a && topo.nodeIds[topo.edgeB[edge]!] === e.b);
      if (j < 0) return bad('the edge is not the shard\'s');
      const want = { reported: body.reports.gradients[j]!.value, computed: d.field.gradients[owned[j]!]! };
      if (enc(want) !== enc({ reported: e.reported, computed: e.computed })) return bad(`recomputed ${enc(want)}`);
      return want.reported !== want.computed ? null : bad('the reported gradient equals the opening field');
    }
    case 'EA-2': {
      const e = i.evidence;
      const want = { reported: body.reports.sync, c: C, bound: exactMulDiv(C, k.epsilon_sync, SCALE) };
      if (enc(want) !== enc({ reported: e.reported, c: e.c, bound: e.bound })) return bad(`recomputed ${enc(want)}`);
      return exactAbs(want.reported - C) > want.bound ? null : bad('the report is within ε_sync of C');
    }
    case 'EA-6': {
      const e = i.evidence;
      const f = firstActionFault(d.basis, i.shard, body.actions);
      if (f === null) return bad('every action of the proposal is valid');
      if (BigInt(f.index) !== e.index || f.code !== e.rule || enc(body.actions[f.index]) !== enc(e.action)) return bad(`recomputed action ${f.index} (${f.code})`);
      return null;
    }
    case 'EA-9': {
      const e = i.evidence;
      const c = stakeCoherence(d.basis, i.shard, body.actions);
      if (enc(c) !== enc({ open: e.open, with_stakes: e.with_stakes, bound: e.bound })) return bad(`recomputed ${enc(c)}`);
      return exactAbs(c.with_stakes - c.open) > c.bound ? null : bad('the stakes stay within the bound');
    }
    default:
      return bad('not a step-3 incident');
  }
}

/** Re-derives one step-12 incident from the stored vote and the recomputed candidate: the claim really differs. */
function step12Fault(x: StepArgs, i: Incident & { shard: bigint }): Violation | null {
  const d = derive(x);
  const bad = (what: string): Violation => fail(`incident ${i.ea} of shard ${i.shard}: ${what}`, 'an incident re-derived from the stored vote and the candidate', i);
  const e = i.evidence as { vote: string; response: string; claimed_root: string; root: string; fields: readonly { field: string }[] };
  const body = validVote(x, e.vote, i.shard);
  if (typeof body === 'string') return bad(body);
  if ((validVotes(x).get(i.shard) ?? []).length !== 1) return bad('the voter equivocates (its votes are ignored)');
  const cand = d.candidate;
  if (cand === null) return bad('there is no candidate');
  const computed = cand.claims[x.topology.shardIndex.get(i.shard)!]!;
  const fields = CLAIM_FIELDS.filter((f) => enc(body.claims[f]) !== enc(computed[f])).map((f) => ({ field: f, claimed: body.claims[f], computed: computed[f] }));
  if (fields.length === 0) return bad('every claim equals the candidate\'s');
  const ea = eaOfClaimField(fields[0]!.field);
  const code = ea === 'EA-10' || ea === 'EA-3' ? 'CIR-511' : ea === 'EA-13' ? null : 'CIR-302';
  const response = code === 'CIR-511' ? 'safe_mode' : code === null ? 'reward_capped' : 'abort';
  const want = { code, ea, evidence: { vote: e.vote, response, claimed_root: body.root, root: cand.root, fields } };
  return enc(want) === enc({ code: i.code, ea: i.ea, evidence: i.evidence }) ? null : fail(`incident ${i.ea} of shard ${i.shard} differs from its re-derivation`, want, { code: i.code, ea: i.ea, evidence: i.evidence });
}

/**
 * `incident.evidence` with the ledger: EA-11/EA-12 as on the honest path, then every incident in
 * pipeline order, each re-derived. A recovery epoch (§7, P10.9) has exactly its EA-14 incident,
 * re-derived from its stored document; no other epoch has an EA-14 incident.
 */
function ledgerIncidentEvidence(x: StepArgs): Violation | null {
  const d = derive(x);
  if (d.recovery !== null) {
    return sameList('incidents of a recovery epoch (its one EA-14 CIR-511, evidence the stored recovery)', [{ code: 'CIR-511', ea: 'EA-14', shard: null, evidence: d.recovery }], x.record.incidents);
  }
  const ea14 = x.record.incidents.findIndex((i) => i.ea === 'EA-14');
  if (ea14 >= 0) return fail(`incidents[${ea14}]: an EA-14 incident outside a recovery epoch`, 'EA-14 only in a recovery epoch (stored inputs { epoch, recovery })', x.record.incidents[ea14]);
  const frozen = x.record.outcome === 'frozen';
  const validator = frozen ? { events: [], incidents: [] } : checkValidator(x.topology, d.t, d.field.psi, x.inputs.validator);
  const head: Incident[] = [...d.oracle.rejections.map(oracleIncident), ...validator.incidents];
  const incidents = x.record.incidents;
  const rank = (i: Incident): number => {
    if (i.ea === 'EA-11') return 0;
    if (i.ea === 'EA-12') return 1;
    if (i.ea !== null && STEP3_EAS.has(i.ea)) return 2;
    if (i.ea === null && i.evidence.cause === 'math_violation') return 3;
    if (i.ea !== null && STEP12_EAS.has(i.ea)) return 4;
    return 5;
  };
  return first(
    () => sameList('incidents EA-11 (by digest) and EA-12, re-derived from the inputs', head, incidents.slice(0, head.length)),
    () => sameList('validator_malformed events', validator.events, x.record.events.filter((e) => e.kind === 'validator_malformed')),
    () => {
      for (let j = head.length; j < incidents.length; j++) {
        const i = incidents[j]!;
        const r = rank(i);
        if (r < 2) return fail(`incidents[${j}]: an EA-11/EA-12 incident out of place`, 'EA-11 and EA-12 first', i);
        if (j > head.length) {
          const p = incidents[j - 1]!;
          const rp = rank(p);
          if (r < rp || (r === rp && (r === 3 || r === 5 || p.shard === null || i.shard === null || !(p.shard < i.shard)))) {
            return fail(`incidents[${j}] is out of pipeline order`, 'step 3 by shard, a MathViolation, step 12 by shard, step 14 last', i);
          }
        }
        if (r === 2 || r === 4) {
          if (i.shard === null) return fail(`incidents[${j}] names no shard`, 'a shard', i);
          const v = r === 2 ? step3Fault(x, i as Incident & { shard: bigint }) : step12Fault(x, i as Incident & { shard: bigint });
          if (v !== null) return v;
        }
        if (r === 5 && i.code !== 'CIR-511') return fail(`incidents[${j}] is not a known incident`, 'a CIR-511 of step 14', i);
      }
      return null;
    },
  );
}

/** The voters' claims are read against the recomputed candidate; a commit needs max(1, ⌈2n/3⌉) of them. */
const ledgerQuorum: StepCheck = (x) => {
  if (x.record.outcome !== 'commit') return null;
  const n = BigInt(x.record.voters.length);
  const q = floorDiv(2n * n + 2n, 3n);
  const needed = q > 1n ? q : 1n;
  if (!x.ledger) return n >= needed ? null : fail('a committed epoch needs a quorum (honest path: every voter votes for the candidate)', `>= ${needed} votes`, n.toString());
  const cand = derive(x).candidate;
  if (cand === null) return fail('a committed epoch has no candidate (no voter)', 'a candidate', 'null');
  let votes = 0n;
  for (const [shard, vs] of validVotes(x)) {
    if (vs.length !== 1) continue; // an equivocating voter's votes are ignored
    const v = vs[0]!.body;
    if (v.root === x.record.root && enc(v.claims) === enc(cand.claims[x.topology.shardIndex.get(shard)!]!)) votes += 1n;
  }
  return votes >= needed ? null : fail(`${votes} stored votes equal the committed candidate in root and every claim`, `>= ${needed} (n = ${n})`, votes.toString());
};

/** Each shard gains at most one violation; halts, group halts, blacklists and the mode follow the incidents; rotations and reinstatements the records. */
const incidentBookkeepingCheck: StepCheck = (x) => {
  const d = derive(x);
  const s0 = d.s0;
  const offenders: Offender[] = x.record.incidents.flatMap((i) => (i.shard !== null && i.code !== null ? [{ shard: i.shard, groupHalt: i.code === 'CIR-412' }] : []));
  const want = bookkeptShards(x, s0, offenders);
  const safe = s0.mode === 'safe' || x.record.incidents.some((i) => i.code === 'CIR-511');
  const gained = x.next.shards.findIndex((sh, j) => sh.violations - (s0.shards[j]?.violations ?? 0n) > 1n);
  return first(
    () => (gained < 0 ? null : fail(`shard ${x.next.shards[gained]!.id} gained more than one violation`, '<= 1', (x.next.shards[gained]!.violations - s0.shards[gained]!.violations).toString())),
    () => sameList('shards (halts, group halts, violations and blacklists of the incidents, on S after step 0)', want, x.next.shards),
    () => same('mode (safe iff still safe after step 0, or a CIR-511)', safe ? 'safe' : 'normal', x.next.mode),
    () => sameList('founders (the rotations of step 0)', s0.founders, x.next.founders),
  );
};

/** In safe mode nothing moves until a valid exit record: without one the epoch is frozen and no balance changes. */
const safeModeFrozen: StepCheck = (x) => {
  if (x.prev.mode !== 'safe') return null;
  const d = derive(x);
  if (d.s0.mode !== 'safe') return x.record.outcome === 'frozen' ? fail('a valid exit_safe_mode record was applied, yet the epoch is frozen', 'commit or abort', 'frozen') : null;
  const { prev, next } = x;
  // A recovery epoch (EA-14, §7) aborts instead: it reads nothing, and moves nothing either.
  const want = d.recovery !== null ? 'abort' : 'frozen';
  return first(
    () => (x.record.outcome === want ? null : fail(d.recovery !== null ? 'a recovery epoch (EA-14) aborts, also in safe mode' : 'safe mode without a valid exit record: the epoch must be frozen', want, x.record.outcome)),
    () => sameList('nodes (no balance changes in safe mode)', prev.nodes, next.nodes),
    () => sameList('users', prev.users, next.users),
    () => sameList('unstakes', prev.unstakes, next.unstakes),
    () => same('treasury and chr_pool', [prev.treasury, prev.chr_pool], [next.treasury, next.chr_pool]),
  );
};

const inRange = (v: unknown): boolean => typeof v === 'bigint' && v >= 0n && v < LIMIT;
const stateNonnegative: StepCheck = ({ next }) => {
  for (const n of next.nodes) {
    for (const key of ['chr', 'flx', 'stake', 'psy', 'atr', 'res', 'dis', 'nonce'] as const) {
      if (!inRange(n[key])) return fail(`node ${n.id}: ${key} is out of range`, '[0, 2^127)', enc(n[key]));
    }
    if (n.dis > SCALE) return fail(`node ${n.id}: dis exceeds SCALE`, `<= ${SCALE}`, n.dis.toString());
  }
  const u = next.users.find((x) => !inRange(x.flx));
  if (u !== undefined) return fail(`user ${u.id}: flx is out of range`, '[0, 2^127)', enc(u.flx));
  const q = next.unstakes.find((x) => !inRange(x.amount) || x.amount === 0n);
  if (q !== undefined) return fail(`unstake (${q.node}, ${q.nonce}): amount is out of range`, '(0, 2^127)', enc(q.amount));
  for (const key of ['treasury', 'chr_pool', 'coherence'] as const) {
    if (!inRange(next[key])) return fail(`${key} is out of range`, '[0, 2^127)', enc(next[key]));
  }
  return null;
};

// atr.covers-stake — the README's worked example of adding an invariant (docs/spec.md P8).
const atrCoversStake: StepCheck = ({ prev, next }) => {
  for (let i = 0; i < next.nodes.length; i++) {
    const before = prev.nodes[i]!.atr - prev.nodes[i]!.stake;
    const after = next.nodes[i]!.atr - next.nodes[i]!.stake;
    if (after !== before) return fail(`node ${next.nodes[i]!.id}: atr − stake changed`, before.toString(), after.toString());
  }
  return null;
};

const ledgerAtomic: StepCheck = (x) => {
  const d = derive(x);
  const { prev, next, record } = x;
  if (d.recovery !== null) {
    // §7: EA-14's recovery epoch aborts, whatever the mode of S (it reads no governance record).
    if (record.outcome !== 'abort') return fail('a recovery epoch (EA-14) aborts', 'abort', record.outcome);
  } else if (d.frozen !== (record.outcome === 'frozen')) {
    return fail('the outcome does not follow the mode after step 0 (frozen iff safe)', d.frozen ? 'frozen' : 'commit or abort', record.outcome);
  }
  if (record.outcome === 'commit') return null;
  const frozen = record.outcome === 'frozen';
  return first(
    () => sameList('nodes (an aborted or frozen epoch changes none)', prev.nodes, next.nodes),
    () => sameList('users', prev.users, next.users),
    () => sameList('unstakes', prev.unstakes, next.unstakes),
    () => same('treasury, chr_pool, coherence, last_oracle_epoch', [prev.treasury, prev.chr_pool, prev.coherence, prev.last_oracle_epoch], [next.treasury, next.chr_pool, next.coherence, next.last_oracle_epoch]),
    () =>
      same(
        'the record of an epoch that moves nothing',
        {
          moves: [],
          flows: [],
          psy_minted: [],
          chr: { penalties: [], shares: [], pool: prev.chr_pool },
          res: { cap: 0n, credits: [] },
          rewards: { budget: 0n, nodes: [], users: [] },
        },
        { moves: record.moves, flows: record.flows, psy_minted: record.psy_minted, chr: record.chr, res: record.res, rewards: record.rewards },
      ),
    () => (frozen === (record.sync === null) && frozen === (record.c_shards === null) ? null : fail('sync and c_shards are null iff frozen', frozen ? 'null' : 'kept', { sync: record.sync, c_shards: record.c_shards })),
    () => (frozen ? same("a frozen epoch's mode, shards and founders (S after step 0: the governance effects only)", [d.s0.mode, d.s0.shards, d.s0.founders], [next.mode, next.shards, next.founders]) : null),
  );
};

const ledgerChain: StepCheck = (x) => {
  const { prev, prevRecord, record, next } = x;
  return first(
    () => same('record.epoch', prev.epoch + 1n, record.epoch),
    () => same('next.epoch', prev.epoch + 1n, next.epoch),
    () => same('prev_root (the root of S)', derive(x).prevRoot, record.prev_root),
    () => (prevRecord ? same("prev_root (the previous record's root)", prevRecord.root, record.prev_root) : null),
    () => same('root (the root of the next state)', stateRoot(next), record.root),
    () => same('the genesis hash of the state', prev.genesis, next.genesis),
  );
};

/**
 * record.inputs: the record's `inputs_hash` is SHA-256 of the stored inputs' canonical bytes — the
 * ledger's document (P10.6, or a recovery's P10.9) when the ledger decided the epoch, P6.7's on the
 * honest path. (The store checks the file's bytes against the same hash when it opens.)
 */
function recordInputs(x: StepArgs): Violation | null {
  const h = x.ledger !== undefined && x.ledger !== null ? ledgerInputsHash(x.ledger) : toHex(canonicalSha256(x.inputs as unknown as Encodable));
  if (h === x.record.inputs_hash) return null;
  return { message: `epoch ${x.record.epoch}: inputs_hash is not the hash of the stored inputs`, expected: h, actual: x.record.inputs_hash };
}

// ---------------------------------------------------------------------------------------------
// The catalog

const step = (id: InvariantId, commitOnly: boolean, statement: string, check: StepCheck): StepInvariant => ({
  id,
  kind: 'step',
  commitOnly,
  statement,
  cir: 'CIR-511',
  check,
});
const metamorphic = (id: InvariantId, statement: string, suites: readonly string[]): MetamorphicInvariant => ({
  id,
  kind: 'metamorphic',
  commitOnly: false,
  statement,
  cir: 'CIR-511',
  check: { providedBy: 'property-suite', suites },
});

/** Every invariant, in §9 order. */
export const INVARIANTS: readonly Invariant[] = [
  step('chr.conserved', false, 'CHR supply is constant (ΔCHR = 0)', chrConserved),
  step('chr.rebalance', true, 'per node, Δchr = s_i − p_i as recomputed; the pool keeps exactly P − Σ s_i', chrRebalance),
  step('flx.conserved', false, 'FLX supply is constant', flxConserved),
  step(
    'flx.kirchhoff',
    false,
    'every FLX change and every PSY transfer is a recorded move between two accounts (PSY mints are in psy_minted); per account and per shard, Δ equals the sum of its recorded moves and mints, exactly',
    flxKirchhoff,
  ),
  step('flx.follows-gradient', true, 'every field flow goes from lower to higher opening ψ and is at most |d_e|', flxFollowsGradient),
  step(
    'psy.monotone',
    false,
    'PSY supply never decreases; on a commit each node mints exactly mulDiv(ψ_i, PSY_RATE, SCALE) (or nothing, on psy_exhausted)',
    psyMonotone,
  ),
  step('atr.attractor', false, 'ATR supply does not fall in an epoch whose opening C rose above S.coherence', atrAttractor),
  step('res.envelope', true, 'Σres of the next state ≤ the cap of step 7, recomputed from the opening field', resEnvelope),
  metamorphic('reward.monotone', "raising one node's chr, atr or res, or lowering its dis, never lowers its reward", ['test/economy/holo-reward.test.ts']),
  step('reward.cap', true, 'every multiplier ≤ A_MAX; Σ rewards ≤ budget', rewardCap),
  step('treasury.exact', true, 'treasury paid = Σ node cuts + Σ user payouts; remainders stay in the treasury', treasuryExact),
  step(
    'sync.agreement',
    true,
    "the stored coherence is the ledger's C; every voter's report and their median lie within mulDiv(C, EPSILON_SYNC, SCALE) of it",
    syncAgreement,
  ),
  step('field.curl-free', false, "every voter's reported ψ and gradients equal the opening field (so every triangle's curl is 0)", fieldCurlFree),
  step('coherence.bounded', true, "no voter's stakes move its C_s by more than mulDiv(max(C_s, SCALE), DELTA_MAX, SCALE)", coherenceBounded),
  step(
    'actions.applied',
    true,
    "the applied actions are exactly those of the voters' proposals, each once; each acting node's nonce is its last applied nonce",
    actionsApplied,
  ),
  step('halt.frozen', false, 'no node of an inactive shard is the acting node of an applied action, and its nonce does not change', haltFrozen),
  step('unstake.queue', true, "new queue entries are the voters' unstakes; an entry leaves iff C <= S.coherence and since < t", unstakeQueue),
  step(
    'oracle.admission',
    false,
    "on a commit, last_oracle_epoch changes iff step 1, recomputed, admits a snapshot, and then every listed node's dissonance equals the snapshot's value and every other node's is unchanged; on an abort neither changes",
    oracleAdmission,
  ),
  step(
    'incident.evidence',
    false,
    'every incident that names a shard is re-derived from the inputs and the opening field (the report or claim really differs): no honest shard is blamed',
    incidentEvidence,
  ),
  step(
    'incident.bookkeeping',
    false,
    'each shard gains at most one violation; halts, group halts, blacklists and the mode follow the incidents, and reinstatements and rotations follow the governance records',
    incidentBookkeepingCheck,
  ),
  step('state.nonnegative', false, 'every balance ≥ 0 and in range', stateNonnegative),
  step(
    'ledger.atomic',
    false,
    'an aborted or frozen epoch changes no balance, supply, nonce, queue, dissonance, coherence or last_oracle_epoch — only the epoch number, the governance effects and the incident bookkeeping',
    ledgerAtomic,
  ),
  metamorphic('ledger.deterministic', 'same inputs → same root; permuting the order in which actions, proposals, votes and snapshots arrive → same root', [
    'test/epoch/honest-epoch.test.ts',
    'properties/ledger.test.ts',
  ]),
  step('ledger.quorum', false, 'a committed epoch has at least max(1, floorDiv(2n + 2, 3)) votes equal to the committed candidate, n = its voters', ledgerQuorum),
  step('ledger.chain', false, "every record's prev_root is the previous record's root", ledgerChain),
  step('record.inputs', false, '`inputs_hash` is the hash of the stored inputs', recordInputs),
  metamorphic('record.replay', "re-executing an epoch's stored inputs reproduces its record byte for byte", ['properties/ledger.test.ts', 'properties/economy.model.test.ts', 'test/store/store.test.ts']),
  step('safe-mode.frozen', false, 'in safe mode no balance changes until a valid exit record', safeModeFrozen),
  step('atr.covers-stake', false, "every node's atr − stake is unchanged by an epoch (so atr >= stake holds for ever)", atrCoversStake),
];

/** §9 entries not in the catalog yet (none: `record.inputs` and `record.replay` joined with the ledger). */
export const LEDGER_PENDING: readonly string[] = [];

export type StepViolation = Violation & { readonly id: string };

export type CheckContext = { readonly genesis: Genesis; readonly genesisHash: string; readonly topology: Topology };

/**
 * Runs every applicable step invariant (commit-only ones on a commit only) and returns the
 * violations, in catalog order. A check that cannot even run (a record too broken to read) is a
 * violation of that invariant.
 */
export function checkStep(
  ctx: CheckContext,
  prev: State,
  record: EpochRecord,
  next: State,
  inputs: StoredInputs,
  prevRecord: EpochRecord | null = null,
): StepViolation[] {
  return runCatalog({ genesis: ctx.genesis, genesisHash: ctx.genesisHash, topology: ctx.topology, prev, prevRecord, record, next, inputs });
}

function runCatalog(args: StepArgs): StepViolation[] {
  const record = args.record;
  const out: StepViolation[] = [];
  for (const inv of INVARIANTS) {
    if (inv.kind !== 'step' || (inv.commitOnly && record.outcome !== 'commit')) continue;
    let v: Violation | null;
    try {
      v = inv.check(args);
    } catch (e) {
      v = { message: `the check could not run: ${(e as Error).message}`, expected: 'a record and state it can read', actual: String(e) };
    }
    if (v !== null) out.push({ id: inv.id, ...v });
  }
  return out;
}

/** The view of a ledger epoch that step 14 (and the store) checks: P6.7's view of the voters' proposals, and the stored inputs (P10.6, or a recovery epoch's P10.9). */
export type LedgerStepView = { readonly inputs: StoredInputs; readonly ledger: StoredLedgerInputs };

/** `checkStep` for an epoch decided by the ledger: step 0 from the stored governance records, steps 3 and 12 from the stored messages. */
export function checkLedgerStep(ctx: CheckContext, prev: State, record: EpochRecord, next: State, view: LedgerStepView, prevRecord: EpochRecord | null = null): StepViolation[] {
  return runCatalog({ genesis: ctx.genesis, genesisHash: ctx.genesisHash, topology: ctx.topology, prev, prevRecord, record, next, inputs: view.inputs, ledger: view.ledger });
}

/** The catalog as data for listing (`qfs invariants --json`). */
export const catalogListing = (): { id: string; kind: string; commit_only: boolean; statement: string; cir: string; check: string }[] =>
  INVARIANTS.map((i) => ({
    id: i.id,
    kind: i.kind,
    commit_only: i.commitOnly,
    statement: i.statement,
    cir: i.cir,
    check: i.kind === 'step' ? 'step' : `property-suite: ${i.check.suites.join(', ')}`,
  }));

