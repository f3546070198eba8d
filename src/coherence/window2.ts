/**
 * Window 2 of the ledger: step 2 (the validator's answer), step 3 (step3.ts), step 11's evidence
 * and steps 4–11 (candidate.ts); publication 2. Nothing is read when the epoch is frozen.
 */
import type { Json } from '../math/canonical.ts';
import { stakeCoherence } from '../economics/action-rules.ts';
import type { EconomyResult } from '../economics/harmonic-economics.ts';
import type { ProposalBody } from '../economics/honest-agent.ts';
import type { CShard, EngineIncident, EpochEvent, EpochRecord, Incident, ProposalIncident, ShardValue } from '../epoch/epoch-record.ts';
import { checkValidator } from '../epoch/validator.ts';
import { received, signedEntries, type SignedEntry } from '../ledger/ledger-inputs.ts';
import type { SignedCopy } from '../ledger/proposal.ts';
import { syncRecord } from '../ledger/psi-sync.ts';
import type { Offender } from '../ledger/system-recovery.ts';
import { candidateStep } from './candidate.ts';
import { judgeReporters, readProposals, type Step3Event } from './step3.ts';
import type { Stage1 } from './window1.ts';
import type { Publication2 } from './windows.ts';

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

/** What window 2 holds when the epoch is frozen: nothing read, no publication. */
const frozenStage2 = (stage1: Stage1): Stage2 => ({
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
});

/** Closes window 2 (nothing is read when the epoch is frozen). */
export function closeWindow2(stage1: Stage1, answer: Json | null, proposals: readonly SignedCopy[]): Stage2 {
  const { ctx, t, prevRoot, field } = stage1;
  // An answer with no canonical form is dropped on receipt (no event).
  const validator = answer === null ? null : (received(answer) ?? null);
  const active = stage1.publication.active;
  if (stage1.frozen) return frozenStage2(stage1);
  // Step 2: the validator.
  const v = checkValidator(ctx.topology, t, field.psi, validator);

  // Step 3: each distinct proposal, in digest order, then each active shard's valid proposals.
  const entries = signedEntries('proposal', proposals);
  const read = readProposals(ctx, t, prevRoot, active, entries);
  const basis = stage1.publication.basis;
  const { incidents: step3Incidents, offenders, voters, voterProposals } = judgeReporters(ctx, basis, active, read.valid);

  // Step 11's evidence and c_shards (kept on an abort).
  const reports: ShardValue[] = voterProposals.map((p) => ({ shard: p.shard, value: p.reports.sync }));
  const sync = syncRecord(field.c, reports);
  const c_shards: CShard[] = voterProposals.map((p) => {
    const c = stakeCoherence(basis, p.shard, p.actions);
    return { shard: p.shard, open: c.open, with_stakes: c.with_stakes };
  });

  // Steps 4–11: the candidate (the whole next state if the epoch commits).
  const { economy, mathIncident, candidate } = candidateStep(stage1, voters, voterProposals, offenders);
  return {
    stage1,
    validator,
    proposals: entries,
    events2: v.events,
    incidents2: v.incidents,
    step3Events: read.events,
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
