/**
 * Step 14 and the engine's own faults, with deliberate bugs planted in the economy and in the
 * bookkeeping (module mocks): a broken invariant turns the decided outcome into an abort with
 * CIR-511 (its incident last, safe mode); a MathViolation in steps 4–10 is a CIR-511 abort; an
 * abort that breaks an invariant too stops the engine (LedgerFatal: nothing is returned).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MathViolation } from '../../src/math/certified-math.ts';
import { LedgerFatal } from '../../src/coherence/windows.ts';
import type { EngineIncident } from '../../src/epoch/epoch-record.ts';
import { runLedgerEpoch, withholdingAgent } from '../../src/coherence/shard-agent.ts';
import { agentsWith, CTX, kinds, ledgerChecked, S0, triples } from './fixtures.ts';

const bug = vi.hoisted(() => ({ economy: 'none' as 'none' | 'mint_chr' | 'math', bookkeeping: false }));

vi.mock('../../src/economics/harmonic-economics.ts', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/economics/harmonic-economics.ts')>();
  return {
    ...mod,
    runEconomy: (...args: Parameters<typeof mod.runEconomy>) => {
      if (bug.economy === 'math') throw new MathViolation('out_of_range', 'add', 'planted');
      const out = mod.runEconomy(...args);
      if (bug.economy !== 'mint_chr') return out;
      return { ...out, nodes: out.nodes.map((n, i) => (i === 0 ? { ...n, chr: n.chr + 1n } : n)) };
    },
  };
});

vi.mock('../../src/ledger/system-recovery.ts', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/ledger/system-recovery.ts')>();
  return {
    ...mod,
    incidentBookkeeping: (...args: Parameters<typeof mod.incidentBookkeeping>) => {
      const out = mod.incidentBookkeeping(...args);
      return bug.bookkeeping ? out.map((s, i) => (i === 0 ? { ...s, halted_until: s.halted_until + 5n } : s)) : out;
    },
  };
});

afterEach(() => {
  bug.economy = 'none';
  bug.bookkeeping = false;
});

describe('step 14 and engine faults', () => {
  it('a broken invariant (CHR created by the economy) turns the commit into an abort with CIR-511, sorted last; safe mode', () => {
    bug.economy = 'mint_chr';
    const out = ledgerChecked(S0, { agents: agentsWith({ '3': (h) => withholdingAgent(h) }) });
    expect(out.record.outcome).toBe('abort');
    expect(triples(out.record.incidents)).toEqual([['CIR-511', null, null]]);
    const ev = (out.record.incidents[0] as EngineIncident).evidence;
    expect(ev.cause).toBe('invariant');
    expect(ev.cause === 'invariant' ? ev.invariants : []).toContain('chr.conserved');
    expect(out.state).toEqual({ ...S0, epoch: 1n, mode: 'safe' });
    expect(kinds(out.record)).toEqual([]);
  });

  it('a MathViolation in steps 4–10 is a CIR-511 abort (no candidate, votes read but not compared, no no_quorum)', () => {
    bug.economy = 'math';
    const out = ledgerChecked(S0, { agents: agentsWith({}) });
    expect(out.record.outcome).toBe('abort');
    expect(triples(out.record.incidents)).toEqual([['CIR-511', null, null]]);
    expect(out.record.incidents[0]!.evidence).toEqual({ cause: 'math_violation', reason: 'out_of_range', op: 'add' });
    expect(out.publications.window2!.candidate).toBeNull();
    expect(out.state.mode).toBe('safe');
    expect(kinds(out.record)).toEqual([]);
  });

  it('an abort that breaks an invariant too is fatal: the engine stops and returns nothing', () => {
    bug.bookkeeping = true;
    expect(() => runLedgerEpoch(CTX, S0, { agents: agentsWith({}) })).toThrow(LedgerFatal);
  });
});
