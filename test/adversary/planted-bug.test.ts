/**
 * The adversary harness catches a planted ledger bug (issue: "a ledger that lets the first of two
 * equivocating proposals win"): adversary.EA-8 fails, shrinks to a counterexample of at most 5
 * commands, written as SPEC §12 says, whose replay (library and `qfs replay`) reproduces the same
 * failure and the same roots; `--export-test` writes a plain vitest regression test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalString, parseCanonical, type Encodable } from '../../src/math/canonical.ts';
import { counterexampleName, listCounterexamples, loadCounterexample, saveCounterexample } from '../../src/io/counterexamples.ts';
import { checkAdversaryProperty, replayCounterexample } from '../../models/adversary-check.ts';

const dir = mkdtempSync(join(tmpdir(), 'qfs-planted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const qfs = (args: string[]) => spawnSync(process.execPath, ['bin/qfs.mjs', ...args], { encoding: 'utf8' });

describe('planted bug: first-proposal-wins', () => {
  const r = checkAdversaryProperty({ property: 'adversary.EA-8', seed: 7, runs: 30, counterexamples: dir, mutant: 'first-proposal-wins' });

  it('adversary.EA-8 fails and shrinks to at most 5 commands', () => {
    expect(r.failure).not.toBeNull();
    const f = r.failure!;
    expect(f.invariant).toBe('adversary.incidents');
    expect(f.message).toContain('expected');
    expect(f.commands).toBeLessThanOrEqual(5);
    // The missing incident is the equivocating shard's EA-8.
    expect(JSON.stringify(f.counterexample.failure.expected)).toContain('CIR-412|EA-8|');
    expect(JSON.stringify(f.counterexample.failure.actual)).not.toContain('EA-8');
  });

  it('is stored once, canonical, under counterexamples/<invariant>/<hash12>.json', () => {
    const files = listCounterexamples(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toBe(join(dir, counterexampleName(r.failure!.counterexample)));
    const bytes = readFileSync(files[0]!, 'utf8');
    expect(canonicalString(parseCanonical(bytes) as Encodable)).toBe(bytes);
    expect(saveCounterexample(dir, r.failure!.counterexample).created).toBe(false); // no duplicates
  });

  it('replays to the same failure and the same roots', () => {
    const c = loadCounterexample(r.failure!.file!);
    const replay = replayCounterexample(c);
    expect(replay.kind).toBe('reproduced');
    if (replay.kind === 'reproduced') expect(replay.failure.roots).toEqual(c.roots);
  });

  it('`qfs replay FILE` shows the failing epoch, the invariant, expected, actual and the roots (exit 0)', () => {
    const out = qfs(['replay', r.failure!.file!]);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('adversary.incidents at epoch');
    expect(out.stdout).toContain('expected ');
    expect(out.stdout).toContain('actual ');
    for (const root of r.failure!.counterexample.roots) expect(out.stdout).toContain(root);
    expect(out.stdout).toContain('reproduced: same invariant, epoch, expected, actual and roots');
  });

  it('`qfs replay --export-test` writes a vitest regression test that passes', () => {
    const file = join('test', 'regressions', `.planted-${process.pid}.test.ts`);
    try {
      const out = qfs(['replay', r.failure!.file!, '--export-test', file]);
      expect(out.status, out.stderr).toBe(0);
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain("expect(r.kind).toBe('reproduced')");
      execFileSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', file, '--config', 'vitest.config.ts'], { stdio: 'pipe', env: { ...process.env, QFS_SEED: '1' } });
    } finally {
      rmSync(file, { force: true });
    }
  }, 120_000);

  it('a tampered counterexample is refused naming the field, and a changed root is not reproduced', () => {
    const c = r.failure!.counterexample;
    const bad = join(dir, 'bad.json');
    const doc = parseCanonical(readFileSync(r.failure!.file!, 'utf8')) as Record<string, unknown>;
    require_write(bad, canonicalString({ ...doc, genesis_hash: 'zz' } as Encodable));
    const out = qfs(['replay', bad]);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('E_COUNTEREXAMPLE genesis_hash');
    const changed = { ...c, roots: c.roots.map((x, i) => (i === 0 ? '0'.repeat(64) : x)) };
    expect(replayCounterexample(changed).kind).toBe('different');
  });
});

function require_write(path: string, text: string): void {
  execFileSync('sh', ['-c', 'cat > "$1"', 'sh', path], { input: text });
}
