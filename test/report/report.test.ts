/**
 * `qfs report` (issue 18): numbers for people, the HTML file, and the report opened in a real
 * browser (Debian's Chromium driven by playwright-core): no console error, no network, every
 * chart drawn with the points the package's files hold, and a screenshot kept under
 * test-artifacts/report/ (gitignored). A machine without Chromium skips the browser test and says
 * so; under CI (where .ci/run installs Chromium) a missing browser fails.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { fixedToNumber, parseFraction, percent, tokenUnits } from '../../report/format.ts';
import { renderReport, verdictOf } from '../../report/html.ts';
import { loadEvidence } from '../../report/load.ts';
import { defaultReportPath } from '../../cli/report-cmd.ts';
import { chromiumPath, expectedCampaignPoints, expectedCounterexamplePoints, expectedEvidencePoints, launch, mismatches, openReport } from './browser.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'qfs.mjs');
/** A package written by `npm run phase3 -- --seed 1` (SPEC §10), kept so the test needs no 3-minute run. */
const FIXTURE = join(import.meta.dirname, 'fixtures', 'phase3');
const CAMPAIGN = join(import.meta.dirname, 'fixtures', 'campaign.json');
const COUNTEREXAMPLE = join(ROOT, 'counterexamples', 'adversary.incidents', 'ccc4c6acc71d.json');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'report');
const qfs = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tmp = mkdtempSync(join(tmpdir(), 'qfs-report-'));

describe('report numbers', () => {
  test('report.token-units: 18 implied decimals, exact, trailing zeros dropped', () => {
    expect(tokenUnits('783374700000000000000000')).toBe('783,374.7');
    expect(tokenUnits('1')).toBe('0.000000000000000001');
    expect(tokenUnits('0')).toBe('0');
    expect(tokenUnits('-2500000000000000000')).toBe('-2.5');
    expect(tokenUnits('1234567891', 6)).toBe('≈0');
    expect(fixedToNumber('1500000000000000000')).toBe(1.5);
  });

  test('report.percent: pause shifts as percentages, exact digits rounded toward zero', () => {
    expect(percent(parseFraction('0/783374700000000000000000'))).toBe('0%');
    expect(percent(parseFraction('6532744962267282493712/783374700000000000000000'))).toBe('0.8339%');
    expect(percent(parseFraction('1/3'))).toBe('33.3333%');
    expect(percent(parseFraction('1/100000000'))).toBe('<0.0001%');
    expect(percent(parseFraction('n/a'))).toBe('n/a');
  });

  test('report.verdict: PASS only when every row passed; not run is INCOMPLETE, a failure FAIL', () => {
    expect(verdictOf(['pass', 'pass'])).toBe('PASS');
    expect(verdictOf(['pass', 'not_run'])).toBe('INCOMPLETE');
    expect(verdictOf(['not_run', 'fail'])).toBe('FAIL');
    expect(verdictOf([])).toBe('INCOMPLETE');
  });
});

