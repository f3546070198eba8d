/**
 * The stored inputs of a ledger epoch (SPEC §7 `inputs/e`; layout pinned as P10.6 in
 * docs/spec.md): every message the epoch read, with its signatures, in one canonical
 * document, and `inputs_hash`, the SHA-256 of that document's canonical bytes.
 *
 *   { epoch, messages: [{ kind, digest, message, signatures }] }
 *
 * One entry per (kind, digest): copies with one digest are one message, so the entry holds the
 * message once and the union of its copies' signatures. Entries are sorted by (kind, digest) —
 * kinds by code unit: governance, proposal, snapshot, validator, vote — and each entry's
 * signatures ascending (strings by code unit; governance `{ founder, signature }` by (founder,
 * signature)), each distinct. `digest` is `H(tag, message)` with the kind's tag (governance →
 * qfs/v13/governance, proposal → qfs/v13/proposal, snapshot → qfs/v13/oracle, validator →
 * qfs/v13/validator, vote → qfs/v13/vote). The validator's answer is unsigned (`signatures: []`).
 *
 * EA-14's recovery epoch (SPEC §7, P10.9) stores another document, told apart by its key set:
 *
 *   { epoch, recovery: { from, to, evidence } }
 *
 * with `epoch = from` (the recovered epoch k ≥ 1), `to` ≥ `from` (the anchor's head when the
 * recovery ran) and `evidence` the anchor's record hashes for epochs from … to (lowercase hex, one
 * per epoch, in epoch order). `readStoredInputs` reads either document.
 */
import { canonicalBytes, canonicalString, ifCanonical, parseCanonical, type Encodable, type Json } from '../math/canonical.ts';
import { err, ok, QfsError, type Result } from '../core/errors.ts';
import type { FounderSignature } from '../genesis/founders.ts';
import { sha256, taggedHashHex, toHex, type Tag } from '../math/hashing.ts';
import { m, path } from '../math/message-schema.ts';
import { compareString } from '../core/vocabulary.ts';
import type { Epoch } from '../core/units.ts';

