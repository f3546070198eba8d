/**
 * A run of honest epochs under the deterministic scenario load: the steps the evidence data is
 * computed from. Pure: (context, seed, epochs) → steps; `onEpoch` only observes (progress).
 */
import { runHonestEpoch, type EpochContext } from '../epoch/epoch.ts';
import type { EpochStep } from '../evidence/phase3-data.ts';
import { scenarioInputs, type ScenarioOptions } from './scenario.ts';
import { initialState, type State } from '../economics/state.ts';

export type HonestRun = { readonly steps: readonly EpochStep[]; readonly refused: number; readonly final: State };

export function honestRun(ctx: EpochContext, epochs: number, opts: ScenarioOptions, onEpoch?: (step: EpochStep) => void): HonestRun {
  let S = initialState(ctx.genesis, ctx.genesisHash);
  const steps: EpochStep[] = [];
  let refused = 0;
  for (let e = 0; e < epochs; e++) {
    const r = runHonestEpoch(ctx, S, scenarioInputs(ctx, S, opts));
    const step = { prev: S, record: r.record, next: r.state };
    steps.push(step);
    refused += r.refusals.length;
    onEpoch?.(step);
    S = r.state;
  }
  return { steps, refused, final: S };
}
