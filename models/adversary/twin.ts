/** The per-epoch twin (SPEC §8): same governance and snapshots, honest reports, the outcome imposed. */
import { closeWindow1 } from '../../src/coherence/window1.ts';
import { closeWindow2 } from '../../src/coherence/window2.ts';
import { honestReports } from '../../src/economics/honest-agent.ts';
import { oracleIncident, snapshotDigest, type SignedSnapshot } from '../../src/epoch/oracle.ts';
import { signProposal } from '../../src/ledger/proposal.ts';
import { stateRoot, type State } from '../../src/economics/state.ts';
import { type Chain, shardSecret } from './chain.ts';
import { type Triple, triple } from './report.ts';
import { type AttackedEpoch } from './interpreter.ts';

// ---------------------------------------------------------------------------------------------
// The twin (SPEC §8)

export type Twin = { readonly voters: readonly bigint[]; readonly triples: readonly Triple[]; readonly root: string | null };

export function twinOf(chain: Chain, S: State, e: AttackedEpoch): Twin {
  const { ctx } = chain;
  const { out, stage1 } = e;
  const oracleAttacked = e.applied.some((ap) => ap.attack.ea === 'EA-11');
  const admitted = stage1.oracle.admitted?.digest ?? null;
  const snapshots = oracleAttacked ? e.snapshots.filter((s) => admitted !== null && snapshotDigestOf(s) === admitted) : e.snapshots;
  const t1 = closeWindow1(ctx, S, e.governance, snapshots);
  if (t1.frozen) return { voters: [], triples: t1.oracle.rejections.map((r) => triple(oracleIncident(r))), root: null };
  const accepted = out.publications.window2?.proposals ?? [];
  const proposals = accepted.map((p) =>
    signProposal({ epoch: p.epoch, shard: p.shard, prev_root: p.prev_root, actions: p.actions, reports: honestReports(t1.publication.basis, p.shard) }, shardSecret(p.shard)),
  );
  const t2 = closeWindow2(t1, null, proposals);
  const triples: Triple[] = [
    ...t1.oracle.rejections.map((r) => triple(oracleIncident(r))),
    ...t2.incidents2.map(triple),
    ...t2.step3Incidents.map(triple),
    ...(t2.mathIncident === null ? [] : [triple(t2.mathIncident)]),
  ];
  let root: string | null = null;
  const cand = t2.publication?.candidate ?? null;
  if (out.record.outcome === 'commit' && cand !== null) {
    root = stateRoot({ ...cand.state, shards: out.state.shards, mode: out.state.mode });
  }
  return { voters: t2.voters, triples, root };
}

export const snapshotDigestOf = (s: SignedSnapshot): string => snapshotDigest(s.snapshot) ?? '';
