/**
 * The ledger epoch as one function over all three windows' inputs (`ledgerEpoch`), the re-execution
 * of a stored inputs document (SPEC §7: docs/spec.md P10.6's document, or P10.9's recovery
 * document), and the checks that read a stored epoch: `record.replay` and the §9 catalog.
 */
import type { State } from '../economics/state.ts';
import type { EpochContext } from '../epoch/epoch.ts';
import type { EpochRecord } from '../epoch/epoch-record.ts';
import { checkLedgerStep } from '../invariants/catalog.ts';
import { entriesOf, isRecoveryInputs, type LedgerInputs, type RecoveryInputs, type StoredLedgerInputs } from '../ledger/ledger-inputs.ts';
import type { SignedCopy } from '../ledger/proposal.ts';
import { sameBytes } from './messages.ts';
import { stepView } from './outcome.ts';
import { emptyView, recoveryEpoch, type RecoveryEpoch } from './recovery-epoch.ts';
import { closeWindow1 } from './window1.ts';
import { closeWindow2 } from './window2.ts';
import { closeWindow3 } from './window3.ts';
import type { LedgerEpoch, LedgerWindows } from './windows.ts';

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
  // Plain Error: a document paired with another epoch's state is the caller's bug (the store checks the epoch first).
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
    // Whatever stops the re-execution (a bad document, LedgerFatal, a bug) is this check's failure.
    return { id: 'record.replay', message: `re-execution failed: ${(e as Error).message}` };
  }
  if (!sameBytes(again.inputs, stored)) return { id: 'record.replay', message: 'the re-executed epoch stores other inputs (a message it would not read, or a copy it would drop)' };
  if (!sameBytes(again.record, record)) return { id: 'record.replay', message: 'the re-executed record differs' };
  return null;
}

/** The §9 catalog on a ledger epoch known only by (S, record, next state, stored inputs): builds the view and runs it. */
export function checkLedgerEpoch(ctx: EpochContext, S: State, record: EpochRecord, next: State, stored: StoredLedgerInputs, prevRecord: EpochRecord | null = null) {
  if (isRecoveryInputs(stored)) return checkLedgerStep(ctx, S, record, next, { inputs: emptyView(stored.epoch), ledger: stored }, prevRecord);
  const w = windowsOf(stored);
  const s2 = closeWindow2(closeWindow1(ctx, S, w.governance, w.snapshots), w.validator, w.proposals);
  return checkLedgerStep(ctx, S, record, next, { inputs: stepView(s2), ledger: stored }, prevRecord);
}
