/**
 * The CoherenceLedger's properties (SPEC §6, §7, §9), named after their invariant ids, over random
 * runs of the real ledger (4–7 shards, real ML-DSA-87, honest load with Byzantine shards, a lying
 * oracle or validator, safe mode and its exit; models/adversary.ts executes them without
 * asserting anything, each property checks what it names):
 *   - the step invariants ledger.atomic, ledger.chain, ledger.quorum, sync.agreement,
 *     safe-mode.frozen, incident.bookkeeping, actions.applied, halt.frozen (the catalog's checks,
 *     one property each), record.inputs (the stored inputs' bytes hash to `inputs_hash` and read
 *     back to the same document) and record.replay (re-executing them gives the same record);
 *   - ledger.deterministic: fast-check's scheduler permutes the arrival of proposals, votes and
 *     snapshots (and repeats copies): the same record bytes;
 *   - liveness with f shards withholding their votes: every epoch commits;
 *   - no commit without a quorum: with more shards withholding, every epoch aborts (no_quorum);
 *   - ledger-model: the independent model of steps 12–13 and the CIR bookkeeping agrees on every epoch.
 * Runs per property: QFS_LEDGER_RUNS (default 20; each run is 1–4 epochs). Every property uses the run seed, so the step-invariant properties see the same runs (cached signatures make them cheap).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalString, parseCanonical, type Encodable } from '../src/math/canonical.ts';
import type { LedgerWindows } from '../src/coherence/windows.ts';
import { quorumNeeded } from '../src/coherence/step12.ts';
import { checkLedgerEpoch, checkRecordReplay, ledgerEpoch } from '../src/coherence/replay.ts';
import { devLabel } from '../src/genesis/default-genesis.ts';
import { ledgerInputsBytes, ledgerInputsHash, readLedgerInputs } from '../src/ledger/ledger-inputs.ts';
import { scenarioInputs } from '../src/runs/scenario.ts';
import { HonestShardAgent, runLedgerEpoch, withholdingAgent, type ShardAgent } from '../src/coherence/shard-agent.ts';
import { devKey } from '../src/math/signatures.ts';
import type { State } from '../src/economics/state.ts';
import { adversaryChain, executeRun } from '../models/adversary.ts';
import { runArbitrary } from '../models/adversary-arbitraries.ts';
import { ledgerModelFault } from '../models/ledger-model/check.ts';

const numRuns = process.env.QFS_LEDGER_RUNS ? Number(process.env.QFS_LEDGER_RUNS) : 20;
const bytes = (v: unknown): string => canonicalString(v as Encodable);

const STEP_IDS = ['ledger.atomic', 'ledger.chain', 'ledger.quorum', 'sync.agreement', 'safe-mode.frozen', 'incident.bookkeeping', 'actions.applied', 'halt.frozen'] as const;

describe('ledger properties', () => {
  for (const id of STEP_IDS) {
    test(id, () => {
      fc.assert(
        fc.property(runArbitrary(null), (run) => {
          executeRun(run, ({ chain, S, prevRecord, e }) => {
            const broken = checkLedgerEpoch(chain.ctx, S, e.out.record, e.out.state, e.out.inputs, prevRecord).filter((v) => v.id === id);
            expect(broken, `${id} at epoch ${e.out.record.epoch}`).toEqual([]);
            // Step 14 runs the same check and would turn a breach into an abort: the candidate itself
            // must never have broken it (no step-14 incident names it).
            const step14 = e.out.record.incidents.filter((i) => i.code === 'CIR-511' && (i.evidence as { cause?: string }).cause === 'invariant');
            expect(step14.flatMap((i) => (i.evidence as unknown as { invariants: string[] }).invariants).filter((x) => x === id), `step 14 caught ${id} at epoch ${e.out.record.epoch}`).toEqual([]);
          });
        }),
        { numRuns },
      );
    }, 300_000);
  }

  // The independent ledger model (models/ledger-model/, from docs/spec.md) agrees on every epoch.
  test('ledger-model', () => {
    fc.assert(
      fc.property(runArbitrary(null), (run) => {
        executeRun(run, ({ chain, S, e }) => {
          const fault = ledgerModelFault(chain, S, e.out);
          expect(fault, `${fault?.id} at epoch ${e.out.record.epoch}: ${fault?.message}`).toBeNull();
        });
      }),
      { numRuns },
    );
  }, 300_000);

  test('record.inputs', () => {
    fc.assert(
      fc.property(runArbitrary(null), (run) => {
        executeRun(run, ({ e }) => {
          const b = ledgerInputsBytes(e.out.inputs);
          expect(ledgerInputsHash(e.out.inputs)).toBe(e.out.record.inputs_hash);
          const read = readLedgerInputs(parseCanonical(b));
          expect(read.ok).toBe(true);
          if (read.ok) expect(bytes(read.value)).toBe(bytes(e.out.inputs));
        });
      }),
      { numRuns },
    );
  }, 300_000);

  test('record.replay', () => {
    fc.assert(
      fc.property(runArbitrary(null), (run) => {
        executeRun(run, ({ chain, S, e }) => {
          expect(checkRecordReplay(chain.ctx, S, e.out.record, e.out.inputs)).toBeNull();
        });
      }),
      { numRuns },
    );
  }, 300_000);

  test('ledger.deterministic: permuted arrival (fast-check scheduler) and repeated copies give the same record', async () => {
    await fc.assert(
      fc.asyncProperty(runArbitrary(null), fc.scheduler(), fc.nat({ max: 3 }), async (run, s, repeat) => {
        const epochs: { S: State; windows: LedgerWindows; record: string; ctx: ReturnType<typeof adversaryChain>['ctx'] }[] = [];
        executeRun(run, ({ chain, S, e }) => epochs.push({ S, windows: e.windows, record: bytes(e.out.record), ctx: chain.ctx }));
        for (const ep of epochs) {
          const w = ep.windows;
          // Every message arrives through the scheduler, in an order fast-check chooses; some twice.
          const arrived: LedgerWindows = { governance: [], snapshots: [], validator: w.validator, proposals: [], votes: [] };
          const deliver = <K extends 'governance' | 'snapshots' | 'proposals' | 'votes'>(k: K, xs: LedgerWindows[K]) =>
            xs.flatMap((x, i) => {
              const copies = i < repeat ? 2 : 1;
              return Array.from({ length: copies }, () => s.schedule(Promise.resolve(x), `${k}[${i}]`).then((m) => (arrived[k] as unknown[]).push(m)));
            });
          const all = [...deliver('governance', w.governance), ...deliver('snapshots', w.snapshots), ...deliver('proposals', w.proposals), ...deliver('votes', w.votes)];
          await s.waitAll();
          await Promise.all(all);
          const again = ledgerEpoch(ep.ctx, ep.S, arrived);
          expect(bytes(again.record)).toBe(ep.record);
        }
      }),
      { numRuns },
    );
  }, 300_000);

  /** Honest agents of a chain with `withhold` of them proposing but never voting. */
  function agentsWithholding(n: bigint, withhold: readonly bigint[], submitted: ReadonlyMap<bigint, readonly import('../src/math/canonical.ts').Json[]>): ShardAgent[] {
    const chain = adversaryChain(n);
    return chain.genesis.shards.map((s) => {
      const honest = new HonestShardAgent(s.id, devKey(devLabel.shard(s.id)).secretKey, () => submitted.get(s.id) ?? []);
      return withhold.includes(s.id) ? withholdingAgent(honest) : honest;
    });
  }

  const withholdRun = (extra: number) =>
    fc
      .constantFrom(4n, 5n, 6n, 7n)
      .chain((n) => {
        const ids = Array.from({ length: Number(n) }, (_, i) => BigInt(i));
        const w = extra === 0 ? Number((n - 1n) / 3n) : Number(n - quorumNeeded(n)) + extra;
        return fc.record({ n: fc.constant(n), withhold: fc.shuffledSubarray(ids, { minLength: w, maxLength: w }), loads: fc.array(fc.bigInt({ min: 0n, max: 2n ** 32n }), { minLength: 1, maxLength: 3 }) });
      });

  test('liveness: with f = floorDiv(n − 1, 3) shards withholding their votes, every epoch commits', () => {
    fc.assert(
      fc.property(withholdRun(0), ({ n, withhold, loads }) => {
        const chain = adversaryChain(n);
        let S = chain.S0;
        for (const seed of loads) {
          const load = scenarioInputs(chain.ctx, S, { seed });
          const out = runLedgerEpoch(chain.ctx, S, { snapshots: load.snapshots, agents: agentsWithholding(n, withhold, new Map(load.actions.map((a) => [a.shard, a.actions]))) });
          expect(out.record.outcome, `epoch ${out.record.epoch} with ${withhold.length} of ${n} withholding`).toBe('commit');
          S = out.state;
        }
      }),
      { numRuns },
    );
  }, 300_000);

  test('no commit without a quorum: with n − quorum + 1 or more shards withholding, every epoch aborts with no_quorum', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1 }).chain((extra) => withholdRun(extra + 1)), ({ n, withhold, loads }) => {
        const chain = adversaryChain(n);
        let S = chain.S0;
        for (const seed of loads) {
          const load = scenarioInputs(chain.ctx, S, { seed });
          const out = runLedgerEpoch(chain.ctx, S, { snapshots: load.snapshots, agents: agentsWithholding(n, withhold, new Map(load.actions.map((a) => [a.shard, a.actions]))) });
          expect(out.record.outcome).toBe('abort');
          expect(out.record.events.some((x) => x.kind === 'no_quorum')).toBe(true);
          expect(checkLedgerEpoch(chain.ctx, S, out.record, out.state, out.inputs).filter((v) => v.id === 'ledger.atomic')).toEqual([]);
          S = out.state;
        }
      }),
      { numRuns },
    );
  }, 300_000);
});
