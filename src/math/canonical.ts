/**
 * Canonical encoding (SPEC §2): RFC 8785 JSON restricted so that it is trivial in every language.
 * Integers (bigint, or a safe-integer number) are written as JSON strings of decimal digits; keys
 * are `[a-z0-9_]+` sorted by code unit; no whitespace; no floats, NaN, undefined or lone surrogates.
 * A reader accepts only bytes that are already canonical: it never normalises (that would change a hash).
 */
import { QfsError } from '../core/errors.ts';
import { compareString } from '../core/vocabulary.ts';

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


function encodeString(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) fail(path, 'string holds a lone surrogate (not UTF-8)');
  // JSON.stringify escapes exactly as RFC 8785 asks: \" \\ \b \f \n \r \t, other controls as \u00xx.
  return JSON.stringify(s);
}

/** A string that JSON.stringify leaves as it is between its quotes (no escape, no surrogate at all). */
const NEEDS_CARE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * Keys of one object shape (the key list as `Object.keys` returns it), sorted by code unit, with
 * their written heads (`{"k":` for the first, `,"k":` for the others). Only shapes whose keys all
 * match KEY are made: an object with a bad key takes the general path, which raises exactly where
 * it did (after the keys sorted before it have been written). At most MAX_SHAPES are remembered
 * across calls, MAX_SHAPES_PER_FIRST_KEY per first key (beyond, a shape is still made, and reused
 * for the objects that follow it at the same depth of that call only).
 */
type Shape = { readonly keys: readonly string[]; readonly sorted: readonly string[]; readonly heads: readonly string[] };
const shapes = new Map<string, Shape[]>();
const MAX_SHAPES = 4096;
const MAX_SHAPES_PER_FIRST_KEY = 32;
let shapeCount = 0;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shapeOf(keys: readonly string[]): Shape | undefined {
  const bucket = shapes.get(keys[0]!);
  if (bucket !== undefined) {
    for (let b = 0; b < bucket.length; b++) {
      const sh = bucket[b]!;
      if (sameKeys(sh.keys, keys)) return sh;
    }
  }
  const sorted = [...keys].sort(compareString);
  for (let i = 0; i < sorted.length; i++) if (!KEY.test(sorted[i]!)) return undefined;
  const sh: Shape = { keys: [...keys], sorted, heads: sorted.map((k, i) => `${i === 0 ? '{' : ','}"${k}":`) };
  if (shapeCount < MAX_SHAPES && (bucket === undefined || bucket.length < MAX_SHAPES_PER_FIRST_KEY)) {
    shapeCount++;
    if (bucket === undefined) shapes.set(keys[0]!, [sh]);
    else bucket.push(sh);
  }
  return sh;
}

/** Quoted decimal strings of the small non-negative integers (ids, counts, zeros), made on first use. */
const SMALL_LIMIT = 1n << 20n;
let small: (string | undefined)[] | undefined;
function quotedSmall(v: bigint): string {
  if (small === undefined) small = new Array<string | undefined>(1 << 20);
  const k = Number(v);
  let q = small[k];
  if (q === undefined) {
    q = `"${v.toString()}"`;
    small[k] = q;
  }
  return q;
}

const CHUNK = 1 << 16;

/**
 * The encoder: text is gathered in a buffer handed to the sink in chunks of about 64 KiB (the
 * concatenation of the chunks is the canonical text). The path of a value (`nodes[3].chr`) is only
 * spelled out when a fault is raised: `segs[0..depth)` hold the keys and indices leading to it.
 */
class Encoder {
  private buf = '';
  private readonly segs: (string | number)[] = [];
  /** The shape of the last object written at each depth (objects of a list share one). */
  private readonly lastShape: (Shape | undefined)[] = [];
  constructor(private readonly sink: Sink) {}

  private put(s: string): void {
    this.buf += s;
    if (this.buf.length >= CHUNK) {
      this.sink.write(this.buf);
      this.buf = '';
    }
  }

  /** Hands on whatever is buffered (at the end, or before a fault propagates). */
  flush(): void {
    if (this.buf.length > 0) this.sink.write(this.buf);
    this.buf = '';
  }

  private path(depth: number): string {
    let p = '';
    for (let d = 0; d < depth; d++) {
      const s = this.segs[d]!;
      p = typeof s === 'number' ? `${p}[${s}]` : p === '' ? s : `${p}.${s}`;
    }
    return p;
  }

