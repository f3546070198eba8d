/** Which incidents halt a shard, and §7's bookkeeping of halts, violations and blacklists, recomputed. */
import type { Incident } from '../epoch/epoch-record.ts';
import type { State } from '../economics/state.ts';
import type { Offender } from '../ledger/system-recovery.ts';
import type { StepArgs } from './step-check.ts';

/** Shards answered at step 3 (their incidents name them and carry a code). */
export const STEP3_EAS: ReadonlySet<string> = new Set(['EA-7', 'EA-1', 'EA-2', 'EA-6', 'EA-9', 'EA-8']);
/** Shards answered at step 12 (a claim of their vote differs from the candidate). */
export const STEP12_EAS: ReadonlySet<string> = new Set(['EA-10', 'EA-3', 'EA-5', 'EA-4', 'EA-13']);
export function step3Offenders(incidents: readonly Incident[]): Offender[] {
  return incidents.flatMap((i) => (i.shard !== null && i.code !== null && i.ea !== null && STEP3_EAS.has(i.ea) ? [{ shard: i.shard, groupHalt: i.code === 'CIR-412' }] : []));
}

/**
 * §7's bookkeeping, written out again (independently of system-recovery.ts): each offender
 * `halted_until = max(., t + HALT_EPOCHS)` and one violation (once per epoch), CIR-412 halts the
 * other shards of its group until t + 1 without a violation, blacklisted at BLACKLIST_AFTER.
 */
export function bookkeptShards(x: StepArgs, s0: State, offenders: readonly Offender[]): State['shards'] {
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
