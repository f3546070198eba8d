/** Failures and reports of adversary runs: AdversaryFailure, per-attack outcomes, pause-shift fractions. */
import { canonicalString, parseCanonical, type Encodable, type Json } from '../../src/math/canonical.ts';
import type { EpochRecord, Incident } from '../../src/epoch/epoch-record.ts';
import { type State } from '../../src/economics/state.ts';
import { type Ea } from './strategies.ts';

// ---------------------------------------------------------------------------------------------
// Failures and reports

export type Triple = readonly [string | null, string | null, bigint | null];

/** A check that failed: the invariant (or suite assertion) id, the epoch, expected and actual. */
export class AdversaryFailure extends Error {
  override readonly name = 'AdversaryFailure';
  constructor(
    readonly invariant: string,
    readonly epoch: bigint,
    /** The failure without the "<invariant> at epoch <e>" prefix (the counterexample's `failure.message`). */
    readonly detail: string,
    readonly expected: Json,
    readonly actual: Json,
    readonly roots: readonly string[],
  ) {
    super(`${invariant} at epoch ${epoch}: ${detail}`);
  }
}

/** What one attack did in its epoch (the suite's statistics). */
export type AttackOutcome = { readonly ea: Ea; readonly applied: boolean; readonly detected: boolean; readonly paused: boolean; readonly epoch: bigint };

/** A non-negative fraction `[numerator, denominator > 0]`. */
export type Fraction = readonly [bigint, bigint];
export const SHIFT_TOKENS = ['chr', 'flx', 'psy', 'atr', 'res'] as const;
/** §8's pause shift of one attack: per token a fraction of the plain twin's supply (null: n/a, that supply is 0). */
export type PauseShift = Readonly<Record<(typeof SHIFT_TOKENS)[number], Fraction | null>>;

export const largerFraction = (a: Fraction | null, b: Fraction | null): Fraction | null => (a === null ? b : b === null ? a : a[0] * b[1] >= b[0] * a[1] ? a : b);
/** The token-wise larger of two pause shifts (undefined: not measured). */
export function maxShift(a: PauseShift | undefined, b: PauseShift | undefined): PauseShift | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return { chr: largerFraction(a.chr, b.chr), flx: largerFraction(a.flx, b.flx), psy: largerFraction(a.psy, b.psy), atr: largerFraction(a.atr, b.atr), res: largerFraction(a.res, b.res) };
}
/** The exact form kept in the evidence: "<num>/<den>" or "n/a". */
export const fractionText = (x: Fraction | null): string => (x === null ? 'n/a' : `${x[0]}/${x[1]}`);
/** A fraction as a percentage with 4 decimals, for people. */
export function fractionPercent(x: Fraction | null): string {
  if (x === null || x[1] === 0n) return 'n/a';
  const bp = (x[0] * 1_000_000n) / x[1];
  return `${bp / 10000n}.${(bp % 10000n).toString().padStart(4, '0')}%`;
}

export type EpochReport = {
  readonly epoch: bigint;
  /** The pause shift of the epoch's applied attacks, when the run went on for HALT_EPOCHS more epochs. */
  shift?: PauseShift;
  readonly outcome: EpochRecord['outcome'];
  readonly root: string;
  readonly attacks: readonly AttackOutcome[];
  readonly safeModeEntered: boolean;
  /** The epoch's vote moves: applied (the shard was in the position to make it) and the expected event observed. */
  readonly moves: readonly { readonly move: string; readonly applied: boolean; readonly detected: boolean }[];
};

export type RunReport = {
  readonly genesisHash: string;
  readonly epochs: readonly EpochReport[];
  readonly roots: readonly string[];
  /** The run's start state and every epoch's record and next state (the evidence's ledger runs). */
  readonly start: State;
  readonly steps: readonly { readonly record: EpochRecord; readonly next: State }[];
  readonly aborted: bigint;
  /** Aborts caused by the network delaying honest votes (EA-13 `starve`), not counted in `aborted`. */
  readonly networkAborts: bigint;
  readonly safeModeEntries: bigint;
  readonly bound: { readonly aborts: bigint; readonly safeMode: bigint };
};

export const triple = (i: Incident): Triple => [i.code, i.ea, i.shard];
export const tripleKey = (t: Triple): string => `${t[0] ?? '-'}|${t[1] ?? '-'}|${t[2] ?? '-'}`;
export const sortedKeys = (ts: readonly Triple[]): string[] => ts.map(tripleKey).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export const jsonOf = (v: unknown): Json => parseCanonical(canonicalString(v as Encodable));
