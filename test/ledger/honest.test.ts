/**
 * The ledger with honest shards: the economy agrees with the honest path (same state root on the
 * same actions), the publications, arrival-order independence (proposals, votes, snapshots,
 * duplicate and forged copies), replay of the stored inputs, and the stored inputs' layout.
 */
import { describe, expect, it } from 'vitest';
import type { LedgerWindows } from '../../src/coherence/windows.ts';
import { quorumNeeded } from '../../src/coherence/step12.ts';
import { ledgerEpoch, replayLedgerEpoch } from '../../src/coherence/replay.ts';
import { recordHash } from '../../src/epoch/epoch-record.ts';
import { runHonestEpoch, type EpochInputs } from '../../src/epoch/epoch.ts';
import { checkStep } from '../../src/invariants/catalog.ts';
import { ledgerInputsHash, readLedgerInputs } from '../../src/ledger/ledger-inputs.ts';
import { scenarioInputs } from '../../src/runs/scenario.ts';
import { chrSupply, flxSupply, type State } from '../../src/economics/state.ts';
import { bytes, CTX, honestAgents, json, kinds, ledgerChecked, S0, shardKey, SHARDS, snapshotFor } from './fixtures.ts';
import type { EpochRecord } from '../../src/epoch/epoch-record.ts';

/** A deterministic shuffle (the arrival order), by a seed. */
function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const submissionsOf = (inputs: EpochInputs): Map<bigint, readonly import('../../src/math/canonical.ts').Json[]> => new Map(inputs.actions.map((a) => [a.shard, a.actions]));

