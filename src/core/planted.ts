/**
 * Planted bugs (issue 19): named, deliberate faults that the harness (models/) switches on for one
 * run to show that the property suites catch each of them. Nothing in src/ or cli/ sets one, so
 * the production path only ever compares against null. The names are data; the faults live at
 * their sites as `if (planted('name'))` branches, each a one-line departure from the rule.
 */
export const PLANTED_BUGS = [
  /** Step 12/13: a vote from a shard that is not a voter (halted, blacklisted, inactive, an offender) is counted when its root matches. */
  'non-voter-vote-counted',
  /** Step 12/13: a capped EA-13 vote counts toward the quorum. */
  'capped-vote-counted',
  /** Step 3: EA-1 compares the reported ψ only, never the gradients. */
  'ea1-gradient-unchecked',
  /** Step 3 / P6.2: EA-9's divergence bound is twice the spec's. */
  'ea9-bound-doubled',
  /** Step 13: the quorum is one vote lower than max(1, floorDiv(2n + 2, 3)). */
  'quorum-one-short',
  /** Step 12: a voter's two distinct votes are not an equivocation; the first in digest order is judged. */
  'equivocation-first-counted',
  /** Step 12: a vote whose claims all match counts whatever root it names. */
  'root-unchecked',
  /** Step 12: an EA-13 mismatch aborts like EA-4/EA-5 (code CIR-302). */
  'ea13-aborts',
  /** Step 3: EA-7's curl check is skipped. */
  'ea7-unchecked',
  /** Step 3: a CIR-412 offender's group is not halted. */
  'no-group-halt',
  /** §7 bookkeeping: the offender is halted one epoch short of HALT_EPOCHS. */
  'halt-one-short',
  /** §7 bookkeeping: the offender's violation is not counted. */
  'violation-uncounted',
  /** Step 3 EA-6: the overdraft rule (Σ transfers + stakes ≤ flx) is not checked. */
  'overdraft-unchecked',
  /** Step 3 EA-6: nonces are not checked. */
  'nonce-unchecked',
  /** Step 1: a snapshot one epoch older than the window is still fresh. */
  'stale-off-by-one',
  /** Step 1: a future snapshot is not refused. */
  'future-admitted',
  /** Step 1: a snapshot at or before last_oracle_epoch is not refused. */
  'replay-admitted',
  /** Step 2: the validator's answer is never compared. */
  'validator-ignored',
  /** Step 3: an offender still votes. */
  'offender-votes',
  /** Step 3 EA-2: the ε_sync tolerance is halved. */
  'ea2-bound-halved',
  /** Step 3 EA-2: the sync report is not checked. */
  'ea2-unchecked',
  /** Step 3 EA-1: the ψ reports are not compared (gradients still are). */
  'ea1-psi-unchecked',
  /** Step 3 EA-6: an action of another shard's node is accepted. */
  'foreign-action-accepted',
  /** Step 3 EA-6: a zero amount is accepted. */
  'zero-amount-accepted',
  /** Step 2: only the first node's ψ is compared. */
  'validator-first-node-only',
  /** Step 12/13: a CIR-302 vote (EA-4, EA-5) does not abort the epoch. */
  'vote-302-no-abort',
  /** §7: a CIR-511 attributed to a voter (EA-3, EA-10) does not enter safe mode. */
  'voter-511-no-safe-mode',
  /** Step 1: the lowest-epoch valid snapshot is admitted. */
  'oracle-oldest-wins',
  /** Step 12: a vote's signature is not verified. */
  'vote-signature-unchecked',
] as const;
export type PlantedBug = (typeof PLANTED_BUGS)[number];

let current: PlantedBug | null = null;

/** Switches a planted bug on (null: off). Only the harness calls this, around one run. */
export function plantBug(bug: PlantedBug | null): void {
  current = bug;
}

/** True iff `bug` is the planted one (always false in production). */
export const planted = (bug: PlantedBug): boolean => current === bug;
