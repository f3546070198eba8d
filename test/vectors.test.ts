/** The committed conformance vectors are exactly what the reference produces (SPEC §13). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildVectors, vectorText } from '../scripts/vectors/build.ts';

const dir = join(import.meta.dirname, '..', 'conformance', 'vectors');

describe('conformance vectors', () => {
  const built = buildVectors();
  for (const [name, v] of Object.entries(built)) {
    test(`vectors.${name}: the committed file equals the reference's output (else run \`npm run vectors\`)`, () => {
      const committed = readFileSync(join(dir, name), 'utf8');
      expect(committed === vectorText(v), `conformance/vectors/${name} is stale: run \`npm run vectors\` and commit`).toBe(true);
    });
  }
});
