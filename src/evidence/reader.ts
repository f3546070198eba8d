/**
 * Reading package files: every fault is `E_EVIDENCE` with the field `file` or `file:json.path`
 * (a JSONL line is `[i]`, 0-based), so the verifier's first fault names where it is (P11.4).
 */
import { parseCanonical, type Json } from '../math/canonical.ts';
import { QfsError } from '../core/errors.ts';
import { at, Reader, type JsonObject } from '../math/schema.ts';
import { TOKENS, type Supplies, type TokenKey } from './names.ts';

export class EvidenceReader extends Reader {
  constructor(readonly file: string) {
    super('E_EVIDENCE');
  }
  override fail(path: string, message: string): never {
    throw new QfsError('E_EVIDENCE', path === '' ? this.file : `${this.file}:${path}`, message);
  }
  oneOf<T extends string>(v: Json | undefined, path: string, allowed: readonly T[]): T {
    const s = this.string(v, path);
    if (!(allowed as readonly string[]).includes(s)) this.fail(path, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(s)}`);
    return s as T;
  }
  boolean(v: Json | undefined, path: string): boolean {
    if (typeof v !== 'boolean') this.fail(path, 'expected a boolean');
    return v as boolean;
  }
  nullOr<T>(v: Json | undefined, path: string, read: (v: Json | undefined, path: string) => T): T | null {
    return v === null ? null : read(v, path);
  }
  digest(v: Json | undefined, path: string): string {
    return this.hex(v, path, 32);
  }
  supplies(v: Json | undefined, path: string): Supplies {
    const o = this.object(v, path, TOKENS);
    const s = {} as Record<TokenKey, bigint>;
    for (const t of TOKENS) s[t] = this.unsigned(o[t], at(path, t));
    return s;
  }
  /** A plain object whose keys are not pinned here (a P7 row: only the fields the checks use are read). */
  loose(v: Json | undefined, path: string): JsonObject {
    if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected an object');
    return v as JsonObject;
  }
  /** Parses canonical JSON bytes. */
  parse(bytes: Uint8Array): Json {
    try {
      return parseCanonical(bytes);
    } catch (e) {
      if (e instanceof QfsError) return this.fail(e.field, `not canonical JSON: ${e.message}`);
      throw e;
    }
  }
  /** A JSONL file: one canonical value a line, each line newline-terminated (empty file: no lines). */
  lines(bytes: Uint8Array): Json[] {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return this.fail('', 'bytes are not valid UTF-8');
    }
    if (text === '') return [];
    if (!text.endsWith('\n')) this.fail('', 'the last line is not newline-terminated');
    return text
      .slice(0, -1)
      .split('\n')
      .map((line, i) => {
        try {
          return parseCanonical(line);
        } catch (e) {
          if (e instanceof QfsError) return this.fail(`[${i}]`, `line ${i + 1} is not canonical JSON: ${e.message}`);
          throw e;
        }
      });
  }
}
