/**
 * Step 0 and safe mode (SystemRecoveryProtocol): a CIR-511 enters safe mode, the following epochs
 * are frozen (nothing but governance is read), one founder signature cannot exit and two can
 * (also as two copies with one signature each), an exit record for another epoch or another chain
 * is rejected; reinstate_shard lifts a blacklist at once; rotate_founder_key takes effect for the
 * signatures of the next epoch.
 */
import { describe, expect, it } from 'vitest';
import { ledgerEpoch } from '../../src/coherence/replay.ts';
import { recordHash, type EpochRecord } from '../../src/epoch/epoch-record.ts';
import type { GovernanceRecord } from '../../src/genesis/founders.ts';
import { toHex } from '../../src/math/hashing.ts';
import { lyingVoter } from '../../src/coherence/shard-agent.ts';
import { devKey, signDigest } from '../../src/math/signatures.ts';
import type { State } from '../../src/economics/state.ts';
import { governanceDigest } from '../../src/genesis/founders.ts';
import { agentsWith, CTX, founderKey, governance, kinds, ledgerChecked, S0, SHARDS, snapshotFor, triples } from './fixtures.ts';

const G = CTX.genesisHash;
const exit = (epoch: bigint, genesis = G): GovernanceRecord => ({ kind: 'exit_safe_mode', genesis, epoch });
const reasons = (r: EpochRecord): [string, string][] =>
  r.events.flatMap((e): [string, string][] => (e.kind === 'governance_rejected' ? [[e.kind, e.reason]] : e.kind === 'governance_applied' ? [[e.kind, e.record_kind]] : []));