  value(value: Encodable | undefined, depth: number): void {
    switch (typeof value) {
      case 'bigint':
        this.put(value < SMALL_LIMIT && value >= 0n ? quotedSmall(value) : `"${value.toString()}"`);
        return;
      case 'number':
        if (!Number.isSafeInteger(value)) fail(this.path(depth), `number ${String(value)} is not a safe integer`);
        this.put(`"${(value === 0 ? 0 : value).toString()}"`);
        return;
      case 'string':
        this.put(NEEDS_CARE.test(value) ? encodeString(value, this.path(depth)) : `"${value}"`);
        return;
      case 'boolean':
        this.put(value ? 'true' : 'false');
        return;
      case 'undefined':
        fail(this.path(depth), 'undefined is not encodable');
        return;
      case 'object':
        break;
      default:
        fail(this.path(depth), `a ${typeof value} is not encodable`);
    }
    if (value === null) {
      this.put('null');
      return;
    }
    if (Array.isArray(value)) {
      const items = value as readonly Encodable[];
      if (items.length === 0) {
        this.put('[]');
        return;
      }
      this.put('[');
      for (let i = 0; i < items.length; i++) {
        if (i > 0) this.put(',');
        this.segs[depth] = i;
        this.value(items[i], depth + 1);
      }
      this.put(']');
      return;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) fail(this.path(depth), 'only plain objects are encodable');
    const obj = value as { readonly [key: string]: Encodable };
    const keys = Object.keys(obj);
    if (keys.length === 0) {
      this.put('{}');
      return;
    }
    let shape = this.lastShape[depth];
    if (shape === undefined || !sameKeys(shape.keys, keys)) {
      shape = shapeOf(keys);
      if (shape === undefined) {
        this.general(obj, keys, depth);
        return;
      }
      this.lastShape[depth] = shape;
    }
    const { sorted, heads } = shape;
    // Bigints and plain strings are written in place; anything else through `value`.
    let text = '';
    for (let i = 0; i < sorted.length; i++) {
      const key = sorted[i]!;
      const v = obj[key];
      if (typeof v === 'bigint') text += heads[i]! + (v < SMALL_LIMIT && v >= 0n ? quotedSmall(v) : `"${v.toString()}"`);
      else if (typeof v === 'string' && !NEEDS_CARE.test(v)) text += `${heads[i]!}"${v}"`;
      else {
        this.put(text + heads[i]!);
        text = '';
        this.segs[depth] = key;
        this.value(v, depth + 1);
      }
    }
    this.put(`${text}}`);
  }

  /** An object with a key that is not `[a-z0-9_]+`: written key by key until the fault. */
  private general(obj: { readonly [key: string]: Encodable }, unsorted: string[], depth: number): void {
    const keys = unsorted.sort(compareString);
    this.put('{');
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      this.segs[depth] = key;
      if (!KEY.test(key)) fail(this.path(depth + 1), `key ${JSON.stringify(key)} is not [a-z0-9_]+`);
      if (i > 0) this.put(',');
      this.put(`"${key}":`);
      this.value(obj[key], depth + 1);
    }
    this.put('}');
  }
}

/** Writes the canonical text of `value` into `sink` (streaming: nothing is built whole). */
export function encodeTo(value: Encodable, sink: Sink): void {
  const enc = new Encoder(sink);
  try {
    enc.value(value, 0);
  } finally {
    enc.flush();
  }
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
 * Input limits (docs/spec.md P13.1): no document the project reads nests deeper than 64 or holds a
 * string longer than 2^20 code units (a signature is 9,254 hex digits). Checked on the text before
 * JSON.parse, so that a hostile document is a coded error, never a RangeError of a recursion.
 */
export const MAX_JSON_DEPTH = 64;
export const MAX_JSON_STRING = 1 << 20;

/** Refuses JSON text nested deeper than MAX_JSON_DEPTH or with a string longer than MAX_JSON_STRING (E_CANONICAL, field ""). */
export function checkJsonLimits(text: string): void {
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) {
        inString = false;
        if (i - start > MAX_JSON_STRING) fail('', `a string of ${i - start} characters at character ${start}: longer than ${MAX_JSON_STRING} (P13.1)`);
      }
    } else if (c === 0x22) {
      inString = true;
      start = i + 1;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > MAX_JSON_DEPTH) fail('', `nested deeper than ${MAX_JSON_DEPTH} levels at character ${i} (P13.1)`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  if (inString && text.length - start > MAX_JSON_STRING) fail('', `a string longer than ${MAX_JSON_STRING} characters (P13.1)`);
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
  checkJsonLimits(text);
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

/**
 * `f()` applied to a value received from outside, or undefined when the value has no canonical
 * form (SPEC §2: such a message is dropped on receipt, no event). The encoder and the reader report
 * that as E_CANONICAL; a value nested deeper than the call stack surfaces as a RangeError, which
 * means the same here. Anything else is a bug and propagates.
 */
export function ifCanonical<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if ((e instanceof QfsError && e.code === 'E_CANONICAL') || e instanceof RangeError) return undefined;
    throw e;
  }
}
