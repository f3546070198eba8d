/**
 * The CoherenceLedger (SPEC §6, one vote round): the epoch as the ledger computes it, from the
 * committed state S and what each of the three windows closed with, to the next state, the epoch
 * record and the two publications. Pure: same (ctx, S, window inputs) → same bytes, whatever the
 * order in which messages arrived (every message is identified by its digest, copies merged).
 *
 *   window 1  governance records, oracle snapshots  → step 0, step 1, the opening field;
 *             publication 1: the active set and the admitted snapshot (and what follows from S)
 *   window 2  the validator's answer, the proposals → step 2, step 3, steps 4–11 (the candidate);
 *             publication 2: the candidate, its root and each voter's claims, with its inputs
 *   window 3  the votes                             → step 12, step 13, step 14
 *
 * Files: this one (what the windows close with, the publications, the result), window1.ts,
 * window2.ts (with step3.ts and candidate.ts), window3.ts (with step12.ts and outcome.ts),
 * recovery-epoch.ts (EA-14) and replay.ts (`ledgerEpoch` over all three windows at once, replay
 * of stored inputs, the catalog on a stored epoch). The driver `runLedgerEpoch` in shard-agent.ts
 * runs the shard agents between the windows.
 *
 * Layout pins: docs/spec.md P10 (P10.1 messages, P10.2 step 0, P10.3 step 3, P10.4 steps 4–10,
 * P10.5 step 12, P10.6 stored inputs, P10.7 record, P10.8 outcome, P10.9 EA-14 recovery).
 */
import type { Json } from '../math/canonical.ts';
import type { ActionBasis } from '../economics/action-rules.ts';
import type { ProposalBody } from '../economics/honest-agent.ts';
import type { State } from '../economics/state.ts';
import type { EpochRecord, ProposalIncident } from '../epoch/epoch-record.ts';
import type { Admitted, SignedSnapshot } from '../epoch/oracle.ts';
import type { LedgerInputs } from '../ledger/ledger-inputs.ts';
import type { SignedCopy } from '../ledger/proposal.ts';
import type { GovernanceCopy } from '../ledger/system-recovery.ts';
import type { Claims } from '../ledger/vote.ts';

/** What the three windows closed with (any order, any copies). */
export type LedgerWindows = {
  readonly governance: readonly GovernanceCopy[];
  readonly snapshots: readonly SignedSnapshot[];
  readonly validator: Json | null;
  readonly proposals: readonly SignedCopy[];
  readonly votes: readonly SignedCopy[];
};

export const emptyWindows: LedgerWindows = { governance: [], snapshots: [], validator: null, proposals: [], votes: [] };

/** Publication 1: the active set and the admitted snapshot, with what every agent derives from them and S. */
export type Publication1 = {
  readonly epoch: bigint;
  readonly prev_root: string;
  readonly frozen: boolean;
  readonly active: readonly bigint[];
  readonly admitted: Admitted | null;
  /** S (every shard holds it). */
  readonly state: State;
  /** S's nodes after step 1, S's unstake queue and the opening field (what step 3 judges against). */
  readonly basis: ActionBasis;
};

/** The candidate as published: the whole next state if the epoch commits, its root, each voter's claims. */
export type Candidate = { readonly state: State; readonly root: string; readonly claims: ReadonlyMap<bigint, Claims> };

/** Publication 2: the candidate with its inputs. */
export type Publication2 = {
  readonly epoch: bigint;
  readonly prev_root: string;
  readonly voters: readonly bigint[];
  /** The voters' proposals, in shard order (the candidate's inputs), and the validator's answer. */
  readonly proposals: readonly ProposalBody[];
  readonly validator: Json | null;
  /** Step 3's incidents (their bookkeeping is part of the candidate). */
  readonly incidents: readonly ProposalIncident[];
  /** Null when there is no voter or steps 4–10 raised a MathViolation. */
  readonly candidate: Candidate | null;
};

export type LedgerEpoch = {
  readonly state: State;
  readonly record: EpochRecord;
  /** The stored inputs (§7), whose hash is `record.inputs_hash`. */
  readonly inputs: LedgerInputs;
  readonly publications: { readonly window1: Publication1; readonly window2: Publication2 | null };
};

/**
 * The engine stopped (§6 step 14: the abort also broke an invariant); nothing may be appended.
 * Not a QfsError: no input is at fault (the engine is), and `violations` carries the catalog ids.
 */
export class LedgerFatal extends Error {
  override readonly name = 'LedgerFatal';
  constructor(
    message: string,
    readonly violations: readonly { readonly id: string; readonly message: string }[],
  ) {
    super(message);
  }
}
