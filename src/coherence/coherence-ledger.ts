/**
 * The CoherenceLedger (SPEC §6, one vote round): the epoch as the ledger computes it, from the
 * committed state S and what each of the three windows closed with, to the next state, the epoch
 * record and the two publications. Pure: same (ctx, S, window inputs) → same bytes, whatever the
 * order in which messages arrived (every message is identified by its digest, copies merged).
 *
 *   window 1  governance records, oracle snapshots  → step 0, step 1, the opening field;
 *             publication 1: the active set and the admitted snapshot (and what follows from S)
 *   window 2  the validator's answer, the proposals → step 2, step 3, steps 4–11 (the candidate);
 *             publication 2: the candidate, its root and each voter's claims, with its inputs
 *   window 3  the votes                             → step 12, step 13, step 14
 *
 * `closeWindow1` / `closeWindow2` / `closeWindow3` are the three stages (the driver
 * `runLedgerEpoch` in shard-agent.ts runs the shard agents between them); `ledgerEpoch` composes
 * them over all three windows' inputs at once; `replayLedgerEpoch` re-executes a stored inputs
 * document (§7) and reproduces the record byte for byte, also EA-14's recovery epoch
 * (`recoveryEpoch`, pinned as P10.9 in docs/spec.md). Step 14 runs the §9 catalog
 * (`checkLedgerStep`) on the decided outcome.
 *
 * ------------------------------------------------------------------------------------------------
 * Layout pins (copied into docs/spec.md as "P10. The ledger: messages, incidents, events,
 * stored inputs")
 *
 * P10.1 Messages. Proposal `{ epoch, shard, prev_root, actions, reports: { psi, gradients, sync } }`
 *      (tag qfs/v13/proposal) and vote `{ epoch, shard, root, claims }` (tag qfs/v13/vote), signed
 *      by the shard's genesis key (§2). Schemas: proposal.ts and vote.ts (a `shard` that names no
 *      shard is malformed: the lists are defined by its node set; `prev_root`, `root` and legs are
 *      32 bytes of lowercase hex; a payout's `users` are exactly the node's users in id order;
 *      legs strictly ascending). Claims, per node of the shard in id order: `chr_delta` and
 *      `flx_delta` = candidate − S, `res` = the candidate's balance, `psy_minted`, `multipliers`
 *      (m_i), `rewards` (r_i), `payouts` `{ node, cut: k_i, users: [{ user, value: u }] }`;
 *      `cross_out`/`cross_in` `{ leg: action digest, value: amount }` of every applied transfer
 *      leaving/entering the shard, by digest. A message is identified by its digest; copies with
 *      one digest are one message, signed iff one copy's signature verifies against the key.
 * P10.2 Step 0. Records merged by digest (union of signatures), verified in digest order against
 *      S's founders (system-recovery.ts: keys in use = genesis shard, founder and oracle keys,
 *      S's founder keys, keys set by earlier applied records). Events, digest order:
 *      `{ kind: "governance_applied", digest, record_kind }`,
 *      `{ kind: "governance_rejected", digest, reason }`. Frozen (mode still safe): outcome
 *      `frozen`; `events` holds exactly step 0's events (refines P6.3, which had no governance);
 *      `active`, `voters`, `incidents` empty; only governance records are read and stored.
 * P10.3 Step 3. Per distinct proposal, in this order: `malformed`, `wrong_epoch` (epoch ≠ t),
 *      inactive shard → `{ kind: "proposal_ignored", digest, shard }`, `bad_signature`,
 *      `wrong_prev_root` → `{ kind: "proposal_rejected", digest, shard, reason }` (`shard` null
 *      iff malformed). A shard with ≥ 2 valid proposals is EA-8; with exactly one it reports,
 *      checked in the order EA-7, EA-1, EA-2, EA-6, EA-9 (first failure decides, exact values).
 *      Incidents `{ code, ea, shard, evidence }`, `proposal` = the proposal's digest:
 *        EA-7 CIR-412 `{ proposal, a, b, c, ab, bc, ac, curl, bound }` — the first triangle
 *             (a < b < c, node ids) with an owned edge whose |curl| > bound =
 *             mulDiv(C, DELTA_CURL, SCALE); ab, bc, ac the gradients used (the shard's on its
 *             owned edges, the opening field's on the others); curl = ab + bc − ac.
 *        EA-1 CIR-302 `{ proposal, report, node, a, b, reported, computed }` — `report` "psi"
 *             (node set, a = b = null) for the first differing ψ by node, else "gradient"
 *             (node null) for the first differing gradient by (a, b).
 *        EA-2 CIR-412 `{ proposal, reported, c, bound }` — bound = mulDiv(C, EPSILON_SYNC, SCALE).
 *        EA-6 CIR-302 `{ proposal, index, digest, action, rule }` — the first action in proposal
 *             order breaking a rule given the ones before it, its digest, the rule (P6.9 order).
 *        EA-9 CIR-302 `{ proposal, open, with_stakes, bound }` (P6.2's values).
 *        EA-8 CIR-412 `{ proposals: [digest] }` — every valid proposal of the shard, ascending.
 * P10.4 Steps 4–10. A MathViolation (outside step 3) aborts with CIR-511 and safe mode:
 *      `{ code: "CIR-511", ea: null, shard: null, evidence: { cause: "math_violation", reason,
 *      op } }` (P1.1's reason, the operation), after step 3's incidents; votes are then read and
 *      checked up to equivocation but not compared. `psy_exhausted` is kept on an abort (like
 *      `oracle_admitted`): it reports what step 8 of the candidate did.
 * P10.5 Step 12. Per distinct vote: `malformed`, `wrong_epoch`, `not_voter`, `bad_signature` →
 *      `{ kind: "vote_rejected", digest, shard, reason }` (`shard` null iff malformed); a voter
 *      with ≥ 2 votes passing these → `{ kind: "vote_equivocation", shard, votes: [digest] }`.
 *      Claims are compared field by field by canonical bytes with the candidate's; mismatched
 *      fields are listed in the order cross_in, cross_out, payouts, flx_delta, chr_delta, res,
 *      multipliers, rewards, psy_minted and the first decides the EA. Incident evidence
 *      `{ vote, response, claimed_root, root, fields: [{ field, claimed, computed }] }`: `vote`
 *      the vote's digest, `claimed_root` its root, `root` the candidate's, `claimed`/`computed`
 *      the field's whole lists, `response` "safe_mode" for EA-10/EA-3 (code CIR-511), "abort"
 *      for EA-5/EA-4 (CIR-302), "reward_capped" for EA-13 (code null). All claims equal but
 *      another root →
 *      `{ kind: "vote_root_mismatch", digest, shard }`. Several events of step 3 or step 12 are
 *      sorted by (shard, digest), a null shard first (`vote_equivocation` by its first digest).
 * P10.6 Stored inputs (§7 `inputs/e`, ledger-inputs.ts): `{ epoch, messages: [{ kind, digest,
 *      message, signatures }] }`, one entry per (kind, digest) holding the union of the copies'
 *      signatures (governance `[{ founder, signature }]` by (founder, signature), others strings
 *      ascending, the validator `[]`), entries by (kind, digest) with kinds governance < proposal <
 *      snapshot < validator < vote. Stored: every record of step 0; unless frozen, every snapshot,
 *      the validator's answer, every proposal and every vote that was received in its window and
 *      has a canonical form (messages that fail a check included; a copy whose message or
 *      signature has no canonical form is dropped on receipt). The file is the document's
 *      canonical bytes; `inputs_hash` = lowercase hex SHA-256 of them.
 * P10.7 Record. P6.1 layout. `active` is the set after step 0; `voters` the reporters that are not
 *      offenders; `sync.reports` and `c_shards` the voters'. Incidents in pipeline order: EA-11
 *      (digest), EA-12, step 3 (shard), a step 4–10 CIR-511, step 12 (shard), step 14's CIR-511
 *      last `{ code: "CIR-511", ea: null, shard: null, evidence: { cause: "invariant",
 *      invariants: [id] } }` (catalog order). Events: step 0, 1, 2, 3, 8, 12, 13.
 * P10.8 Outcome. Abort iff a CIR-511 or a step-12 CIR-302, or no quorum: matching votes <
 *      max(1, floorDiv(2n + 2, 3)), n = voters (event no_quorum `{ votes, needed }`, not raised
 *      when step 12 or a MathViolation already aborted). Next state: commit → the candidate
 *      (steps 4–11 on S after steps 0–1, coherence C, with step 3's bookkeeping); abort → S with
 *      the epoch advanced, step 0's effects and the bookkeeping of steps 3 and 12 (mode safe on any
 *      CIR-511). Step 14 turns a broken outcome into that abort, adds its incident and keeps the
 *      events; an abort that breaks an invariant too is fatal (`LedgerFatal`, nothing returned),
 *      and so is a frozen epoch that breaks one (nothing was read that could be rolled back).
 * ------------------------------------------------------------------------------------------------
 */
