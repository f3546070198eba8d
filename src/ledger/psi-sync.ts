/**
 * PsiSyncProtocol (SPEC §6 steps 3 and 11). Every proposal reports `sync`, the shard's value of the
 * global coherence C. The agreed ΨSync is the ledger's own C of the opening field (never a vote
 * among shards); a reporter whose report is off C by more than `mulDiv(C, EPSILON_SYNC, SCALE)` is
 * an EA-2 offender (step 3, CIR-412). The voters' reports and their lower median are recorded as
 * evidence (`sync: { c, median, reports }`), and the candidate stores C as `coherence`.
 *
 * Every voter passed EA-2, so every report lies within ε_sync of C and so does the median, with
 * any number of Byzantine voters; an honest report deviates by exactly 0. The comparison is exact
 * (a report and ε_sync may be as large as the §1 range allows): never a MathViolation.
 */
import { median, SCALE } from '../math/certified-math.ts';
import { planted } from '../core/planted.ts';
import type { ShardValue, SyncRecord } from '../epoch/epoch-record.ts';
import { exactAbs, exactMulDiv } from '../math/exact-math.ts';
import type { OpeningField } from '../field/psi-field.ts';

/** The agreed ΨSync: the ledger's C of the opening field. */
export const agreedCoherence = (field: OpeningField): bigint => field.c;

/** `mulDiv(C, EPSILON_SYNC, SCALE)`, exact. */
export const syncTolerance = (c: bigint, epsilonSync: bigint): bigint => exactMulDiv(c, epsilonSync, SCALE) >> (planted('ea2-bound-halved') ? 1n : 0n);

/** `|report − C|`, exact. */
export const syncDeviation = (report: bigint, c: bigint): bigint => exactAbs(report - c);

/** EA-2: the report is off C by more than the tolerance. */
export const syncBreach = (report: bigint, c: bigint, epsilonSync: bigint): boolean => !planted('ea2-unchecked') && syncDeviation(report, c) > syncTolerance(c, epsilonSync);

/** Step 11's evidence: C, the lower median of the reports (null when there is none), every report in shard order. */
export function syncRecord(c: bigint, reports: readonly ShardValue[]): SyncRecord {
  return { c, median: reports.length === 0 ? null : median(reports.map((r) => r.value)), reports: [...reports] };
}
