/**
 * The economy checks (§9) of rewards, treasury, sync, the voters' reports, coherence, the applied
 * actions, halts, the unstake queue and the oracle, each against recompute.ts.
 */
import { median, mulDiv, SCALE } from '../math/certified-math.ts';
import { canonicalString, type Encodable } from '../math/canonical.ts';
import { firstActionFault, stakeCoherence } from '../economics/action-rules.ts';
import { parseAccount } from '../economics/state.ts';
import { proposalDigest } from '../ledger/proposal.ts';
import { fail, first, isCommit, movesOf, same, sameList, total } from './compare.ts';
import { derive } from './recompute.ts';
import type { StepCheck } from './step-check.ts';
import { validProposal } from './stored-messages.ts';

export const rewardCap: StepCheck = (x) => {
  const d = derive(x);
  const w = d.rewards;
  const aMax = x.genesis.constants.a_max;
  const nodes = x.record.rewards.nodes;
  const over = nodes.find((n) => n.m > aMax);
  const sumR = total(nodes.map((n) => n.r));
  return first(
    () => same('rewards.budget', w.budget, x.record.rewards.budget),
    () => (over === undefined ? null : fail(`node ${over.node}'s multiplier exceeds A_MAX`, `<= ${aMax}`, over.m.toString())),
    () => (sumR <= w.budget ? null : fail('Σ rewards exceeds the budget', `<= ${w.budget}`, sumR.toString())),
    () =>
      sameList(
        'rewards.nodes (node, m, w, r)',
        x.topology.nodeIds.map((node, i) => ({ node, m: w.m[i]!, w: w.w[i]!, r: w.r[i]! })),
        nodes.map((n) => ({ node: n.node, m: n.m, w: n.w, r: n.r })),
      ),
  );
};

export const treasuryExact: StepCheck = (x) => {
  const d = derive(x);
  const tr = d.treasury;
  return first(
    () => sameList('rewards.nodes k', tr.k, x.record.rewards.nodes.map((n) => n.k)),
    () => sameList('rewards.users', tr.users, x.record.rewards.users),
    () => sameList('cut and payout moves', tr.moves, movesOf(x.record, ['cut', 'payout'])),
    () => same('treasury paid (Σ k_i + Σ u)', tr.paid, x.prev.treasury - x.next.treasury),
  );
};

export const syncAgreement: StepCheck = (x) => {
  const d = derive(x);
  const C = d.field.c;
  const tol = mulDiv(C, x.genesis.constants.epsilon_sync, SCALE);
  const sync = x.record.sync;
  if (sync === null) return fail('a committed epoch has no sync evidence', '{ c, median, reports }', 'null');
  const reports = x.record.voters.map((v) => ({ shard: v, value: (d.proposals.get(v) ?? [])[0]?.reports.sync }));
  const far = (v: bigint): boolean => (v > C ? v - C : C - v) > tol;
  const bad = sync.reports.find((r) => far(r.value));
  const values = sync.reports.map((r) => r.value);
  const med = values.length === 0 ? null : median(values);
  return first(
    () => same('the stored coherence (the ledger C)', C, x.next.coherence),
    () => same('sync.c', C, sync.c),
    () => sameList('sync.reports (the voters\' reports)', reports, sync.reports),
    () => (bad === undefined ? null : fail(`shard ${bad.shard}'s report is not within ε_sync of C`, `|report − ${C}| <= ${tol}`, bad.value.toString())),
    () => same('sync.median (lower median of the reports)', med, sync.median),
    () => (med === null || !far(med) ? null : fail('the median report is not within ε_sync of C', `|median − ${C}| <= ${tol}`, med.toString())),
  );
};

export const fieldCurlFree: StepCheck = (x) => {
  if (x.record.voters.length === 0) return null;
  const d = derive(x);
  const topo = x.topology;
  for (const v of x.record.voters) {
    const s = topo.shardIndex.get(v);
    const ps = d.proposals.get(v) ?? [];
    if (s === undefined || ps.length !== 1) return fail(`voter ${v} has no single proposal in the inputs`, 'one proposal', ps.length.toString());
    const p = ps[0]!;
    const psi = topo.shardNodes[s]!.map((i) => ({ node: topo.nodeIds[i]!, value: d.field.psi[i]! }));
    const gradients: { a: bigint; b: bigint; value: bigint }[] = [];
    for (let e = 0; e < topo.edgeA.length; e++) {
      if (topo.nodeShard[topo.edgeA[e]!] === s) gradients.push({ a: topo.nodeIds[topo.edgeA[e]!]!, b: topo.nodeIds[topo.edgeB[e]!]!, value: d.field.gradients[e]! });
    }
    const v1 = sameList(`shard ${v}'s reported ψ`, psi, p.reports.psi) ?? sameList(`shard ${v}'s reported gradients`, gradients, p.reports.gradients);
    if (v1 !== null) return v1;
  }
  return null;
};

export const coherenceBounded: StepCheck = (x) => {
  const d = derive(x);
  const want = x.record.voters.map((v) => {
    const c = stakeCoherence(d.basis, v, (d.proposals.get(v) ?? []).flatMap((p) => p.actions));
    return { shard: v, open: c.open, with_stakes: c.with_stakes, bound: c.bound };
  });
  const bad = want.find((c) => (c.with_stakes > c.open ? c.with_stakes - c.open : c.open - c.with_stakes) > c.bound);
  return first(
    () => (bad === undefined ? null : fail(`voter ${bad.shard}'s stakes move its C_s beyond the EA-9 bound`, `|Δ| <= ${bad.bound}`, (bad.with_stakes - bad.open).toString())),
    () => (x.record.c_shards === null ? fail('a committed epoch has no c_shards', 'a list', 'null') : null),
    () => sameList('c_shards', want.map(({ shard, open, with_stakes }) => ({ shard, open, with_stakes })), x.record.c_shards ?? []),
  );
};

