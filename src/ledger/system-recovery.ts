/**
 * SystemRecoveryProtocol (SPEC §3 multi-sig recovery, §6 step 0, §7 responses): the governance
 * step of an epoch, and the incident bookkeeping (halts, violations, blacklists, safe mode).
 *
 * Step 0. Governance records `{ kind, genesis, epoch, ...fields }` arrive as signed copies
 * `{ record, signatures: [{ founder, signature }] }` (P3.8). Copies with one digest
 * `H("qfs/v13/governance", record)` are one record with the union of their signatures. Each
 * record, in digest order, is verified against the founders of S (`verifyGovernance`: reasons
 * malformed, wrong_chain_or_epoch, unknown_target, bad_key, signatures, in that order) with, as the
 * keys in use, every key of the chain (the genesis shard keys, the genesis founder keys, the oracle
 * key, and the keys of S's founders) and every key set by a record applied earlier in digest
 * order. A valid record is applied at once (event `governance_applied`), any other is the event
 * `governance_rejected` with its reason and has no effect. Effects stand whatever the epoch's
 * outcome. Signatures count against S's founders, so a key rotated in epoch t signs from t + 1.
 *
 * Bookkeeping (§7). An offender (CIR-302, and CIR-412's offender, and a voter answered by CIR-511
 * for EA-3/EA-10, or by CIR-302 for EA-4/EA-5) gets `halted_until = max(halted_until, t +
 * HALT_EPOCHS)` and one violation (at most one per shard per epoch, however many responses name
 * it); CIR-412 also halts every other shard of the offender's group until t + 1, without a
 * violation. A shard whose violations reach BLACKLIST_AFTER is blacklisted. Every decision takes
 * effect from t + 1 (the active set of t is fixed after step 0). Any CIR-511 enters safe mode.
 */
import { ifCanonical, type Encodable, type Json } from '../math/canonical.ts';
import { planted } from '../core/planted.ts';
import type { LedgerEvent } from '../epoch/epoch-record.ts';
import { verifyGovernance, type FounderSignature, type GovernanceRecord } from '../genesis/founders.ts';
import type { Genesis } from '../genesis/genesis.ts';
import { taggedHashHex } from '../math/hashing.ts';
import { received } from './ledger-inputs.ts';
import type { Founder, ShardState, State } from '../economics/state.ts';
import { compareBigint, compareString } from '../core/vocabulary.ts';
import type { ShardId } from '../core/units.ts';

/** One received copy of a governance record (P3.8). */
export type GovernanceCopy = { readonly record: Json; readonly signatures: readonly FounderSignature[] };

/** A record as the epoch reads it: its digest and the union of its copies' signatures (distinct, by (founder, signature)). */
export type GovernanceEntry = { readonly digest: string; readonly record: Json; readonly signatures: readonly FounderSignature[] };


const canonicalOk = (v: unknown): boolean => ifCanonical(() => taggedHashHex('qfs/v13/governance', v as Encodable)) !== undefined;

/** `H("qfs/v13/governance", record)` in hex; undefined for a value with no canonical form. */
export function governanceDigestOf(record: Json): string | undefined {
  return ifCanonical(() => taggedHashHex('qfs/v13/governance', record as Encodable));
}

/** Merges copies by digest (copies or signatures with no canonical form are dropped on receipt), in digest order. */
export function governanceEntries(copies: readonly GovernanceCopy[]): GovernanceEntry[] {
  const by = new Map<string, { record: Json; sigs: Map<string, FounderSignature> }>();
  for (const c of copies) {
    const digest = governanceDigestOf(c.record);
    if (digest === undefined) continue;
    let e = by.get(digest);
    if (e === undefined) {
      const record = received(c.record);
      if (record === undefined) continue;
      e = { record, sigs: new Map() };
      by.set(digest, e);
    }
    for (const s of c.signatures) {
      if (typeof s.founder !== 'bigint' || typeof s.signature !== 'string' || !canonicalOk(s.signature)) continue;
      e.sigs.set(`${s.founder}\u0000${s.signature}`, { founder: s.founder, signature: s.signature });
    }
  }
  return [...by.entries()]
    .sort(([a], [b]) => compareString(a, b))
    .map(([digest, e]) => ({
      digest,
      record: e.record,
      signatures: [...e.sigs.values()].sort((x, y) => compareBigint(x.founder, y.founder) || compareString(x.signature, y.signature)),
    }));
}

