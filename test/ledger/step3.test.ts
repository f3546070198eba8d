/**
 * Step 3 with hand-built Byzantine proposals: the message checks (events, no code), every reporter
 * check (EA-7, EA-1, EA-2, EA-6, EA-9) and equivocation (EA-8) with exactly the expected
 * (code, ea, shard), the check order, exact values at the edges of the §1 range, the CIR-302 and
 * CIR-412 bookkeeping (halts, group halts, one violation per epoch, blacklisting), and the
 * exclusion of an offender's actions.
 */
import { describe, expect, it } from 'vitest';
import { SCALE } from '../../src/math/certified-math.ts';
import type { ProposalIncident } from '../../src/epoch/epoch-record.ts';
import { chooseActions, honestProposal, type ProposalBody } from '../../src/economics/honest-agent.ts';
import { signProposal } from '../../src/ledger/proposal.ts';
import { equivocatingAgent, lyingProposer, scriptedAgent, type ShardAgent } from '../../src/coherence/shard-agent.ts';
import type { State } from '../../src/economics/state.ts';
import { agentsWith, json, kinds, ledgerChecked, S0, shardKey, SHARDS, triples } from './fixtures.ts';
import type { HonestShardAgent } from '../../src/coherence/shard-agent.ts';

type Lie = (body: ProposalBody) => ProposalBody;
const lying = (lie: Lie) => (h: HonestShardAgent): ShardAgent => lyingProposer(h, lie);

const C = (): bigint => 741059623134257185135027n; // C of the default genesis field (checked below)
const LIMIT = 2n ** 127n;

/** Shard 2 owns edge (18, 19), on the triangle (18, 19, 20). */
const gradientLie = (delta: bigint): Lie => (b) => ({ ...b, reports: { ...b.reports, gradients: b.reports.gradients.map((g, i) => (i === 0 ? { ...g, value: g.value + delta } : g)) } });
const psiLie: Lie = (b) => ({ ...b, reports: { ...b.reports, psi: b.reports.psi.map((p, i) => (i === 1 ? { ...p, value: p.value + 1n } : p)) } });
const syncLie = (value: bigint): Lie => (b) => ({ ...b, reports: { ...b.reports, sync: value } });
const actionsLie = (actions: ProposalBody['actions']): Lie => (b) => ({ ...b, actions });

