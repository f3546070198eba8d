/**
 * The adversary properties as one campaign API, shared by the vitest suite
 * (properties/adversary.test.ts) and `qfs check`: `adversary.EA-1` … `adversary.EA-13` run
 * `runAdversary` on runs whose focus epoch carries that attack (SPEC §8), with fast-check's seed,
 * path, runs and time limit; a failure is shrunk, written as a §12 counterexample, and reported
 * with the exact command that replays it. Statistics count what was generated and applied.
 * (EA-14, the storage attacker, is the store suite's property: models/storage-attack.ts.)
 */
import fc from 'fast-check';
import type { Json } from '../src/math/canonical.ts';
import { saveCounterexample, type Counterexample } from '../src/io/counterexamples.ts';
import { AdversaryFailure, adversaryChain, EAS, EXPECTED_RESPONSE, readRunCommands, runAdversary, runCommands, type AdversaryRun, type Ea, type Mutant, type PauseShift, type RunReport, fractionPercent, fractionText, maxShift, SHIFT_TOKENS, VOTE_MOVES } from './adversary.ts';
import { runArbitrary } from './adversary-arbitraries.ts';
import { readStorageCommands, runStorageAttack, storageCommands, storageRunArbitrary, type StorageRun } from './storage-attack.ts';

export const EPOCH_EAS: readonly Ea[] = EAS.filter((e) => e !== 'EA-14');
export const ADVERSARY_PROPERTIES: readonly string[] = EAS.map((e) => `adversary.${e}`);

/**
 * The properties cheapest first (seconds per run measured on two shared cores, issue 19): the
 * fast tier runs them in this order so that most bugs surface within the first minute.
 */
export const CHEAPEST_FIRST: readonly string[] = ['EA-3', 'EA-2', 'EA-10', 'EA-4', 'EA-5', 'EA-9', 'EA-8', 'EA-1', 'EA-13', 'EA-12', 'EA-11', 'EA-7', 'EA-6', 'EA-14'].map((e) => `adversary.${e}`);

/**
 * Per EA: attacks generated, applied (the attacker was active and the lie possible), not applied
 * (generated − applied: the epoch ran honest behaviour instead), detected (the expected incident
 * was observed in the record, not merely applied), and paused epochs.
 */
export type EaStats = { generated: number; applied: number; notApplied: number; detected: number; paused: number; aborted: number; safeMode: number; shiftMeasured: number };
/** Per vote move (models/adversary/strategies.ts VoteMove): generated, applied, the expected step-12 event observed. */
export type MoveStats = { generated: number; applied: number; detected: number };
export class AdversaryStats {
  readonly byEa = new Map<Ea, EaStats>(EAS.map((e) => [e, { generated: 0, applied: 0, notApplied: 0, detected: 0, paused: 0, aborted: 0, safeMode: 0, shiftMeasured: 0 }]));
  readonly byMove = new Map<string, MoveStats>(VOTE_MOVES.map((m) => [m, { generated: 0, applied: 0, detected: 0 }]));
  /** The largest pause shift measured per EA. */
  readonly shift = new Map<Ea, PauseShift | undefined>();
  runs = 0;
  epochs = 0;
  /** Incidents raised in the runs' epochs (EA-14: the recovery epoch's CIR-511). */
  incidents = 0;
  aborted = 0;
  frozen = 0;
  shards = new Map<string, number>();

  /** One storage attack (EA-14): generated, applied and detected (repaired or recovered); a recovery pauses its epoch. */
  addStorage(recovered: boolean): void {
    this.runs++;
    const s = this.byEa.get('EA-14')!;
    s.generated++;
    s.applied++;
    s.detected++;
    if (recovered) {
      this.incidents++;
      s.paused++;
      s.aborted++;
      s.safeMode++;
    }
  }

  add(run: AdversaryRun, report: RunReport): void {
    this.runs++;
    this.shards.set(run.shards.toString(), (this.shards.get(run.shards.toString()) ?? 0) + 1);
    for (const st of report.steps) this.incidents += st.record.incidents.length;
    for (const e of report.epochs) {
      this.epochs++;
      for (const m of e.moves) {
        const ms = this.byMove.get(m.move)!;
        ms.generated++;
        if (m.applied) ms.applied++;
        if (m.detected) ms.detected++;
      }
      if (e.outcome === 'abort') this.aborted++;
      if (e.outcome === 'frozen') this.frozen++;
      for (const a of e.attacks) {
        const s = this.byEa.get(a.ea)!;
        if (a.paused && !a.applied) {
          s.paused++; // a frozen epoch after the safe mode this attack entered
          continue;
        }
        s.generated++;
        if (!a.applied) {
          s.notApplied++;
          continue;
        }
        s.applied++;
        if (a.detected) s.detected++;
        if (a.paused) s.paused++;
        if (e.outcome === 'abort') s.aborted++;
        if (e.safeModeEntered) s.safeMode++;
        if (e.shift !== undefined) {
          s.shiftMeasured++;
          this.shift.set(a.ea, maxShift(this.shift.get(a.ea), e.shift));
        }
      }
    }
  }

