/**
 * The epoch record of SPEC §6 (hashed with `qfs/v13/epoch`), its incidents and its events, as
 * types. The layout pins are in the comment block at the top of `epoch.ts`.
 */
import type { Encodable } from './canonical.ts';
import type { Flow, NodeValue, ResCredit } from './harmonic-economics.ts';
import { taggedHashHex } from './hashing.ts';
import type { Move } from './state.ts';
import type { UserPayout } from './treasury-distribution.ts';

export type Outcome = 'commit' | 'abort' | 'frozen';

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
/** The incidents of the honest path. The ledger adds steps 3 and 12 (and CIR-511 of step 14). */
export type Incident = OracleIncident | ValidatorIncident;

/** The events of the honest path, `{ kind, ... }`. The ledger adds its own kinds (governance, proposals, votes). */
export type EpochEvent =
  | { readonly kind: 'oracle_admitted'; readonly digest: string; readonly epoch: bigint }
  | { readonly kind: 'validator_malformed'; readonly digest: string }
  | { readonly kind: 'psy_exhausted' }
  | { readonly kind: 'no_quorum'; readonly votes: bigint; readonly needed: bigint };

export type ShardValue = { readonly shard: bigint; readonly value: bigint };
export type SyncRecord = { readonly c: bigint; readonly median: bigint | null; readonly reports: readonly ShardValue[] };
export type CShard = { readonly shard: bigint; readonly open: bigint; readonly with_stakes: bigint };
export type RewardNodeRecord = { readonly node: bigint; readonly m: bigint; readonly w: bigint; readonly r: bigint; readonly k: bigint };

export type EpochRecord = {
  readonly epoch: bigint;
  readonly prev_root: string;
  readonly root: string;
  readonly outcome: Outcome;
  readonly inputs_hash: string;
  readonly active: readonly bigint[];
  readonly voters: readonly bigint[];
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
