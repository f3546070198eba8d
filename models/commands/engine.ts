/** The computation the model-based suites check: the honest epoch, or (broken-economy suite) a deliberately broken one. */
import type { EpochRecord } from '../../src/epoch/epoch-record.ts';
import { replayHonestEpoch, runHonestEpoch, type EpochContext, type EpochInputs, type HonestEpoch, type StoredInputs } from '../../src/epoch/epoch.ts';
import type { State } from '../../src/economics/state.ts';

export type EpochOutput = { readonly state: State; readonly record: EpochRecord };

/** The computation under test: the honest epoch, or a deliberately broken one. */
export type Engine = {
  readonly name: string;
  run(ctx: EpochContext, S: State, inputs: EpochInputs): HonestEpoch;
  replay(ctx: EpochContext, S: State, stored: StoredInputs): EpochOutput;
};

export const HONEST: Engine = { name: 'honest', run: runHonestEpoch, replay: replayHonestEpoch };
