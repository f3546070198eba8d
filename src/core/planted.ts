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
] as const;
export type PlantedBug = (typeof PLANTED_BUGS)[number];

let current: PlantedBug | null = null;

/** Switches a planted bug on (null: off). Only the harness calls this, around one run. */
export function plantBug(bug: PlantedBug | null): void {
  current = bug;
}

/** True iff `bug` is the planted one (always false in production). */
export const planted = (bug: PlantedBug): boolean => current === bug;
