/**
 * What a step invariant reads and what it returns. Without the ledger, `inputs` is the honest
 * epoch's inputs document (epoch.ts, P6.7): the voters' proposals carry their actions and reports.
 * The ledger (`checkLedgerStep`) passes the same view of its stored inputs (the voters' proposals)
 * and, beside it, the stored inputs themselves (`ledger`, P10.6): step 0 is then recomputed from
 * the stored governance records (the mode, the active set, rotations, reinstatements),
 * `incident.evidence` re-derives every step-3 and step-12 incident from the stored messages, and
 * `ledger.quorum` counts the stored votes.
 */
import type { EpochRecord } from '../epoch/epoch-record.ts';
import type { Genesis } from '../genesis/genesis.ts';
import type { State } from '../economics/state.ts';
import type { Topology } from '../field/topology.ts';
import type { StoredInputs } from '../epoch/epoch.ts';
import type { StoredLedgerInputs } from '../ledger/ledger-inputs.ts';

/** What a step check reads. */
export type StepArgs = {
  readonly genesis: Genesis;
  readonly genesisHash: string;
  readonly topology: Topology;
  readonly prev: State;
  /** The previous epoch's record (absent for the first epoch, or when the caller has none). */
  readonly prevRecord?: EpochRecord | null;
  readonly record: EpochRecord;
  readonly next: State;
  readonly inputs: StoredInputs;
  /** The ledger's stored inputs (P10.6), when the epoch was decided by the ledger; absent on the honest path. */
  readonly ledger?: StoredLedgerInputs | null;
};

/** A broken invariant: what was expected and what was found, as canonical text. */
export type Violation = { readonly message: string; readonly expected: string; readonly actual: string };
export type StepCheck = (x: StepArgs) => Violation | null;
