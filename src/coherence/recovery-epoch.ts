/**
 * EA-14's recovery epoch (SPEC §7, docs/spec.md P10.9): it reads no message and aborts with one
 * CIR-511 incident, entering safe mode; step 14 runs the catalog on it.
 */
import type { State } from '../economics/state.ts';
import type { EpochContext, StoredInputs } from '../epoch/epoch.ts';
import type { EpochRecord, RecoveryIncident } from '../epoch/epoch-record.ts';
import { stillRecord } from '../epoch/record-builder.ts';
import { openingField } from '../field/psi-field.ts';
import { checkLedgerStep } from '../invariants/catalog.ts';
import { ledgerInputsHash, recoveryInputs, type Recovery, type RecoveryInputs } from '../ledger/ledger-inputs.ts';
import { checkGenesis } from './window1.ts';
import { LedgerFatal } from './windows.ts';

/** A recovery epoch: the next state, its record and its stored inputs `{ epoch, recovery }`. */
export type RecoveryEpoch = { readonly state: State; readonly record: EpochRecord; readonly inputs: RecoveryInputs };

/** The honest-path view of a recovery epoch's inputs for the §9 checks: it read nothing. */
export const emptyView = (epoch: bigint): StoredInputs => ({ epoch, snapshots: [], validator: null, proposals: [] });

/**
 * EA-14's recovery epoch k = S.epoch + 1, S being the state before k (P10.9's record: an abort with
 * the one EA-14 incident, `sync` from S's field, every list empty). A recovery that breaks an
 * invariant is fatal: there is no other outcome to fall back to.
 */
export function recoveryEpoch(ctx: EpochContext, S: State, recovery: Recovery): RecoveryEpoch {
  checkGenesis(ctx, S);
  const t = S.epoch + 1n;
  // Plain Error: a recovery paired with another epoch's state is the caller's bug (the store derives both).
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
