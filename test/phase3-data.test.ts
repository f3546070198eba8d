/** The evidence data of the honest path (SPEC §10, P7) on the built-in genesis under the scenario load. */
import { describe, expect, test } from 'vitest';
import { canonicalString, type Encodable } from '../src/math/canonical.ts';
import { defaultGenesis } from '../src/genesis/default-genesis.ts';
import { epochContext } from '../src/epoch/epoch.ts';
import { honestRun } from '../src/runs/honest-run.ts';
import { harmonicsLog, holofieldRewards, psiDynamics, treasuryLog } from '../src/evidence/phase3-data.ts';
import { chrSupply, flxSupply, initialState } from '../src/economics/state.ts';

const ctx = epochContext(defaultGenesis());
const EPOCHS = 8;
const run = honestRun(ctx, EPOCHS, { seed: 7n });
type Row = Record<string, unknown>;
const plain = (v: Encodable) => JSON.parse(canonicalString(v)) as Row;

describe('phase3 data (honest path)', () => {
  test('scenario.load: the load exercises every action kind, refusals, and oracle admissions', () => {
    const kinds = new Set(run.steps.flatMap((s) => s.record.moves.map((m) => m.kind)));
    for (const k of ['transfer', 'stake', 'psy_transfer', 'flow', 'cut', 'payout']) expect(kinds).toContain(k);
    expect(run.refused).toBeGreaterThan(0);
    expect(run.steps.every((s) => s.record.outcome === 'commit')).toBe(true);
    expect(run.steps.filter((s) => s.record.events.some((e) => e.kind === 'oracle_admitted')).length).toBe(EPOCHS);
  });

  test('scenario.deterministic: the same seed gives the same roots, another seed others', () => {
    const again = honestRun(ctx, 3, { seed: 7n });
    expect(again.steps.map((s) => s.record.root)).toEqual(run.steps.slice(0, 3).map((s) => s.record.root));
    const other = honestRun(ctx, 3, { seed: 8n });
    expect(other.steps[2]!.record.root).not.toBe(run.steps[2]!.record.root);
  });

  test('phase3.treasury: each line balances (after = before − paid, paid ≤ budget) and lines chain', () => {
    const lines = treasuryLog(run.steps).map(plain);
    lines.forEach((l, i) => {
      expect(BigInt(l.after as string)).toBe(BigInt(l.before as string) - BigInt(l.paid as string));
      expect(BigInt(l.paid as string)).toBeLessThanOrEqual(BigInt(l.budget as string));
      expect(BigInt(l.kept as string)).toBeGreaterThanOrEqual(0n);
      if (i > 0) expect(l.before).toBe(lines[i - 1]!.after);
    });
  });

  test('phase3.harmonics: CHR and FLX supplies equal the genesis supplies, PSY never falls', () => {
    const S0 = initialState(ctx.genesis, ctx.genesisHash);
    const lines = harmonicsLog(run.steps).map(plain);
    let psy = -1n;
    for (const l of lines) {
      const s = l.supplies as Record<string, string>;
      expect(BigInt(s.chr!)).toBe(chrSupply(S0));
      expect(BigInt(s.flx!)).toBe(flxSupply(S0));
      expect(BigInt(s.psy!)).toBeGreaterThanOrEqual(psy);
      psy = BigInt(s.psy!);
    }
    expect(lines.map((l) => l.root)).toEqual(run.steps.map((s) => s.record.root));
  });

  test('phase3.psi-dynamics: every triangle of the computed field has curl 0; C matches the records', () => {
    const d = plain(psiDynamics(ctx, run.steps));
    const epochs = d.epochs as Row[];
    expect(Number(d.triangles)).toBeGreaterThan(0);
    expect(epochs.every((e) => e.curl_max_abs === '0')).toBe(true);
    epochs.forEach((e, i) => expect(e.c).toBe(run.steps[i]!.record.sync!.c.toString()));
  });

  test('phase3.holofield-rewards: per-node totals add up to the per-epoch totals; multipliers ≤ A_MAX', () => {
    const d = plain(holofieldRewards(ctx, run.steps));
    const perEpoch = (d.epochs as Row[]).reduce((s, e) => s + BigInt(e.rewarded as string), 0n);
    const perNode = (d.nodes as Row[]).reduce((s, x) => s + BigInt(x.reward as string), 0n);
    expect(perNode).toBe(perEpoch);
    expect(perEpoch).toBeGreaterThan(0n);
    for (const e of d.epochs as Row[]) for (const m of e.multipliers as Row[]) expect(BigInt(m.m as string)).toBeLessThanOrEqual(BigInt(d.a_max as string));
  });
});
