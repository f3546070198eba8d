/**
 * `incident.evidence` and `incident.bookkeeping` (§9): every incident re-derived from the stored
 * inputs and the recomputed field or candidate (no honest shard is blamed), and the shards' halts,
 * violations, blacklists and the mode following the incidents.
 */
import { SCALE } from '../math/certified-math.ts';
import type { Incident } from '../epoch/epoch-record.ts';
import { firstActionFault, stakeCoherence } from '../economics/action-rules.ts';
import { oracleIncident } from '../epoch/oracle.ts';
import type { Topology } from '../field/topology.ts';
import { checkValidator } from '../epoch/validator.ts';
import { exactAbs, exactMulDiv } from '../math/exact-math.ts';
import { entriesOf } from '../ledger/ledger-inputs.ts';
import { ownedEdges } from '../ledger/proposal.ts';
import { triangles } from '../field/psi-field.ts';
import type { Offender } from '../ledger/system-recovery.ts';
import { CLAIM_FIELDS, eaOfClaimField } from '../ledger/vote.ts';
import { bookkeptShards, STEP12_EAS, STEP3_EAS } from './bookkeeping.ts';
import { enc, fail, first, same, sameList } from './compare.ts';
import { derive } from './recompute.ts';
import type { StepArgs, StepCheck, Violation } from './step-check.ts';
import { validProposal, validVote, validVotes } from './stored-messages.ts';

export const incidentEvidence: StepCheck = (x) => {
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

/** Each shard gains at most one violation; halts, group halts, blacklists and the mode follow the incidents; rotations and reinstatements the records. */
export const incidentBookkeepingCheck: StepCheck = (x) => {
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