import { match } from 'ts-pattern';
import { floorDiv, MathViolation, max, SCALE } from '../math/certified-math.ts';
import { canonicalString, type Encodable, type Json } from '../math/canonical.ts';
import { actionDigest, firstActionFault, stakeCoherence, type ActionBasis } from '../economics/action-rules.ts';
import { activeShards, stillRecord, type EpochContext, type StoredInputs } from '../epoch/epoch.ts';
import type {
  ClaimMismatch,
  CShard,
  EngineIncident,
  EpochEvent,
  EpochRecord,
  Incident,
  LedgerEvent,
  ProposalIncident,
  RecoveryIncident,
  ShardValue,
  VoteIncident,
} from '../epoch/epoch-record.ts';
import { exactAbs, exactMulDiv } from '../math/exact-math.ts';
import { runEconomy, type EconomyResult } from '../economics/harmonic-economics.ts';
import { fromHex } from '../math/hashing.ts';
import type { ProposalBody } from '../economics/honest-agent.ts';
import { checkLedgerStep } from '../invariants/invariants.ts';
import {
  entriesOf,
  isRecoveryInputs,
  ledgerInputs,
  ledgerInputsHash,
  messageDigest,
  received,
  recoveryInputs,
  signedEntries,
  type InputEntry,
  type LedgerInputs,
  type Recovery,
  type RecoveryInputs,
  type SignedEntry,
  type StoredLedgerInputs,
} from '../ledger/ledger-inputs.ts';
import { applyOracle, decideOracle, oracleIncident, type Admitted, type OracleDecision, type SignedSnapshot, type StoredSnapshot } from '../epoch/oracle.ts';
import { ownedEdges, readProposal, type SignedCopy } from '../ledger/proposal.ts';
import { openingField, triangles, type OpeningField, type Triangle } from '../field/psi-field.ts';
import { syncBreach, syncRecord, syncTolerance } from '../ledger/psi-sync.ts';
import { verifyDigest } from '../math/signatures.ts';
import { stateRoot, type State } from '../economics/state.ts';
import { type Topology } from '../field/topology.ts';
import { governanceEntries, governanceStep, incidentBookkeeping, type GovernanceCopy, type GovernanceEntry, type Offender } from '../ledger/system-recovery.ts';
import { checkValidator } from '../epoch/validator.ts';
import { candidateClaims, CLAIM_FIELDS, eaOfClaimField, readVote, type Claims, type VoteBody } from '../ledger/vote.ts';
import { compareBigint, compareString } from '../core/vocabulary.ts';
import { planted } from '../core/planted.ts';

