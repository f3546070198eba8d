/**
 * `qfs check` (run the adversary properties from the command line, seeded, split across machines)
 * and `qfs replay` (re-execute a stored counterexample, or export it as a vitest regression test).
 * The campaign itself lives in models/adversary-check.ts; this is only the edge (flags, output).
 */
import type { Command } from 'commander';
import { basename, dirname, join, relative } from 'node:path';
import { canonicalString, type Encodable, type Json } from '../src/math/canonical.ts';
import { QfsError } from '../src/core/errors.ts';
import { counterexampleHash, listCounterexamples, loadCounterexample, type Counterexample } from '../src/io/counterexamples.ts';
import { checkWritableDir, writeFileAtomic, writeOutputFile } from '../src/io/files.ts';
import { checkAdversaryCounterexample } from '../models/counterexample-check.ts';
import { ADVERSARY_PROPERTIES, appliedGate, checkAdversaryProperty, CHEAPEST_FIRST, replayCounterexample, type CheckResult, type RunObservation } from '../models/adversary-check.ts';
import { integer } from './args.ts';
import { junitXml, observabilityText } from './campaign-formats.ts';
import { EXIT, run } from './output.ts';

const int = (name: string, min: number) => (v: string): number => Number(integer(name, BigInt(min))(v));

/** `K/N` with 1 ≤ K ≤ N: this machine runs every N-th property starting at the K-th (like `vitest --shard`). */
function parseShard(v: string): { k: number; n: number } {
  const m = /^([1-9][0-9]*)\/([1-9][0-9]*)$/.exec(v);
  if (m === null || Number(m[1]) > Number(m[2])) throw new QfsError('E_USAGE', '--shard', `--shard takes K/N with 1 <= K <= N, got ${JSON.stringify(v)}`);
  return { k: Number(m[1]), n: Number(m[2]) };
}

