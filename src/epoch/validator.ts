/**
 * Step 2's optional external validator (SPEC §6 step 2, EA-12; the blueprint's QPU; docs/spec.md
 * P6.4 evidence, P6.5 event, P6.6 schema, P9.8 digest). Its answer is unsigned (it is local) and
 * stored with the epoch's inputs; a malformed one is ignored with an event, a differing one is
 * evidence only: the engine keeps its own ψ and the validator never changes state.
 */
import type { Encodable, Json } from '../math/canonical.ts';
import { planted } from '../core/planted.ts';
import type { EpochEvent, ValidatorEvidence, ValidatorIncident } from './epoch-record.ts';
import type { Result } from '../core/errors.ts';
import type { NodeValue } from '../economics/harmonic-economics.ts';
import { taggedHashHex } from '../math/hashing.ts';
import { m, path, readMessage, type SchemaFault } from '../math/message-schema.ts';
import type { Topology } from '../field/topology.ts';

export type ValidatorAnswer = { readonly epoch: bigint; readonly psi: readonly NodeValue[] };

export const validatorDigest = (answer: Json): string => taggedHashHex('qfs/v13/validator', answer as Encodable);

/** The answer's schema for epoch `t`. */
export function readValidatorAnswer(doc: Json, t: bigint, topo: Topology): Result<ValidatorAnswer, SchemaFault> {
  return readMessage(() => {
    const o = m.object(doc, '', ['epoch', 'psi']);
    const epoch = m.id(o.epoch, 'epoch');
    if (epoch !== t) m.fail('epoch', `the answer is for epoch ${epoch}, not ${t}`);
    const list = m.array(o.psi, 'psi');
    if (list.length !== topo.nodeIds.length) m.fail('psi', `expected one value per node (${topo.nodeIds.length}), got ${list.length}`);
    const psi = list.map((x, i): NodeValue => {
      const p = path('psi', i);
      const e = m.object(x, p, ['node', 'value']);
      const node = m.id(e.node, path(p, 'node'));
      if (node !== topo.nodeIds[i]) m.fail(path(p, 'node'), `expected node ${topo.nodeIds[i]} (one value per node, sorted by node)`);
      return { node, value: m.unsigned(e.value, path(p, 'value')) };
    });
    return { epoch, psi };
  });
}

export type ValidatorOutcome = { readonly events: readonly EpochEvent[]; readonly incidents: readonly ValidatorIncident[] };

/** Compares the answer (if any) with the engine's opening ψ (aligned with the topology). */
export function checkValidator(topo: Topology, t: bigint, enginePsi: readonly bigint[], answer: Json | null): ValidatorOutcome {
  if (answer === null || planted('validator-ignored')) return { events: [], incidents: [] };
  const digest = validatorDigest(answer);
  const read = readValidatorAnswer(answer, t, topo);
  if (!read.ok) return { events: [{ kind: 'validator_malformed', digest }], incidents: [] };
  const nodes: ValidatorEvidence['nodes'][number][] = [];
  read.value.psi.forEach(({ node, value }, i) => {
    if (value !== enginePsi[i] && (i === 0 || !planted('validator-first-node-only'))) nodes.push({ node, engine: enginePsi[i]!, validator: value });
  });
  if (nodes.length === 0) return { events: [], incidents: [] };
  return { events: [], incidents: [{ code: null, ea: 'EA-12', shard: null, evidence: { digest, nodes } }] };
}