export type { SignedCopy };

/** What the three windows closed with (any order, any copies). */
export type LedgerWindows = {
  readonly governance: readonly GovernanceCopy[];
  readonly snapshots: readonly SignedSnapshot[];
  readonly validator: Json | null;
  readonly proposals: readonly SignedCopy[];
  readonly votes: readonly SignedCopy[];
};

export const emptyWindows: LedgerWindows = { governance: [], snapshots: [], validator: null, proposals: [], votes: [] };

/** Publication 1: the active set and the admitted snapshot, with what every agent derives from them and S. */
export type Publication1 = {
  readonly epoch: bigint;
  readonly prev_root: string;
  readonly frozen: boolean;
  readonly active: readonly bigint[];
  readonly admitted: Admitted | null;
  /** S (every shard holds it). */
  readonly state: State;
  /** S's nodes after step 1, S's unstake queue and the opening field (what step 3 judges against). */
  readonly basis: ActionBasis;
};

/** The candidate as published: the whole next state if the epoch commits, its root, each voter's claims. */
export type Candidate = { readonly state: State; readonly root: string; readonly claims: ReadonlyMap<bigint, Claims> };

/** Publication 2: the candidate with its inputs. */
export type Publication2 = {
  readonly epoch: bigint;
  readonly prev_root: string;
  readonly voters: readonly bigint[];
  /** The voters' proposals, in shard order (the candidate's inputs), and the validator's answer. */
  readonly proposals: readonly ProposalBody[];
  readonly validator: Json | null;
  /** Step 3's incidents (their bookkeeping is part of the candidate). */
  readonly incidents: readonly ProposalIncident[];
  /** Null when there is no voter or steps 4–10 raised a MathViolation. */
  readonly candidate: Candidate | null;
};

export type LedgerEpoch = {
  readonly state: State;
  readonly record: EpochRecord;
  /** The stored inputs (§7), whose hash is `record.inputs_hash`. */
  readonly inputs: LedgerInputs;
  readonly publications: { readonly window1: Publication1; readonly window2: Publication2 | null };
};

/** The engine stopped (§6 step 14: the abort also broke an invariant); nothing may be appended. */
export class LedgerFatal extends Error {
  override readonly name = 'LedgerFatal';
  constructor(
    message: string,
    readonly violations: readonly { readonly id: string; readonly message: string }[],
  ) {
    super(message);
  }
}

type Step3Event = Extract<LedgerEvent, { readonly kind: 'proposal_ignored' | 'proposal_rejected' }>;
type Step12Event = Extract<LedgerEvent, { readonly kind: 'vote_rejected' | 'vote_equivocation' | 'vote_root_mismatch' }>;

const enc = (v: unknown): string => canonicalString(v as Encodable);

/** Step-3 and step-12 events in (shard, digest) order, a null shard first. */
function byShardDigest<E extends { readonly shard: bigint | null }>(events: E[], digestOf: (e: E) => string): E[] {
  return events.sort((x, y) => {
    if (x.shard === null || y.shard === null) {
      if (x.shard !== y.shard) return x.shard === null ? -1 : 1;
    } else if (x.shard !== y.shard) return compareBigint(x.shard, y.shard);
    return compareString(digestOf(x), digestOf(y));
  });
}

/** True iff one of the signatures verifies for the digest under the key. */
function signedBy(tag: 'qfs/v13/proposal' | 'qfs/v13/vote', digest: string, signatures: readonly string[], keyHex: string): boolean {
  const key = fromHex(keyHex);
  const d = fromHex(digest);
  if (key === undefined || d === undefined) return false;
  return signatures.some((s) => {
    const sig = fromHex(s);
    return sig !== undefined && verifyDigest(tag, d, sig, key);
  });
}

/** The genesis key of a shard (shard keys never rotate). */
const shardKey = (ctx: EpochContext, shard: bigint): string => ctx.genesis.shards[ctx.topology.shardIndex.get(shard)!]!.key;

// ---------------------------------------------------------------------------------------------
// Window 1: steps 0 and 1, the opening field

export type Stage1 = {
  readonly ctx: EpochContext;
  readonly S: State;
  readonly t: bigint;
  readonly prevRoot: string;
  /** S after step 0 (governance effects), epoch still S's. */
  readonly s0: State;
  readonly governance: readonly GovernanceEntry[];
  readonly govEvents: readonly LedgerEvent[];
  readonly frozen: boolean;
  readonly snapshots: readonly SignedEntry[];
  readonly oracle: OracleDecision;
  /** s0 after step 1 (the oracle's dissonance and last_oracle_epoch). */
  readonly s1: State;
  readonly field: OpeningField;
  readonly publication: Publication1;
};

function checkGenesis(ctx: EpochContext, S: State): void {
  if (S.genesis !== ctx.genesisHash) throw new Error(`ledger: the state belongs to genesis ${S.genesis}, not ${ctx.genesisHash}`);
}

const storedSnapshotsOf = (entries: readonly SignedEntry[]): StoredSnapshot[] =>
  entries.flatMap((e) => e.signatures.map((signature) => ({ digest: e.digest, snapshot: e.message, signature })));

