/**
 * A `qfs check` campaign in formats other tools read: Hypothesis's observability JSON lines (one
 * `test_case` per generated run, as the Tyche viewer reads them) and JUnit XML (one test case
 * per property, as CI systems read it). Both are built from the campaign's results; check-cmd.ts
 * only collects them and names the files.
 */
import type { CheckResult, RunObservation } from '../models/adversary-check.ts';

/**
 * One observation line (Hypothesis's `test_case` schema: every required field, nothing else).
 * `representation` is the run's commands, the same data a counterexample stores.
 */
export function observationLine(o: RunObservation, seed: number, runStart: number): string {
  return JSON.stringify({
    type: 'test_case',
    status: o.status,
    status_reason: o.reason,
    representation: JSON.stringify(o.commands),
    arguments: { commands: o.commands },
    how_generated: 'generated during generate phase',
    features: o.features,
    coverage: null,
    timing: { 'execute:test': o.seconds },
    metadata: { seed, run: o.index },
    property: o.property,
    run_start: runStart,
  });
}

export function observabilityText(observations: readonly RunObservation[], seed: number, runStart: number): string {
  return observations.map((o) => `${observationLine(o, seed, runStart)}\n`).join('');
}

/** XML 1.0 text: the five entities, and no character XML forbids (control characters become U+FFFD). */
export function xmlText(s: string): string {
  return s
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** JUnit XML of a campaign: one test suite, one test case per property, a `<failure>` with the replay command. */
export function junitXml(results: readonly CheckResult[], timings: readonly { property: string; seconds: string }[], seed: number, timestamp: string): string {
  const seconds = new Map(timings.map((t) => [t.property, t.seconds]));
  const failures = results.filter((r) => r.failure !== null).length;
  const total = timings.reduce((s, t) => s + Number(t.seconds), 0).toFixed(1);
  const cases = results.map((r) => {
    const time = seconds.get(r.property) ?? '0';
    const out = `${r.runsDone} of ${r.runsRequested} runs${r.interrupted ? ' (time limit)' : ''}\n${r.stats.format('generated')}`;
    const failure =
      r.failure === null
        ? ''
        : `\n      <failure type="${xmlText(r.failure.invariant)}" message="${xmlText(`${r.failure.invariant} at epoch ${r.failure.epoch}: ${r.failure.message}`)}">${xmlText(
            `shrunk to ${r.failure.commands} commands; counterexample ${r.failure.file ?? '(not written)'}\nreplay: ${r.failure.replay}\nor: npx qfs check --property ${r.property} --seed ${seed} --path ${r.failure.fastCheckPath}`,
          )}</failure>`;
    return `    <testcase classname="qfs.check" name="${xmlText(r.property)}" time="${xmlText(time)}">${failure}\n      <system-out>${xmlText(out)}</system-out>\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="qfs check" tests="${results.length}" failures="${failures}" errors="0" skipped="0" time="${total}">
  <testsuite name="qfs check (seed ${seed})" tests="${results.length}" failures="${failures}" errors="0" skipped="0" time="${total}" timestamp="${xmlText(timestamp)}">
    <properties>
      <property name="seed" value="${seed}"/>
      <property name="replay" value="${xmlText(`npx qfs check --seed ${seed}`)}"/>
    </properties>
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}
