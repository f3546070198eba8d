/** SPEC §3 multi-sig governance records: M of N distinct valid founders, bound to chain and epoch. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { Json } from '../src/math/canonical.ts';
import { defaultGenesis, devLabel } from '../src/genesis/default-genesis.ts';
import { signGovernance, verifyGovernance, type GovernanceContext, type GovernanceRecord } from '../src/genesis/founders.ts';
import { genesisHash } from '../src/genesis/genesis.ts';
import { toHex } from '../src/math/hashing.ts';
import { devKey } from '../src/math/signatures.ts';

const g = defaultGenesis();
const G = genesisHash(g);
const ctx: GovernanceContext = {
  genesis: G,
  epoch: 7n,
  founders: g.founders,
  threshold: g.threshold,
  shards: g.shards.map((s) => s.id),
  keysInUse: new Set([...g.shards.map((s) => s.key), ...g.founders.map((f) => f.key), g.oracle_key]),
};
const sk = (i: number) => devKey(devLabel.founder(i)).secretKey;
const asJson = (r: GovernanceRecord): Json => JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as Json;
const exit: GovernanceRecord = { kind: 'exit_safe_mode', genesis: G, epoch: 7n };
const sigsOf = (r: GovernanceRecord, who: number[]) => who.map((i) => signGovernance(r, BigInt(i), sk(i)));
const reason = (doc: Json, who: number[], signed: GovernanceRecord = exit) => {
  const v = verifyGovernance(doc, sigsOf(signed, who), ctx);
  return v.ok ? 'ok' : v.error.reason;
};

describe('governance', () => {
  // [named founder, signer founder]: a signature only counts when the signer is the named founder.
  const entry = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }));
  test.prop([fc.array(entry, { maxLength: 6 })])('governance.threshold: a record is valid iff at least M distinct founders validly signed it', (entries) => {
    const sigs = entries.map(([named, signer]) => ({ ...signGovernance(exit, BigInt(signer), sk(signer)), founder: BigInt(named) }));
    const good = new Set(entries.filter(([n, s]) => n === s).map(([n]) => n));
    const v = verifyGovernance(asJson(exit), sigs, ctx);
    expect(v.ok).toBe(good.size >= 2);
    if (!v.ok) expect(v.error.reason).toBe('signatures');
  });

  test('governance.exit: one founder signature cannot exit safe mode, two can', () => {
    expect(reason(asJson(exit), [0])).toBe('signatures');
    expect(reason(asJson(exit), [0, 2])).toBe('ok');
  });

  test('governance.no-replay: a record for another epoch or another chain is rejected, whatever its signatures', () => {
    const other: GovernanceRecord = { ...exit, epoch: 6n };
    expect(reason(asJson(other), [0, 1, 2], other)).toBe('wrong_chain_or_epoch');
    const chain: GovernanceRecord = { ...exit, genesis: '0'.repeat(64) };
    expect(reason(asJson(chain), [0, 1, 2], chain)).toBe('wrong_chain_or_epoch');
  });

  test('governance.reasons: malformed, unknown_target, bad_key in the spec order, before signatures are counted', () => {
    expect(reason({ kind: 'exit_safe_mode', genesis: G, epoch: '7', extra: '1' }, [])).toBe('malformed');
    expect(reason({ kind: 'launch_rockets', genesis: G, epoch: '7' }, [])).toBe('malformed');
    expect(reason({ kind: 'exit_safe_mode', genesis: G, epoch: '07' }, [])).toBe('malformed');
    const reinstate: GovernanceRecord = { kind: 'reinstate_shard', genesis: G, epoch: 7n, shard: 99n };
    expect(reason(asJson(reinstate), [0, 1], reinstate)).toBe('unknown_target');
    const rotateUnknown: GovernanceRecord = { kind: 'rotate_founder_key', genesis: G, epoch: 7n, founder: 9n, key: 'ab' };
    expect(reason(asJson(rotateUnknown), [], rotateUnknown)).toBe('unknown_target');
    const shortKey: GovernanceRecord = { kind: 'rotate_founder_key', genesis: G, epoch: 7n, founder: 1n, key: 'ab' };
    expect(reason(asJson(shortKey), [0, 1], shortKey)).toBe('bad_key');
    const reused: GovernanceRecord = { kind: 'rotate_founder_key', genesis: G, epoch: 7n, founder: 1n, key: g.oracle_key };
    expect(reason(asJson(reused), [0, 1], reused)).toBe('bad_key');
    const fresh: GovernanceRecord = { kind: 'rotate_founder_key', genesis: G, epoch: 7n, founder: 1n, key: toHex(devKey('founder-1-rotated').publicKey) };
    expect(reason(asJson(fresh), [0], fresh)).toBe('signatures');
    expect(reason(asJson(fresh), [0, 2], fresh)).toBe('ok');
  });
});
