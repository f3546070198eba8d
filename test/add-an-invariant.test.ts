/**
 * The README's "Add an invariant" worked example: `atr.covers-stake` is one entry in
 * src/invariants/ and one row in docs/spec.md §9, and every suite picks it up.
 */
import { describe, expect, test } from 'vitest';
import { defaultGenesis } from '../src/genesis/default-genesis.ts';
import { epochContext, runHonestEpoch } from '../src/epoch/epoch.ts';
import { checkStep, INVARIANTS } from '../src/invariants/catalog.ts';
import { scenarioInputs } from '../src/runs/scenario.ts';
import { initialState, type State } from '../src/economics/state.ts';

const ctx = epochContext(defaultGenesis());
const S = initialState(ctx.genesis, ctx.genesisHash);
const r = runHonestEpoch(ctx, S, scenarioInputs(ctx, S, { seed: 11n, activityPerMille: 600n }));

describe('add an invariant (README)', () => {
  test('atr.covers-stake is in the catalog and holds on an honest epoch with stakes', () => {
    expect(INVARIANTS.some((i) => i.id === 'atr.covers-stake')).toBe(true);
    expect(r.record.moves.some((m) => m.kind === 'stake')).toBe(true);
    expect(checkStep(ctx, S, r.record, r.state, r.inputs)).toEqual([]);
  });

  test('atr.covers-stake catches an engine that stakes without raising atr', () => {
    // The planted bug: node 1's stake grows (from its own flx) but its atr does not.
    const broken: State = {
      ...r.state,
      nodes: r.state.nodes.map((n, i) => (i === 1 ? { ...n, stake: n.stake + 5n, flx: n.flx - 5n } : n)),
    };
    const ids = checkStep(ctx, S, r.record, broken, r.inputs).map((v) => v.id);
    expect(ids).toContain('atr.covers-stake');
  });
});