describe('qfs report (the file)', () => {
  test('report.cli: writes beside the package, never inside it; self-contained; exit 3 for a missing input', () => {
    const pkg = join(tmp, 'phase3');
    cpSync(FIXTURE, pkg, { recursive: true });
    const r = qfs('report', pkg);
    expect(r.code, r.err).toBe(0);
    const out = join(tmp, 'phase3-report.html');
    expect(defaultReportPath(`${pkg}/`)).toBe(out);
    expect(r.out).toContain(`wrote ${out}: verdict PASS`);
    expect(readdirSync(pkg).length).toBe(10); // the package still holds exactly its ten files
    const html = readFileSync(out, 'utf8');
    expect(html).toContain("default-src 'none'");
    // Nothing is loaded from elsewhere (the URLs left are the bundled library's license comments).
    expect(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src="?http|[^a-z]url\(/i.test(html), 'the report loads something from elsewhere').toBe(false);
    const missing = qfs('report', join(tmp, 'no-such-dir'));
    expect(missing.code).toBe(3);
    expect(missing.err).toContain('E_IO');
    mkdirSync(join(tmp, 'empty'));
    const empty = qfs('report', join(tmp, 'empty'), '--out', join(tmp, 'empty.html'));
    expect(empty.code).toBe(2);
    expect(empty.err).toContain(`E_USAGE ${join(tmp, 'empty')}:`);
    expect(existsSync(join(tmp, 'empty.html'))).toBe(false);
  });

  test('report.verdict-fail: a package that does not verify is shown with its fault and the verdict FAIL', () => {
    const pkg = join(tmp, 'tampered');
    cpSync(FIXTURE, pkg, { recursive: true });
    const f = join(pkg, 'phase3_treasury.jsonl');
    writeFileSync(f, readFileSync(f, 'utf8').replace('"epoch":"1"', '"epoch":"01"'));
    const ev = loadEvidence(pkg);
    expect(ev.verified.ok).toBe(false);
    if (!ev.verified.ok) expect(ev.verified.field).toBe('phase3_treasury.jsonl');
    const r = renderReport({ evidence: ev, campaigns: [], counterexamples: [] });
    expect(r.verdict).toBe('FAIL');
  });
});

test('report.campaign-failure: a failed campaign is FAIL, and its counterexample file is shown as a trace', () => {
  const doc = JSON.parse(readFileSync(CAMPAIGN, 'utf8')) as { passed: boolean; properties: { property: string; passed: boolean; failure: unknown }[] };
  doc.passed = false;
  const p = doc.properties.find((x) => x.property === 'adversary.EA-8')!;
  p.passed = false;
  p.failure = { invariant: 'adversary.incidents', epoch: '1', message: 'the incidents are not the twin\'s plus the expected ones', commands: '2', counterexample: COUNTEREXAMPLE, path: '0:0', replay: `npx qfs replay ${COUNTEREXAMPLE}` };
  const file = join(tmp, 'failed-campaign.json');
  writeFileSync(file, `${JSON.stringify(doc)}\n`);
  const out = join(tmp, 'failed.html');
  const r = qfs('report', file, '--out', out);
  expect(r.code, r.err).toBe(0);
  expect(r.out).toContain('verdict FAIL');
  const html = readFileSync(out, 'utf8');
  expect(html).toContain('FAILS adversary.incidents');
  expect(html).toContain('planted bug <b>first-proposal-wins</b>');
});

const browserPath = chromiumPath();
if (browserPath === null) {
  process.stderr.write(
    '\n[qfs] SKIPPED report.browser: no Chromium found (/usr/bin/chromium or $QFS_CHROMIUM). Install it with `apt-get install -y chromium` (.ci/run does) to check the report in a real browser.\n\n',
  );
}

describe('qfs report in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (browserPath !== null) browser = await launch(browserPath);
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('report.chromium-present (CI installs it)', () => {
    if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') expect(browserPath, 'CI must run the browser test: .ci/run installs chromium').not.toBeNull();
  });

  test.skipIf(browserPath === null)('report.browser: no console error, no network, every chart drawn with the package\'s points; screenshot kept', async () => {
    const out = join(tmp, 'full-report.html');
    const r = qfs('report', FIXTURE, CAMPAIGN, COUNTEREXAMPLE, '--out', out);
    expect(r.code, r.err).toBe(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'report.png');
    const page = await openReport(browser, out, shot);
    expect(page.problems).toEqual([]);
    expect(page.verdict).toBe('PASS');
    const expected = { ...expectedEvidencePoints(FIXTURE), ...expectedCampaignPoints(CAMPAIGN, 0), ...expectedCounterexamplePoints(COUNTEREXAMPLE, 0) };
    expect(Object.keys(expected).length).toBe(11);
    expect(mismatches(page, expected)).toEqual([]);
    expect(existsSync(shot)).toBe(true);
    process.stdout.write(`[qfs] report screenshot: ${shot}\n`);
  });

  test.skipIf(browserPath === null)('report.browser-detects: a chart that lost a point, and a script error, are caught', async () => {
    const out = join(tmp, 'broken-report.html');
    const html = renderReport({ evidence: loadEvidence(FIXTURE), campaigns: [], counterexamples: [] }).html;
    // Drop the first CHR supply from the embedded data: the chart now holds one point fewer than the file.
    const broken = html.replace(/("name":"CHR","color":"#1f77b4","data":\[)[0-9.e+]+/, '$1null').replace('</body>', '<script>undefinedFunction()</script></body>');
    expect(broken).not.toBe(html);
    writeFileSync(out, broken);
    const page = await openReport(browser, out);
    expect(page.problems.some((p) => p.includes('undefinedFunction'))).toBe(true);
    expect(mismatches(page, expectedEvidencePoints(FIXTURE))).toEqual([expect.stringMatching(/^supplies: rendered \[15,16,16,16,16\]/)]);
  });
});
