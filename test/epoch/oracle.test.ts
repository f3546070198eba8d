/** SPEC §6 step 1 (EA-11): each rejection reason, the check order, copies, and admission. */
import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/math/canonical.ts';
import { runHonestEpoch } from '../../src/epoch/epoch.ts';
import { decideOracle, snapshotDigest, storedSnapshots, type SignedSnapshot } from '../../src/epoch/oracle.ts';
import type { State } from '../../src/economics/state.ts';
import { CTX, epochChecked, json, NOT_ORACLE, ORACLE, S, S0, snapshot } from './fixtures.ts';
import { signSnapshot } from '../../src/epoch/oracle.ts';

/** t = 5, ORACLE_WINDOW = 2, last_oracle_epoch = 3: admissible epochs are 4 and 5. */
const ST: State = { ...S0, epoch: 4n, last_oracle_epoch: 3n };
const octx = { genesisHash: CTX.genesisHash, oracleKey: CTX.genesis.oracle_key, topology: CTX.topology };
const decide = (copies: SignedSnapshot[], st: State = ST) => decideOracle(octx, storedSnapshots(copies), st.epoch + 1n, st.last_oracle_epoch);
const digest = (c: SignedSnapshot): string => snapshotDigest(c.snapshot)!;
const reasonOf = (copies: SignedSnapshot[], c: SignedSnapshot): string | undefined =>
  decide(copies).rejections.find((r) => r.digest === digest(c))?.reason;

const raw = (doc: unknown, key = ORACLE.secretKey): SignedSnapshot => signSnapshot(json(doc), key);

