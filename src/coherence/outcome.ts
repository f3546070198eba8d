/**
 * Steps 13 and 14 of the ledger (docs/spec.md P10.7, P10.8): the quorum, the record's incidents and
 * events in pipeline order, the outcome (commit → the candidate; abort → S with the epoch advanced,
 * step 0's effects and the bookkeeping), then the §9 catalog on the decided outcome: a broken commit
 * becomes an abort with a CIR-511; a broken abort or frozen epoch is fatal (`LedgerFatal`).
 */
import type { State } from '../economics/state.ts';
import type { StoredInputs } from '../epoch/epoch.ts';
import type { EngineIncident, EpochEvent, EpochRecord, Incident } from '../epoch/epoch-record.ts';
import { oracleIncident } from '../epoch/oracle.ts';
import { commitRecord, stillRecord } from '../epoch/record-builder.ts';
import { checkLedgerStep } from '../invariants/catalog.ts';
import type { LedgerInputs } from '../ledger/ledger-inputs.ts';
import { incidentBookkeeping } from '../ledger/system-recovery.ts';
import { quorumNeeded, type Step12 } from './step12.ts';
import { storedSnapshotsOf } from './window1.ts';
import type { Stage2 } from './window2.ts';
import { LedgerFatal } from './windows.ts';
import { planted } from '../core/planted.ts';

/** The next state and the record of a decided epoch. */
export type Decided = { readonly state: State; readonly record: EpochRecord };

/** The honest-path view of the stored inputs that the §9 checks read (P6.7's shape; the voters' proposals). */
export function stepView(stage2: Stage2): StoredInputs {
  return {
    epoch: stage2.stage1.t,
    snapshots: storedSnapshotsOf(stage2.stage1.snapshots),
    validator: stage2.validator,
    proposals: stage2.voterProposals,
  };
}

/** A frozen epoch (P10.2): step 0's events only; a catalog violation is fatal (nothing was read that could be rolled back). */
export function frozenOutcome(stage2: Stage2, inputs: LedgerInputs, inputs_hash: string): Decided {
  const { ctx, S, t, s0, govEvents } = stage2.stage1;
  const next: State = { ...s0, epoch: t };
  const record = stillRecord(S, next, 'frozen', { inputs_hash, active: [], voters: [], incidents: [], events: [...govEvents], sync: null, c_shards: null });
  const v = checkLedgerStep(ctx, S, record, next, { inputs: stepView(stage2), ledger: inputs });
  if (v.length > 0) throw new LedgerFatal(`ledger: the frozen epoch ${t} breaks ${v.map((x) => x.id).join(', ')}`, v);
  return { state: next, record };
}

/** The record's incidents in pipeline order: EA-11, EA-12, step 3, a step 4–10 CIR-511, step 12. */
const pipelineIncidents = (stage2: Stage2, votes: Step12): Incident[] => [
  ...stage2.stage1.oracle.rejections.map(oracleIncident),
  ...stage2.incidents2,
  ...stage2.step3Incidents,
  ...(stage2.mathIncident === null ? [] : [stage2.mathIncident]),
  ...votes.incidents,
];

/** The record's events in pipeline order: steps 0, 1, 2, 3, 8, 12 and step 13's `no_quorum` when given. */
function pipelineEvents(stage2: Stage2, votes: Step12, noQuorum: { readonly votes: bigint; readonly needed: bigint } | null): EpochEvent[] {
  const stage1 = stage2.stage1;
  const events: EpochEvent[] = [...stage1.govEvents];
  const admitted = stage1.oracle.admitted;
  if (admitted !== null) events.push({ kind: 'oracle_admitted', digest: admitted.digest, epoch: admitted.snapshot.epoch });
  events.push(...stage2.events2, ...stage2.step3Events);
  if (stage2.economy?.record.psy_exhausted === true) events.push({ kind: 'psy_exhausted' });
  events.push(...votes.events);
  if (noQuorum !== null) events.push({ kind: 'no_quorum', votes: noQuorum.votes, needed: noQuorum.needed });
  return events;
}

/** Steps 13 and 14 of an epoch that is not frozen, after step 12. */
export function decideOutcome(stage2: Stage2, votes: Step12, inputs: LedgerInputs, inputs_hash: string): Decided {
  const stage1 = stage2.stage1;
  const { ctx, S, t, s0 } = stage1;
  const voters = stage2.voters;
  const candidate = stage2.publication?.candidate ?? null;

  // Step 13.
  const step12Abort = votes.incidents.some((i) => i.code !== null && !(planted('vote-302-no-abort') && i.code === 'CIR-302'));
  const needed = quorumNeeded(BigInt(voters.length));
  const quorum = candidate !== null && !step12Abort && votes.matching >= needed;
  const noQuorum = !step12Abort && stage2.mathIncident === null && !quorum;

  const incidents = pipelineIncidents(stage2, votes);
  const events = pipelineEvents(stage2, votes, noQuorum ? { votes: votes.matching, needed } : null);
  const common = { inputs_hash, active: [...stage1.publication.active], voters: [...voters], sync: stage2.sync, c_shards: [...stage2.c_shards] };
  const abortState = (extra: readonly Incident[]): State => {
    const safe = [...incidents, ...extra].some((i) => i.code === 'CIR-511' && !(planted('voter-511-no-safe-mode') && i.shard !== null));
    return {
      ...s0,
      epoch: t,
      mode: safe ? 'safe' : s0.mode,
      shards: incidentBookkeeping(ctx.genesis, s0.shards, t, [...stage2.offenders, ...votes.offenders]),
    };
  };
  let next: State;
  let record: EpochRecord;
  if (quorum) {
    // `quorum` implies a candidate, hence the economy it was computed from.
    next = candidate!.state;
    record = commitRecord({ epoch: t, prev_root: stage1.prevRoot, root: candidate!.root }, { ...common, incidents, events }, stage2.economy!.record);
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
  return { state: next, record };
}