/** Closes window 1: step 0 (governance), then, unless frozen, step 1 and the opening field. */
export function closeWindow1(ctx: EpochContext, S: State, governance: readonly GovernanceCopy[], snapshots: readonly SignedSnapshot[]): Stage1 {
  checkGenesis(ctx, S);
  const t = S.epoch + 1n;
  const prevRoot = stateRoot(S);
  const entries = governanceEntries(governance);
  const gov = governanceStep(ctx.genesis, ctx.genesisHash, S, t, entries);
  const s0 = gov.state;
  const frozen = s0.mode === 'safe';
  const snaps = frozen ? [] : signedEntries('snapshot', snapshots.map((s) => ({ message: s.snapshot, signature: s.signature })));
  const oracle = frozen
    ? { admitted: null, rejections: [] }
    : decideOracle({ genesisHash: ctx.genesisHash, oracleKey: ctx.genesis.oracle_key, topology: ctx.topology }, storedSnapshotsOf(snaps), t, s0.last_oracle_epoch);
  const s1 = applyOracle(ctx.topology, s0, oracle.admitted);
  const field = openingField(ctx.topology, s1.nodes);
  const active = frozen ? [] : activeShards(s0, t);
  const basis: ActionBasis = { topology: ctx.topology, nodes: s1.nodes, unstakes: S.unstakes, field };
  return {
    ctx,
    S,
    t,
    prevRoot,
    s0,
    governance: entries,
    govEvents: gov.events,
    frozen,
    snapshots: snaps,
    oracle,
    s1,
    field,
    publication: { epoch: t, prev_root: prevRoot, frozen, active, admitted: oracle.admitted, state: S, basis },
  };
}

// ---------------------------------------------------------------------------------------------
// Window 2: step 2, step 3, the candidate (steps 4–11)

const triangleCache = new WeakMap<Topology, readonly (readonly Triangle[])[]>();
/** The triangles with at least one edge owned by each shard, in (a, b, c) order (indexed once per topology). */
function shardTriangles(topo: Topology, shardIndex: number): readonly Triangle[] {
  let all = triangleCache.get(topo);
  if (all === undefined) {
    const lists: Triangle[][] = topo.shardIds.map(() => []);
    const owner = (e: number): number => topo.nodeShard[topo.edgeA[e]!]!;
    for (const tr of triangles(topo)) {
      for (const s of new Set([owner(tr.ab), owner(tr.bc), owner(tr.ac)])) lists[s]!.push(tr);
    }
    all = lists;
    triangleCache.set(topo, all);
  }
  return all[shardIndex]!;
}

/** Step 3's checks of one reporter's proposal, in the order EA-7, EA-1, EA-2, EA-6, EA-9; the first failure, or null. */
export function reporterFault(ctx: EpochContext, basis: ActionBasis, p: ProposalBody, digest: string): ProposalIncident | null {
  const topo = ctx.topology;
  const k = ctx.genesis.constants;
  const field = basis.field;
  const C = field.c;
  const s = topo.shardIndex.get(p.shard)!;
  const shard = p.shard;
  const owned = ownedEdges(topo, s);
  const reported = new Map<number, bigint>(owned.map((e, i) => [e, p.reports.gradients[i]!.value]));
  // EA-7: the first triangle (by (a, b, c)) whose curl with the shard's gradients exceeds the bound.
  const curlBound = exactMulDiv(C, k.delta_curl, SCALE);
  const g = (e: number): bigint => reported.get(e) ?? field.gradients[e]!;
  for (const tr of planted('ea7-unchecked') ? [] : shardTriangles(topo, s)) {
    const ab = g(tr.ab);
    const bc = g(tr.bc);
    const ac = g(tr.ac);
    const curl = ab + bc - ac;
    if (exactAbs(curl) > curlBound) {
      const id = (i: number): bigint => topo.nodeIds[i]!;
      return { code: 'CIR-412', ea: 'EA-7', shard, evidence: { proposal: digest, a: id(tr.a), b: id(tr.b), c: id(tr.c), ab, bc, ac, curl, bound: curlBound } };
    }
  }
  // EA-1: the first differing ψ (by node), then the first differing gradient (by edge).
  const members = topo.shardNodes[s]!;
  for (let j = 0; j < members.length && !planted('ea1-psi-unchecked'); j++) {
    const computed = field.psi[members[j]!]!;
    const r = p.reports.psi[j]!;
    if (r.value !== computed) {
      return { code: 'CIR-302', ea: 'EA-1', shard, evidence: { proposal: digest, report: 'psi', node: r.node, a: null, b: null, reported: r.value, computed } };
    }
  }
  for (let j = 0; j < owned.length && !planted('ea1-gradient-unchecked'); j++) {
    const computed = field.gradients[owned[j]!]!;
    const r = p.reports.gradients[j]!;
    if (r.value !== computed) {
      return { code: 'CIR-302', ea: 'EA-1', shard, evidence: { proposal: digest, report: 'gradient', node: null, a: r.a, b: r.b, reported: r.value, computed } };
    }
  }
  // EA-2: |sync − C| > mulDiv(C, EPSILON_SYNC, SCALE).
  if (syncBreach(p.reports.sync, C, k.epsilon_sync)) {
    return { code: 'CIR-412', ea: 'EA-2', shard, evidence: { proposal: digest, reported: p.reports.sync, c: C, bound: syncTolerance(C, k.epsilon_sync) } };
  }
  // EA-6: the first action that breaks a rule given the ones before it.
  const fault = firstActionFault(basis, shard, p.actions);
  if (fault !== null) {
    const action = p.actions[fault.index]!;
    return { code: 'CIR-302', ea: 'EA-6', shard, evidence: { proposal: digest, index: BigInt(fault.index), digest: actionDigest(action), action, rule: fault.code } };
  }
  // EA-9: the stakes move C_s by more than the bound.
  const c = stakeCoherence(basis, shard, p.actions);
  if (exactAbs(c.with_stakes - c.open) > c.bound) {
    return { code: 'CIR-302', ea: 'EA-9', shard, evidence: { proposal: digest, open: c.open, with_stakes: c.with_stakes, bound: c.bound } };
  }
  return null;
}