  merge(o: AdversaryStats): void {
    this.runs += o.runs;
    this.epochs += o.epochs;
    this.incidents += o.incidents;
    this.aborted += o.aborted;
    this.frozen += o.frozen;
    for (const [k, v] of o.shards) this.shards.set(k, (this.shards.get(k) ?? 0) + v);
    for (const [ea, s] of o.byEa) {
      const t = this.byEa.get(ea)!;
      for (const k of Object.keys(s) as (keyof EaStats)[]) t[k] += s[k];
      this.shift.set(ea, maxShift(this.shift.get(ea), o.shift.get(ea)));
    }
    for (const [m, x] of o.byMove) {
      const t = this.byMove.get(m)!;
      t.generated += x.generated;
      t.applied += x.applied;
      t.detected += x.detected;
    }
  }

  toJson(): Json {
    return {
      runs: String(this.runs),
      epochs: String(this.epochs),
      aborted: String(this.aborted),
      frozen: String(this.frozen),
      shards: Object.fromEntries([...this.shards].sort().map(([k, v]) => [`n${k}`, String(v)])),
      attacks: EAS.filter((e) => this.byEa.get(e)!.generated > 0).map((ea) => {
        const s = this.byEa.get(ea)!;
        const m = this.shift.get(ea);
        return {
          ea,
          expected_response: EXPECTED_RESPONSE[ea],
          generated: String(s.generated),
          applied: String(s.applied),
          not_applied: String(s.notApplied),
          detected: String(s.detected),
          paused_epochs: String(s.paused),
          pause_shift_measured: String(s.shiftMeasured),
          pause_shift_max: Object.fromEntries(SHIFT_TOKENS.map((t) => [t, m === undefined ? 'not measured' : fractionText(m[t])])),
        };
      }),
      moves: VOTE_MOVES.filter((m) => this.byMove.get(m)!.generated > 0).map((m) => {
        const x = this.byMove.get(m)!;
        return { move: m, generated: String(x.generated), applied: String(x.applied), detected: String(x.detected) };
      }),
    };
  }

  format(title: string): string {
    const rows = EAS.filter((e) => this.byEa.get(e)!.generated > 0).map((ea) => {
      const s = this.byEa.get(ea)!;
      const m = this.shift.get(ea);
      const shift = m === undefined ? 'shift not measured' : `max shift (${s.shiftMeasured}) ${SHIFT_TOKENS.map((t) => `${t} ${fractionPercent(m[t])}`).join(' ')}`;
      return `  ${ea.padEnd(6)} generated ${String(s.generated).padStart(4)}  applied ${String(s.applied).padStart(4)}  not applied ${String(s.notApplied).padStart(4)}  detected ${String(s.detected).padStart(4)}  paused ${String(s.paused).padStart(4)}  ${shift}   ${EXPECTED_RESPONSE[ea]}`;
    });
    const moves = VOTE_MOVES.filter((m) => this.byMove.get(m)!.generated > 0).map((m) => {
      const x = this.byMove.get(m)!;
      return `  move ${m.padEnd(12)} generated ${String(x.generated).padStart(4)}  applied ${String(x.applied).padStart(4)}  expected event observed ${String(x.detected).padStart(4)}`;
    });
    return [`${title}: ${this.runs} runs, ${this.epochs} epochs (${this.aborted} aborted, ${this.frozen} frozen)`, ...rows, ...moves].join('\n');
  }
}

export type CheckOptions = {
  readonly property: string;
  readonly seed: number;
  readonly runs: number;
  /** fast-check's replay path of a failure (with the same seed). */
  readonly path?: string;
  /** Stop generating after this many seconds (the runs done so far count; reported). */
  readonly timeSeconds?: number;
  /** Where to write a counterexample (null: don't write). */
  readonly counterexamples: string | null;
  /** A planted bug to run the ledger with (the broken-harness tests). */
  readonly mutant?: Mutant;
  /** Called after every generated run (not the shrinker's): `qfs check --observability`. */
  readonly observe?: (o: RunObservation) => void;
  /** False: stop at the first failure without shrinking (the kill catalog's cheap mode). */
  readonly shrink?: boolean;
};

/** One generated run as `qfs check --observability` reports it: its commands, outcome, time and what it did. */
export type RunObservation = {
  readonly property: string;
  /** 0-based number of the run within the property. */
  readonly index: number;
  readonly status: 'passed' | 'failed';
  readonly reason: string;
  readonly commands: readonly Json[];
  readonly seconds: number;
  readonly features: Readonly<Record<string, string | number | boolean>>;
};