const resultJson = (r: CheckResult): Json => ({
  property: r.property,
  seed: String(r.seed),
  runs: String(r.runsDone),
  runs_requested: String(r.runsRequested),
  interrupted: r.interrupted,
  passed: r.failure === null,
  failure:
    r.failure === null
      ? null
      : {
          invariant: r.failure.invariant,
          epoch: String(r.failure.epoch),
          message: r.failure.message,
          commands: String(r.failure.commands),
          counterexample: r.failure.file,
          path: r.failure.fastCheckPath,
          replay: r.failure.replay,
        },
  gate: appliedGate(r),
  generated: r.stats.toJson(),
});

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('run the adversary properties (SPEC §8) with real signatures: seeded, replayable, splittable across machines')
    .option('--property <id...>', `properties to run (default: all): ${ADVERSARY_PROPERTIES.join(', ')}`)
    .option('--seed <n>', "fast-check seed (default: chosen now and printed)")
    .option('--path <p>', "fast-check replay path of a failure (one property; with its seed)")
    .option('--runs <n>', 'runs per property', '40')
    .option('--time <seconds>', 'stop generating after this many seconds per property (the runs done are reported)')
    .option('--shard <K/N>', 'run the K-th of N slices of the property list (same seeds on every machine)')
    .option('--counterexamples <dir>', 'where failures are written (SPEC §12)', 'counterexamples')
    .option('--fast <n>', 'the fast tier: first n runs of every property, cheapest first, stopping before the full runs on a failure (0: none)', '3')
    .option('--no-replay', 'do not replay the stored counterexamples of the selected properties first')
    .option('--json', 'print one canonical JSON document (stable for a seed, apart from "timings")')
    // issue 18: campaign output for other tools (writers in campaign-formats.ts).
    .option('--observability <file>', "write one JSON line per generated run in Hypothesis's observability format (Tyche)")
    .option('--junit <file>', 'write JUnit XML: one test case per property')
    .addHelpText(
      'after',
      `
Each property runs its runs from the seed; a failure is shrunk, written to
<counterexamples>/<invariant>/<hash12>.json, and printed with the command that replays it
(\`qfs replay FILE\`). Split a campaign with --shard 1/2 and --shard 2/2 on two machines: the
same seed gives the same runs, and counterexample files (named by their content hash) merge.
Order: (1) the stored counterexamples of the selected properties are replayed (a planted bug's
must still be caught exactly, any other must pass: a fixed bug stays fixed); (2) the fast tier,
--fast runs of every property, cheapest first; (3) the full --runs. A passed property must also
hold the applied-fraction gate: its attack applied in at least 4/5 of the runs and every applied
one detected (its expected incident observed).
Exit codes: 0 every property passed, 1 a property failed, 2 bad usage, 3 I/O.`,
    )
    .action(
      run((opts: { property?: string[]; seed?: string; path?: string; runs: string; time?: string; shard?: string; counterexamples: string; fast: string; replay: boolean; json?: boolean; observability?: string; junit?: string }) => {
        const all = opts.property ?? [...ADVERSARY_PROPERTIES];
        for (const p of all) if (!ADVERSARY_PROPERTIES.includes(p)) throw new QfsError('E_USAGE', '--property', `unknown property ${JSON.stringify(p)} (known: ${ADVERSARY_PROPERTIES.join(', ')})`);
        const seed = opts.seed === undefined ? (Date.now() % 2147483647) : int('--seed', 0)(opts.seed);
        const runs = int('--runs', 1)(opts.runs);
        const timeSeconds = opts.time === undefined ? undefined : int('--time', 1)(opts.time);
        if (opts.path !== undefined && (all.length !== 1 || !/^\d+(?::\d+)*$/.test(opts.path))) {
          throw new QfsError('E_USAGE', '--path', '--path takes a fast-check path like 3:0:1 and exactly one --property');
        }
        const shard = opts.shard === undefined ? { k: 1, n: 1 } : parseShard(opts.shard);
        checkWritableDir(opts.counterexamples);
        const mine = all.filter((_, i) => i % shard.n === shard.k - 1);
        if (!opts.json) process.stderr.write(`qfs check: seed ${seed}, ${runs} runs per property, ${mine.length} of ${all.length} properties (slice ${shard.k}/${shard.n})\n`);
        const results: CheckResult[] = [];
        // issue 18: --observability / --junit collect here and are written after the campaign.
        const observations: RunObservation[] = [];
        const runStart = Date.now() / 1000;
        const observe = opts.observability === undefined ? {} : { observe: (o: RunObservation) => void observations.push(o) };
        const timings: { property: string; seconds: string }[] = [];
        const say = (line: string) => {
          if (!opts.json) process.stdout.write(`${line}\n`);
        };

        // (1) Stored counterexamples of these properties, before anything is generated.
        const replays: { file: string; property: string; ok: boolean; outcome: string }[] = [];
        if (opts.replay && opts.path === undefined) {
          for (const file of listCounterexamples(opts.counterexamples)) {
            const c = loadCounterexample(file);
            if (!mine.includes(c.property)) continue;
            // Validated as data before it runs (P13.6): impossible values are refused naming the field.
            const checked = checkAdversaryCounterexample(c, file);
            const planted = !checked.storage && checked.run.mutant !== undefined;
            const r = replayCounterexample(c);
            const ok = planted ? r.kind === 'reproduced' : r.kind === 'passes';
            replays.push({ file, property: c.property, ok, outcome: r.kind });
            say(`replay ${file} (${c.property}${planted ? ', planted bug' : ''}): ${r.kind}${ok ? '' : r.kind === 'passes' ? ' — the planted bug is no longer caught' : ` — ${r.failure.message}`}`);
          }
        }
        const replayFailed = replays.some((r) => !r.ok);

        // (2) The fast tier: a few runs of every property, cheapest first.
        const fast = int('--fast', 0)(opts.fast);
        const fastFailures: CheckResult[] = [];
        if (!replayFailed && fast > 0 && opts.path === undefined) {
          const order = [...mine].sort((a, b) => CHEAPEST_FIRST.indexOf(a) - CHEAPEST_FIRST.indexOf(b));
          for (const property of order) {
            const t0 = Date.now();
            const r = checkAdversaryProperty({ property, seed, runs: Math.min(fast, runs), counterexamples: opts.counterexamples });
            timings.push({ property: `fast:${property}`, seconds: ((Date.now() - t0) / 1000).toFixed(1) });
            if (r.failure !== null) {
              fastFailures.push(r);
              say(`fast tier ${property}: FAILED ${r.failure.invariant} at epoch ${r.failure.epoch}: ${r.failure.message}\n  shrunk to ${r.failure.commands} commands; counterexample ${r.failure.file ?? '(not written)'}\n  replay: ${r.failure.replay}`);
            } else say(`fast tier ${property}: ${r.runsDone} runs passed`);
          }
        }
        results.push(...fastFailures);

        // (3) The full runs (not when a stored case or the fast tier already failed).
        for (const property of replayFailed || fastFailures.length > 0 ? [] : mine) {
          const t0 = Date.now();
          const r = checkAdversaryProperty({ property, seed, runs, counterexamples: opts.counterexamples, ...observe, ...(opts.path === undefined ? {} : { path: opts.path }), ...(timeSeconds === undefined ? {} : { timeSeconds }) });
          const seconds = ((Date.now() - t0) / 1000).toFixed(1);
          timings.push({ property, seconds });
          results.push(r);
          if (!opts.json) {
            const gate = r.failure === null ? appliedGate(r) : null;
            if (r.failure === null) {
              process.stdout.write(`${property}: ${r.runsDone} runs passed${r.interrupted ? ` (time limit: ${r.runsDone} of ${runs})` : ''} in ${seconds} s\n`);
              if (gate !== null) process.stdout.write(`  GATE FAILED: ${gate}\n`);
              process.stdout.write(`${r.stats.format('  generated')}\n`);
            } else {
              process.stdout.write(
                `${property}: FAILED ${r.failure.invariant} at epoch ${r.failure.epoch}: ${r.failure.message}\n  shrunk to ${r.failure.commands} commands; counterexample ${r.failure.file ?? '(not written)'}\n  replay: ${r.failure.replay}\n  or: npx qfs check --property ${property} --seed ${seed} --path ${r.failure.fastCheckPath}\n`,
              );
            }
          }
        }
        // A property fails when it finds a counterexample or its applied-fraction gate does not hold.
        const failed = results.filter((r) => r.failure !== null || appliedGate(r) !== null).length + replays.filter((r) => !r.ok).length;
        if (opts.observability !== undefined) writeFileAtomic(opts.observability, observabilityText(observations, seed, runStart));
        if (opts.junit !== undefined) writeFileAtomic(opts.junit, junitXml(results, timings, seed, new Date(runStart * 1000).toISOString()));
        if (opts.json) {
          const doc = {
            seed: String(seed),
            shard: `${shard.k}/${shard.n}`,
            passed: failed === 0,
            replays: replays.map((r) => ({ file: r.file, property: r.property, outcome: r.outcome, ok: r.ok })),
            properties: results.map(resultJson),
            timings,
          };
          process.stdout.write(`${canonicalString(doc as unknown as Encodable)}\n`);
        } else {
          process.stdout.write(`${results.length - failed} of ${results.length} properties passed (seed ${seed}; replay all: npx qfs check --seed ${seed} --runs ${runs}${opts.shard ? ` --shard ${opts.shard}` : ''})\n`);
        }
        if (failed > 0) process.exitCode = EXIT.invalid;
      }),
    );

  program
    .command('replay')
    .argument('<file>', 'a stored counterexample (counterexamples/<invariant>/<hash12>.json)')
    .description('re-execute a stored counterexample (SPEC §12): the failing epoch, the invariant, expected and actual, and the roots')
    .option('--export-test [file]', 'write it as a plain vitest regression test (default: test/regressions/<invariant>-<hash12>.test.ts)')
    .option('--force', 'with --export-test: replace an existing file (set aside as <file>.replaced-<n>, never deleted)')
    .addHelpText(
      'after',
      `
Exit codes: 0 the stored failure and roots were reproduced exactly (or, with --export-test, the
test was written), 1 the replay differs from the stored case (it passes now, or fails otherwise),
2 bad usage, 3 I/O. A malformed file is refused with E_COUNTEREXAMPLE naming the field.`,
    )
    .action(
      run((file: string, opts: { exportTest?: string | boolean; force?: boolean }) => {
        const c = loadCounterexample(file);
        if (!c.property.startsWith('adversary.')) throw new QfsError('E_COUNTEREXAMPLE', 'property', `${file}: qfs replay runs adversary counterexamples; ${c.property} is replayed by its own suite`);
        // Validated as data before anything runs (P13.6): impossible values are refused naming the field.
        const checked = checkAdversaryCounterexample(c, file);
        const runDesc: { readonly mutant?: string } = checked.storage ? {} : checked.run;
        if (opts.exportTest !== undefined) {
          const name = `${c.invariant}-${counterexampleHash(c).slice(0, 12)}`;
          const out = typeof opts.exportTest === 'string' ? opts.exportTest : join('test', 'regressions', `${name}.test.ts`);
          const aside = writeOutputFile(out, regressionTest(c, runDesc.mutant !== undefined, out), opts.force === true);
          process.stdout.write(`wrote ${out} (run: npx vitest run ${out})${aside === null ? '' : `; the previous file is kept as ${aside}`}\n`);
          return;
        }
        const r = replayCounterexample(c);
        process.stdout.write(`counterexample ${basename(file)}: ${c.property}, ${c.commands.length} commands, seed ${c.seed}${c.path ? `, path ${c.path}` : ''}${runDesc.mutant ? `, planted bug "${runDesc.mutant}"` : ''}\n`);
        process.stdout.write(`stored:   ${c.invariant} at epoch ${c.failure.epoch}: ${c.failure.message}\n`);
        if (r.kind === 'passes') {
          process.stdout.write(`replayed: the run passes now (${r.epochs} epochs); the stored failure is not reproduced\n`);
          process.exitCode = EXIT.invalid;
          return;
        }
        const f = r.failure;
        process.stdout.write(`replayed: ${f.invariant} at epoch ${f.epoch}: ${f.detail}\n`);
        process.stdout.write(`  expected ${canonicalString(f.expected as Encodable)}\n  actual   ${canonicalString(f.actual as Encodable)}\n`);
        f.roots.forEach((root, i) => process.stdout.write(`  root of epoch ${i + 1}: ${root}${c.roots[i] === root ? '' : `  (stored ${c.roots[i] ?? 'none'})`}\n`));
        if (r.kind === 'reproduced') process.stdout.write('reproduced: same invariant, epoch, expected, actual and roots\n');
        else {
          process.stdout.write(`NOT reproduced: ${r.why}\n`);
          process.exitCode = EXIT.invalid;
        }
      }),
    );
}