export type Stage2 = {
  readonly stage1: Stage1;
  readonly validator: Json | null;
  readonly proposals: readonly SignedEntry[];
  readonly events2: readonly EpochEvent[];
  readonly incidents2: readonly Incident[];
  readonly step3Events: readonly Step3Event[];
  readonly step3Incidents: readonly ProposalIncident[];
  readonly offenders: readonly Offender[];
  readonly voters: readonly bigint[];
  readonly voterProposals: readonly ProposalBody[];
  readonly sync: EpochRecord['sync'];
  readonly c_shards: readonly CShard[];
  readonly economy: EconomyResult | null;
  readonly mathIncident: EngineIncident | null;
  readonly publication: Publication2 | null;
};

/** Closes window 2 (nothing is read when the epoch is frozen). */
export function closeWindow2(stage1: Stage1, answer: Json | null, proposals: readonly SignedCopy[]): Stage2 {
  const { ctx, t, prevRoot, field, s0, s1 } = stage1;
  // An answer with no canonical form is dropped on receipt (no event).
  const validator = answer === null ? null : (received(answer) ?? null);
  const topo = ctx.topology;
  const active = stage1.publication.active;
  if (stage1.frozen) {
    return {
      stage1,
      validator: null,
      proposals: [],
      events2: [],
      incidents2: [],
      step3Events: [],
      step3Incidents: [],
      offenders: [],
      voters: [],
      voterProposals: [],
      sync: null,
      c_shards: [],
      economy: null,
      mathIncident: null,
      publication: null,
    };
  }
  // Step 2: the validator.
  const v = checkValidator(topo, t, field.psi, validator);

  // Step 3: each distinct proposal, in digest order.
  const entries = signedEntries('proposal', proposals);
  const step3Events: Step3Event[] = [];
  const valid = new Map<bigint, { digest: string; body: ProposalBody }[]>();
  for (const e of entries) {
    const read = readProposal(e.message, topo);
    if (!read.ok) {
      step3Events.push({ kind: 'proposal_rejected', digest: e.digest, shard: null, reason: 'malformed' });
      continue;
    }
    const body = read.value;
    if (body.epoch !== t) {
      step3Events.push({ kind: 'proposal_rejected', digest: e.digest, shard: body.shard, reason: 'wrong_epoch' });
      continue;
    }
    if (!active.includes(body.shard)) {
      step3Events.push({ kind: 'proposal_ignored', digest: e.digest, shard: body.shard });
      continue;
    }
    if (!signedBy('qfs/v13/proposal', e.digest, e.signatures, shardKey(ctx, body.shard))) {
      step3Events.push({ kind: 'proposal_rejected', digest: e.digest, shard: body.shard, reason: 'bad_signature' });
      continue;
    }
    if (body.prev_root !== prevRoot) {
      step3Events.push({ kind: 'proposal_rejected', digest: e.digest, shard: body.shard, reason: 'wrong_prev_root' });
      continue;
    }
    valid.set(body.shard, [...(valid.get(body.shard) ?? []), { digest: e.digest, body }]);
  }
  byShardDigest(step3Events, (e) => e.digest);

  const basis = stage1.publication.basis;
  const step3Incidents: ProposalIncident[] = [];
  const offenders: Offender[] = [];
  const voters: bigint[] = [];
  const voterProposals: ProposalBody[] = [];
  for (const shard of active) {
    const ps = valid.get(shard) ?? [];
    if (ps.length === 0) continue;
    let incident: ProposalIncident | null;
    if (ps.length >= 2) incident = { code: 'CIR-412', ea: 'EA-8', shard, evidence: { proposals: ps.map((p) => p.digest) } };
    else incident = reporterFault(ctx, basis, ps[0]!.body, ps[0]!.digest);
    if (incident === null) {
      voters.push(shard);
      voterProposals.push(ps[0]!.body);
      continue;
    }
    step3Incidents.push(incident);
    offenders.push({ shard, groupHalt: incident.code === 'CIR-412' && !planted('no-group-halt') });
    if (planted('offender-votes')) {
      voters.push(shard);
      voterProposals.push(ps[0]!.body);
    }
  }

  // Step 11's evidence and c_shards (kept on an abort).
  const reports: ShardValue[] = voterProposals.map((p) => ({ shard: p.shard, value: p.reports.sync }));
  const sync = syncRecord(field.c, reports);
  const c_shards: CShard[] = voterProposals.map((p) => {
    const c = stakeCoherence(basis, p.shard, p.actions);
    return { shard: p.shard, open: c.open, with_stakes: c.with_stakes };
  });

  // Steps 4–11: the candidate (the whole next state if the epoch commits).
  let economy: EconomyResult | null = null;
  let mathIncident: EngineIncident | null = null;
  let candidate: Candidate | null = null;
  if (voters.length > 0) {
    try {
      economy = runEconomy(topo, s1, field, voterProposals.flatMap((p) => p.actions), t);
    } catch (e) {
      if (!(e instanceof MathViolation)) throw e;
      mathIncident = { code: 'CIR-511', ea: null, shard: null, evidence: { cause: 'math_violation', reason: e.reason, op: e.field } };
    }
    if (economy !== null) {
      const state: State = {
        ...s1,
        epoch: t,
        nodes: economy.nodes,
        users: economy.users,
        treasury: economy.treasury,
        chr_pool: economy.chr_pool,
        unstakes: economy.unstakes,
        coherence: field.c, // step 11: the agreed ΨSync
        shards: incidentBookkeeping(ctx.genesis, s0.shards, t, offenders),
      };
      const all = candidateClaims({
        topology: topo,
        before: stage1.S.nodes,
        after: economy.nodes,
        psyMinted: economy.record.psy_minted,
        m: economy.holo.nodes.map((n) => n.m),
        r: economy.holo.nodes.map((n) => n.r),
        k: economy.record.rewards.nodes.map((n) => n.k),
        u: economy.record.rewards.users.map((u) => u.u),
        actions: voterProposals.flatMap((p) => p.actions),
      });
      const claims = new Map<bigint, Claims>(voters.map((shard) => [shard, all[topo.shardIndex.get(shard)!]!]));
      candidate = { state, root: stateRoot(state), claims };
    }
  }
  return {
    stage1,
    validator,
    proposals: entries,
    events2: v.events,
    incidents2: v.incidents,
    step3Events,
    step3Incidents,
    offenders,
    voters,
    voterProposals,
    sync,
    c_shards,
    economy,
    mathIncident,
    publication: { epoch: t, prev_root: prevRoot, voters, proposals: voterProposals, validator, incidents: step3Incidents, candidate },
  };
}

