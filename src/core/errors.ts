/**
 * Errors are values with a stable code. Every fault the reference machine can report is one of
 * these codes; `field` names the JSON path (or argument) at fault, `""` for a whole document.
 * Callers match on `code` exhaustively (ts-pattern), so a new code is a compile error until handled.
 */
export type QfsErrorCode =
  | 'E_MATH' // a CertifiedMath violation (SPEC §1); answered as CIR-511 outside step 3 (§7)
  | 'E_CANONICAL' // bytes or a value outside the canonical subset (SPEC §2)
  | 'E_MALFORMED' // a message (action, snapshot, answer, proposal, vote) that breaks its schema (SPEC §6)
  | 'E_GENESIS_SCHEMA'
  | 'E_GENESIS_BOUND'
  | 'E_GENESIS_RULE'
  | 'E_GENESIS_SUPPLY'
  | 'E_SIGNATURES' // a genesis that is not certified by M distinct founders
  | 'E_GOVERNANCE' // a governance record that does not verify
  | 'E_KEY' // a malformed key or key file
  | 'E_KEY_PERMISSIONS' // a secret key file readable by group or others
  | 'E_COUNTEREXAMPLE' // a stored counterexample that does not read (SPEC §12)
  | 'E_EVIDENCE' // an evidence package that does not verify (SPEC §10)
  | 'E_ANCHOR' // a ledger store's anchor that is missing, altered, truncated, stale or not the operator's (docs/spec.md P10.11)
  | 'E_IO' // a file that cannot be read or written
  | 'E_USAGE'; // a bad command-line argument

export class QfsError extends Error {
  override readonly name = 'QfsError';
  constructor(
    readonly code: QfsErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
  /** The one-line form the CLI prints: `E_GENESIS_BOUND constants.a_max: A_MAX (a_max) = 65 breaks 1 <= A_MAX <= 64`. */
  describe(): string {
    return `${this.code} ${this.field === '' ? '(document)' : this.field}: ${this.message}`;
  }
}

export type Result<T, E = QfsError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** Runs `f`, turning a thrown QfsError into an error value (anything else is a bug and propagates). */
export function attempt<T>(f: () => T): Result<T> {
  try {
    return ok(f());
  } catch (e) {
    if (e instanceof QfsError) return err(e);
    throw e;
  }
}
