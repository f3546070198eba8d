/**
 * Step 3 of the ledger (docs/spec.md P10.3): each distinct proposal is read and checked (events for
 * the ones that fail), then each active shard's valid proposals are judged: two or more are EA-8,
 * exactly one is checked as a report (EA-7, EA-1, EA-2, EA-6, EA-9); a shard that passes is a voter.
 */
import { SCALE } from '../math/certified-math.ts';
import { exactAbs, exactMulDiv } from '../math/exact-math.ts';
import { triangles, type Triangle } from '../field/psi-field.ts';
import type { Topology } from '../field/topology.ts';
import { actionDigest, firstActionFault, stakeCoherence, type ActionBasis } from '../economics/action-rules.ts';
import type { ProposalBody } from '../economics/honest-agent.ts';
import type { EpochContext } from '../epoch/epoch.ts';
import type { LedgerEvent, ProposalIncident } from '../epoch/epoch-record.ts';
import type { SignedEntry } from '../ledger/ledger-inputs.ts';
import { ownedEdges, readProposal } from '../ledger/proposal.ts';
import { syncBreach, syncTolerance } from '../ledger/psi-sync.ts';
import type { Offender } from '../ledger/system-recovery.ts';
import { byShardDigest, shardKey, signedBy } from './messages.ts';
import { planted } from '../core/planted.ts';

export type Step3Event = Extract<LedgerEvent, { readonly kind: 'proposal_ignored' | 'proposal_rejected' }>;

/** A proposal that passed the message checks, by digest. */
export type ValidProposal = { readonly digest: string; readonly body: ProposalBody };

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

/**
 * Step 3's message checks, each distinct proposal in digest order: `malformed`, `wrong_epoch`,
 * an inactive shard (ignored), `bad_signature`, `wrong_prev_root`. Returns the events, sorted by
 * (shard, digest), and the proposals that pass, by shard.
 */
export function readProposals(
  ctx: EpochContext,
  t: bigint,
  prevRoot: string,
  active: readonly bigint[],
  entries: readonly SignedEntry[],
): { readonly events: Step3Event[]; readonly valid: ReadonlyMap<bigint, readonly ValidProposal[]> } {
  const events: Step3Event[] = [];
  const valid = new Map<bigint, ValidProposal[]>();
  for (const e of entries) {
    const read = readProposal(e.message, ctx.topology);
    if (!read.ok) {
      events.push({ kind: 'proposal_rejected', digest: e.digest, shard: null, reason: 'malformed' });
      continue;
    }
    const body = read.value;
    if (body.epoch !== t) {
      events.push({ kind: 'proposal_rejected', digest: e.digest, shard: body.shard, reason: 'wrong_epoch' });
      continue;
    }
    if (!active.includes(body.shard)) {
      events.push({ kind: 'proposal_ignored', digest: e.digest, shard: body.shard });
      continue;
    }
    if (!signedBy('qfs/v13/proposal', e.digest, e.signatures, shardKey(ctx, body.shard))) {
      events.push({ kind: 'proposal_rejected', digest: e.digest, shard: body.shard, reason: 'bad_signature' });
      continue;
    }
    if (body.prev_root !== prevRoot) {
      events.push({ kind: 'proposal_rejected', digest: e.digest, shard: body.shard, reason: 'wrong_prev_root' });
      continue;
    }
    valid.set(body.shard, [...(valid.get(body.shard) ?? []), { digest: e.digest, body }]);
  }
  byShardDigest(events, (e) => e.digest);
  return { events, valid };
}

export type Reporters = {
  readonly incidents: readonly ProposalIncident[];
  readonly offenders: readonly Offender[];
  /** The reporters that are not offenders, ascending, with their proposals. */
  readonly voters: readonly bigint[];
  readonly voterProposals: readonly ProposalBody[];
};

/** Step 3's judgement of each active shard's valid proposals, in shard order. */
export function judgeReporters(ctx: EpochContext, basis: ActionBasis, active: readonly bigint[], valid: ReadonlyMap<bigint, readonly ValidProposal[]>): Reporters {
  const incidents: ProposalIncident[] = [];
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
    incidents.push(incident);
    offenders.push({ shard, groupHalt: incident.code === 'CIR-412' && !planted('no-group-halt') });
    if (planted('offender-votes')) {
      voters.push(shard);
      voterProposals.push(ps[0]!.body);
    }
  }
  return { incidents, offenders, voters, voterProposals };
}
