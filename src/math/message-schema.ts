/**
 * Schema readers for the epoch's messages (SPEC §6: actions, oracle snapshots, the validator's
 * answer; later proposals and votes). A message that breaks its schema is *malformed*: that is a
 * value of the pipeline (a refusal, an EA-11 reason, an event), never an error of the program, so
 * these readers report the first fault as `{ field, message }` instead of a QfsError code.
 *
 * Ranges (§1): ids and epochs in `[0, 2^63)`; amounts, nonces, ψ and sync in `[0, 2^127)`;
 * gradients and deltas in `[-2^127, 2^127)`. Integers are canonical decimal strings (§2).
 */
import { err, ok, QfsError, type Result } from '../core/errors.ts';
import { at, Reader, type JsonObject } from './schema.ts';

export type { JsonObject };

/** The first schema fault of a message: the JSON path of the offending value and why. */
export type SchemaFault = { readonly field: string; readonly message: string };

export const path = at;

/** The shared readers (schema.ts), throwing `E_MALFORMED`; `readMessage` turns the first fault into a value. */
export const m = new Reader('E_MALFORMED');

/** Runs a throwing reader; its first fault becomes an error value. */
export function readMessage<T>(read: () => T): Result<T, SchemaFault> {
  try {
    return ok(read());
  } catch (e) {
    if (e instanceof QfsError && e.code === 'E_MALFORMED') return err({ field: e.field, message: e.message });
    throw e;
  }
}