describe('step 3: proposals', () => {
  it('message checks are events with no code: malformed, wrong_epoch, inactive (ignored), bad_signature, wrong_prev_root', () => {
    const S: State = { ...S0, shards: S0.shards.map((s) => (s.id === 5n ? { ...s, halted_until: 1n } : s)) };
    const inactive5 = scriptedAgent(5n, {
      propose: (p) => [signProposal(honestProposal(p.basis, chooseActions(p.basis, 5n, []), p.epoch, p.prev_root), shardKey(5n))],
    });
    const out = ledgerChecked(S, {
      agents: agentsWith({
        '1': (h) => lyingProposer(h, (b) => json({ ...b, extra: '1' }) as never),
        '2': lying((b) => ({ ...b, epoch: 5n })),
        '3': (h) => scriptedAgent(3n, { propose: (p) => [signProposal(h.proposalBody(p)!, shardKey(1n))], vote: (p) => h.vote(p) }),
        '4': lying((b) => ({ ...b, prev_root: '00'.repeat(32) })),
        '5': () => inactive5,
      }),
    });
    expect(out.record.outcome).toBe('commit');
    expect(out.record.active).toEqual([0n, 1n, 2n, 3n, 4n, 6n, 7n]);
    expect(out.record.voters).toEqual([0n, 6n, 7n]);
    expect(out.record.incidents).toEqual([]);
    expect(out.record.events.map((e) => [e.kind, 'shard' in e ? e.shard : undefined, 'reason' in e ? e.reason : undefined])).toEqual([
      ['proposal_rejected', null, 'malformed'],
      ['proposal_rejected', 2n, 'wrong_epoch'],
      ['proposal_rejected', 3n, 'bad_signature'],
      ['proposal_rejected', 4n, 'wrong_prev_root'],
      ['proposal_ignored', 5n, undefined],
    ]);
    expect(out.state.shards).toEqual(S.shards); // no bookkeeping for any of these
  });

  it('each reporter check gives exactly its (code, ea, shard), in shard order, with its response', () => {
    const st3 = S0.nodes.find((n) => n.id === 3n)!;
    const out = ledgerChecked(S0, {
      agents: agentsWith({
        '0': lying(actionsLie([{ kind: 'stake', node: 3n, amount: st3.flx, nonce: 1n }])), // EA-9
        '1': lying(psiLie), // EA-1 (ψ)
        '2': lying(gradientLie(C())), // EA-7
        '4': lying(actionsLie([{ kind: 'transfer', from: 36n, to: 37n, amount: 0n, nonce: 1n }])), // EA-6 non_positive_amount
        '5': lying(syncLie(2n * C())), // EA-2
        '6': lying(gradientLie(1n)), // EA-1 (gradient, within the curl bound)
        '7': lying(actionsLie([{ kind: 'transfer', from: 1n, to: 64n, amount: 1n, nonce: 1n }])), // EA-6 wrong_shard
      }),
    });
    expect(out.publications.window1.basis.field.c).toBe(C());
    expect(triples(out.record.incidents)).toEqual([
      ['CIR-302', 'EA-9', 0n],
      ['CIR-302', 'EA-1', 1n],
      ['CIR-412', 'EA-7', 2n],
      ['CIR-302', 'EA-6', 4n],
      ['CIR-412', 'EA-2', 5n],
      ['CIR-302', 'EA-1', 6n],
      ['CIR-302', 'EA-6', 7n],
    ]);
    const ev = (shard: bigint) => (out.record.incidents.find((i) => i.shard === shard) as ProposalIncident).evidence as unknown as Record<string, unknown>;
    expect(ev(0n)).toMatchObject({ open: 579630925278641074679693n, with_stakes: 16644365953513561673672336n });
    expect(ev(1n)).toMatchObject({ report: 'psi', node: 10n, a: null, b: null });
    expect(ev(1n).reported).toBe((ev(1n).computed as bigint) + 1n);
    expect(ev(2n)).toMatchObject({ a: 18n, b: 19n, c: 20n, bound: C() / 1000n });
    expect(ev(4n)).toMatchObject({ index: 0n, rule: 'non_positive_amount' });
    expect(ev(5n)).toMatchObject({ reported: 2n * C(), c: C(), bound: C() / 100n });
    expect(ev(6n)).toMatchObject({ report: 'gradient', node: null, a: 54n, b: 55n });
    expect(ev(7n)).toMatchObject({ index: 0n, rule: 'wrong_shard' });
    // The only voter commits alone (n = 1, needed 1).
    expect(out.record.outcome).toBe('commit');
    expect(out.record.voters).toEqual([3n]);
    // Bookkeeping: every offender halted until t + HALT_EPOCHS with one violation; shard 3 (group of
    // the CIR-412 offender 2) halted until t + 1 without a violation.
    expect(out.state.shards).toEqual(
      SHARDS.map((id) => (id === 3n ? { id, halted_until: 2n, violations: 0n, blacklisted: false } : { id, halted_until: 3n, violations: 1n, blacklisted: false })),
    );
    // Their actions are excluded: no stake and no transfer happened.
    expect(out.record.moves.filter((m) => m.kind === 'stake' || m.kind === 'transfer')).toEqual([]);
  });

  it('the first failing check decides and the later ones are not evaluated', () => {
    const out = ledgerChecked(S0, {
      agents: agentsWith({
        '1': lying((b) => psiLie(actionsLie([{ kind: 'transfer', from: 9n, to: 10n, amount: 0n, nonce: 1n }])(b))), // EA-1 before EA-6
        '2': lying((b) => syncLie(LIMIT - 1n)(gradientLie(C())(b))), // EA-7 before EA-2
        '5': lying((b) => syncLie(0n)(actionsLie([{ kind: 'stake', node: 45n, amount: 1n, nonce: 7n }])(b))), // EA-2 before EA-6
      }),
    });
    expect(triples(out.record.incidents)).toEqual([
      ['CIR-302', 'EA-1', 1n],
      ['CIR-412', 'EA-7', 2n],
      ['CIR-412', 'EA-2', 5n],
    ]);
  });

  it('every value is exact at the ends of the §1 range: no MathViolation, the lie is attributed', () => {
    const out = ledgerChecked(S0, {
      agents: agentsWith({
        '2': lying(gradientLie(-LIMIT)), // a gradient of about -2^127 on an owned edge
        '5': lying(syncLie(LIMIT - 1n)),
        '6': lying(actionsLie([{ kind: 'transfer', from: 54n, to: 55n, amount: LIMIT - 1n, nonce: 1n }, { kind: 'transfer', from: 54n, to: 56n, amount: LIMIT - 1n, nonce: 2n }])),
      }),
    });
    expect(triples(out.record.incidents)).toEqual([
      ['CIR-412', 'EA-7', 2n],
      ['CIR-412', 'EA-2', 5n],
      ['CIR-302', 'EA-6', 6n],
    ]);
    expect(out.record.outcome).toBe('commit');
  });

  it('EA-8: two different valid proposals; both discarded, every valid one is the evidence; CIR-412', () => {
    const out = ledgerChecked(S0, { agents: agentsWith({ '6': (h) => equivocatingAgent(h, (b) => ({ ...b, reports: { ...b.reports, sync: b.reports.sync + 1n } })) }) });
    expect(triples(out.record.incidents)).toEqual([['CIR-412', 'EA-8', 6n]]);
    const ev = out.record.incidents[0]!.evidence as { proposals: string[] };
    const mine = out.inputs.messages.filter((m) => m.kind === 'proposal' && (m.message as { shard: string }).shard === '6').map((m) => m.digest);
    expect(ev.proposals).toEqual(mine);
    expect(mine).toHaveLength(2);
    expect(out.record.voters).toEqual(SHARDS.filter((s) => s !== 6n));
    expect(out.state.shards.map((s) => s.halted_until)).toEqual([0n, 0n, 0n, 0n, 2n, 2n, 3n, 2n]);
    expect(out.state.shards.map((s) => s.violations)).toEqual([0n, 0n, 0n, 0n, 0n, 0n, 1n, 0n]);
    expect(out.record.outcome).toBe('commit'); // 7 voters, 7 votes (needed 6)
  });

  it("a lie moves nothing: an offender's epoch has the nodes of the epoch in which it sent nothing", () => {
    const subs = new Map([[4n, [json({ kind: 'transfer', from: 36n, to: 9n, amount: SCALE, nonce: 1n }), json({ kind: 'stake', node: 37n, amount: SCALE, nonce: 1n })]]]);
    const lied = ledgerChecked(S0, { agents: agentsWith({ '4': lying(psiLie) }, subs) });
    const silent = ledgerChecked(S0, { agents: agentsWith({ '4': () => scriptedAgent(4n, {}) }, subs) });
    const honest = ledgerChecked(S0, { agents: agentsWith({}, subs) });
    expect(triples(lied.record.incidents)).toEqual([['CIR-302', 'EA-1', 4n]]);
    expect(lied.state.nodes).toEqual(silent.state.nodes);
    expect(lied.state.users).toEqual(silent.state.users);
    expect(honest.state.nodes).not.toEqual(silent.state.nodes); // the actions do something when applied
  });

  it('blacklisting: the third violation blacklists from t + 1; its proposals are then ignored until reinstated', () => {
    let S = S0;
    const offences: bigint[] = [];
    for (let k = 0; k < 8; k++) {
      const t = S.epoch + 1n;
      const out = ledgerChecked(S, { agents: agentsWith({ '1': lying(syncLie(0n)) }) });
      if (out.record.incidents.length > 0) {
        expect(triples(out.record.incidents)).toEqual([['CIR-412', 'EA-2', 1n]]);
        offences.push(t);
      } else if (out.record.active.includes(1n)) throw new Error('an active liar must be caught');
      S = out.state;
    }
    // Halted for HALT_EPOCHS = 2 after each offence: epochs 1, 4, 7.
    expect(offences).toEqual([1n, 4n, 7n]);
    expect(S.shards[1]).toEqual({ id: 1n, halted_until: 9n, violations: 3n, blacklisted: true });
    // Its group (0, 2, 3) was halted for one epoch each time, without a violation.
    expect(S.shards.filter((s) => s.id !== 1n).map((s) => s.violations)).toEqual(Array(7).fill(0n));
    const after = ledgerChecked(S, { agents: agentsWith({}) });
    expect(after.record.active).not.toContain(1n);
    expect(kinds(after.record)).toEqual([]); // the honest agent of a blacklisted shard proposes nothing
  });
});