export type GovernanceOutcome = {
  /** S after step 0 (its epoch is still S's). */
  readonly state: State;
  /** `governance_applied` / `governance_rejected`, in digest order. */
  readonly events: readonly LedgerEvent[];
  readonly applied: readonly { readonly digest: string; readonly record: GovernanceRecord }[];
};

/** Step 0 of epoch `t` over the merged records (digest order). */
export function governanceStep(genesis: Genesis, genesisHash: string, S: State, t: bigint, entries: readonly GovernanceEntry[]): GovernanceOutcome {
  const keysInUse = new Set<string>([
    ...genesis.shards.map((s) => s.key),
    ...genesis.founders.map((f) => f.key),
    genesis.oracle_key,
    ...S.founders.map((f) => f.key),
  ]);
  const shards = genesis.shards.map((s) => s.id);
  let state = S;
  const events: LedgerEvent[] = [];
  const applied: { digest: string; record: GovernanceRecord }[] = [];
  const sorted = [...entries].sort((x, y) => compareString(x.digest, y.digest));
  for (const e of sorted) {
    const v = verifyGovernance(e.record, e.signatures, {
      genesis: genesisHash,
      epoch: t,
      founders: S.founders,
      threshold: genesis.threshold,
      shards,
      keysInUse,
    });
    if (!v.ok) {
      events.push({ kind: 'governance_rejected', digest: e.digest, reason: v.error.reason });
      continue;
    }
    const r = v.value.record;
    state = applyGovernance(state, r);
    if (r.kind === 'rotate_founder_key') keysInUse.add(r.key);
    applied.push({ digest: e.digest, record: r });
    events.push({ kind: 'governance_applied', digest: e.digest, record_kind: r.kind });
  }
  return { state, events, applied };
}

/** One valid record's effect. */
export function applyGovernance(state: State, r: GovernanceRecord): State {
  switch (r.kind) {
    case 'rotate_founder_key':
      return { ...state, founders: state.founders.map((f): Founder => (f.id === r.founder ? { id: f.id, key: r.key } : f)) };
    case 'exit_safe_mode':
      return { ...state, mode: 'normal' };
    case 'reinstate_shard':
      return { ...state, shards: state.shards.map((s): ShardState => (s.id === r.shard ? { ...s, blacklisted: false, violations: 0n } : s)) };
  }
}

/** A shard answered with the CIR-302 bookkeeping (halt + violation); `groupHalt` for CIR-412 (its group's other shards halted until t + 1). */
export type Offender = { readonly shard: ShardId; readonly groupHalt: boolean };

/** §7's bookkeeping of epoch t over S's shards (after step 0). */
export function incidentBookkeeping(genesis: Genesis, shards: readonly ShardState[], t: bigint, offenders: readonly Offender[]): ShardState[] {
  const k = genesis.constants;
  const violators = new Set(offenders.map((o) => o.shard));
  const grouped = new Set<bigint>();
  for (const o of offenders) {
    if (!o.groupHalt) continue;
    const group = genesis.groups.find((g) => g.includes(o.shard)) ?? [];
    for (const s of group) if (s !== o.shard) grouped.add(s);
  }
  const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
  return shards.map((s): ShardState => {
    let { halted_until, violations, blacklisted } = s;
    if (grouped.has(s.id)) halted_until = max(halted_until, t + 1n);
    if (violators.has(s.id)) {
      halted_until = max(halted_until, t + k.halt_epochs - (planted('halt-one-short') ? 1n : 0n));
      violations += planted('violation-uncounted') ? 0n : 1n;
      if (violations >= k.blacklist_after) blacklisted = true;
    }
    return { id: s.id, halted_until, violations, blacklisted };
  });
}
