/**
 * The commands of the model-based economy suite (fast-check `fc.commands` / `fc.modelRun`), as data.
 *
 * Every command is plain data (`CommandData`, JSON): a user action is an *intent* resolved against
 * the current state when the command runs (node index mod n, an amount as a fraction of the
 * relevant balance left or an invalid amount, a nonce offset from the next valid nonce, a target),
 * so a stored counterexample replays after the generators change (`commandsFromData`, command.ts).
 *
 *   submit      one user action, valid or not, to its own shard or another one
 *   duplicate   a second copy of an already submitted action (nonce_conflict when the first is taken)
 *   snapshot    oracle snapshots: timely, stale, future, replayed, several competing, or malformed;
 *               signed with the dev oracle key or a wrong key; one copy, two copies, or a good and a
 *               wrong-key copy of one snapshot
 *   validator   the validator's answer for the next epoch: honest, lying on some nodes, malformed
 *   safe-mode   sets S.mode = "safe" (what a CIR-511 abort leaves): the honest epoch's frozen path
 *               (§6 step 0, P6.10) is reachable this way, and every later epoch is frozen, since
 *               exiting needs a governance record, which the honest epoch does not read yet. The edit
 *               is outside any epoch, so the next epoch is checked without the previous record
 *               (ledger.chain still checks prev_root = root(S))
 *   advance     runs the epoch on the pending inputs and checks it against the catalog and the
 *               model (advance.ts)
 *
 * Halting or blacklisting a shard needs the ledger (steps 3 and 12), which does not exist yet: no
 * command does it.
 */
export type ActionKind = 'transfer' | 'stake' | 'unstake' | 'psy_transfer';
/**
 * A fraction (per mille, 1..1000) of what the node has left of the relevant balance, or an invalid
 * amount: 0 (non_positive_amount), −1 or 2^127 (malformed), more than the balance in S (overdraft),
 * or a JSON number (no canonical form: dropped on receipt, no refusal).
 */
export type AmountIntent = { readonly permille: number } | { readonly bad: 'zero' | 'negative' | 'over' | 'huge' | 'float' };
/** `peer`: another node of the acting node's shard; `any`: any other node; or itself; or no node at all. */
export type TargetIntent = { readonly peer: number } | { readonly any: number } | 'self' | 'unknown';

export type SubmitData = {
  readonly cmd: 'submit';
  readonly kind: ActionKind;
  /** Node index mod n, or a node that does not exist. */
  readonly node: number | 'unknown';
  readonly amount: AmountIntent;
  /** 0 = the next valid nonce; anything else is added to it (an invalid nonce). */
  readonly nonce: number;
  readonly target: TargetIntent;
  /** 0 = the acting node's own shard; k = the k-th next shard (wrong_shard when it is another one). */
  readonly via: number;
};
export type DuplicateData = { readonly cmd: 'duplicate'; readonly pick: number };
export type SnapshotWhen = 'timely' | 'stale' | 'future' | 'replayed' | 'competing' | 'malformed';
export type SnapshotData = {
  readonly cmd: 'snapshot';
  readonly when: SnapshotWhen;
  /** How far inside or outside the window (and which flaw, for a malformed one). */
  readonly lag: number;
  /** Listed nodes (index mod n) and their dissonance level (level · SCALE / 4). */
  readonly dis: readonly { readonly node: number; readonly level: number }[];
  readonly key: 'oracle' | 'wrong';
  readonly copies: 'one' | 'two' | 'plus-wrong';
};
export type LieKind = 'plus-one' | 'minus-one' | 'zero' | 'double';
export type ValidatorData = {
  readonly cmd: 'validator';
  readonly kind: 'honest' | 'lying' | 'malformed';
  readonly lies: readonly { readonly node: number; readonly lie: LieKind }[];
  /** Which schema fault, for a malformed answer. */
  readonly flaw: number;
};
export type SafeModeData = { readonly cmd: 'safe-mode' };
export type AdvanceData = { readonly cmd: 'advance'; /** Seed of the arrival-order permutation. */ readonly perm: number };

export type CommandData = SubmitData | DuplicateData | SnapshotData | ValidatorData | SafeModeData | AdvanceData;