// ---------------------------------------------------------------------------------------------
// Window 3: steps 12–14

/** The quorum of step 13: `max(1, floorDiv(2n + 2, 3))` matching votes, n = the voters. */
export const quorumNeeded = (n: bigint): bigint => max(1n, floorDiv(2n * n + 2n, 3n) - (planted('quorum-one-short') ? 1n : 0n));

/** The step-12 judgement of one vote against the candidate. */
export function compareVote(candidate: Candidate, vote: VoteBody): { readonly fields: ClaimMismatch[]; readonly rootMatches: boolean } {
  const computed = candidate.claims.get(vote.shard)!;
  const fields: ClaimMismatch[] = [];
  for (const f of CLAIM_FIELDS) {
    if (enc(vote.claims[f]) !== enc(computed[f])) fields.push({ field: f, claimed: vote.claims[f], computed: computed[f] });
  }
  return { fields, rootMatches: vote.root === candidate.root };
}

function voteIncident(shard: bigint, digest: string, vote: VoteBody, root: string, fields: ClaimMismatch[]): VoteIncident {
  const ea = eaOfClaimField(fields[0]!.field);
  const base = { claimed_root: vote.root, root, fields };
  return match(ea)
    .with('EA-10', 'EA-3', (ea): VoteIncident => ({ code: 'CIR-511', ea, shard, evidence: { vote: digest, response: 'safe_mode', ...base } }))
    .with('EA-5', 'EA-4', (ea): VoteIncident => ({ code: 'CIR-302', ea, shard, evidence: { vote: digest, response: 'abort', ...base } }))
    .with('EA-13', (ea): VoteIncident => ({ code: planted('ea13-aborts') ? ('CIR-302' as never) : null, ea, shard, evidence: { vote: digest, response: 'reward_capped', ...base } }))
    .exhaustive();
}

/** The honest-path view of the stored inputs that the §9 checks read (P6.7's shape; the voters' proposals). */
export function stepView(stage2: Stage2): StoredInputs {
  return {
    epoch: stage2.stage1.t,
    snapshots: storedSnapshotsOf(stage2.stage1.snapshots),
    validator: stage2.validator,
    proposals: stage2.voterProposals,
  };
}

