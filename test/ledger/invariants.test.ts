/**
 * The catalog's ledger entries catch bugs: each case takes a checked ledger epoch, plants one
 * deliberate fault in the record, the next state or the stored inputs, and expects the named
 * invariant among the violations of `checkLedgerEpoch` (which re-derives from the stored messages,
 * so a record that agrees with a wrong state does not hide the fault). `record.replay` is checked
 * by `checkRecordReplay`.
 */
import { describe, expect, it } from 'vitest';
import { checkLedgerEpoch, checkRecordReplay } from '../../src/coherence/replay.ts';
import type { EpochRecord, Incident } from '../../src/epoch/epoch-record.ts';
import type { LedgerInputs } from '../../src/ledger/ledger-inputs.ts';
import { lyingProposer, lyingVoter } from '../../src/coherence/shard-agent.ts';
import { stateRoot, type State } from '../../src/economics/state.ts';
import { agentsWith, CTX, governance, ledgerChecked, S0 } from './fixtures.ts';

const ids = (S: State, record: EpochRecord, next: State, inputs: LedgerInputs): string[] => checkLedgerEpoch(CTX, S, record, next, inputs).map((v) => v.id);
const rooted = (next: State, record: EpochRecord): EpochRecord => ({ ...record, root: stateRoot(next) });

describe('ledger invariants: planted bugs', () => {
  const honest = ledgerChecked(S0, { agents: agentsWith({}) });
  const liar = ledgerChecked(S0, { agents: agentsWith({ '2': (h) => lyingProposer(h, (b) => ({ ...b, reports: { ...b.reports, sync: 0n } })) }) });
  const siphon = ledgerChecked(S0, { agents: agentsWith({ '5': (h) => lyingVoter(h, (v) => ({ ...v, claims: { ...v.claims, flx_delta: v.claims.flx_delta.map((x) => ({ ...x, value: x.value + 1n })) } })) }) });
  const capped = ledgerChecked(S0, { agents: agentsWith({ '6': (h) => lyingVoter(h, (v) => ({ ...v, claims: { ...v.claims, rewards: v.claims.rewards.map((x) => ({ ...x, value: x.value + 1n })) } })) }) });

  it('incident.evidence: an incident that blames an honest shard (its report equals the opening field)', () => {
    const p3 = honest.inputs.messages.find((m) => m.kind === 'proposal' && (m.message as { shard: string }).shard === '3')!;
    const fake: Incident = { code: 'CIR-302', ea: 'EA-1', shard: 3n, evidence: { proposal: p3.digest, report: 'psi', node: 27n, a: null, b: null, reported: 1n, computed: 1n } };
    expect(ids(S0, { ...honest.record, incidents: [fake] }, honest.state, honest.inputs)).toContain('incident.evidence');
  });

  it('incident.evidence: an EA-13 incident whose computed values are not the candidate\'s', () => {
    const i = capped.record.incidents[0]!;
    const ev = i.evidence as unknown as { fields: { field: string; claimed: unknown; computed: { node: bigint; value: bigint }[] }[] };
    const bent = { ...i, evidence: { ...ev, fields: ev.fields.map((f) => ({ ...f, computed: f.computed.map((x) => ({ ...x, value: x.value + 2n })) })) } } as unknown as Incident;
    expect(ids(S0, { ...capped.record, incidents: [bent] }, capped.state, capped.inputs)).toContain('incident.evidence');
  });

  it('incident.evidence: incidents out of pipeline order', () => {
    const two = ledgerChecked(S0, { agents: agentsWith({ '1': (h) => lyingProposer(h, (b) => ({ ...b, reports: { ...b.reports, sync: 0n } })), '6': (h) => lyingProposer(h, (b) => ({ ...b, reports: { ...b.reports, sync: 0n } })) }) });
    expect(ids(S0, { ...two.record, incidents: [...two.record.incidents].reverse() }, two.state, two.inputs)).toContain('incident.evidence');
  });

  it('incident.bookkeeping: a missing violation, a missing group halt, a mode that ignores a CIR-511', () => {
    const noViolation = { ...liar.state, shards: liar.state.shards.map((s) => (s.id === 2n ? { ...s, violations: 0n } : s)) };
    expect(ids(S0, rooted(noViolation, liar.record), noViolation, liar.inputs)).toContain('incident.bookkeeping');
    const noGroupHalt = { ...liar.state, shards: liar.state.shards.map((s) => (s.id === 0n ? { ...s, halted_until: 0n } : s)) };
    expect(ids(S0, rooted(noGroupHalt, liar.record), noGroupHalt, liar.inputs)).toContain('incident.bookkeeping');
    const normal: State = { ...siphon.state, mode: 'normal' };
    expect(ids(S0, rooted(normal, siphon.record), normal, siphon.inputs)).toContain('incident.bookkeeping');
    const twice = { ...liar.state, shards: liar.state.shards.map((s) => (s.id === 2n ? { ...s, violations: 2n } : s)) };
    expect(ids(S0, rooted(twice, liar.record), twice, liar.inputs)).toContain('incident.bookkeeping');
  });

  it('incident.bookkeeping: a rotation of step 0 that the next state forgets', () => {
    const key = CTX.genesis.shards[0]!.key.replace(/^../, 'ff');
    const e = ledgerChecked(S0, { governance: [governance({ kind: 'rotate_founder_key', genesis: CTX.genesisHash, epoch: 1n, founder: 2n, key }, [0n, 1n])], agents: agentsWith({}) });
    const forgot = { ...e.state, founders: S0.founders };
    expect(ids(S0, rooted(forgot, e.record), forgot, e.inputs)).toContain('incident.bookkeeping');
  });

  it('ledger.quorum: a commit whose stored votes do not reach max(1, ⌈2n/3⌉)', () => {
    let dropped = 0;
    const fewer: LedgerInputs = { ...honest.inputs, messages: honest.inputs.messages.filter((m) => !(m.kind === 'vote' && dropped++ < 3)) };
    expect(ids(S0, honest.record, honest.state, fewer)).toContain('ledger.quorum');
    expect(ids(S0, honest.record, honest.state, honest.inputs)).toEqual([]);
  });

  it('safe-mode.frozen: balances that move in safe mode without a valid exit record', () => {
    const safe: State = { ...S0, mode: 'safe' };
    const moved: State = { ...honest.state, mode: 'safe' };
    expect(ids(safe, { ...rooted(moved, honest.record), prev_root: stateRoot(safe) }, moved, honest.inputs)).toContain('safe-mode.frozen');
  });

  it('record.replay: a record that its stored inputs do not reproduce', () => {
    expect(checkRecordReplay(CTX, S0, { ...honest.record, voters: honest.record.voters.slice(1) }, honest.inputs)).not.toBeNull();
    expect(checkRecordReplay(CTX, S0, honest.record, honest.inputs)).toBeNull();
  });
});
