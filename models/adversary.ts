/**
 * The EconomicAdversarySuite's model (SPEC §8), one module per concept under models/adversary/:
 * strategies (attacks as data), run-reader (§12 commands), chain, report, lies, interpreter (one
 * attacked epoch through the real ledger), twin, run (runAdversary with every assertion), pause
 * shift. This file re-exports them so that importers keep one path.
 */
export * from './adversary/strategies.ts';
export * from './adversary/run-reader.ts';
export * from './adversary/chain.ts';
export * from './adversary/report.ts';
export * from './adversary/lies.ts';
export * from './adversary/interpreter.ts';
export * from './adversary/twin.ts';
export * from './adversary/run.ts';
export * from './adversary/pause-shift.ts';
