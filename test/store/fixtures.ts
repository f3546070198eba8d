/**
 * Fixtures of the store suites: a small certified genesis (the default genesis cut to its shards
 * 0–3 or 0–1: 36 or 18 nodes, two groups, development keys), creating a store with its anchor
 * file, and honest epochs appended in-process — an epoch of a ledger in safe mode (after an EA-14
 * recovery) carries an `exit_safe_mode` record signed by M development founders, so the economy
 * goes on. No vitest import: the crash test's child bundles this file.
 */
import { canonicalString, parseCanonical, type Encodable } from '../../src/math/canonical.ts';
import { defaultGenesis, devLabel } from '../../src/genesis/default-genesis.ts';
import type { EpochContext } from '../../src/epoch/epoch.ts';
import { signGenesis, signGovernance, type FounderSignature, type GovernanceRecord } from '../../src/genesis/founders.ts';
import { genesisHash, type Genesis } from '../../src/genesis/genesis.ts';
import { appendEpoch, createStore, writeAnchorFile, type Anchor } from '../../src/io/ledger-store.ts';
import { scenarioInputs } from '../../src/runs/scenario.ts';
import { HonestShardAgent, runLedgerEpoch, type LedgerRun } from '../../src/coherence/shard-agent.ts';
import { devKey } from '../../src/math/signatures.ts';
import type { State } from '../../src/economics/state.ts';

/**
 * The default genesis restricted to its first `shards` shards (2 or 4: their nodes, users and the
 * edges between them), in two groups of equal size. Fewer shards, fewer signatures per epoch.
 */
export function smallGenesis(shards: 2 | 4 = 4): Genesis {
  const g = defaultGenesis();
  const n = BigInt(shards);
  const nodes = g.nodes.filter((x) => x.shard < n);
  const ids = new Set(nodes.map((x) => x.id));
  const ids0 = g.shards.filter((s) => s.id < n).map((s) => s.id);
  return {
    ...g,
    chain_id: 'qfs-v13-p3-store-test',
    groups: [ids0.slice(0, shards / 2), ids0.slice(shards / 2)],
    shards: g.shards.filter((s) => s.id < n),
    nodes,
    edges: g.edges.filter(([a, b]) => ids.has(a) && ids.has(b)),
  };
}

const founderKey = (id: bigint): Uint8Array => devKey(devLabel.founder(id)).secretKey;

/** Signatures of every founder whose key is its development key. */
export function devSignatures(g: Genesis): FounderSignature[] {
  const G = genesisHash(g);
  return g.founders.map((f) => signGenesis(G, f.id, founderKey(f.id)));
}

/** Creates a store holding `g` and its anchor file (no epoch yet): the anchor first, as `qfs simulate` does. */
export function createAnchoredStore(dir: string, anchorPath: string, g: Genesis = smallGenesis()): Anchor {
  const anchor: Anchor = { genesis: genesisHash(g), records: [] };
  writeAnchorFile(anchorPath, anchor);
  createStore(dir, g, devSignatures(g));
  return anchor;
}

/**
 * The honest epoch S.epoch + 1 under the scenario load (as `qfs simulate`), every shard's agent with
 * its development key; in safe mode, with an exit_safe_mode record signed by founders 0 and 1.
 */
export function honestEpoch(ctx: EpochContext, S: State, seed: bigint): LedgerRun {
  const load = scenarioInputs(ctx, S, { seed });
  const submitted = new Map(load.actions.map((a) => [a.shard, a.actions] as const));
  const agents = ctx.genesis.shards.map((s) => new HonestShardAgent(s.id, devKey(devLabel.shard(s.id)).secretKey, () => submitted.get(s.id) ?? []));
  const t = S.epoch + 1n;
  const exit: GovernanceRecord = { kind: 'exit_safe_mode', genesis: ctx.genesisHash, epoch: t };
  const governance =
    S.mode === 'safe' ? [{ record: parseCanonical(canonicalString(exit as unknown as Encodable)), signatures: [0n, 1n].map((f) => signGovernance(exit, f, founderKey(f))) }] : [];
  return runLedgerEpoch(ctx, S, { governance, snapshots: load.snapshots, validator: load.validator, agents });
}

/** Appends n honest epochs after (S, anchor), rewriting the anchor file after each; returns the new head. */
export function appendHonest(
  dir: string,
  anchorPath: string,
  ctx: EpochContext,
  from: { readonly state: State; readonly anchor: Anchor },
  n: number,
  opts: { readonly seed: bigint; readonly checkpointEvery: bigint },
): { state: State; anchor: Anchor } {
  let S = from.state;
  let anchor = from.anchor;
  for (let i = 0; i < n; i++) {
    const out = honestEpoch(ctx, S, opts.seed);
    const e = out.record.epoch;
    const h = appendEpoch(dir, out, opts.checkpointEvery > 0n && e % opts.checkpointEvery === 0n);
    anchor = { genesis: anchor.genesis, records: [...anchor.records, h] };
    writeAnchorFile(anchorPath, anchor);
    S = out.state;
  }
  return { state: S, anchor };
}