/** What one run did: the attack, whether it applied and was detected, the chain, epochs and incidents. */
function runFeatures(ea: Ea, run: unknown, one: AdversaryStats): Record<string, string | number | boolean> {
  const s = one.byEa.get(ea)!;
  const r = run as { shards: bigint; byzantine?: readonly bigint[]; epochs?: readonly unknown[]; loads?: readonly bigint[]; target?: string };
  return {
    attack: ea,
    applied: s.applied > 0,
    detected: s.detected > 0,
    generated: s.generated,
    applied_count: s.applied,
    shards: Number(r.shards),
    ...(r.byzantine === undefined ? {} : { byzantine: r.byzantine.length }),
    epochs: r.epochs?.length ?? r.loads?.length ?? 0,
    incidents: one.incidents,
    paused_epochs: s.paused,
    aborted_epochs: one.aborted,
    frozen_epochs: one.frozen,
    ...(r.target === undefined ? {} : { target: r.target }),
  };
}

export type CheckFailure = {
  readonly invariant: string;
  readonly epoch: bigint;
  readonly message: string;
  readonly commands: number;
  readonly counterexample: Counterexample;
  readonly file: string | null;
  readonly replay: string;
  readonly fastCheckPath: string;
};

export type CheckResult = {
  readonly property: string;
  readonly seed: number;
  readonly runsRequested: number;
  readonly runsDone: number;
  readonly interrupted: boolean;
  readonly stats: AdversaryStats;
  readonly failure: CheckFailure | null;
};

/** The applied fraction every property must reach: its focus attack applied in ≥ 80 % of the runs. */
export const APPLIED_FRACTION: readonly [number, number] = [4, 5];

/**
 * The gate on a passed property's statistics (vitest suite, `qfs check`, the main job): the focus
 * attack applied in at least APPLIED_FRACTION of the runs done (an attack that does not apply is
 * honest behaviour, and passing it proves nothing), and every applied attack of the focus EA
 * detected (its expected incident observed). Null when it holds, else the reason.
 */
export function appliedGate(r: Pick<CheckResult, 'property' | 'runsDone' | 'stats'>): string | null {
  const ea = eaOfProperty(r.property);
  const s = r.stats.byEa.get(ea)!;
  const need = Math.ceil((r.runsDone * APPLIED_FRACTION[0]) / APPLIED_FRACTION[1]);
  if (s.applied < need) return `${r.property}: ${ea} applied in ${s.applied} of ${r.runsDone} runs (${s.notApplied} not applied), below ${APPLIED_FRACTION[0]}/${APPLIED_FRACTION[1]} (${need})`;
  if (s.detected !== s.applied) return `${r.property}: ${ea} applied ${s.applied} times but its expected incident was observed ${s.detected} times`;
  return null;
}

export function eaOfProperty(property: string): Ea {
  const ea = property.replace(/^adversary\./, '') as Ea;
  if (!ADVERSARY_PROPERTIES.includes(property)) throw new Error(`unknown property ${property} (known: ${ADVERSARY_PROPERTIES.join(', ')})`);
  return ea;
}

/** What a property needs to run, store and replay its cases (epoch attacks, or the storage attacker). */
type Spec<R> = {
  readonly arbitrary: fc.Arbitrary<R>;
  readonly run: (r: R) => (stats: AdversaryStats) => void;
  readonly commands: (r: R) => Json[];
  readonly genesisHash: (r: R) => string;
};

function specOf(ea: Ea, mutant: Mutant | undefined): Spec<unknown> {
  if (ea === 'EA-14') {
    const spec: Spec<StorageRun> = {
      arbitrary: storageRunArbitrary,
      run: (r) => {
        const report = runStorageAttack(r);
        return (stats) => stats.addStorage(report.recovered);
      },
      commands: storageCommands,
      genesisHash: (r) => adversaryChain(r.shards).ctx.genesisHash,
    };
    return spec as Spec<unknown>;
  }
  const spec: Spec<AdversaryRun> = {
    arbitrary: runArbitrary(ea).map((r): AdversaryRun => (mutant === undefined ? r : { ...r, mutant })),
    run: (run) => {
      const report = runAdversary(run);
      return (stats) => stats.add(run, report);
    },
    commands: runCommands,
    genesisHash: (r) => adversaryChain(r.shards).ctx.genesisHash,
  };
  return spec as Spec<unknown>;
}

