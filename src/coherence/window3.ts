/**
 * Window 3 of the ledger: the votes, then steps 12 (step12.ts), 13 and 14 (outcome.ts). The stored
 * inputs (docs/spec.md P10.6) are assembled here, as every message of the three windows is known.
 */
import { ledgerInputs, ledgerInputsHash, messageDigest, signedEntries, type InputEntry, type LedgerInputs, type SignedEntry } from '../ledger/ledger-inputs.ts';
import type { SignedCopy } from '../ledger/proposal.ts';
import { decideOutcome, frozenOutcome } from './outcome.ts';
import { step12 } from './step12.ts';
import type { Stage2 } from './window2.ts';
import type { LedgerEpoch } from './windows.ts';

/** The stored inputs of the epoch (P10.6): every message read in the three windows, with the union of its copies' signatures. */
function storedInputs(stage2: Stage2, voteEntries: readonly SignedEntry[]): LedgerInputs {
  const stage1 = stage2.stage1;
  const stored: InputEntry[] = [
    ...stage1.governance.map((g): InputEntry => ({ kind: 'governance', digest: g.digest, message: g.record, signatures: g.signatures })),
    ...stage1.snapshots,
    ...stage2.proposals,
    ...voteEntries,
  ];
  if (!stage1.frozen && stage2.validator !== null) {
    const digest = messageDigest('validator', stage2.validator);
    if (digest !== undefined) stored.push({ kind: 'validator', digest, message: stage2.validator, signatures: [] });
  }
  return ledgerInputs(stage1.t, stored);
}

/** Closes window 3 and decides the epoch (steps 12–14). */
export function closeWindow3(stage2: Stage2, votes: readonly SignedCopy[]): LedgerEpoch {
  const stage1 = stage2.stage1;
  const voteEntries = stage1.frozen ? [] : signedEntries('vote', votes);
  const inputs = storedInputs(stage2, voteEntries);
  const inputs_hash = ledgerInputsHash(inputs);
  const decided = stage1.frozen
    ? frozenOutcome(stage2, inputs, inputs_hash)
    : decideOutcome(stage2, step12(stage1.ctx, stage1.t, stage2.voters, voteEntries, stage2.publication?.candidate ?? null), inputs, inputs_hash);
  return { state: decided.state, record: decided.record, inputs, publications: { window1: stage1.publication, window2: stage2.publication } };
}
