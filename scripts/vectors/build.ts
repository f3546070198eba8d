/**
 * Conformance vectors (SPEC §13), produced by the TypeScript reference. `npm run vectors` writes
 * them to conformance/vectors/; a test fails when the committed files differ from what this
 * produces. Every integer is a decimal string; documents are plain JSON values.
 */
import { canonicalVectors } from './canonical.ts';
import type { Vectors } from './common.ts';
import { economyVectors } from './economy.ts';
import { epochVectors } from './epochs.ts';
import { genesisVectors } from './genesis.ts';
import { hashVectors } from './hash.ts';
import { mathVectors } from './math.ts';
import { merkleVectors } from './merkle.ts';
import { psiVectors } from './psi.ts';
import { signatureVectors } from './signatures.ts';
import { stateVectors } from './state.ts';

export function buildVectors(): Record<string, Vectors> {
  return {
    'math.json': mathVectors(),
    'canonical.json': canonicalVectors(),
    'hash.json': hashVectors(),
    'signatures.json': signatureVectors(),
    'genesis.json': genesisVectors(),
    'state.json': stateVectors(),
    'psi.json': psiVectors(),
    'economy.json': economyVectors(),
    'epochs.json': epochVectors(),
    'merkle.json': merkleVectors(),
  };
}

/** The text of a vector file: pretty JSON (vectors are read by people too), newline-terminated. */
export const vectorText = (v: Vectors): string => `${JSON.stringify(v, null, 1)}\n`;