/** Runs one adversary property; never throws for a property failure (it is in the result). */
export function checkAdversaryProperty(o: CheckOptions): CheckResult {
  const ea = eaOfProperty(o.property);
  const stats = new AdversaryStats();
  const spec = specOf(ea, o.mutant);
  // Statistics count the generated runs up to the first failure, not the shrinker's attempts.
  let failedOnce = false;
  let index = 0;
  const observe = (run: unknown, status: 'passed' | 'failed', reason: string, t0: number, one: AdversaryStats) =>
    o.observe?.({ property: o.property, index: index++, status, reason, commands: spec.commands(run), seconds: (performance.now() - t0) / 1000, features: runFeatures(ea, run, one) });
  const result = fc.check(
    fc.property(spec.arbitrary, (run) => {
      if (failedOnce) {
        spec.run(run);
        return;
      }
      const t0 = performance.now();
      try {
        const add = spec.run(run);
        add(stats);
        if (o.observe !== undefined) {
          const one = new AdversaryStats();
          add(one);
          observe(run, 'passed', '', t0, one);
        }
      } catch (e) {
        failedOnce = true;
        observe(run, 'failed', e instanceof AdversaryFailure ? `${e.invariant} at epoch ${e.epoch}: ${e.detail}` : String(e), t0, new AdversaryStats());
        throw e;
      }
    }),
    {
      seed: o.seed,
      numRuns: o.runs,
      ...(o.path === undefined ? {} : { path: o.path, endOnFailure: true }),
      ...(o.shrink === false ? { endOnFailure: true } : {}),
      ...(o.timeSeconds === undefined ? {} : { interruptAfterTimeLimit: o.timeSeconds * 1000, markInterruptAsFailure: false }),
    },
  );
  const base = { property: o.property, seed: o.seed, runsRequested: o.runs, runsDone: result.numRuns, interrupted: result.interrupted, stats };
  if (!result.failed || result.counterexample === null) {
    if (result.failed && result.errorInstance !== undefined) throw result.errorInstance;
    return { ...base, failure: null };
  }
  const run = result.counterexample[0];
  let failure: AdversaryFailure;
  try {
    spec.run(run);
    throw new Error(`adversary: the shrunk counterexample of ${o.property} passes when re-run (non-deterministic harness?)`);
  } catch (e) {
    if (!(e instanceof AdversaryFailure)) throw e;
    failure = e;
  }
  const counterexample: Counterexample = {
    format: 'qfs-counterexample/1',
    property: o.property,
    invariant: failure.invariant,
    seed: BigInt(o.seed),
    path: result.counterexamplePath ?? '',
    genesis_hash: spec.genesisHash(run),
    commands: spec.commands(run),
    failure: { epoch: failure.epoch, message: failure.detail, expected: failure.expected, actual: failure.actual },
    roots: failure.roots,
  };
  const saved = o.counterexamples === null ? null : saveCounterexample(o.counterexamples, counterexample);
  const replay =
    saved !== null
      ? `npx qfs replay ${saved.file}`
      : `npx qfs check --property ${o.property} --seed ${o.seed} --path ${result.counterexamplePath ?? ''}`;
  return {
    ...base,
    failure: {
      invariant: failure.invariant,
      epoch: failure.epoch,
      message: failure.message,
      commands: counterexample.commands.length,
      counterexample,
      file: saved?.file ?? null,
      replay,
      fastCheckPath: result.counterexamplePath ?? '',
    },
  };
}


/** What replaying a stored counterexample gave. */
export type Replay =
  | { readonly kind: 'reproduced'; readonly failure: AdversaryFailure }
  | { readonly kind: 'different'; readonly failure: AdversaryFailure; readonly why: string }
  | { readonly kind: 'passes'; readonly epochs: number };

/** Re-executes a stored adversary counterexample and compares the failure and the roots with the stored ones. */
export function replayCounterexample(c: Counterexample): Replay {
  const storage = c.property === 'adversary.EA-14';
  const run = storage ? readStorageCommands(c.commands) : readRunCommands(c.commands);
  const genesisHash = adversaryChain(run.shards).ctx.genesisHash;
  if (genesisHash !== c.genesis_hash) throw new Error(`counterexample: genesis_hash ${c.genesis_hash} is not the chain's ${genesisHash}`);
  try {
    if (storage) {
      const r = runStorageAttack(run as StorageRun);
      return { kind: 'passes', epochs: r.roots.length };
    }
    return { kind: 'passes', epochs: runAdversary(run as AdversaryRun).epochs.length };
  } catch (e) {
    if (!(e instanceof AdversaryFailure)) throw e;
    const same =
      e.invariant === c.invariant &&
      e.epoch === c.failure.epoch &&
      e.detail === c.failure.message &&
      JSON.stringify(e.roots) === JSON.stringify(c.roots) &&
      JSON.stringify(e.expected) === JSON.stringify(c.failure.expected) &&
      JSON.stringify(e.actual) === JSON.stringify(c.failure.actual);
    if (same) return { kind: 'reproduced', failure: e };
    return { kind: 'different', failure: e, why: `stored ${c.invariant} at epoch ${c.failure.epoch}, got ${e.invariant} at epoch ${e.epoch}` };
  }
}
