/**
 * The participation rule and the CIR bookkeeping written from docs/spec.md (§5 participation, §7
 * table) without src/ledger/system-recovery.ts: which shards are active in epoch t, and the shard
 * states and mode an epoch's incidents leave. CIR-302 and CIR-412 halt the offender until
 * max(halted_until, t + HALT_EPOCHS) with one violation (blacklisted at BLACKLIST_AFTER); CIR-412
 * halts the offender's group-mates until max(halted_until, t + 1); a CIR-511 enters safe mode and,
 * attributed to a voter (EA-3, EA-10), gives it the CIR-302 bookkeeping. An EA-13 (no code) does
 * nothing. At most one violation per shard and epoch.
 */
import type { Incident } from '../../src/epoch/epoch-record.ts';
import type { Genesis } from '../../src/genesis/genesis.ts';
import type { ShardState, State } from '../../src/economics/state.ts';

/** §5: active in t iff the mode (after step 0) is normal, not blacklisted, and halted_until < t. */
export const modelActive = (shards: readonly ShardState[], mode: State['mode'], t: bigint): bigint[] =>
  mode === 'safe' ? [] : shards.filter((s) => !s.blacklisted && s.halted_until < t).map((s) => s.id);

/** §7: the shard states after epoch t's incidents. */
export function modelBookkeeping(genesis: Genesis, shards: readonly ShardState[], t: bigint, incidents: readonly Incident[]): ShardState[] {
  const H = genesis.constants.halt_epochs;
  const B = genesis.constants.blacklist_after;
  const offenders = new Set<bigint>();
  const groupHalted = new Set<bigint>();
  for (const i of incidents) {
    if (i.shard === null || i.code === null) continue;
    offenders.add(i.shard);
    if (i.code === 'CIR-412') for (const g of genesis.groups) if (g.includes(i.shard)) for (const m of g) if (m !== i.shard) groupHalted.add(m);
  }
  return shards.map((s) => {
    let halted = s.halted_until;
    let violations = s.violations;
    let blacklisted = s.blacklisted;
    if (groupHalted.has(s.id) && halted < t + 1n) halted = t + 1n;
    if (offenders.has(s.id)) {
      if (halted < t + H) halted = t + H;
      violations += 1n;
      if (violations >= B) blacklisted = true;
    }
    return { id: s.id, halted_until: halted, violations, blacklisted };
  });
}

/** §7: safe mode after a non-frozen epoch iff one of its incidents is a CIR-511. */
export const modelMode = (incidents: readonly Incident[]): State['mode'] => (incidents.some((i) => i.code === 'CIR-511') ? 'safe' : 'normal');
