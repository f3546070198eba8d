/**
 * Steps 12–13 with hand-built Byzantine votes: the vote checks (events, no code), equivocation,
 * every mismatch class (EA-10, EA-3, EA-5, EA-4, EA-13) with exactly the expected
 * (code, ea, shard) and response, the classification order, `vote_root_mismatch`, and the quorum
 * (liveness with f withholding shards, no commit without a quorum).
 */
import { describe, expect, it } from 'vitest';
import type { VoteIncident } from '../../src/epoch/epoch-record.ts';
import { lyingVoter, scriptedAgent, withholdingAgent, type HonestShardAgent, type ShardAgent } from '../../src/coherence/shard-agent.ts';
import { signVote, type VoteBody } from '../../src/ledger/vote.ts';
import { agentsWith, CTX, json, kinds, ledgerChecked, S0, shardKey, SHARDS, triples } from './fixtures.ts';
import { SCALE } from '../../src/math/certified-math.ts';

type Lie = (v: VoteBody) => VoteBody;
const lying = (lie: Lie) => (h: HonestShardAgent): ShardAgent => lyingVoter(h, lie);
const bump = <T extends { value: bigint }>(xs: readonly T[]): T[] => xs.map((x, i) => (i === 0 ? { ...x, value: x.value + 1n } : x));
const claim = (f: (c: VoteBody['claims']) => Partial<VoteBody['claims']>): Lie => (v) => ({ ...v, claims: { ...v.claims, ...f(v.claims) } });
const PHANTOM_LEG = { leg: '00'.repeat(32), value: 1n };

/** Well-formed claims of a shard, every value 0 (for a shard that is no voter and has no claims). */
function zeroClaims(shard: bigint): VoteBody['claims'] {
  const topo = CTX.topology;
  const members = topo.shardNodes[topo.shardIndex.get(shard)!]!;
  const zeros = members.map((i) => ({ node: topo.nodeIds[i]!, value: 0n }));
  return {
    chr_delta: zeros,
    flx_delta: zeros,
    res: zeros,
    psy_minted: zeros,
    multipliers: zeros,
    rewards: zeros,
    payouts: members.map((i) => ({ node: topo.nodeIds[i]!, cut: 0n, users: topo.nodeUsers[i]!.map((j) => ({ user: topo.userIds[j]!, value: 0n })) })),
    cross_out: [],
    cross_in: [],
  };
}

/** A cross-shard transfer from shard 0 (node 0) to shard 1 (node 9), so that shards 0 and 1 have a leg. */
const subs = new Map([[0n, [json({ kind: 'transfer', from: 0n, to: 9n, amount: SCALE, nonce: 1n })]]]);

