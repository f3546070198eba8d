/**
 * Canonical encoding (SPEC §2): RFC 8785 JSON restricted so that it is trivial in every language.
 * Integers (bigint, or a safe-integer number) are written as JSON strings of decimal digits; keys
 * are `[a-z0-9_]+` sorted by code unit; no whitespace; no floats, NaN, undefined or lone surrogates.
 * A reader accepts only bytes that are already canonical: it never normalises (that would change a hash).
 */
import { QfsError } from './errors.ts';

/** What the encoder accepts. */
export type Encodable =
  | null
  | boolean
  | string
  | bigint
  | number
  | readonly Encodable[]
  | { readonly [key: string]: Encodable };

/** What the reader returns: integers stay strings; the schema of each document decides which are numbers. */
export type Json = null | boolean | string | readonly Json[] | { readonly [key: string]: Json };

const KEY = /^[a-z0-9_]+$/;
/** A canonical integer string: no `-0`, no leading zeros, no `+`. */
export const INTEGER = /^(0|-?[1-9][0-9]*)$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const fail = (path: string, message: string): never => {
  throw new QfsError('E_CANONICAL', path, message);
};

/** A string sink; chunks are handed on in order. */
export interface Sink {
  write(chunk: string): void;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function encodeString(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) fail(path, 'string holds a lone surrogate (not UTF-8)');
  // JSON.stringify escapes exactly as RFC 8785 asks: \" \\ \b \f \n \r \t, other controls as \u00xx.
  return JSON.stringify(s);
}

function encodeInto(value: Encodable | undefined, path: string, out: Sink): void {
  switch (typeof value) {
    case 'bigint':
      out.write(`"${value.toString()}"`);
      return;
    case 'number':
      if (!Number.isSafeInteger(value)) fail(path, `number ${String(value)} is not a safe integer`);
      out.write(`"${(value === 0 ? 0 : value).toString()}"`);
      return;
    case 'string':
      out.write(encodeString(value, path));
      return;
    case 'boolean':
      out.write(value ? 'true' : 'false');
      return;
    case 'undefined':
      fail(path, 'undefined is not encodable');
      return;
    case 'object':
      break;
    default:
      fail(path, `a ${typeof value} is not encodable`);
  }
  if (value === null) {
    out.write('null');
    return;
  }
  if (Array.isArray(value)) {
    out.write('[');
    const items = value as readonly Encodable[];
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out.write(',');
      encodeInto(items[i], `${path}[${i}]`, out);
    }
    out.write(']');
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) fail(path, 'only plain objects are encodable');
  const obj = value as { readonly [key: string]: Encodable };
  const keys = Object.keys(obj).sort(byCodeUnit);
  out.write('{');
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const sub = path === '' ? key : `${path}.${key}`;
    if (!KEY.test(key)) fail(sub, `key ${JSON.stringify(key)} is not [a-z0-9_]+`);
    if (i > 0) out.write(',');
    out.write(`"${key}":`);
    encodeInto(obj[key], sub, out);
  }
  out.write('}');
}

/** Writes the canonical text of `value` into `sink` (streaming: nothing is built whole). */
export function encodeTo(value: Encodable, sink: Sink): void {
  encodeInto(value, '', sink);
}

/** The canonical text of `value`. */
export function canonicalString(value: Encodable): string {
  const parts: string[] = [];
  encodeTo(value, { write: (c) => parts.push(c) });
  return parts.join('');
}

/** The canonical bytes of `value` (UTF-8). */
export function canonicalBytes(value: Encodable): Uint8Array {
  return new TextEncoder().encode(canonicalString(value));
}

function refuseNumbers(v: unknown, path: string): void {
  if (typeof v === 'number') fail(path, 'a JSON number is not canonical: integers are decimal strings');
  if (Array.isArray(v)) v.forEach((x, i) => refuseNumbers(x, `${path}[${i}]`));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) refuseNumbers(x, path === '' ? k : `${path}.${k}`);
  }
}

/**
 * Reads bytes that must already be canonical. Refuses invalid UTF-8, invalid JSON, numbers,
 * duplicate or unsorted keys, whitespace, and anything else whose re-encoding would differ.
 */
export function parseCanonical(input: Uint8Array | string): Json {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      return fail('', 'bytes are not valid UTF-8');
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail('', `not JSON: ${(e as Error).message}`);
  }
  refuseNumbers(parsed, '');
  const again = canonicalString(parsed as Encodable);
  if (again !== text) {
    let i = 0;
    while (i < again.length && again[i] === text[i]) i++;
    fail('', `not canonical: first difference at character ${i} (duplicate or unsorted keys, whitespace, or escapes)`);
  }
  return parsed as Json;
}

/** `x` as a canonical integer string's value, else undefined. */
export function readInteger(x: Json | undefined): bigint | undefined {
  return typeof x === 'string' && INTEGER.test(x) ? BigInt(x) : undefined;
}
