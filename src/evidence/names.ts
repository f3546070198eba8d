/**
 * The evidence package's names (SPEC §10, §11; docs/spec.md P11.1, P11.3): files, formats, the
 * acceptance table's rows, and the types every other evidence module shares.
 */
import { compareString, EA_IDS as VOCABULARY_EA_IDS } from '../core/vocabulary.ts';

/** The seven artifact files, in name order (code unit): the leaves of the Merkle tree. */
export const ARTIFACTS = [
  'phase3_adversary_results.json',
  'phase3_harmonics.jsonl',
  'phase3_holofield_rewards.json',
  'phase3_ledger_consistency.json',
  'phase3_psi_dynamics.json',
  'phase3_psisync.json',
  'phase3_treasury.jsonl',
] as const;
export type ArtifactName = (typeof ARTIFACTS)[number];

export const FINAL_HASH_FILE = 'phase3_final_hash.sha256';
export const MANIFEST_FILE = 'phase3_manifest.json';
export const SIGNATURE_FILE = 'phase3_manifest.sig';

/** Every file of a package, in name order: exactly these and nothing else. */
export const PACKAGE_FILES: readonly string[] = [...ARTIFACTS, FINAL_HASH_FILE, MANIFEST_FILE, SIGNATURE_FILE].sort(compareString);

export const MANIFEST_FORMAT = 'qfs-phase3/manifest/2';
export const LEDGER_FORMAT = 'qfs-phase3/ledger-consistency/2';
export const PSISYNC_FORMAT = 'qfs-phase3/psisync/1';
export const ADVERSARY_FORMAT = 'qfs-phase3/adversary-results/2';
export const MANIFEST_TAG = 'qfs/v13/manifest';

/** The acceptance table (SPEC §11), in this order; "evidence package verifies" is `qfs verify` itself (P11.3). */
export const ACCEPTANCE = [
  { id: 'stake_bound', criterion: "stake-driven change of every voter's C_s within EA-9's bound on every committed epoch" },
  { id: 'psisync_deviation', criterion: 'PsiSync deviation <= epsilon_sync for honest shards (it is exactly 0)' },
  { id: 'treasury_cross_runtime', criterion: 'treasury distribution identical across TypeScript, Python and Rust' },
  { id: 'adversaries_detected', criterion: 'all 14 adversaries detected and neutralized, with the expected code and no other' },
  { id: 'value_leakage', criterion: 'value leakage under attack: a lie or a halt moves nothing (0)' },
  { id: 'pause_shift', criterion: "pause shift under attack below 1% of every token's supply (SPEC 8's plain twin), every measured shift" },
  { id: 'reward_monotone', criterion: 'reward monotonicity holds' },
  { id: 'cross_shard_consistency', criterion: 'cross-shard consistency verified' },
  { id: 'safe_mode', criterion: 'safe mode works for CIR-511 (entered, and exited by M founders and not by fewer)' },
] as const;
export type AcceptanceId = (typeof ACCEPTANCE)[number]['id'];
export const ACCEPTANCE_STATUSES = ['pass', 'fail', 'not_run'] as const;
export type AcceptanceStatus = (typeof ACCEPTANCE_STATUSES)[number];

/** Supply keys of the artifacts (lowercase token names). */
export const TOKENS = ['chr', 'flx', 'psy', 'atr', 'res'] as const;
export type TokenKey = (typeof TOKENS)[number];
export const EA_IDS: readonly string[] = VOCABULARY_EA_IDS;

export type Supplies = { readonly [K in TokenKey]: bigint };

export interface AcceptanceRow {
  readonly id: AcceptanceId;
  readonly criterion: string;
  readonly status: AcceptanceStatus;
  readonly figure: string;
}

export type AcceptanceResult = { readonly id: AcceptanceId; readonly status: AcceptanceStatus; readonly figure: string };

export interface Runtimes {
  readonly typescript: string | null;
  readonly python: string | null;
  readonly rust: string | null;
}

/** A directory's entries: name → bytes, or null for an entry that is not a regular file. */
export type PackageEntries = ReadonlyMap<string, Uint8Array | null>;