describe('ledger: honest shards', () => {
  it('an all-honest ledger epoch has runHonestEpoch\'s state root on the same actions (5 epochs of the scenario load)', () => {
    let S: State = S0;
    let prev: EpochRecord | null = null;
    for (let k = 0; k < 5; k++) {
      const inputs = scenarioInputs(CTX, S, { seed: 7n, activityPerMille: 400n });
      const honest = runHonestEpoch(CTX, S, inputs);
      expect(checkStep(CTX, S, honest.record, honest.state, honest.inputs)).toEqual([]);
      const out = ledgerChecked(S, { snapshots: inputs.snapshots, validator: inputs.validator, agents: honestAgents(submissionsOf(inputs)) }, prev);
      expect(out.record.outcome).toBe('commit');
      expect(out.record.root).toBe(honest.record.root);
      expect(out.state).toEqual(honest.state);
      // Everything but the inputs hash is the honest record (same incidents, events, moves, flows, …).
      expect(bytes({ ...out.record, inputs_hash: '' })).toBe(bytes({ ...honest.record, inputs_hash: '' }));
      expect(out.record.voters).toEqual(SHARDS);
      expect(out.record.incidents).toEqual([]);
      prev = out.record;
      S = out.state;
    }
    expect(chrSupply(S)).toBe(chrSupply(S0));
    expect(flxSupply(S)).toBe(flxSupply(S0));
  });

  it('publications: window 1 the active set and the admitted snapshot, window 2 the candidate and every voter\'s claims', () => {
    const snap = snapshotFor(1n, [[3n, 0n]]);
    const out = ledgerChecked(S0, { snapshots: [snap], agents: honestAgents() });
    const p1 = out.publications.window1;
    expect(p1.active).toEqual(SHARDS);
    expect(p1.admitted?.snapshot.epoch).toBe(1n);
    expect(p1.frozen).toBe(false);
    const p2 = out.publications.window2!;
    expect(p2.voters).toEqual(SHARDS);
    expect(p2.candidate!.root).toBe(out.record.root);
    expect([...p2.candidate!.claims.keys()]).toEqual(SHARDS);
    // Each claim list covers exactly the shard's nodes.
    const claims0 = p2.candidate!.claims.get(0n)!;
    expect(claims0.chr_delta.map((c) => c.node)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    expect(claims0.payouts[8]!.users).toEqual([]); // the last node of each shard has no users
    // The stored inputs: one snapshot, 8 proposals, 8 votes; the record's hash is theirs.
    expect(out.inputs.messages.map((m) => m.kind)).toEqual([...Array(8).fill('proposal'), 'snapshot', ...Array(8).fill('vote')]);
    expect(out.record.inputs_hash).toBe(ledgerInputsHash(out.inputs));
    expect(quorumNeeded(8n)).toBe(6n);
    expect([0n, 1n, 2n, 3n, 4n].map(quorumNeeded)).toEqual([1n, 1n, 2n, 2n, 3n]);
  });

  it('arrival order, duplicate copies and forged copies change no byte (ledger.deterministic)', () => {
    const inputs = scenarioInputs(CTX, S0, { seed: 3n, activityPerMille: 500n });
    const run = ledgerChecked(S0, {
      snapshots: [...inputs.snapshots, snapshotFor(1n, [[5n, 0n]]), snapshotFor(0n, [])],
      agents: honestAgents(submissionsOf(inputs)),
    });
    expect(run.record.incidents.map((i) => i.ea)).toEqual(['EA-11', 'EA-11']); // superseded and replayed
    const w = run.windows;
    const forged = (c: { message: import('../../src/math/canonical.ts').Json; signature: string }) => ({ ...c, signature: c.signature.replace(/^../, '00') });
    for (const seed of [1, 2, 3]) {
      const permuted: LedgerWindows = {
        governance: [],
        snapshots: shuffle([...w.snapshots, w.snapshots[0]!], seed),
        validator: null,
        proposals: shuffle([...w.proposals, ...w.proposals.slice(0, 3), forged(w.proposals[4]!)], seed),
        votes: shuffle([...w.votes, w.votes[2]!, forged(w.votes[6]!)], seed + 10),
      };
      const again = ledgerEpoch(CTX, S0, permuted);
      expect(again.record.outcome).toBe('commit');
      expect(bytes(again.record.incidents)).toBe(bytes(run.record.incidents));
      expect(again.record.root).toBe(run.record.root);
      // A forged copy is stored (it was read) but has no other effect: same record but the inputs hash.
      expect(bytes({ ...again.record, inputs_hash: '' })).toBe(bytes({ ...run.record, inputs_hash: '' }));
    }
    // Without forged copies, the very same bytes, inputs included.
    const plain: LedgerWindows = { governance: [], snapshots: shuffle(w.snapshots, 5), validator: null, proposals: shuffle([...w.proposals, ...w.proposals], 6), votes: shuffle(w.votes, 7) };
    const again = ledgerEpoch(CTX, S0, plain);
    expect(recordHash(again.record)).toBe(recordHash(run.record));
    expect(bytes(again.inputs)).toBe(bytes(run.inputs));
  });

  it('a message is its canonical bytes: a copy held in memory with bigints is the same message as its JSON', () => {
    const run = ledgerChecked(S0, { agents: honestAgents() });
    const w = run.windows;
    const withBigints = w.proposals.map((c) => ({ message: JSON.parse(JSON.stringify(c.message), (_k, v: unknown) => (typeof v === 'string' && /^(0|[1-9][0-9]*)$/.test(v) ? BigInt(v) : v)) as never, signature: c.signature }));
    const again = ledgerEpoch(CTX, S0, { ...w, proposals: withBigints });
    expect(recordHash(again.record)).toBe(recordHash(run.record));
    expect(bytes(again.inputs)).toBe(bytes(run.inputs));
  });

  it('replay: the stored inputs re-execute to the same record; altered inputs do not', () => {
    const inputs = scenarioInputs(CTX, S0, { seed: 11n });
    const out = ledgerChecked(S0, { snapshots: inputs.snapshots, validator: json({ epoch: 1n, psi: [] }), agents: honestAgents(submissionsOf(inputs)) });
    expect(kinds(out.record)).toContain('validator_malformed');
    const again = replayLedgerEpoch(CTX, S0, out.inputs);
    expect(recordHash(again.record)).toBe(recordHash(out.record));
    expect(again.state).toEqual(out.state);
    // Dropping one vote changes the inputs and so the record (its inputs hash, at least).
    const fewer = { ...out.inputs, messages: out.inputs.messages.filter((m, i) => !(m.kind === 'vote' && i === out.inputs.messages.length - 1)) };
    expect(recordHash(replayLedgerEpoch(CTX, S0, fewer).record)).not.toBe(recordHash(out.record));
    // The reader refuses a stored document whose digest was altered or whose order is broken.
    const doc = json(out.inputs) as { epoch: string; messages: { digest: string }[] };
    const bad = { ...doc, messages: [doc.messages[1], doc.messages[0], ...doc.messages.slice(2)] };
    expect(readLedgerInputs(json(bad)).ok).toBe(false);
    const alt = { ...doc, messages: [{ ...doc.messages[0]!, digest: '0'.repeat(64) }, ...doc.messages.slice(1)] };
    expect(readLedgerInputs(json(alt)).ok).toBe(false);
  });

  it('a shard with no proposal is no voter; the others commit (no event, no incident)', () => {
    const agents = honestAgents().map((a) => (a.shard === 5n ? { shard: 5n, propose: () => [], vote: () => [] } : a));
    const out = ledgerChecked(S0, { agents });
    expect(out.record.outcome).toBe('commit');
    expect(out.record.voters).toEqual(SHARDS.filter((s) => s !== 5n));
    expect(out.record.events).toEqual([]);
    expect(out.record.incidents).toEqual([]);
    expect(out.state.shards).toEqual(S0.shards); // no bookkeeping
    void shardKey;
  });
});