describe('oracle (step 1)', () => {
  const ok5 = snapshot(CTX, 5n, [[2n, 0n]]);
  const ok5b = snapshot(CTX, 5n, [[3n, S]]);
  const ok4 = snapshot(CTX, 4n, [[1n, S / 2n]]);

  it('each reason with an example', () => {
    const cases: [string, SignedSnapshot][] = [
      ['malformed', raw({ genesis: CTX.genesisHash, epoch: 5n, dis: [], extra: 1n })],
      ['malformed', raw({ genesis: '00'.repeat(32), epoch: 5n, dis: [] })],
      ['malformed', raw({ genesis: CTX.genesisHash, epoch: 5n, dis: [{ node: 3n, value: 0n }, { node: 2n, value: 0n }] })],
      ['malformed', raw({ genesis: CTX.genesisHash, epoch: 5n, dis: [{ node: 2n, value: S + 1n }] })],
      ['malformed', raw({ genesis: CTX.genesisHash, epoch: 5n, dis: [{ node: 99n, value: 0n }] })],
      ['malformed', raw({ genesis: CTX.genesisHash, epoch: -1n, dis: [] })],
      ['bad_signature', snapshot(CTX, 5n, [[1n, 0n]], NOT_ORACLE.secretKey)],
      ['future', snapshot(CTX, 6n, [])],
      ['stale', snapshot(CTX, 2n, [])],
      ['replayed', snapshot(CTX, 3n, [])],
      ['superseded', ok4],
    ];
    for (const [reason, c] of cases) expect(reasonOf([c, ok5], c), reason).toBe(reason);
    expect(decide([ok5, ok4]).admitted?.digest).toBe(digest(ok5));
  });

  it('the checks run in the order malformed, bad_signature, future, stale, replayed', () => {
    // malformed and unsigned → malformed
    const badBoth = raw({ genesis: CTX.genesisHash, epoch: 6n, dis: [], x: 1n }, NOT_ORACLE.secretKey);
    expect(reasonOf([badBoth], badBoth)).toBe('malformed');
    // future and unsigned → bad_signature
    const futureUnsigned = snapshot(CTX, 6n, [], NOT_ORACLE.secretKey);
    expect(reasonOf([futureUnsigned], futureUnsigned)).toBe('bad_signature');
    // stale and replayed (epoch 1 <= last 3 and 1 + 2 < 5) → stale
    const staleReplayed = snapshot(CTX, 1n, []);
    expect(reasonOf([staleReplayed], staleReplayed)).toBe('stale');
    // an epoch beyond both the window and t is future, not stale
    const far = snapshot(CTX, 60n, []);
    expect(reasonOf([far], far)).toBe('future');
  });

  it('admits the highest epoch, then the lowest digest; every other is superseded, in digest order', () => {
    const d = decide([ok4, ok5b, ok5]);
    const [low, high] = [digest(ok5), digest(ok5b)].sort();
    expect(d.admitted?.digest).toBe(low);
    expect(d.rejections.map((r) => r.digest)).toEqual([digest(ok4), high].sort());
    expect(d.rejections.every((r) => r.reason === 'superseded' && r.admitted === low)).toBe(true);
  });

  it('copies: one digest is one message, signed iff any copy verifies; a failing copy has no other effect', () => {
    const forged: SignedSnapshot = { snapshot: ok5.snapshot, signature: snapshot(CTX, 5n, [[2n, 0n]], NOT_ORACLE.secretKey).signature };
    const junk: SignedSnapshot = { snapshot: ok5.snapshot, signature: 'zz' };
    expect(decide([forged, ok5, junk, ok5]).admitted?.digest).toBe(digest(ok5));
    expect(decide([forged, ok5, junk]).rejections).toEqual([]);
    expect(decide([forged]).rejections.map((r) => r.reason)).toEqual(['bad_signature']);
    // The stored inputs keep each distinct (digest, signature) once.
    expect(storedSnapshots([forged, ok5, junk, ok5])).toHaveLength(3);
  });

  it('in an epoch: incidents in digest order with their evidence, the admitted dis and last_oracle_epoch', () => {
    const future = snapshot(CTX, 6n, [[4n, 0n]]);
    const stale = snapshot(CTX, 2n, []);
    const malformed = raw({ genesis: CTX.genesisHash, epoch: 5n, dis: 'no' });
    const out = epochChecked(CTX, ST, { snapshots: [future, ok5b, stale, ok4, malformed, ok5], validator: null, actions: [] });
    const [adm, sup] = [ok5, ok5b].sort((a, b) => (digest(a) < digest(b) ? -1 : 1)) as [SignedSnapshot, SignedSnapshot];
    const want = [
      { digest: digest(future), reason: 'future', epoch: 6n, admitted: null },
      { digest: digest(stale), reason: 'stale', epoch: 2n, admitted: null },
      { digest: digest(ok4), reason: 'superseded', epoch: 4n, admitted: digest(adm) },
      { digest: digest(malformed), reason: 'malformed', epoch: null, admitted: null },
      { digest: digest(sup), reason: 'superseded', epoch: 5n, admitted: digest(adm) },
    ].sort((a, b) => (a.digest < b.digest ? -1 : 1));
    expect(out.record.incidents).toEqual(want.map((evidence) => ({ code: null, ea: 'EA-11', shard: null, evidence })));
    expect(out.record.events[0]).toEqual({ kind: 'oracle_admitted', digest: digest(adm), epoch: 5n });
    expect(out.state.last_oracle_epoch).toBe(5n);
    const listed = ((adm.snapshot as { dis: { node: string; value: string }[] }).dis)[0]!;
    for (const n of out.state.nodes) {
      const before = ST.nodes.find((m) => m.id === n.id)!.dis;
      expect(n.dis).toBe(n.id === BigInt(listed.node) ? BigInt(listed.value) : before);
    }
  });

  it('no snapshot: nothing changes and no incident', () => {
    const out = epochChecked(CTX, ST, { snapshots: [], validator: null, actions: [] });
    expect(out.record.incidents).toEqual([]);
    expect(out.state.last_oracle_epoch).toBe(3n);
    expect(out.state.nodes.map((n) => n.dis)).toEqual(ST.nodes.map((n) => n.dis));
  });

  it('a value with no canonical form is dropped on receipt (no incident)', () => {
    const bad: SignedSnapshot = { snapshot: { 'Not-A-Key': '1' } as unknown as Json, signature: '' };
    const out = runHonestEpoch(CTX, ST, { snapshots: [bad], validator: null, actions: [] });
    expect(out.record.incidents).toEqual([]);
    expect(out.inputs.snapshots).toEqual([]);
  });
});
