/**
 * The epoch record of SPEC §6 (hashed with `qfs/v13/epoch`), its incidents and its events, as
 * types. Layout pins: docs/spec.md P6 (honest path) and P10 (the ledger's incidents and events).
 */
import type { ActionCode } from '../economics/action-rules.ts';
import type { Encodable } from '../math/canonical.ts';
import type { GovernanceReason, GovernanceRecord } from '../genesis/founders.ts';
import type { Action, Flow, NodeValue, ResCredit } from '../economics/harmonic-economics.ts';
import { taggedHashHex } from '../math/hashing.ts';
import type { Move } from '../economics/state.ts';
import type { UserPayout } from '../economics/treasury-distribution.ts';

import type { Outcome } from '../core/vocabulary.ts';
import type { Amount, Epoch, NodeId, Scaled, ShardId } from '../core/units.ts';
export type { Outcome };

/** What a vote claims about a payout and a cross-shard leg (§6 step 12; the vote itself is src/ledger/vote.ts). */
export type PayoutClaim = { readonly node: bigint; readonly cut: bigint; readonly users: readonly { readonly user: bigint; readonly value: bigint }[] };
export type LegClaim = { readonly leg: string; readonly value: bigint };

/** The claim fields in the order a mismatch is classified and listed (§6 step 12: EA-10, EA-3, EA-5, EA-4, EA-13). */
export const CLAIM_FIELDS = ['cross_in', 'cross_out', 'payouts', 'flx_delta', 'chr_delta', 'res', 'multipliers', 'rewards', 'psy_minted'] as const;
export type ClaimField = (typeof CLAIM_FIELDS)[number];


/** Why step 1 rejected a snapshot (EA-11), in check order; `superseded` is decided last. */
export type OracleReason = 'malformed' | 'bad_signature' | 'future' | 'stale' | 'replayed' | 'superseded';

/** EA-11 evidence: the snapshot by digest, the reason, its epoch (null iff malformed), the admitted digest (iff superseded). */
export type OracleEvidence = {
  readonly digest: string;
  readonly reason: OracleReason;
  readonly epoch: bigint | null;
  readonly admitted: string | null;
};

/** EA-12 evidence: the answer by digest and every differing node, in id order, with both values. */
export type ValidatorEvidence = {
  readonly digest: string;
  readonly nodes: readonly { readonly node: bigint; readonly engine: bigint; readonly validator: bigint }[];
};

export type OracleIncident = { readonly code: null; readonly ea: 'EA-11'; readonly shard: null; readonly evidence: OracleEvidence };
export type ValidatorIncident = { readonly code: null; readonly ea: 'EA-12'; readonly shard: null; readonly evidence: ValidatorEvidence };
/** The incidents of the honest path and of the ledger (steps 3, 4–10, 12 and 14: src/coherence/, docs/spec.md P10). */
export type Incident = OracleIncident | ValidatorIncident | LedgerIncident;

/** The events of the honest path, `{ kind, ... }`. The ledger adds its own kinds (governance, proposals, votes). */
export type EpochEvent =
  | { readonly kind: 'oracle_admitted'; readonly digest: string; readonly epoch: Epoch }
  | { readonly kind: 'validator_malformed'; readonly digest: string }
  | { readonly kind: 'psy_exhausted' }
  | { readonly kind: 'no_quorum'; readonly votes: bigint; readonly needed: bigint }
  | LedgerEvent;

export type ShardValue = { readonly shard: ShardId; readonly value: bigint };
export type SyncRecord = { readonly c: bigint; readonly median: bigint | null; readonly reports: readonly ShardValue[] };
export type CShard = { readonly shard: ShardId; readonly open: Scaled; readonly with_stakes: Scaled };
export type RewardNodeRecord = { readonly node: NodeId; readonly m: bigint; readonly w: bigint; readonly r: Amount; readonly k: bigint };

export type EpochRecord = {
  readonly epoch: Epoch;
  readonly prev_root: string;
  readonly root: string;
  readonly outcome: Outcome;
  readonly inputs_hash: string;
  readonly active: readonly ShardId[];
  readonly voters: readonly ShardId[];
  readonly incidents: readonly Incident[];
  readonly events: readonly EpochEvent[];
  readonly moves: readonly Move[];
  readonly flows: readonly Flow[];
  readonly chr: { readonly penalties: readonly NodeValue[]; readonly shares: readonly NodeValue[]; readonly pool: bigint };
  readonly res: { readonly cap: bigint; readonly credits: readonly ResCredit[] };
  readonly psy_minted: readonly NodeValue[];
  readonly rewards: { readonly budget: bigint; readonly nodes: readonly RewardNodeRecord[]; readonly users: readonly UserPayout[] };
  readonly sync: SyncRecord | null;
  readonly c_shards: readonly CShard[] | null;
};

/** `H("qfs/v13/epoch", record)`, lowercase hex. */
export const recordHash = (record: EpochRecord): string => taggedHashHex('qfs/v13/epoch', record as unknown as Encodable);

// ---------------------------------------------------------------------------------------------
// The ledger's incidents and events (layouts pinned in docs/spec.md P10.3–P10.5, P10.7, P10.9)

export type { CirCode } from '../core/vocabulary.ts';

