/** The acceptance table of `qfs run` fitted to the terminal's width, with a verdict line (issue 18). */
import { describe, expect, test } from 'vitest';
import { acceptanceTable, verdictLine, wrap, type AcceptanceLine } from '../../cli/acceptance-table.ts';

const long = '14/14 adversaries detected with the expected (code, ea, shard) and no other; 26 scenario runs; 112 property runs; EA-14: an altered record repaired without recovery; inputs/9 altered: epochs 9…16 set aside, recovery epoch 9 aborted with CIR-511 EA-14 into safe mode, epochs 1…8 unchanged';
const rows: AcceptanceLine[] = [
  { status: 'pass', id: 'adversaries_detected', figure: long },
  { status: 'not_run', id: 'treasury_cross_runtime', figure: 'not run: python not run (no python3)' },
  { status: 'pass', id: 'evidence_verifies', figure: 'evidence/phase3: 10 files' },
];

describe('acceptance table', () => {
  test.each([120, 80, 60, 40])('run.table-width: no line longer than %i columns, every word kept', (width) => {
    const lines = acceptanceTable(rows, width);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(width);
    const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');
    expect(words(lines.join(' '))).toEqual(words(rows.map((r) => `${r.status === 'pass' ? 'PASS' : 'NOT RUN'} ${r.id} ${r.figure}`).join(' ')));
  });

  test('run.table-columns: the figure continues under its own column', () => {
    const lines = acceptanceTable(rows, 100);
    expect(lines[0]).toMatch(/^ {2}PASS {4}adversaries_detected {4}14\/14 adversaries/);
    expect(lines[1]!.indexOf(lines[1]!.trim())).toBe(lines[0]!.indexOf('14/14'));
  });

  test('run.verdict: PASS, INCOMPLETE naming what was not run, FAIL naming what failed', () => {
    expect(verdictLine([rows[0]!, rows[2]!])).toBe('verdict: PASS (all 2 criteria passed)');
    expect(verdictLine(rows)).toBe('verdict: INCOMPLETE (2 of 3 criteria passed; not run: treasury_cross_runtime)');
    expect(verdictLine([...rows, { status: 'fail', id: 'safe_mode', figure: '' }])).toBe('verdict: FAIL (1 of 4 criteria failed: safe_mode; not run: treasury_cross_runtime)');
  });

  test('run.wrap: a word longer than the width gets its own line', () => {
    expect(wrap('a bbbbbbbbbb c', 4)).toEqual(['a', 'bbbbbbbbbb', 'c']);
    expect(wrap('', 10)).toEqual(['']);
  });
});
