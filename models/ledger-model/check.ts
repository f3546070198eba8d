/**
 * The ledger model's judgement of one executed ledger epoch (issue 19): steps 12–13
 * (votes.ts), participation and the CIR bookkeeping (bookkeeping.ts), all written from
 * docs/spec.md. It reads the epoch's record, next state, stored inputs and the published
 * candidate; it never calls the ledger's decision code. Used after every epoch by the adversary
 * properties (models/adversary/run.ts) and the ledger properties (properties/ledger.test.ts).
 */
import { canonicalString, parseCanonical, type Encodable, type Json } from '../../src/math/canonical.ts';
import type { LedgerEpoch } from '../../src/coherence/windows.ts';
import type { LedgerInputs } from '../../src/ledger/ledger-inputs.ts';
import type { State } from '../../src/economics/state.ts';
import type { Genesis } from '../../src/genesis/genesis.ts';
import type { Topology } from '../../src/field/topology.ts';
import { modelVotes, recordVoteView } from './votes.ts';
import { modelActive, modelBookkeeping, modelMode } from './bookkeeping.ts';

export type ModelFault = { readonly id: 'ledger-model.votes' | 'ledger-model.bookkeeping'; readonly message: string; readonly expected: Json; readonly actual: Json };
type ChainLike = { readonly genesis: Genesis; readonly ctx: { readonly topology: Topology } };

const json = (v: unknown): Json => parseCanonical(canonicalString(v as Encodable));
const same = (a: unknown, b: unknown): boolean => canonicalString(a as Encodable) === canonicalString(b as Encodable);
const keysCache = new WeakMap<Genesis, ReadonlyMap<bigint, string>>();
function shardKeys(genesis: Genesis): ReadonlyMap<bigint, string> {
  let m = keysCache.get(genesis);
  if (m === undefined) {
    m = new Map(genesis.shards.map((s) => [s.id, s.key] as const));
    keysCache.set(genesis, m);
  }
  return m;
}

/** The first disagreement between the model and the ledger on epoch S.epoch + 1, or null. Only exit_safe_mode governance is assumed (step 0 leaves S's shards). */
export function ledgerModelFault(chain: ChainLike, S: State, out: LedgerEpoch): ModelFault | null {
  const rec = out.record;
  const next = out.state;
  const t = S.epoch + 1n;
  if (rec.outcome === 'frozen') return null;
  const model = modelVotes({
    t,
    topology: chain.ctx.topology,
    keys: shardKeys(chain.genesis),
    voters: rec.voters,
    candidate: out.publications.window2?.candidate ?? null,
    mathAbort: rec.incidents.some((i) => (i.evidence as { cause?: string }).cause === 'math_violation'),
    inputs: out.inputs as LedgerInputs,
  });
  const seen = recordVoteView(rec.events, rec.incidents);
  const fault = (id: ModelFault['id'], message: string, expected: unknown, actual: unknown): ModelFault => ({ id, message, expected: json(expected), actual: json(actual) });
  if (!same(seen.events, model.events)) return fault('ledger-model.votes', "step 12–13 events are not the model's", model.events, seen.events);
  if (!same(seen.incidents, model.incidents)) return fault('ledger-model.votes', "step-12 incidents are not the model's", model.incidents, seen.incidents);
  // A step-14 abort (a broken invariant) is judged by the catalog, not here.
  const step14 = rec.incidents.some((i) => (i.evidence as { cause?: string }).cause === 'invariant');
  if (!step14 && model.outcome !== rec.outcome) return fault('ledger-model.votes', `steps 12–13 decide ${model.outcome} (${model.matching} of ${model.needed} matching votes)`, model.outcome, rec.outcome);
  const active = modelActive(S.shards, 'normal', t);
  if (!same(active, rec.active)) return fault('ledger-model.bookkeeping', "the active set is not the model's", active, rec.active);
  const shards = modelBookkeeping(chain.genesis, S.shards, t, rec.incidents);
  if (!same(shards, next.shards)) return fault('ledger-model.bookkeeping', "the shards' halts, violations and blacklists are not the model's", shards, next.shards);
  if (modelMode(rec.incidents) !== next.mode) return fault('ledger-model.bookkeeping', "the mode is not the model's", modelMode(rec.incidents), next.mode);
  return null;
}