/** EA-7: the first triangle (node ids a < b < c) whose curl, with the shard's gradients on its owned edges, exceeds the bound. */
export type CurlEvidence = {
  readonly proposal: string;
  readonly a: bigint;
  readonly b: bigint;
  readonly c: bigint;
  readonly ab: bigint;
  readonly bc: bigint;
  readonly ac: bigint;
  readonly curl: bigint;
  readonly bound: bigint;
};
/** EA-1: the first differing ψ (by node), else the first differing gradient (by edge). */
export type SpoofEvidence = {
  readonly proposal: string;
  readonly report: 'psi' | 'gradient';
  readonly node: bigint | null;
  readonly a: bigint | null;
  readonly b: bigint | null;
  readonly reported: bigint;
  readonly computed: bigint;
};
/** EA-2: the report, C and the tolerance `mulDiv(C, EPSILON_SYNC, SCALE)`. */
export type DesyncEvidence = { readonly proposal: string; readonly reported: bigint; readonly c: bigint; readonly bound: bigint };
/** EA-6: the first action (proposal order) that breaks a rule, and the first rule it breaks (P6.9 order). */
export type ActionEvidence = {
  readonly proposal: string;
  readonly index: bigint;
  readonly digest: string;
  readonly action: Action;
  readonly rule: Exclude<ActionCode, 'malformed' | 'coherence_divergence'>;
};
/** EA-9: C_s of the opening field, C_s with the proposal's stakes, and the bound. */
export type DivergenceEvidence = { readonly proposal: string; readonly open: bigint; readonly with_stakes: bigint; readonly bound: bigint };
/** EA-8: every valid proposal of the shard, by digest. */
export type EquivocationEvidence = { readonly proposals: readonly string[] };

export type ProposalIncident =
  | { readonly code: 'CIR-412'; readonly ea: 'EA-7'; readonly shard: ShardId; readonly evidence: CurlEvidence }
  | { readonly code: 'CIR-302'; readonly ea: 'EA-1'; readonly shard: ShardId; readonly evidence: SpoofEvidence }
  | { readonly code: 'CIR-412'; readonly ea: 'EA-2'; readonly shard: ShardId; readonly evidence: DesyncEvidence }
  | { readonly code: 'CIR-302'; readonly ea: 'EA-6'; readonly shard: ShardId; readonly evidence: ActionEvidence }
  | { readonly code: 'CIR-302'; readonly ea: 'EA-9'; readonly shard: ShardId; readonly evidence: DivergenceEvidence }
  | { readonly code: 'CIR-412'; readonly ea: 'EA-8'; readonly shard: ShardId; readonly evidence: EquivocationEvidence };

/** One mismatched claim field of a vote: the voter's list and the candidate's. */
export type ClaimList = readonly NodeValue[] | readonly PayoutClaim[] | readonly LegClaim[];
export type ClaimMismatch = { readonly field: ClaimField; readonly claimed: ClaimList; readonly computed: ClaimList };
/** Step 12: the vote, the response, both roots, and every mismatched field (in `CLAIM_FIELDS` order). */
export type VoteEvidence = {
  readonly vote: string;
  readonly response: 'safe_mode' | 'abort' | 'reward_capped';
  readonly claimed_root: string;
  readonly root: string;
  readonly fields: readonly ClaimMismatch[];
};
export type VoteIncident =
  | { readonly code: 'CIR-511'; readonly ea: 'EA-10' | 'EA-3'; readonly shard: ShardId; readonly evidence: VoteEvidence }
  | { readonly code: 'CIR-302'; readonly ea: 'EA-5' | 'EA-4'; readonly shard: ShardId; readonly evidence: VoteEvidence }
  | { readonly code: null; readonly ea: 'EA-13'; readonly shard: ShardId; readonly evidence: VoteEvidence };

/** A CIR-511 that names no shard: a MathViolation in steps 4–10, or a broken invariant at step 14 (sorted last). */
export type EngineIncident =
  | { readonly code: 'CIR-511'; readonly ea: null; readonly shard: null; readonly evidence: { readonly cause: 'math_violation'; readonly reason: string; readonly op: string } }
  | { readonly code: 'CIR-511'; readonly ea: null; readonly shard: null; readonly evidence: { readonly cause: 'invariant'; readonly invariants: readonly string[] } };

/** EA-14 (§7, P10.9): the recovery epoch's one incident; its evidence is the recovery document's `recovery`. */
export type RecoveryIncident = {
  readonly code: 'CIR-511';
  readonly ea: 'EA-14';
  readonly shard: null;
  readonly evidence: { readonly from: bigint; readonly to: bigint; readonly evidence: readonly string[] };
};

export type LedgerIncident = ProposalIncident | VoteIncident | EngineIncident | RecoveryIncident;

export type ProposalRejection = 'malformed' | 'wrong_epoch' | 'bad_signature' | 'wrong_prev_root';
export type VoteRejection = 'malformed' | 'wrong_epoch' | 'not_voter' | 'bad_signature';

export type LedgerEvent =
  | { readonly kind: 'governance_applied'; readonly digest: string; readonly record_kind: GovernanceRecord['kind'] }
  | { readonly kind: 'governance_rejected'; readonly digest: string; readonly reason: GovernanceReason }
  | { readonly kind: 'proposal_ignored'; readonly digest: string; readonly shard: ShardId }
  | { readonly kind: 'proposal_rejected'; readonly digest: string; readonly shard: bigint | null; readonly reason: ProposalRejection }
  | { readonly kind: 'vote_rejected'; readonly digest: string; readonly shard: bigint | null; readonly reason: VoteRejection }
  | { readonly kind: 'vote_equivocation'; readonly shard: bigint; readonly votes: readonly string[] }
  | { readonly kind: 'vote_root_mismatch'; readonly digest: string; readonly shard: bigint };