describe('step 12: votes', () => {
  it('vote checks are events with no code: malformed, wrong_epoch, not_voter, bad_signature; equivocation ignores both', () => {
    const out = ledgerChecked(S0, {
      agents: agentsWith({
        '1': (h) => lyingVoter(h, (v) => json({ ...v, extra: '1' }) as never),
        '2': lying((v) => ({ ...v, epoch: 9n })),
        '3': (h) => scriptedAgent(3n, { propose: (p) => h.propose(p), vote: (p) => [signVote(h.voteBody(p)!, shardKey(4n))] }),
        '5': (h) => scriptedAgent(5n, { propose: (p) => h.propose(p), vote: (p) => [...h.vote(p), signVote(claim((c) => ({ rewards: bump(c.rewards) }))(h.voteBody(p)!), shardKey(5n))] }),
        // Shard 6 proposes nothing, so it is no voter; its vote is not_voter.
        '6': () => scriptedAgent(6n, { vote: (p) => [signVote({ epoch: p.epoch, shard: 6n, root: p.candidate!.root, claims: zeroClaims(6n) }, shardKey(6n))] }),
      }),
    });
    expect(out.record.voters).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 7n]);
    expect(out.record.events.map((e) => [e.kind, 'shard' in e ? e.shard : undefined, 'reason' in e ? e.reason : undefined])).toEqual([
      ['vote_rejected', null, 'malformed'],
      ['vote_rejected', 2n, 'wrong_epoch'],
      ['vote_rejected', 3n, 'bad_signature'],
      ['vote_equivocation', 5n, undefined],
      ['vote_rejected', 6n, 'not_voter'],
      ['no_quorum', undefined, undefined],
    ]);
    expect(out.record.events.at(-1)).toEqual({ kind: 'no_quorum', votes: 3n, needed: 5n }); // 0, 4, 7 of 7 voters
    expect(out.record.incidents).toEqual([]);
    expect(out.record.outcome).toBe('abort');
    expect(out.state).toEqual({ ...S0, epoch: 1n });
  });

  const cases: [string, Lie, string | null, string, string][] = [
    ['cross_in (a phantom leg)', claim((c) => ({ cross_in: [PHANTOM_LEG, ...c.cross_in] })), 'CIR-511', 'EA-10', 'safe_mode'],
    ['cross_out (another amount)', claim((c) => ({ cross_out: bump(c.cross_out) })), 'CIR-511', 'EA-10', 'safe_mode'],
    ['payouts (a larger cut)', claim((c) => ({ payouts: c.payouts.map((p, i) => (i === 0 ? { ...p, cut: p.cut + 1n } : p)) })), 'CIR-511', 'EA-3', 'safe_mode'],
    ['flx_delta', claim((c) => ({ flx_delta: bump(c.flx_delta) })), 'CIR-511', 'EA-3', 'safe_mode'],
    ['chr_delta', claim((c) => ({ chr_delta: bump(c.chr_delta) })), 'CIR-302', 'EA-5', 'abort'],
    ['res', claim((c) => ({ res: bump(c.res) })), 'CIR-302', 'EA-4', 'abort'],
    ['multipliers (above A_MAX)', claim((c) => ({ multipliers: c.multipliers.map((m) => ({ ...m, value: 17n })) })), null, 'EA-13', 'reward_capped'],
    ['rewards', claim((c) => ({ rewards: bump(c.rewards) })), null, 'EA-13', 'reward_capped'],
    ['psy_minted', claim((c) => ({ psy_minted: bump(c.psy_minted) })), null, 'EA-13', 'reward_capped'],
  ];
  for (const [name, lie, code, ea, response] of cases) {
    it(`a ${name} claim: (${code}, ${ea}, 0) and the response ${response}`, () => {
      const out = ledgerChecked(S0, { agents: agentsWith({ '0': lying(lie) }, subs) });
      expect(triples(out.record.incidents)).toEqual([[code, ea, 0n]]);
      const ev = (out.record.incidents[0] as VoteIncident).evidence;
      expect(ev.response).toBe(response);
      expect(ev.fields).toHaveLength(1);
      expect(ev.root).toBe(out.publications.window2!.candidate!.root);
      const s0 = out.state.shards[0]!;
      if (code === null) {
        // Hard cap: the computed values stand; the vote does not count; 7 of 8 still hold the quorum.
        expect(out.record.outcome).toBe('commit');
        expect(out.state).toEqual(out.publications.window2!.candidate!.state);
        expect(s0).toEqual(S0.shards[0]);
      } else {
        expect(out.record.outcome).toBe('abort');
        expect(kinds(out.record)).not.toContain('no_quorum');
        expect(out.state.nodes).toEqual(S0.nodes); // rolled back: nothing moves
        expect(out.state.mode).toBe(code === 'CIR-511' ? 'safe' : 'normal');
        // The voter gets the CIR-302 bookkeeping (also under CIR-511), and no group halt.
        expect(s0).toEqual({ id: 0n, halted_until: 3n, violations: 1n, blacklisted: false });
        expect(out.state.shards.slice(1)).toEqual(S0.shards.slice(1));
      }
    });
  }

  it('a vote takes the EA of its first mismatched field (EA-10 before EA-4) and lists every mismatched field', () => {
    const out = ledgerChecked(S0, { agents: agentsWith({ '1': lying(claim((c) => ({ res: bump(c.res), rewards: bump(c.rewards), cross_in: bump(c.cross_in) }))) }, subs) });
    expect(triples(out.record.incidents)).toEqual([['CIR-511', 'EA-10', 1n]]);
    expect((out.record.incidents[0] as VoteIncident).evidence.fields.map((f) => f.field)).toEqual(['cross_in', 'res', 'rewards']);
  });

  it('several lying voters: one incident each, in shard order; the abort and safe mode follow', () => {
    const out = ledgerChecked(S0, {
      agents: agentsWith({ '6': lying(claim((c) => ({ res: bump(c.res) }))), '2': lying(claim((c) => ({ psy_minted: bump(c.psy_minted) }))), '4': lying(claim((c) => ({ flx_delta: bump(c.flx_delta) }))) }),
    });
    expect(triples(out.record.incidents)).toEqual([
      [null, 'EA-13', 2n],
      ['CIR-511', 'EA-3', 4n],
      ['CIR-302', 'EA-4', 6n],
    ]);
    expect(out.record.outcome).toBe('abort');
    expect(out.state.mode).toBe('safe');
    expect(out.state.shards.map((s) => s.violations)).toEqual([0n, 0n, 0n, 0n, 1n, 0n, 1n, 0n]);
  });

  it('a root that differs while every claim matches is the event vote_root_mismatch (no code); the vote does not count', () => {
    const out = ledgerChecked(S0, { agents: agentsWith({ '3': lying((v) => ({ ...v, root: '11'.repeat(32) })) }) });
    expect(out.record.incidents).toEqual([]);
    expect(out.record.events).toEqual([{ kind: 'vote_root_mismatch', digest: expect.any(String) as string, shard: 3n }]);
    expect(out.record.outcome).toBe('commit');
  });

  it('liveness: f = 2 shards withholding their votes cannot block the quorum (6 of 8)', () => {
    const out = ledgerChecked(S0, { agents: agentsWith({ '0': withholdingAgent, '7': withholdingAgent }) });
    expect(out.record.outcome).toBe('commit');
    expect(out.record.voters).toEqual(SHARDS);
    expect(out.record.incidents).toEqual([]);
  });

  it('no commit without a quorum: 3 withheld votes (5 of 8 < 6) abort with no_quorum, and an EA-13 vote counts as withheld', () => {
    const out = ledgerChecked(S0, { agents: agentsWith({ '0': withholdingAgent, '4': withholdingAgent, '7': withholdingAgent }) });
    expect(out.record.outcome).toBe('abort');
    expect(out.record.events).toEqual([{ kind: 'no_quorum', votes: 5n, needed: 6n }]);
    expect(out.state).toEqual({ ...S0, epoch: 1n });
    const capped = ledgerChecked(S0, { agents: agentsWith({ '0': withholdingAgent, '4': withholdingAgent, '7': lying(claim((c) => ({ rewards: bump(c.rewards) }))) }) });
    expect(triples(capped.record.incidents)).toEqual([[null, 'EA-13', 7n]]);
    expect(capped.record.events.at(-1)).toEqual({ kind: 'no_quorum', votes: 5n, needed: 6n });
    expect(capped.record.outcome).toBe('abort');
    expect(capped.state.shards).toEqual(S0.shards); // EA-13: no violation
  });

  it('every vote withheld: no_quorum (0 of 6)', () => {
    const out = ledgerChecked(S0, { agents: agentsWith(Object.fromEntries(SHARDS.map((s) => [s.toString(), withholdingAgent]))) });
    expect(out.record.events).toEqual([{ kind: 'no_quorum', votes: 0n, needed: 6n }]);
    expect(out.record.sync!.reports).toHaveLength(8); // sync and c_shards are kept on an abort
    expect(out.record.c_shards).toHaveLength(8);
  });
});