export const MESSAGE_KINDS = ['governance', 'proposal', 'snapshot', 'validator', 'vote'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const TAG_OF: Readonly<Record<MessageKind, Tag>> = {
  governance: 'qfs/v13/governance',
  proposal: 'qfs/v13/proposal',
  snapshot: 'qfs/v13/oracle',
  validator: 'qfs/v13/validator',
  vote: 'qfs/v13/vote',
};

export type SignedEntry = {
  readonly kind: 'proposal' | 'snapshot' | 'vote';
  readonly digest: string;
  readonly message: Json;
  readonly signatures: readonly string[];
};
export type GovernanceInputEntry = { readonly kind: 'governance'; readonly digest: string; readonly message: Json; readonly signatures: readonly FounderSignature[] };
export type ValidatorInputEntry = { readonly kind: 'validator'; readonly digest: string; readonly message: Json; readonly signatures: readonly [] };
export type InputEntry = GovernanceInputEntry | SignedEntry | ValidatorInputEntry;

export type LedgerInputs = { readonly epoch: Epoch; readonly messages: readonly InputEntry[] };

/** EA-14 (P10.9): the epochs from … to set aside, and the anchor's hashes of their records. */
export type Recovery = { readonly from: bigint; readonly to: bigint; readonly evidence: readonly string[] };
/** The stored inputs of a recovery epoch (P10.9): it reads no message. */
export type RecoveryInputs = { readonly epoch: Epoch; readonly recovery: Recovery };
/** Either stored inputs document (`inputs/<e>.json`). */
export type StoredLedgerInputs = LedgerInputs | RecoveryInputs;

export const isRecoveryInputs = (x: StoredLedgerInputs): x is RecoveryInputs => 'recovery' in x;

/** The recovery epoch's document: `{ epoch: from, recovery }`. */
export const recoveryInputs = (recovery: Recovery): RecoveryInputs => ({ epoch: recovery.from, recovery });


/** `H(tag of kind, message)` in hex; undefined for a value with no canonical form. */
export function messageDigest(kind: MessageKind, message: Json): string | undefined {
  return ifCanonical(() => taggedHashHex(TAG_OF[kind], message as Encodable));
}

const encodable = (v: unknown): boolean => ifCanonical(() => canonicalBytes(v as Encodable)) !== undefined;

/**
 * The message as received bytes would carry it: its canonical form read back (so a value held in
 * memory, e.g. with bigints, is the same message as its bytes), or undefined when it has none
 * (dropped on receipt, no event).
 */
export function received(message: unknown): Json | undefined {
  return ifCanonical(() => parseCanonical(canonicalString(message as Encodable)));
}

/** Merges signed copies of one kind by digest (copies or signatures with no canonical form dropped), in digest order. */
export function signedEntries(kind: SignedEntry['kind'], copies: readonly { readonly message: Json; readonly signature: string }[]): SignedEntry[] {
  const by = new Map<string, { message: Json; sigs: Set<string> }>();
  for (const c of copies) {
    if (typeof c.signature !== 'string' || !encodable(c.signature)) continue;
    const digest = messageDigest(kind, c.message);
    if (digest === undefined) continue;
    const message = by.get(digest)?.message ?? received(c.message);
    if (message === undefined) continue;
    const e = by.get(digest) ?? { message, sigs: new Set<string>() };
    e.sigs.add(c.signature);
    by.set(digest, e);
  }
  return [...by.entries()]
    .sort(([a], [b]) => compareString(a, b))
    .map(([digest, e]) => ({ kind, digest, message: e.message, signatures: [...e.sigs].sort(compareString) }));
}

const kindRank = (k: MessageKind): number => MESSAGE_KINDS.indexOf(k);

/** The document, entries sorted by (kind, digest). */
export function ledgerInputs(epoch: bigint, entries: readonly InputEntry[]): LedgerInputs {
  return { epoch, messages: [...entries].sort((x, y) => kindRank(x.kind) - kindRank(y.kind) || compareString(x.digest, y.digest)) };
}

/** The stored file's bytes: the document's canonical bytes (no trailing newline). */
export const ledgerInputsBytes = (inputs: StoredLedgerInputs): Uint8Array => canonicalBytes(inputs as unknown as Encodable);

/** `inputs_hash`: lowercase hex SHA-256 of the stored file's bytes (no tag). */
export const ledgerInputsHash = (inputs: StoredLedgerInputs): string => toHex(sha256(ledgerInputsBytes(inputs)));

/** Entries of one kind (none in a recovery epoch's document). */
export type EntryOf<K extends MessageKind> = K extends 'governance' ? GovernanceInputEntry : K extends 'validator' ? ValidatorInputEntry : SignedEntry;
export function entriesOf<K extends MessageKind>(inputs: StoredLedgerInputs, kind: K): EntryOf<K>[] {
  if (isRecoveryInputs(inputs)) return [];
  return inputs.messages.filter((e) => e.kind === kind) as EntryOf<K>[];
}

/**
 * Reads a stored inputs document (already parsed from canonical bytes): the layout above, every
 * digest recomputed, every order strict. The messages themselves are not schema-checked here
 * (that is the epoch's job: a malformed message is an input like any other).
 */
export function readLedgerInputs(doc: Json): Result<LedgerInputs, QfsError> {
  try {
    const o = m.object(doc, '', ['epoch', 'messages']);
    const epoch = m.id(o.epoch, 'epoch');
    const messages = m.array(o.messages, 'messages').map((x, i): InputEntry => {
      const p = path('messages', i);
      const e = m.object(x, p, ['kind', 'digest', 'message', 'signatures']);
      const kind = m.string(e.kind, path(p, 'kind'));
      if (!(MESSAGE_KINDS as readonly string[]).includes(kind)) m.fail(path(p, 'kind'), `unknown kind ${JSON.stringify(kind)}`);
      const k = kind as MessageKind;
      const message = e.message!;
      const digest = m.hex(e.digest, path(p, 'digest'), 32);
      if (messageDigest(k, message) !== digest) m.fail(path(p, 'digest'), 'the digest is not the message\'s');
      const sl = m.array(e.signatures, path(p, 'signatures'));
      if (k === 'validator') {
        if (sl.length !== 0) m.fail(path(p, 'signatures'), 'the validator\'s answer is unsigned');
        return { kind: 'validator', digest, message, signatures: [] };
      }
      if (k === 'governance') {
        const sigs = sl.map((y, j): FounderSignature => {
          const q = path(path(p, 'signatures'), j);
          const s = m.object(y, q, ['founder', 'signature']);
          return { founder: m.id(s.founder, path(q, 'founder')), signature: m.string(s.signature, path(q, 'signature')) };
        });
        for (let j = 1; j < sigs.length; j++) {
          const a = sigs[j - 1]!;
          const b = sigs[j]!;
          if (!(a.founder < b.founder || (a.founder === b.founder && a.signature < b.signature))) m.fail(path(path(p, 'signatures'), j), 'signatures are not strictly ascending by (founder, signature)');
        }
        return { kind: 'governance', digest, message, signatures: sigs };
      }
      const sigs = sl.map((y, j) => m.string(y, path(path(p, 'signatures'), j)));
      for (let j = 1; j < sigs.length; j++) if (!(sigs[j - 1]! < sigs[j]!)) m.fail(path(path(p, 'signatures'), j), 'signatures are not strictly ascending');
      return { kind: k, digest, message, signatures: sigs };
    });
    for (let i = 1; i < messages.length; i++) {
      const a = messages[i - 1]!;
      const b = messages[i]!;
      const order = kindRank(a.kind) - kindRank(b.kind) || compareString(a.digest, b.digest);
      if (order >= 0) m.fail(path('messages', i), 'entries are not strictly ascending by (kind, digest)');
    }
    if (messages.filter((e) => e.kind === 'validator').length > 1) m.fail('messages', 'more than one validator answer');
    return ok({ epoch, messages });
  } catch (e) {
    if (e instanceof QfsError) return err(e);
    throw e;
  }
}

/** Reads a recovery epoch's document (P10.9): exactly `{ epoch, recovery: { from, to, evidence } }`, `epoch = from >= 1`, one hash per epoch from … to. */
export function readRecoveryInputs(doc: Json): Result<RecoveryInputs, QfsError> {
  try {
    const o = m.object(doc, '', ['epoch', 'recovery']);
    const epoch = m.id(o.epoch, 'epoch');
    const r = m.object(o.recovery, 'recovery', ['from', 'to', 'evidence']);
    const from = m.id(r.from, 'recovery.from');
    const to = m.id(r.to, 'recovery.to');
    if (from < 1n) m.fail('recovery.from', 'the recovered epoch is at least 1');
    if (from !== epoch) m.fail('recovery.from', `the recovery of epoch ${from} stored as epoch ${epoch}`);
    if (to < from) m.fail('recovery.to', `to = ${to} is before from = ${from}`);
    const list = m.array(r.evidence, 'recovery.evidence');
    if (BigInt(list.length) !== to - from + 1n) m.fail('recovery.evidence', `${list.length} hashes for the ${to - from + 1n} epochs ${from} … ${to}`);
    const evidence = list.map((h, i) => m.hex(h, path('recovery.evidence', i), 32));
    return ok({ epoch, recovery: { from, to, evidence } });
  } catch (e) {
    if (e instanceof QfsError) return err(e);
    throw e;
  }
}

/** Reads either stored inputs document: a recovery epoch's (its key set is `epoch, recovery`) or P10.6's. */
export function readStoredInputs(doc: Json): Result<StoredLedgerInputs, QfsError> {
  const recovery = typeof doc === 'object' && doc !== null && !Array.isArray(doc) && Object.prototype.hasOwnProperty.call(doc, 'recovery');
  return recovery ? readRecoveryInputs(doc) : readLedgerInputs(doc);
}