/** Closes window 3 and decides the epoch (steps 12–14). */
export function closeWindow3(stage2: Stage2, votes: readonly SignedCopy[]): LedgerEpoch {
  const stage1 = stage2.stage1;
  const { ctx, S, t, s0 } = stage1;
  const topo = ctx.topology;
  const frozen = stage1.frozen;
  const voteEntries = frozen ? [] : signedEntries('vote', votes);

  const stored: InputEntry[] = [
    ...stage1.governance.map((g): InputEntry => ({ kind: 'governance', digest: g.digest, message: g.record, signatures: g.signatures })),
    ...stage1.snapshots,
    ...stage2.proposals,
    ...voteEntries,
  ];
  if (!frozen && stage2.validator !== null) {
    const digest = messageDigest('validator', stage2.validator);
    if (digest !== undefined) stored.push({ kind: 'validator', digest, message: stage2.validator, signatures: [] });
  }
  const inputs = ledgerInputs(t, stored);
  const inputs_hash = ledgerInputsHash(inputs);

  if (frozen) {
    const next: State = { ...s0, epoch: t };
    const record = stillRecord(S, next, 'frozen', { inputs_hash, active: [], voters: [], incidents: [], events: [...stage1.govEvents], sync: null, c_shards: null });
    const out: LedgerEpoch = { state: next, record, inputs, publications: { window1: stage1.publication, window2: null } };
    const v = checkLedgerStep(ctx, S, record, next, { inputs: stepView(stage2), ledger: inputs });
    if (v.length > 0) throw new LedgerFatal(`ledger: the frozen epoch ${t} breaks ${v.map((x) => x.id).join(', ')}`, v);
    return out;
  }

  // Step 12: each distinct vote, in digest order.
  const voters = stage2.voters;
  const step12Events: Step12Event[] = [];
  const valid = new Map<bigint, { digest: string; body: VoteBody }[]>();
  for (const e of voteEntries) {
    const read = readVote(e.message, topo);
    if (!read.ok) {
      step12Events.push({ kind: 'vote_rejected', digest: e.digest, shard: null, reason: 'malformed' });
      continue;
    }
    const body = read.value;
    if (body.epoch !== t) {
      step12Events.push({ kind: 'vote_rejected', digest: e.digest, shard: body.shard, reason: 'wrong_epoch' });
      continue;
    }
    if (!voters.includes(body.shard) && !planted('non-voter-vote-counted')) {
      step12Events.push({ kind: 'vote_rejected', digest: e.digest, shard: body.shard, reason: 'not_voter' });
      continue;
    }
    if (!planted('vote-signature-unchecked') && !signedBy('qfs/v13/vote', e.digest, e.signatures, shardKey(ctx, body.shard))) {
      step12Events.push({ kind: 'vote_rejected', digest: e.digest, shard: body.shard, reason: 'bad_signature' });
      continue;
    }
    valid.set(body.shard, [...(valid.get(body.shard) ?? []), { digest: e.digest, body }]);
  }
  const candidate = stage2.publication?.candidate ?? null;
  const step12Incidents: VoteIncident[] = [];
  const voteOffenders: Offender[] = [];
  let matching = 0n;
  for (const shard of voters) {
    const vs = valid.get(shard) ?? [];
    if (vs.length === 0) continue;
    if (vs.length >= 2 && !planted('equivocation-first-counted')) {
      step12Events.push({ kind: 'vote_equivocation', shard, votes: vs.map((x) => x.digest) });
      continue;
    }
    if (candidate === null) continue;
    const { digest, body } = vs[0]!;
    const cmp = compareVote(candidate, body);
    if (cmp.fields.length > 0) {
      const incident = voteIncident(shard, digest, body, candidate.root, cmp.fields);
      step12Incidents.push(incident);
      if (incident.code !== null) voteOffenders.push({ shard, groupHalt: false });
      else if (planted('capped-vote-counted')) matching += 1n;
    } else if (!cmp.rootMatches && !planted('root-unchecked')) step12Events.push({ kind: 'vote_root_mismatch', digest, shard });
    else matching += 1n;
  }
  if (planted('non-voter-vote-counted')) {
    for (const [shard, vs] of valid) if (!voters.includes(shard) && vs.length === 1 && vs[0]!.body.root === candidate?.root) matching += 1n;
  }
  byShardDigest(step12Events, (e) => (e.kind === 'vote_equivocation' ? e.votes[0]! : e.digest));

  // Step 13.
  const step12Abort = step12Incidents.some((i) => i.code !== null && !(planted('vote-302-no-abort') && i.code === 'CIR-302'));
  const needed = quorumNeeded(BigInt(voters.length));
  const quorum = candidate !== null && !step12Abort && matching >= needed;
  const noQuorum = !step12Abort && stage2.mathIncident === null && !quorum;

  const incidents: Incident[] = [
    ...stage1.oracle.rejections.map(oracleIncident),
    ...stage2.incidents2,
    ...stage2.step3Incidents,
    ...(stage2.mathIncident === null ? [] : [stage2.mathIncident]),
    ...step12Incidents,
  ];
  const events: EpochEvent[] = [...stage1.govEvents];
  const admitted = stage1.oracle.admitted;
  if (admitted !== null) events.push({ kind: 'oracle_admitted', digest: admitted.digest, epoch: admitted.snapshot.epoch });
  events.push(...stage2.events2, ...stage2.step3Events);
  if (stage2.economy?.record.psy_exhausted === true) events.push({ kind: 'psy_exhausted' });
  events.push(...step12Events);
  if (noQuorum) events.push({ kind: 'no_quorum', votes: matching, needed });

  const common = { inputs_hash, active: [...stage1.publication.active], voters: [...voters], sync: stage2.sync, c_shards: [...stage2.c_shards] };
  const abortState = (extra: readonly Incident[]): State => {
    const safe = [...incidents, ...extra].some((i) => i.code === 'CIR-511' && !(planted('voter-511-no-safe-mode') && i.shard !== null));
    return {
      ...s0,
      epoch: t,
      mode: safe ? 'safe' : s0.mode,
      shards: incidentBookkeeping(ctx.genesis, s0.shards, t, [...stage2.offenders, ...voteOffenders]),
    };
  };
  let next: State;
  let record: EpochRecord;
  if (quorum) {
    const econ = stage2.economy!;
    next = candidate!.state;
    record = {
      epoch: t,
      prev_root: stage1.prevRoot,
      root: candidate!.root,
      outcome: 'commit',
      ...common,
      incidents,
      events,
      moves: econ.record.moves,
      flows: econ.record.flows,
      chr: econ.record.chr,
      res: econ.record.res,
      psy_minted: econ.record.psy_minted,
      rewards: econ.record.rewards,
    };
  } else {
    next = abortState([]);
    record = stillRecord(S, next, 'abort', { ...common, incidents, events });
  }

  // Step 14: the catalog on the decided outcome.
  const view = { inputs: stepView(stage2), ledger: inputs };
  const broken = checkLedgerStep(ctx, S, record, next, view);
  if (broken.length > 0) {
    const cir: EngineIncident = { code: 'CIR-511', ea: null, shard: null, evidence: { cause: 'invariant', invariants: broken.map((b) => b.id) } };
    next = abortState([cir]);
    record = stillRecord(S, next, 'abort', { ...common, incidents: [...incidents, cir], events });
    const again = checkLedgerStep(ctx, S, record, next, view);
    if (again.length > 0) throw new LedgerFatal(`ledger: epoch ${t} breaks ${broken.map((b) => b.id).join(', ')} and its abort breaks ${again.map((b) => b.id).join(', ')}`, again);
  }
  return { state: next, record, inputs, publications: { window1: stage1.publication, window2: stage2.publication } };
}

// ---------------------------------------------------------------------------------------------
// The epoch as one function, and replay

/** The epoch over all three windows' inputs: `(ctx, S, windows) → { state, record, publications }`. */
export function ledgerEpoch(ctx: EpochContext, S: State, w: LedgerWindows): LedgerEpoch {
  const s1 = closeWindow1(ctx, S, w.governance, w.snapshots);
  const s2 = closeWindow2(s1, w.validator, w.proposals);
  return closeWindow3(s2, w.votes);
}

