/** The invariant catalog as data, and `qfs invariants [--json]`. */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { registerInvariants } from '../../cli/invariants-cmd.ts';
import { INVARIANTS, LEDGER_PENDING, runCatalog, type Invariant } from '../../src/invariants/catalog.ts';
import type { StepArgs, StepCheck } from '../../src/invariants/step-check.ts';
import { canonicalString, parseCanonical, type Encodable } from '../../src/math/canonical.ts';
import { mulDiv } from '../../src/math/certified-math.ts';
import { runHonestEpoch } from '../../src/epoch/epoch.ts';
import type { InvariantId } from '../../src/core/vocabulary.ts';
import { CTX, noInputs, S0 } from './fixtures.ts';

/** The ids of the §9 table of docs/spec.md. */
function specIds(): string[] {
  const spec = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'spec.md'), 'utf8');
  const section = spec.slice(spec.indexOf('## 9. Invariant catalog'), spec.indexOf('## 10.'));
  return [...section.matchAll(/^\| `([a-z.-]+)` \|/gm)].map((m) => m[1]!);
}

async function runCli(args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    const program = new Command('qfs').exitOverride();
    registerInvariants(program);
    await program.parseAsync(['node', 'qfs', 'invariants', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe('invariant catalog', () => {
  it('every §9 id is in the catalog or waits for the ledger; ids are unique; every entry is CIR-511', () => {
    const ids = INVARIANTS.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids, ...LEDGER_PENDING].sort()).toEqual(specIds().sort());
    expect(INVARIANTS.every((i) => i.cir === 'CIR-511')).toBe(true);
  });

  it('step entries carry a check; metamorphic ones name the suites that provide it', () => {
    for (const i of INVARIANTS) {
      if (i.kind === 'step') expect(typeof i.check).toBe('function');
      else expect(i.check.providedBy).toBe('property-suite');
    }
    expect(INVARIANTS.filter((i) => i.kind === 'metamorphic').map((i) => i.id)).toEqual(['reward.monotone', 'ledger.deterministic', 'record.replay']);
  });

  it('qfs invariants lists id, kind, CIR code and statement', async () => {
    const text = await runCli([]);
    for (const i of INVARIANTS) expect(text).toContain(i.id);
    expect(text).toMatch(/chr\.rebalance\s+step, commit\s+CIR-511\s+per node/);
    expect(text).toMatch(/reward\.monotone\s+metamorphic\s+CIR-511/);
  });

  it('qfs invariants --json prints one canonical value', async () => {
    const text = await runCli(['--json']);
    const doc = parseCanonical(text.trimEnd()) as { invariants: { id: string; kind: string; cir: string; statement: string; commit_only: boolean }[] };
    expect(doc.invariants.map((r) => r.id)).toEqual(INVARIANTS.map((i) => i.id));
    expect(doc.invariants[0]).toMatchObject({ id: 'chr.conserved', kind: 'step', cir: 'CIR-511', commit_only: false });
  });
});

describe('catalog runner', () => {
  const out = runHonestEpoch(CTX, S0, noInputs);
  const args: StepArgs = { genesis: CTX.genesis, genesisHash: CTX.genesisHash, topology: CTX.topology, prev: S0, record: out.record, next: out.state, inputs: out.inputs };
  const entry = (id: InvariantId, check: StepCheck): Invariant => ({ id, kind: 'step', commitOnly: false, statement: id, cir: 'CIR-511', check });
  const holds: StepCheck = () => null;
  const broken: StepCheck = () => ({ message: 'planted', expected: '0', actual: '1' });

  it('a check that throws a coded error (QfsError) is a violation of its invariant, and the catalog runs on', () => {
    const catalog = [
      entry('chr.conserved', () => {
        canonicalString(undefined as unknown as Encodable); // E_CANONICAL: undefined is not encodable
        return null;
      }),
      entry('flx.conserved', () => {
        mulDiv(1n, 1n, 0n); // a MathViolation (zero divisor)
        return null;
      }),
      entry('psy.monotone', holds),
      entry('res.envelope', broken),
    ];
    expect(runCatalog(catalog, args).map((v) => v.id)).toEqual(['chr.conserved', 'flx.conserved', 'res.envelope']);
  });

  it('a check that throws anything else (a TypeError is a bug in the check) propagates', () => {
    const typeError: StepCheck = (x) => (x.record as unknown as { absent: { field: null } }).absent.field;
    expect(() => runCatalog([entry('chr.conserved', holds), entry('flx.conserved', typeError), entry('res.envelope', broken)], args)).toThrow(TypeError);
    const rangeError: StepCheck = () => {
      throw new RangeError('a bug');
    };
    expect(() => runCatalog([entry('chr.conserved', rangeError)], args)).toThrow(RangeError);
  });
});
