/**
 * Window 1 of the ledger (docs/spec.md P10.2): step 0 (governance records), then, unless the epoch
 * is frozen, step 1 (oracle snapshots) and the opening field; publication 1.
 */
import type { ActionBasis } from '../economics/action-rules.ts';
import { stateRoot, type State } from '../economics/state.ts';
import { activeShards, type EpochContext } from '../epoch/epoch.ts';
import type { LedgerEvent } from '../epoch/epoch-record.ts';
import { applyOracle, decideOracle, type OracleDecision, type SignedSnapshot, type StoredSnapshot } from '../epoch/oracle.ts';
import { openingField, type OpeningField } from '../field/psi-field.ts';
import { signedEntries, type SignedEntry } from '../ledger/ledger-inputs.ts';
import { governanceEntries, governanceStep, type GovernanceCopy, type GovernanceEntry } from '../ledger/system-recovery.ts';
import type { Publication1 } from './windows.ts';

export type Stage1 = {
  readonly ctx: EpochContext;
  readonly S: State;
  readonly t: bigint;
  readonly prevRoot: string;
  /** S after step 0 (governance effects), epoch still S's. */
  readonly s0: State;
  readonly governance: readonly GovernanceEntry[];
  readonly govEvents: readonly LedgerEvent[];
  readonly frozen: boolean;
  readonly snapshots: readonly SignedEntry[];
  readonly oracle: OracleDecision;
  /** s0 after step 1 (the oracle's dissonance and last_oracle_epoch). */
  readonly s1: State;
  readonly field: OpeningField;
  readonly publication: Publication1;
};

export function checkGenesis(ctx: EpochContext, S: State): void {
  // Plain Error: another chain's state is the caller's bug, not a fault of any message or file.
  if (S.genesis !== ctx.genesisHash) throw new Error(`ledger: the state belongs to genesis ${S.genesis}, not ${ctx.genesisHash}`);
}

/** The snapshot entries as P6.7's `snapshots` (one per (digest, signature)). */
export const storedSnapshotsOf = (entries: readonly SignedEntry[]): StoredSnapshot[] =>
  entries.flatMap((e) => e.signatures.map((signature) => ({ digest: e.digest, snapshot: e.message, signature })));

/** Closes window 1: step 0 (governance), then, unless frozen, step 1 and the opening field. */
export function closeWindow1(ctx: EpochContext, S: State, governance: readonly GovernanceCopy[], snapshots: readonly SignedSnapshot[]): Stage1 {
  checkGenesis(ctx, S);
  const t = S.epoch + 1n;
  const prevRoot = stateRoot(S);
  const entries = governanceEntries(governance);
  const gov = governanceStep(ctx.genesis, ctx.genesisHash, S, t, entries);
  const s0 = gov.state;
  const frozen = s0.mode === 'safe';
  const snaps = frozen ? [] : signedEntries('snapshot', snapshots.map((s) => ({ message: s.snapshot, signature: s.signature })));
  const oracle = frozen
    ? { admitted: null, rejections: [] }
    : decideOracle({ genesisHash: ctx.genesisHash, oracleKey: ctx.genesis.oracle_key, topology: ctx.topology }, storedSnapshotsOf(snaps), t, s0.last_oracle_epoch);
  const s1 = applyOracle(ctx.topology, s0, oracle.admitted);
  const field = openingField(ctx.topology, s1.nodes);
  const active = frozen ? [] : activeShards(s0, t);
  const basis: ActionBasis = { topology: ctx.topology, nodes: s1.nodes, unstakes: S.unstakes, field };
  return {
    ctx,
    S,
    t,
    prevRoot,
    s0,
    governance: entries,
    govEvents: gov.events,
    frozen,
    snapshots: snaps,
    oracle,
    s1,
    field,
    publication: { epoch: t, prev_root: prevRoot, frozen, active, admitted: oracle.admitted, state: S, basis },
  };
}
