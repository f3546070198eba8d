/**
 * Founders (SPEC §3): genesis certification by M of N distinct founder signatures, and the
 * multi-sig governance records (`rotate_founder_key`, `exit_safe_mode`, `reinstate_shard`).
 * Records are checked in the spec's reason order: malformed, wrong_chain_or_epoch,
 * unknown_target, bad_key, signatures.
 */
import { match } from 'ts-pattern';
import type { Json } from '../math/canonical.ts';
import { err, ok, QfsError, type Result } from '../core/errors.ts';
import type { KeyedMember } from './genesis.ts';
import { fromHex, taggedHash, toHex } from '../math/hashing.ts';
import { at, Reader } from '../math/schema.ts';
import { PUBLIC_KEY_BYTES, signDigest, SIGNATURE_BYTES, verifyDigest } from '../math/signatures.ts';

/** One founder's signature over a digest. */
export interface FounderSignature {
  readonly founder: bigint;
  readonly signature: string;
}

/** The founders whose signature over `digest` (tagged `tag`) verifies, each once, ascending. */
export function validSigners(
  tag: 'qfs/v13/genesis' | 'qfs/v13/governance',
  digest: Uint8Array,
  signatures: readonly FounderSignature[],
  founders: readonly KeyedMember[],
): bigint[] {
  const keys = new Map(founders.map((f) => [f.id, f.key]));
  const valid = new Set<bigint>();
  for (const s of signatures) {
    const key = keys.get(s.founder);
    if (key === undefined || valid.has(s.founder)) continue; // unknown signers and duplicates do not count
    const sig = fromHex(s.signature);
    const pk = fromHex(key);
    if (sig && pk && verifyDigest(tag, digest, sig, pk)) valid.add(s.founder);
  }
  return [...valid].sort((a, b) => (a < b ? -1 : 1));
}

export interface Certification {
  readonly certified: boolean;
  readonly signers: readonly bigint[];
  readonly threshold: bigint;
  readonly founders: number;
}

/** The genesis is certified iff at least M distinct founders' signatures over G verify. */
export function certify(
  genesis: { readonly founders: readonly KeyedMember[]; readonly threshold: bigint },
  genesisHashHex: string,
  signatures: readonly FounderSignature[],
): Certification {
  const digest = fromHex(genesisHashHex);
  if (!digest || digest.length !== 32) throw new QfsError('E_SIGNATURES', 'genesis', 'the genesis hash is not 32 bytes of hex');
  const signers = validSigners('qfs/v13/genesis', digest, signatures, genesis.founders);
  return {
    certified: BigInt(signers.length) >= genesis.threshold,
    signers,
    threshold: genesis.threshold,
    founders: genesis.founders.length,
  };
}

export const signGenesis = (genesisHashHex: string, founder: bigint, secretKey: Uint8Array): FounderSignature => ({
  founder,
  signature: toHex(signDigest('qfs/v13/genesis', fromHex(genesisHashHex)!, secretKey)),
});

/** `genesis_signatures.json`: `{ genesis, signatures: [{ founder, signature }] }`. */
export function readSignatureFile(doc: Json, code: 'E_SIGNATURES' = 'E_SIGNATURES'): { genesis: string; signatures: FounderSignature[] } {
  const r = new Reader(code);
  const o = r.object(doc, '', ['genesis', 'signatures']);
  const genesis = r.hex(o.genesis, 'genesis', 32);
  const signatures = r.array(o.signatures, 'signatures').map((x, i) => readFounderSignature(r, x, at('signatures', i)));
  return { genesis, signatures };
}

function readFounderSignature(r: Reader, x: Json | undefined, p: string): FounderSignature {
  const s = r.object(x, p, ['founder', 'signature']);
  return { founder: r.id(s.founder, at(p, 'founder')), signature: r.hex(s.signature, at(p, 'signature'), SIGNATURE_BYTES) };
}

// ---------------------------------------------------------------------------------------------
// Governance records

export type GovernanceRecord =
  | { readonly kind: 'rotate_founder_key'; readonly genesis: string; readonly epoch: bigint; readonly founder: bigint; readonly key: string }
  | { readonly kind: 'exit_safe_mode'; readonly genesis: string; readonly epoch: bigint }
  | { readonly kind: 'reinstate_shard'; readonly genesis: string; readonly epoch: bigint; readonly shard: bigint };

export type GovernanceReason = 'malformed' | 'wrong_chain_or_epoch' | 'unknown_target' | 'bad_key' | 'signatures';

export interface GovernanceRejection {
  readonly reason: GovernanceReason;
  readonly field: string;
  readonly message: string;
}