/** A plain vitest test that replays the counterexample from its inlined JSON. */
function regressionTest(c: Counterexample, planted: boolean, out: string): string {
  const rel = (p: string) => {
    const r = relative(dirname(out), p).split('\\').join('/');
    return r.startsWith('.') ? r : `./${r}`;
  };
  const text = canonicalString(c as unknown as Encodable);
  return `// Regression test exported by \`qfs replay --export-test\` from a ${c.property} counterexample (SPEC §12).
import { expect, test } from 'vitest';
import { parseCanonical } from '${rel('src/math/canonical.ts')}';
import { readCounterexample } from '${rel('src/io/counterexamples.ts')}';
import { replayCounterexample } from '${rel('models/adversary-check.ts')}';
import { checkAdversaryCounterexample } from '${rel('models/counterexample-check.ts')}';

const counterexample = readCounterexample(parseCanonical(${JSON.stringify(text)}));
checkAdversaryCounterexample(counterexample); // validated as data before it runs (docs/spec.md P13.6)

test(${JSON.stringify(`regression: ${c.property} ${c.invariant}`)}, () => {
  const r = replayCounterexample(counterexample);
  ${
    planted
      ? `// The run executes a planted bug: the harness must still catch it, with the same failure and roots.
  expect(r.kind).toBe('reproduced');`
      : `// Fixed bugs stay fixed: the run must pass every check now.
  expect(r.kind, r.kind === 'passes' ? '' : r.failure.message).toBe('passes');`
  }
});
`;
}
