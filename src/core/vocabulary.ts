/**
 * The project's one vocabulary: tokens, adversaries (EA ids), CIR codes, outcomes, invariant ids,
 * the EA table of SPEC §8, and the comparators every sorted list uses. Everything else imports
 * these names instead of spelling them out (docs/spec.md is the home of the rules they name).
 */

/** The five tokens (SPEC §1). */
export const TOKENS = ['CHR', 'FLX', 'PSY', 'ATR', 'RES'] as const;
export type Token = (typeof TOKENS)[number];

/** The economic adversaries of SPEC §8. */
export const EA_IDS = ['EA-1', 'EA-2', 'EA-3', 'EA-4', 'EA-5', 'EA-6', 'EA-7', 'EA-8', 'EA-9', 'EA-10', 'EA-11', 'EA-12', 'EA-13', 'EA-14'] as const;
export type EaId = (typeof EA_IDS)[number];

/** The incident codes of SPEC §7. */
export const CIR_CODES = ['CIR-302', 'CIR-412', 'CIR-511'] as const;
export type CirCode = (typeof CIR_CODES)[number];

/** An epoch's outcome (SPEC §6). */
export const OUTCOMES = ['commit', 'abort', 'frozen'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Where an attack is caught (SPEC §8's "step" column). */
export type DetectionPoint = 'step 1' | 'step 2' | 'step 3' | 'step 12' | 'opening the store';

/** One row of SPEC §8's table: where the attack is caught, its code, and the response. */
export type EaRow = { readonly name: string; readonly step: DetectionPoint; readonly code: CirCode | null; readonly response: string };

/** SPEC §8, row by row. `response` is the text reports print (the main job's table and `qfs check`). */
export const EA_TABLE: Readonly<Record<EaId, EaRow>> = {
  'EA-1': { name: 'coherence spoof', step: 'step 3', code: 'CIR-302', response: 'CIR-302: halt, actions excluded' },
  'EA-2': { name: 'ΨSync desync', step: 'step 3', code: 'CIR-412', response: 'CIR-412: halt, group halted next epoch' },
  'EA-3': { name: 'treasury siphoning', step: 'step 12', code: 'CIR-511', response: 'CIR-511: abort, safe mode, voter halted' },
  'EA-4': { name: 'resonance overdrive', step: 'step 12', code: 'CIR-302', response: 'CIR-302: cutoff, abort' },
  'EA-5': { name: 'CHR inflation', step: 'step 12', code: 'CIR-302', response: 'CIR-302: block commit (abort)' },
  'EA-6': { name: 'FLX negative flow', step: 'step 3', code: 'CIR-302', response: 'CIR-302: zero-commit' },
  'EA-7': { name: 'ψCurl collapse', step: 'step 3', code: 'CIR-412', response: 'CIR-412: halt, group halted next epoch' },
  'EA-8': { name: 'ΨSync race', step: 'step 3', code: 'CIR-412', response: 'CIR-412: both rolled back' },
  'EA-9': { name: 'harmonic divergence', step: 'step 3', code: 'CIR-302', response: 'CIR-302: actions undone' },
  'EA-10': { name: 'cross-shard imbalance', step: 'step 12', code: 'CIR-511', response: 'CIR-511: abort, safe mode, voter halted' },
  'EA-11': { name: 'oracle timing', step: 'step 1', code: null, response: 'snapshot rejected' },
  'EA-12': { name: 'validator (QPU) mismatch', step: 'step 2', code: null, response: 'fallback + evidence' },
  'EA-13': { name: 'reward amplification', step: 'step 12', code: null, response: 'hard cap, vote not counted' },
  'EA-14': { name: 'CHR imbalance', step: 'opening the store', code: 'CIR-511', response: 'caches repaired; altered epochs set aside + CIR-511' },
};

/** The invariant catalog's ids (SPEC §9), in §9 order. The catalog's entries are typed by it. */
export const INVARIANT_IDS = [
  'chr.conserved',
  'chr.rebalance',
  'flx.conserved',
  'flx.kirchhoff',
  'flx.follows-gradient',
  'psy.monotone',
  'atr.attractor',
  'res.envelope',
  'reward.monotone',
  'reward.cap',
  'treasury.exact',
  'sync.agreement',
  'field.curl-free',
  'coherence.bounded',
  'actions.applied',
  'halt.frozen',
  'unstake.queue',
  'oracle.admission',
  'incident.evidence',
  'incident.bookkeeping',
  'state.nonnegative',
  'ledger.atomic',
  'ledger.deterministic',
  'ledger.quorum',
  'ledger.chain',
  'record.inputs',
  'record.replay',
  'safe-mode.frozen',
  'atr.covers-stake',
] as const;
export type InvariantId = (typeof INVARIANT_IDS)[number];

/** Ascending bigints (the order of every id list, SPEC §2). */
export const compareBigint = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
/** Strings by UTF-16 code unit (SPEC §2's key order; never a locale). */
export const compareString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