/** The window inputs a stored inputs document holds (every copy it records). */
export function windowsOf(stored: LedgerInputs): LedgerWindows {
  const copies = (kind: 'proposal' | 'vote'): SignedCopy[] => entriesOf(stored, kind).flatMap((e) => e.signatures.map((signature) => ({ message: e.message, signature })));
  const validator = entriesOf(stored, 'validator')[0];
  return {
    governance: entriesOf(stored, 'governance').map((e) => ({ record: e.message, signatures: e.signatures })),
    snapshots: entriesOf(stored, 'snapshot').flatMap((e) => e.signatures.map((signature) => ({ snapshot: e.message, signature }))),
    validator: validator === undefined ? null : validator.message,
    proposals: copies('proposal'),
    votes: copies('vote'),
  };
}

// ---------------------------------------------------------------------------------------------
// EA-14's recovery epoch (§7, P10.9)

/** A recovery epoch: the next state, its record and its stored inputs `{ epoch, recovery }`. */
export type RecoveryEpoch = { readonly state: State; readonly record: EpochRecord; readonly inputs: RecoveryInputs };

/** The honest-path view of a recovery epoch's inputs for the §9 checks: it read nothing. */
const emptyView = (epoch: bigint): StoredInputs => ({ epoch, snapshots: [], validator: null, proposals: [] });

/**
 * EA-14's recovery epoch k = S.epoch + 1 (§7, P10.9), S being the state before k: it reads no
 * message and aborts with one CIR-511 incident (EA-14, shard null, evidence the recovery object),
 * entering safe mode. Record: `active`, `voters`, `c_shards` and `events` empty, `sync` `{ c: C of
 * S's field, median: null, reports: [] }`, the rest as every abort (stillRecord). Step 14 runs the
 * catalog; a recovery that breaks an invariant is fatal (there is no other outcome to fall back to).
 */
export function recoveryEpoch(ctx: EpochContext, S: State, recovery: Recovery): RecoveryEpoch {
  checkGenesis(ctx, S);
  const t = S.epoch + 1n;
  if (recovery.from !== t) throw new Error(`recoveryEpoch: the recovery of epoch ${recovery.from} on the state after epoch ${S.epoch}`);
  const inputs = recoveryInputs(recovery);
  const incident: RecoveryIncident = { code: 'CIR-511', ea: 'EA-14', shard: null, evidence: recovery };
  const next: State = { ...S, epoch: t, mode: 'safe' };
  const c = openingField(ctx.topology, S.nodes).c;
  const record = stillRecord(S, next, 'abort', {
    inputs_hash: ledgerInputsHash(inputs),
    active: [],
    voters: [],
    incidents: [incident],
    events: [],
    sync: { c, median: null, reports: [] },
    c_shards: [],
  });
  const v = checkLedgerStep(ctx, S, record, next, { inputs: emptyView(t), ledger: inputs });
  if (v.length > 0) throw new LedgerFatal(`ledger: the recovery epoch ${t} breaks ${v.map((x) => x.id).join(', ')}`, v);
  return { state: next, record, inputs };
}

/**
 * Re-executes an epoch from its stored inputs (§7): P10.6's document through the three windows, a
 * recovery document (P10.9) through `recoveryEpoch`. The result's record is byte for byte the
 * original's when the inputs are the ones the epoch stored; `inputs` is the document as the
 * re-execution stores it (equal to `stored` for a genuine document).
 */
export function replayLedgerEpoch(ctx: EpochContext, S: State, stored: LedgerInputs): LedgerEpoch;
export function replayLedgerEpoch(ctx: EpochContext, S: State, stored: RecoveryInputs): RecoveryEpoch;
export function replayLedgerEpoch(ctx: EpochContext, S: State, stored: StoredLedgerInputs): LedgerEpoch | RecoveryEpoch;
export function replayLedgerEpoch(ctx: EpochContext, S: State, stored: StoredLedgerInputs): LedgerEpoch | RecoveryEpoch {
  if (stored.epoch !== S.epoch + 1n) throw new Error(`replayLedgerEpoch: the inputs are for epoch ${stored.epoch}, not ${S.epoch + 1n}`);
  if (isRecoveryInputs(stored)) return recoveryEpoch(ctx, S, stored.recovery);
  return ledgerEpoch(ctx, S, windowsOf(stored));
}

/** `record.replay` (§9, metamorphic): re-executing the stored inputs reproduces the record and the inputs byte for byte. */
export function checkRecordReplay(ctx: EpochContext, S: State, record: EpochRecord, stored: StoredLedgerInputs): { readonly id: 'record.replay'; readonly message: string } | null {
  let again: LedgerEpoch | RecoveryEpoch;
  try {
    again = replayLedgerEpoch(ctx, S, stored);
  } catch (e) {
    return { id: 'record.replay', message: `re-execution failed: ${(e as Error).message}` };
  }
  if (enc(again.inputs) !== enc(stored)) return { id: 'record.replay', message: 'the re-executed epoch stores other inputs (a message it would not read, or a copy it would drop)' };
  if (enc(again.record) !== enc(record)) return { id: 'record.replay', message: 'the re-executed record differs' };
  return null;
}

/** The §9 catalog on a ledger epoch known only by (S, record, next state, stored inputs): builds the view and runs it. */
export function checkLedgerEpoch(ctx: EpochContext, S: State, record: EpochRecord, next: State, stored: StoredLedgerInputs, prevRecord: EpochRecord | null = null) {
  if (isRecoveryInputs(stored)) return checkLedgerStep(ctx, S, record, next, { inputs: emptyView(stored.epoch), ledger: stored }, prevRecord);
  const w = windowsOf(stored);
  const s2 = closeWindow2(closeWindow1(ctx, S, w.governance, w.snapshots), w.validator, w.proposals);
  return checkLedgerStep(ctx, S, record, next, { inputs: stepView(s2), ledger: stored }, prevRecord);
}
