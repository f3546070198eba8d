/**
 * CLI plumbing: exit codes, error printing, and running a command body so that every failure is
 * one line naming its code and field.
 */
import { match } from 'ts-pattern';
import type { QfsErrorCode } from '../src/core/errors.ts';

/** Documented exit codes (README): 0 ok, 1 the thing checked is invalid, 2 bad usage, 3 I/O. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, io: 3 } as const;

export function exitCodeFor(code: QfsErrorCode): number {
  return match(code)
    .with('E_USAGE', () => EXIT.usage)
    .with('E_IO', () => EXIT.io)
    .with(
      'E_MATH',
      'E_CANONICAL',
      'E_MALFORMED',
      'E_GENESIS_SCHEMA',
      'E_GENESIS_BOUND',
      'E_GENESIS_RULE',
      'E_GENESIS_SUPPLY',
      'E_SIGNATURES',
      'E_GOVERNANCE',
      'E_KEY',
      'E_KEY_PERMISSIONS',
      'E_COUNTEREXAMPLE',
      'E_EVIDENCE',
      'E_ANCHOR',
      () => EXIT.invalid,
    )
    .exhaustive();
}

/**
 * Wraps a command body. Failures propagate to `main` (cli/program.ts), which prints the one line
 * and returns the exit code; nothing here exits the process (the bad-input suite runs in-process).
 */
export const run =
  <A extends unknown[]>(body: (...args: A) => void | Promise<void>) =>
  async (...args: A): Promise<void> => {
    await body(...args);
  };

export const DEV_NOTE = 'DEVELOPMENT key (derived from a published seed: anyone can sign with it; demo and tests only)';