describe('governance and safe mode', () => {
  it('CIR-511 → safe mode; frozen epochs; one signature cannot exit, a replayed or foreign record is rejected, two signatures exit', () => {
    // Epoch 1: shard 2 claims other FLX deltas (EA-3): CIR-511, abort, safe mode, shard 2 halted.
    const e1 = ledgerChecked(S0, {
      agents: agentsWith({ '2': (h) => lyingVoter(h, (v) => ({ ...v, claims: { ...v.claims, flx_delta: v.claims.flx_delta.map((x) => ({ ...x, value: x.value + 1n })) } })) }),
    });
    expect(triples(e1.record.incidents)).toEqual([['CIR-511', 'EA-3', 2n]]);
    expect(e1.record.outcome).toBe('abort');
    expect(e1.state.mode).toBe('safe');

    // Epoch 2: frozen. Snapshots and agents are there, but nothing is read or stored.
    const e2 = ledgerChecked(e1.state, { snapshots: [snapshotFor(2n, [[0n, 0n]])], agents: agentsWith({}) }, e1.record);
    expect(e2.record).toMatchObject({ outcome: 'frozen', active: [], voters: [], incidents: [], events: [], sync: null, c_shards: null });
    expect(e2.inputs.messages).toEqual([]);
    expect(e2.state).toEqual({ ...e1.state, epoch: 2n });

    // Epoch 3: one founder signature cannot exit.
    const e3 = ledgerChecked(e2.state, { governance: [governance(exit(3n), [0n])], agents: agentsWith({}) }, e2.record);
    expect(reasons(e3.record)).toEqual([['governance_rejected', 'signatures']]);
    expect(e3.record.outcome).toBe('frozen');
    expect(e3.inputs.messages.map((m) => m.kind)).toEqual(['governance']);
    expect(e3.state.mode).toBe('safe');

    // Epoch 4: the epoch-3 record replayed with two signatures, and one for another chain: both wrong_chain_or_epoch.
    const foreign = exit(4n, 'ab'.repeat(32));
    const e4 = ledgerChecked(e3.state, { governance: [governance(exit(3n), [0n, 1n]), governance(foreign, [0n, 1n, 2n])], agents: agentsWith({}) }, e3.record);
    expect(reasons(e4.record)).toEqual([
      ['governance_rejected', 'wrong_chain_or_epoch'],
      ['governance_rejected', 'wrong_chain_or_epoch'],
    ]);
    expect(e4.record.outcome).toBe('frozen');
    // Arrival order of governance copies changes no byte; snapshots and proposals are not read when frozen.
    const e4b = ledgerEpoch(CTX, e3.state, { ...e4.windows, governance: [...e4.windows.governance].reverse(), snapshots: [snapshotFor(4n, [])] });
    expect(recordHash(e4b.record)).toBe(recordHash(e4.record));

    // Epoch 5: two founders, as two copies of one record with one signature each: applied; the epoch runs and commits.
    const e5 = ledgerChecked(e4.state, { governance: [governance(exit(5n), [0n]), governance(exit(5n), [2n])], snapshots: [snapshotFor(5n, [[0n, 0n]])], agents: agentsWith({}) }, e4.record);
    expect(reasons(e5.record)).toEqual([['governance_applied', 'exit_safe_mode']]);
    expect(e5.inputs.messages.filter((m) => m.kind === 'governance')).toHaveLength(1);
    expect(e5.record.outcome).toBe('commit');
    expect(e5.record.active).toEqual(SHARDS); // shard 2's halt (until 3) is over
    expect(kinds(e5.record)).toEqual(['governance_applied', 'oracle_admitted']);
    expect(e5.state.mode).toBe('normal');
    expect(e5.state.last_oracle_epoch).toBe(5n);
  });

  it('reinstate_shard lifts a blacklist in step 0: the shard is active in the same epoch, its violations reset', () => {
    const S: State = { ...S0, shards: S0.shards.map((s) => (s.id === 1n ? { ...s, violations: 3n, blacklisted: true } : s)) };
    const without = ledgerChecked(S, { agents: agentsWith({}) });
    expect(without.record.active).not.toContain(1n);
    const out = ledgerChecked(S, { governance: [governance({ kind: 'reinstate_shard', genesis: G, epoch: 1n, shard: 1n }, [1n, 2n])], agents: agentsWith({}) });
    expect(reasons(out.record)).toEqual([['governance_applied', 'reinstate_shard']]);
    expect(out.record.active).toEqual(SHARDS);
    expect(out.record.voters).toEqual(SHARDS);
    expect(out.state.shards[1]).toEqual({ id: 1n, halted_until: 0n, violations: 0n, blacklisted: false });
    // Its effects stand whatever the outcome: with every vote withheld the epoch aborts and the shard is still reinstated.
    const aborted = ledgerChecked(S, {
      governance: [governance({ kind: 'reinstate_shard', genesis: G, epoch: 1n, shard: 1n }, [1n, 2n])],
      agents: agentsWith({}).map((a) => ({ shard: a.shard, propose: (p) => a.propose(p), vote: () => [] })),
    });
    expect(aborted.record.outcome).toBe('abort');
    expect(aborted.state.shards[1]).toEqual({ id: 1n, halted_until: 0n, violations: 0n, blacklisted: false });
    // An unknown shard is unknown_target.
    const unknown = ledgerChecked(S, { governance: [governance({ kind: 'reinstate_shard', genesis: G, epoch: 1n, shard: 99n }, [0n, 1n])], agents: agentsWith({}) });
    expect(reasons(unknown.record)).toEqual([['governance_rejected', 'unknown_target']]);
  });

  it('rotate_founder_key: the new key is in force for the next epoch; the old key no longer counts', () => {
    const fresh = devKey('founder-1-rotated');
    const rotate: GovernanceRecord = { kind: 'rotate_founder_key', genesis: G, epoch: 1n, founder: 1n, key: toHex(fresh.publicKey) };
    const e1 = ledgerChecked(S0, { governance: [governance(rotate, [0n, 1n])], agents: agentsWith({}) });
    expect(reasons(e1.record)).toEqual([['governance_applied', 'rotate_founder_key']]);
    expect(e1.state.founders[1]).toEqual({ id: 1n, key: toHex(fresh.publicKey) });
    // The same key again is bad_key (in use on the chain now).
    const again: GovernanceRecord = { ...rotate, epoch: 2n, founder: 2n };
    // Epoch 2: a record signed by founder 0 and founder 1's old key has one valid signature; with the new key, two.
    const record: GovernanceRecord = { kind: 'reinstate_shard', genesis: G, epoch: 2n, shard: 3n };
    const oldSig = { founder: 1n, signature: toHex(signDigest('qfs/v13/governance', governanceDigest(record), founderKey(1n))) };
    const newSig = { founder: 1n, signature: toHex(signDigest('qfs/v13/governance', governanceDigest(record), fresh.secretKey)) };
    const withOld = ledgerChecked(e1.state, { governance: [{ ...governance(record, [0n]), signatures: [...governance(record, [0n]).signatures, oldSig] }, governance(again, [0n, 2n])], agents: agentsWith({}) }, e1.record);
    expect(reasons(withOld.record).sort()).toEqual([
      ['governance_rejected', 'bad_key'],
      ['governance_rejected', 'signatures'],
    ]);
    const withNew = ledgerChecked(e1.state, { governance: [{ ...governance(record, [0n]), signatures: [...governance(record, [0n]).signatures, newSig] }], agents: agentsWith({}) }, e1.record);
    expect(reasons(withNew.record)).toEqual([['governance_applied', 'reinstate_shard']]);
  });
});
