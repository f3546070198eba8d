/**
 * Builders of the main job's own artifact layouts (P11.6, P11.7): one ledger run of
 * `phase3_ledger_consistency.json` and `phase3_psisync.json`. The P7 files are phase3-data.ts's.
 */
import type { Encodable } from '../math/canonical.ts';
import { abs, max, mulDiv, SCALE } from '../math/certified-math.ts';
import type { EpochRecord } from '../epoch/epoch-record.ts';
import { recordHash } from '../epoch/epoch-record.ts';
import { atrSupply, chrSupply, flxSupply, psySupply, resSupply, stateRoot, type State } from '../economics/state.ts';
import { PSISYNC_FORMAT, type Supplies } from './names.ts';

export const suppliesOf = (s: State): Supplies => ({ chr: chrSupply(s), flx: flxSupply(s), psy: psySupply(s), atr: atrSupply(s), res: resSupply(s) });

/** An incident as the artifacts hold it (without its evidence). */
export type IncidentTriple = { readonly code: string | null; readonly ea: string | null; readonly shard: bigint | null };

/** Why a run failed the harness's checks (a failed run is evidence too: it stays in the package). */
export type RunFailureData = { readonly invariant: string; readonly epoch: bigint; readonly message: string };

/**
 * One run of `phase3_ledger_consistency.json` from its start state and epochs (`next` = the state
 * after the record). `expected[i]` are the incidents epoch i + 1's applied attacks must raise (SPEC
 * §8's triple), `failure` the harness's verdict when the run failed a check (its epochs up to and
 * including the failing one are kept).
 */
export function ledgerConsistencyRun(
  run: string,
  ea: string | null,
  genesisHash: string,
  start: State,
  steps: readonly { readonly record: EpochRecord; readonly next: State }[],
  extra: { readonly expected?: readonly (readonly IncidentTriple[])[]; readonly failure?: RunFailureData | null } = {},
): Encodable {
  return {
    run,
    ea,
    genesis: genesisHash,
    genesis_root: stateRoot(start),
    genesis_supplies: suppliesOf(start),
    failure: extra.failure ?? null,
    epochs: steps.map(({ record: r, next }, i) => ({
      epoch: r.epoch,
      prev_root: r.prev_root,
      root: r.root,
      outcome: r.outcome,
      mode: next.mode,
      record_hash: recordHash(r),
      incidents: r.incidents.map((x) => ({ code: x.code, ea: x.ea, shard: x.shard })),
      expected: (extra.expected?.[i] ?? []).map((x) => ({ code: x.code, ea: x.ea, shard: x.shard })),
      events: r.events.map((x) => x.kind),
      stakes: (r.c_shards ?? []).map((c) => ({ shard: c.shard, open: c.open, with_stakes: c.with_stakes })),
      supplies: suppliesOf(next),
    })),
  };
}

/** `phase3_psisync.json` from the records of the main run (frozen epochs, which have no sync, are left out). */
export function psisyncData(genesisHash: string, epsilonSync: bigint, records: readonly EpochRecord[]): Encodable {
  return {
    format: PSISYNC_FORMAT,
    genesis: genesisHash,
    epsilon_sync: epsilonSync,
    epochs: records.flatMap((r) => {
      if (r.sync === null) return [];
      const { c, median: med, reports } = r.sync;
      return [{ epoch: r.epoch, c, median: med, reports, max_deviation: maxDeviation(c, reports.map((x) => x.value)), epsilon_bound: mulDiv(c, epsilonSync, SCALE) }];
    }),
  };
}

export const maxDeviation = (c: bigint, values: readonly bigint[]): bigint => values.reduce((m, v) => max(m, abs(v - c)), 0n);
