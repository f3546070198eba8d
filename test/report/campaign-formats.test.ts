/**
 * `qfs check --observability FILE` (Hypothesis's observability lines, as Tyche reads them) and
 * `qfs check --junit FILE` (JUnit XML for CI), issue 18.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { junitXml, observationLine, xmlText } from '../../cli/campaign-formats.ts';
import { AdversaryStats, type CheckResult } from '../../models/adversary-check.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'qfs.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'qfs-formats-'));
const python = spawnSync('python3', ['--version']).status === 0;

/** Hypothesis's `test_case` observation: exactly these keys (schema_observations.json, additionalProperties false). */
const TEST_CASE_KEYS = ['arguments', 'coverage', 'features', 'how_generated', 'metadata', 'property', 'representation', 'run_start', 'status', 'status_reason', 'timing', 'type'];

/** Parses JUnit XML with Python's standard library: [tests attribute, failures attribute, test case names]. */
function parseJunit(file: string): { tests: string; failures: string; names: string[] } {
  const r = spawnSync('python3', ['-c', 'import sys, json, xml.etree.ElementTree as E\nr = E.parse(sys.argv[1]).getroot()\nprint(json.dumps({"tests": r.get("tests"), "failures": r.get("failures"), "names": [c.get("name") for c in r.iter("testcase")]}))', file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { tests: string; failures: string; names: string[] };
}

describe('campaign formats', () => {
  test('check.observability-junit: one Hypothesis test_case line per run with the attack as features; JUnit counts the properties', () => {
    const obs = join(tmp, 'obs.jsonl');
    const junit = join(tmp, 'junit.xml');
    const r = spawnSync(process.execPath, [BIN, 'check', '--property', 'adversary.EA-1', 'adversary.EA-14', '--runs', '2', '--seed', '1', '--counterexamples', join(tmp, 'cx'), '--observability', obs, '--junit', junit], { encoding: 'utf8', cwd: ROOT });
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(obs, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBe(4);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(TEST_CASE_KEYS);
      expect(l.type).toBe('test_case');
      expect(l.status).toBe('passed');
      expect(typeof l.representation).toBe('string');
      expect(typeof l.run_start).toBe('number');
      expect(l.coverage).toBe(null);
      expect(Object.values(l.timing as Record<string, unknown>).every((t) => typeof t === 'number' && t >= 0)).toBe(true);
      const f = l.features as Record<string, unknown>;
      expect(f.attack).toBe((l.property as string).replace('adversary.', ''));
      expect(typeof f.applied).toBe('boolean');
      expect(typeof f.shards).toBe('number');
      expect(f.epochs as number).toBeGreaterThan(0);
      expect(typeof f.incidents).toBe('number');
    }
    expect(lines.map((l) => l.property)).toEqual(['adversary.EA-1', 'adversary.EA-1', 'adversary.EA-14', 'adversary.EA-14']);
    expect(lines.map((l) => (l.metadata as { run: number }).run)).toEqual([0, 1, 0, 1]);
    // An applied EA-1 lie is one CIR-302 incident at least.
    const ea1 = lines.filter((l) => l.property === 'adversary.EA-1' && (l.features as { applied: boolean }).applied);
    expect(ea1.every((l) => (l.features as { incidents: number }).incidents >= 1)).toBe(true);
    if (python) {
      const j = parseJunit(junit);
      expect(j).toEqual({ tests: '2', failures: '0', names: ['adversary.EA-1', 'adversary.EA-14'] });
    } else {
      process.stderr.write('[qfs] SKIPPED the JUnit parse: no python3 on PATH\n');
      expect(readFileSync(junit, 'utf8')).toContain('<testsuites name="qfs check" tests="2" failures="0"');
    }
  });

  test('check.junit-failure: a failing property is a <failure> with the replay command; text is escaped', () => {
    const failing: CheckResult = {
      property: 'adversary.EA-8',
      seed: 7,
      runsRequested: 5,
      runsDone: 1,
      interrupted: false,
      stats: new AdversaryStats(),
      failure: {
        invariant: 'adversary.incidents',
        epoch: 1n,
        message: 'expected <CIR-412> & "EA-8"\u0001',
        commands: 2,
        counterexample: null as never,
        file: 'counterexamples/adversary.incidents/ccc4c6acc71d.json',
        replay: 'npx qfs replay counterexamples/adversary.incidents/ccc4c6acc71d.json',
        fastCheckPath: '0:0',
      },
    };
    const passing: CheckResult = { ...failing, property: 'adversary.EA-1', failure: null };
    const file = join(tmp, 'fail.xml');
    const xml = junitXml([passing, failing], [{ property: 'adversary.EA-1', seconds: '1.5' }, { property: 'adversary.EA-8', seconds: '2.0' }], 7, '2026-01-01T00:00:00.000Z');
    expect(xml).toContain('<failure type="adversary.incidents" message="adversary.incidents at epoch 1: expected &lt;CIR-412&gt; &amp; &quot;EA-8&quot;\ufffd">');
    expect(xml).toContain('npx qfs replay counterexamples/adversary.incidents/ccc4c6acc71d.json');
    expect(xmlText('a\u0000b')).toBe('a\ufffdb');
    if (python) {
      spawnSync('bash', ['-c', `cat > ${file}`], { input: xml });
      expect(parseJunit(file)).toEqual({ tests: '2', failures: '1', names: ['adversary.EA-1', 'adversary.EA-8'] });
    }
    const line = JSON.parse(observationLine({ property: 'adversary.EA-8', index: 0, status: 'failed', reason: 'boom', commands: [], seconds: 0.5, features: { attack: 'EA-8' } }, 7, 1.5)) as Record<string, unknown>;
    expect(Object.keys(line).sort()).toEqual(TEST_CASE_KEYS);
    expect([line.status, line.status_reason]).toEqual(['failed', 'boom']);
  });
});