/** What a record is checked against: the chain, the epoch being built, and S's founders and shards. */
export interface GovernanceContext {
  readonly genesis: string;
  readonly epoch: bigint;
  readonly founders: readonly KeyedMember[];
  readonly threshold: bigint;
  readonly shards: readonly bigint[];
  /** Every key of the chain (shards, founders, oracle) and every key set by an earlier record. */
  readonly keysInUse: ReadonlySet<string>;
}

const KIND_FIELDS = {
  rotate_founder_key: ['founder', 'key'],
  exit_safe_mode: [],
  reinstate_shard: ['shard'],
} as const;

/** The record's schema (reason `malformed`); the key's content is judged later (`bad_key`). */
export function readGovernanceRecord(doc: Json): GovernanceRecord {
  const r = new Reader('E_GOVERNANCE');
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) r.fail('', 'expected an object');
  const kind = (doc as { kind?: Json }).kind;
  if (typeof kind !== 'string' || !(kind in KIND_FIELDS)) r.fail('kind', `unknown kind ${JSON.stringify(kind)}`);
  const k = kind as keyof typeof KIND_FIELDS;
  const o = r.object(doc, '', ['kind', 'genesis', 'epoch', ...KIND_FIELDS[k]]);
  const genesis = r.hex(o.genesis, 'genesis', 32);
  const epoch = r.id(o.epoch, 'epoch');
  return match(k)
    .with('rotate_founder_key', (kind) => ({ kind, genesis, epoch, founder: r.id(o.founder, 'founder'), key: r.string(o.key, 'key') }))
    .with('exit_safe_mode', (kind) => ({ kind, genesis, epoch }))
    .with('reinstate_shard', (kind) => ({ kind, genesis, epoch, shard: r.id(o.shard, 'shard') }))
    .exhaustive();
}

export const governanceDigest = (record: GovernanceRecord): Uint8Array => taggedHash('qfs/v13/governance', record as never);

/** Checks one record (copies already merged, `signatures` their union) in the spec's reason order. */
export function verifyGovernance(
  doc: Json,
  signatures: readonly FounderSignature[],
  ctx: GovernanceContext,
): Result<{ record: GovernanceRecord; signers: bigint[] }, GovernanceRejection> {
  let record: GovernanceRecord;
  try {
    record = readGovernanceRecord(doc);
  } catch (e) {
    if (!(e instanceof QfsError)) throw e;
    return err({ reason: 'malformed', field: e.field, message: e.message });
  }
  if (record.genesis !== ctx.genesis || record.epoch !== ctx.epoch) {
    return err({
      reason: 'wrong_chain_or_epoch',
      field: record.genesis !== ctx.genesis ? 'genesis' : 'epoch',
      message: record.genesis !== ctx.genesis ? 'the record names another chain' : `the record is for epoch ${record.epoch}, not ${ctx.epoch}`,
    });
  }
  const target = match(record)
    .with({ kind: 'rotate_founder_key' }, (x) =>
      ctx.founders.some((f) => f.id === x.founder) ? undefined : { field: 'founder', message: `founder ${x.founder} does not exist` },
    )
    .with({ kind: 'reinstate_shard' }, (x) => (ctx.shards.includes(x.shard) ? undefined : { field: 'shard', message: `shard ${x.shard} does not exist` }))
    .with({ kind: 'exit_safe_mode' }, () => undefined)
    .exhaustive();
  if (target) return err({ reason: 'unknown_target', ...target });
  if (record.kind === 'rotate_founder_key') {
    const bytes = fromHex(record.key);
    if (!bytes || bytes.length !== PUBLIC_KEY_BYTES) {
      return err({ reason: 'bad_key', field: 'key', message: `the key is not ${PUBLIC_KEY_BYTES} bytes of lowercase hex` });
    }
    if (ctx.keysInUse.has(record.key)) return err({ reason: 'bad_key', field: 'key', message: 'the key is already in use on this chain' });
  }
  const signers = validSigners('qfs/v13/governance', governanceDigest(record), signatures, ctx.founders);
  if (BigInt(signers.length) < ctx.threshold) {
    return err({
      reason: 'signatures',
      field: 'signatures',
      message: `${signers.length} distinct valid founder signature(s), ${ctx.threshold} required`,
    });
  }
  return ok({ record, signers });
}

export const signGovernance = (record: GovernanceRecord, founder: bigint, secretKey: Uint8Array): FounderSignature => ({
  founder,
  signature: toHex(signDigest('qfs/v13/governance', governanceDigest(record), secretKey)),
});