export const actionsApplied: StepCheck = (x) => {
  const d = derive(x);
  const topo = x.topology;
  const prevRoot = d.prevRoot;
  for (const v of x.record.voters) {
    const ps = d.proposals.get(v) ?? [];
    if (ps.length !== 1) return fail(`voter ${v} has no single proposal in the inputs`, 'one proposal', ps.length.toString());
    const p = ps[0]!;
    if (p.epoch !== d.t || p.prev_root !== prevRoot) return fail(`voter ${v}'s proposal is not for this epoch and S`, { epoch: d.t, prev_root: prevRoot }, { epoch: p.epoch, prev_root: p.prev_root });
    const fault = firstActionFault(d.basis, v, p.actions);
    if (fault !== null) return fail(`voter ${v}'s action ${fault.index} breaks step 3 (${fault.code})`, 'every applied action valid by step 3', p.actions[fault.index]!);
  }
  if (x.ledger) {
    for (const p of x.inputs.proposals) {
      const digest = proposalDigest(p);
      const v = digest === undefined ? 'it has no canonical form' : validProposal(x, digest, p.shard);
      if (typeof v === 'string') return fail(`voter ${p.shard}'s applied proposal is not a valid stored proposal: ${v}`, 'a signed proposal of the stored inputs', p);
    }
  }
  const nonVoter = x.inputs.proposals.find((p) => !x.record.voters.includes(p.shard));
  if (nonVoter !== undefined) return fail(`the inputs hold a proposal of shard ${nonVoter.shard}, which is not a voter (honest path: every proposal votes)`, x.record.voters, nonVoter.shard);
  const digests = d.actions.map((a) => canonicalString(a as unknown as Encodable));
  if (new Set(digests).size !== digests.length) return fail('an action is applied twice', 'each action once', 'a duplicate');
  const s4 = d.step4;
  const lastNonce = topo.nodeIds.map((_, i) => s4.nonce[i]!);
  return first(
    () => sameList('the step-4 action moves', s4.actionMoves, movesOf(x.record, ['transfer', 'stake', 'psy_transfer'])),
    () => sameList('the unstakes queued in t', s4.newEntries, x.next.unstakes.filter((u) => u.since === d.t)),
    () => sameList('nonces (each acting node\'s last applied nonce)', lastNonce, x.next.nodes.map((n) => n.nonce)),
  );
};

export const haltFrozen: StepCheck = (x) => {
  const d = derive(x);
  const topo = x.topology;
  const notVoter = x.record.voters.find((v) => !d.active.includes(v));
  const inactive = new Set(topo.shardIds.filter((s) => !d.active.includes(s)));
  const inactiveNode = (id: bigint): boolean => {
    const i = topo.nodeIndex.get(id);
    return i !== undefined && inactive.has(topo.shardIds[topo.nodeShard[i]!]!);
  };
  const acting = movesOf(x.record, ['transfer', 'stake', 'psy_transfer'])
    .map((mv) => parseAccount(mv.from))
    .flatMap((a) => (a !== undefined && a.kind === 'node' ? [a.id] : []));
  const queued = x.next.unstakes.filter((u) => u.since === d.t).map((u) => u.node);
  const actor = [...acting, ...queued].find(inactiveNode);
  const nonce = x.next.nodes.findIndex((n, i) => inactiveNode(n.id) && n.nonce !== x.prev.nodes[i]!.nonce);
  return first(
    () => sameList('active (recomputed from S: mode, blacklist, halted_until < t)', d.active, x.record.active),
    () => (notVoter === undefined ? null : fail(`voter ${notVoter} is not active`, d.active, notVoter)),
    () => (actor === undefined ? null : fail(`node ${actor} of an inactive shard is the acting node of an applied action`, 'no action of an inactive shard', actor)),
    () => (nonce < 0 ? null : fail(`the nonce of node ${x.next.nodes[nonce]!.id} (inactive shard) changed`, x.prev.nodes[nonce]!.nonce, x.next.nodes[nonce]!.nonce)),
  );
};

export const unstakeQueue: StepCheck = (x) => {
  const s4 = derive(x).step4;
  return first(
    () => sameList('unstakes (the queue after step 4)', s4.queue, x.next.unstakes),
    () => sameList('unstake moves (executed entries, queue order)', s4.unstakeMoves, movesOf(x.record, ['unstake'])),
  );
};

export const oracleAdmission: StepCheck = (x) => {
  const d = derive(x);
  const adm = d.oracle.admitted;
  const event = x.record.events.find((e) => e.kind === 'oracle_admitted');
  const wantEvent = adm === null ? undefined : { kind: 'oracle_admitted', digest: adm.digest, epoch: adm.snapshot.epoch };
  const commit = isCommit(x);
  return first(
    () => (x.record.outcome === 'frozen' && x.inputs.snapshots.length > 0 ? fail('a frozen epoch read snapshots', 0, x.inputs.snapshots.length) : null),
    () => same('the oracle_admitted event', wantEvent, event),
    () => same('last_oracle_epoch', commit && adm !== null ? adm.snapshot.epoch : x.prev.last_oracle_epoch, x.next.last_oracle_epoch),
    () => sameList('dissonance after the epoch', commit ? d.dis : x.prev.nodes.map((n) => n.dis), x.next.nodes.map((n) => n.dis)),
  );
};
