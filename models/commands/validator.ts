/** validator: the validator's answer for the next epoch (honest, lying on some nodes, or malformed). */
import type { Json } from '../../src/math/canonical.ts';
import { LIMIT, SCALE } from '../../src/math/certified-math.ts';
import { asJson } from '../economy.ts';
import type { LieKind, ValidatorData } from './data.ts';
import type { EconomyModel } from './model.ts';

const S = SCALE;

export const VALIDATOR_FLAWS = ['another epoch', 'a node missing', 'nodes out of order', 'a negative value', 'an extra key'] as const;

function lieAbout(psi: bigint, lie: LieKind): bigint {
  switch (lie) {
    case 'plus-one':
      return psi + 1n < LIMIT ? psi + 1n : psi - 1n;
    case 'minus-one':
      return psi > 0n ? psi - 1n : 1n;
    case 'zero':
      return psi > 0n ? 0n : S;
    case 'double':
      return psi === 0n ? S : 2n * psi < LIMIT ? 2n * psi : psi - 1n;
  }
}

export function validatorAnswer(m: EconomyModel, d: ValidatorData, t: bigint, psi: readonly bigint[]): Json {
  const values = [...psi];
  if (d.kind === 'lying') for (const l of d.lies) values[l.node % values.length] = lieAbout(values[l.node % values.length]!, l.lie);
  let entries: { node: unknown; value: unknown }[] = m.shape.ids.map((node, i) => ({ node, value: values[i]! }));
  let epoch = t;
  const doc: Record<string, unknown> = {};
  if (d.kind === 'malformed') {
    let flaw = VALIDATOR_FLAWS[d.flaw % VALIDATOR_FLAWS.length]!;
    if (flaw === 'nodes out of order' && entries.length < 2) flaw = 'another epoch';
    if (flaw === 'another epoch') epoch = t + 1n;
    if (flaw === 'a node missing') entries = entries.slice(0, -1);
    if (flaw === 'nodes out of order') entries = [entries[1]!, entries[0]!, ...entries.slice(2)];
    if (flaw === 'a negative value') entries = entries.map((e, i) => (i === 0 ? { ...e, value: -1n } : e));
    if (flaw === 'an extra key') doc.extra = 0n;
  }
  return asJson({ ...doc, epoch, psi: entries });
}
