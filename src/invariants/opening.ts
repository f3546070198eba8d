/**
 * Steps 0–3 of the epoch recomputed from the previous state and the stored inputs, never from the
 * record: S after step 0, the mode, the active set, the oracle's decision, the dissonance, the
 * opening field and the voters' actions. Each value is computed once per `StepArgs` (memoised);
 * recompute.ts carries on with steps 4–11.
 */
import { floorDiv, mulDiv, SCALE } from '../math/certified-math.ts';
import type { ActionBasis } from '../economics/action-rules.ts';
import { actingNode, type Action } from '../economics/harmonic-economics.ts';
import { decideOracle, storedSnapshots, type OracleDecision } from '../epoch/oracle.ts';
import type { OpeningField } from '../field/psi-field.ts';
import { stateRoot, type State } from '../economics/state.ts';
import type { ProposalBody } from '../economics/honest-agent.ts';
import { entriesOf, isRecoveryInputs, type Recovery } from '../ledger/ledger-inputs.ts';
import { governanceEntries, governanceStep } from '../ledger/system-recovery.ts';
import { compareBigint } from '../core/vocabulary.ts';
import { total } from './compare.ts';
import type { StepArgs } from './step-check.ts';

/** Steps 0–3 of one epoch (`x`), each computed on first use and kept. */
export class Opening {
  private readonly memo = new Map<string, unknown>();
  constructor(protected readonly x: StepArgs) {}

  protected once<T>(key: string, f: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, f());
    return this.memo.get(key) as T;
  }

  get t(): bigint {
    return this.x.prev.epoch + 1n;
  }
  get prevRoot(): string {
    return this.once('prevRoot', () => stateRoot(this.x.prev));
  }
  /** S after step 0, recomputed from the stored governance records (S itself on the honest path, which has none). */
  get s0(): State {
    return this.once('s0', () => {
      const records = this.x.ledger ? entriesOf(this.x.ledger, 'governance') : [];
      if (records.length === 0) return this.x.prev;
      const entries = governanceEntries(records.map((e) => ({ record: e.message, signatures: e.signatures })));
      return governanceStep(this.x.genesis, this.x.genesisHash, this.x.prev, this.t, entries).state;
    });
  }
  /** Frozen iff the mode after step 0 is safe. */
  get frozen(): boolean {
    return this.s0.mode === 'safe';
  }
  /** EA-14's recovery (§7, P10.9) when the stored inputs are a recovery epoch's document, else null. */
  get recovery(): Recovery | null {
    const l = this.x.ledger;
    return l && isRecoveryInputs(l) ? l.recovery : null;
  }
  /** The active set: none when frozen, and none in a recovery epoch (§7: it reads nothing, `active: []`). */
  get active(): bigint[] {
    return this.once('active', () =>
      this.frozen || this.recovery !== null ? [] : this.s0.shards.filter((s) => !s.blacklisted && s.halted_until < this.t).map((s) => s.id),
    );
  }
  /** Step 1 recomputed from the stored copies (digests recomputed, not read). */
  get oracle(): OracleDecision {
    return this.once('oracle', () => {
      if (this.frozen) return { admitted: null, rejections: [] };
      const copies = storedSnapshots(this.x.inputs.snapshots.map((s) => ({ snapshot: s.snapshot, signature: s.signature })));
      return decideOracle(
        { genesisHash: this.x.genesisHash, oracleKey: this.x.genesis.oracle_key, topology: this.x.topology },
        copies,
        this.t,
        this.x.prev.last_oracle_epoch,
      );
    });
  }
  /** Dissonance after step 1. */
  get dis(): bigint[] {
    return this.once('dis', () => {
      const dis = this.x.prev.nodes.map((n) => n.dis);
      const admitted = this.oracle.admitted;
      if (admitted !== null) for (const { node, value } of admitted.snapshot.dis) dis[this.x.topology.nodeIndex.get(node)!] = value;
      return dis;
    });
  }
  /** The opening field (§5), from prev's chr and atr and the dissonance after step 1. */
  get field(): OpeningField {
    return this.once('field', () => {
      const topo = this.x.topology;
      const k = this.x.genesis.constants;
      const psi = this.x.prev.nodes.map((n, i) => mulDiv(n.chr, n.atr, SCALE + this.dis[i]!));
      const gradients: bigint[] = [];
      const demand: bigint[] = [];
      for (let e = 0; e < topo.edgeA.length; e++) {
        const g = psi[topo.edgeB[e]!]! - psi[topo.edgeA[e]!]!;
        gradients.push(g);
        demand.push(mulDiv(k.kappa, g < 0n ? -g : g, SCALE));
      }
      const sumPsi = total(psi);
      const cShards = topo.shardNodes.map((members) =>
        members.length === 0 ? 0n : floorDiv(total(members.map((i) => psi[i]!)), BigInt(members.length)),
      );
      return { psi, gradients, demand, sumPsi, c: floorDiv(sumPsi, BigInt(psi.length)), cShards };
    });
  }
  get basis(): ActionBasis {
    return this.once('basis', () => ({
      topology: this.x.topology,
      nodes: this.x.prev.nodes.map((n, i) => ({ ...n, dis: this.dis[i]! })),
      unstakes: this.x.prev.unstakes,
      field: this.field,
    }));
  }
  /** The stored proposal of each voter (record.voters), by shard. */
  get proposals(): Map<bigint, ProposalBody[]> {
    return this.once('proposals', () => {
      const by = new Map<bigint, ProposalBody[]>();
      for (const p of this.x.inputs.proposals) by.set(p.shard, [...(by.get(p.shard) ?? []), p]);
      return by;
    });
  }
  /** The voters' actions in canonical order (shard, node, nonce). */
  get actions(): Action[] {
    return this.once('actions', () => {
      const topo = this.x.topology;
      const shardOf = (a: Action): bigint => topo.shardIds[topo.nodeShard[topo.nodeIndex.get(actingNode(a))!]!]!;
      const out = this.x.record.voters.flatMap((v) => (this.proposals.get(v) ?? []).flatMap((p) => p.actions));
      return out.sort((p, q) => compareBigint(shardOf(p), shardOf(q)) || compareBigint(actingNode(p), actingNode(q)) || compareBigint(p.nonce, q.nonce));
    });
  }
}
