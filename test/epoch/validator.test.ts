/** SPEC §6 step 2: the validator's answer — agreement, a mismatch (one EA-12 incident), malformed answers. */
import { describe, expect, it } from 'vitest';
import { openingField } from '../../src/field/psi-field.ts';
import { validatorDigest } from '../../src/epoch/validator.ts';
import { CTX, epochChecked, json, S, S0 } from './fixtures.ts';

const field = openingField(CTX.topology, S0.nodes);
const answer = (psi: readonly bigint[], epoch = 1n) => json({ epoch, psi: CTX.topology.nodeIds.map((node, i) => ({ node, value: psi[i]! })) });

describe('validator (step 2)', () => {
  it('an agreeing answer raises nothing and changes nothing', () => {
    const out = epochChecked(CTX, S0, { snapshots: [], validator: answer(field.psi), actions: [] });
    const plain = epochChecked(CTX, S0, { snapshots: [], validator: null, actions: [] });
    expect(out.record.incidents).toEqual([]);
    expect(out.record.events).toEqual([]);
    expect(out.record.root).toBe(plain.record.root);
    expect(out.record.inputs_hash).not.toBe(plain.record.inputs_hash); // the answer is stored with the inputs
  });

  it('a mismatch is one EA-12 incident listing every differing node with both values; the engine keeps its ψ', () => {
    const lied = [...field.psi];
    lied[1] = lied[1]! + 1n; // node 2
    lied[3] = 0n; // node 4
    const doc = answer(lied);
    const out = epochChecked(CTX, S0, { snapshots: [], validator: doc, actions: [] });
    expect(out.record.incidents).toEqual([
      {
        code: null,
        ea: 'EA-12',
        shard: null,
        evidence: {
          digest: validatorDigest(doc),
          nodes: [
            { node: 2n, engine: 4n * S, validator: 4n * S + 1n },
            { node: 4n, engine: 4n * S, validator: 0n },
          ],
        },
      },
    ]);
    const plain = epochChecked(CTX, S0, { snapshots: [], validator: null, actions: [] });
    expect(out.record.root).toBe(plain.record.root);
  });

  it('a malformed answer is ignored with an event', () => {
    const bad = [
      answer(field.psi, 2n), // wrong epoch
      json({ epoch: 1n, psi: [] }), // not one value per node
      json({ epoch: 1n, psi: field.psi.map((value, i) => ({ node: CTX.topology.nodeIds[3 - i]!, value })) }), // unsorted
      json({ epoch: 1n, psi: field.psi.map((value, i) => ({ node: CTX.topology.nodeIds[i]!, value: -value - 1n })) }), // range
      json({ epoch: 1n, psi: [], extra: true }),
      json('yes'),
    ];
    for (const doc of bad) {
      const out = epochChecked(CTX, S0, { snapshots: [], validator: doc, actions: [] });
      expect(out.record.incidents).toEqual([]);
      expect(out.record.events).toEqual([{ kind: 'validator_malformed', digest: validatorDigest(doc) }]);
    }
  });
});
