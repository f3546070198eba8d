/**
 * The main job end to end (issue "Phase 3 certification"), small: `qfs run` writes a package that
 * `qfs verify` accepts and prints the acceptance table; the same seed run in-process gives the same
 * bytes; a criterion that was not measured is never a pass.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultGenesis, devLabel } from '../../src/genesis/default-genesis.ts';
import { signGenesis } from '../../src/genesis/founders.ts';
import { genesisHash } from '../../src/genesis/genesis.ts';
import { writeEvidencePackage } from '../../src/io/evidence-dir.ts';
import { devKey } from '../../src/math/signatures.ts';
import { conformanceRuntimes } from '../../models/phase3-conformance.ts';
import { phase3 } from '../../models/phase3-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'qfs-phase3-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ARGS = ['--seed', '5', '--epochs', '4', '--runs', '1', '--scenario-runs', '1'];

describe('qfs run (small)', () => {
  const out = join(dir, 'a');
  const cli = spawnSync(process.execPath, ['bin/qfs.mjs', 'run', '--out', out, '--counterexamples', join(dir, 'cx'), ...ARGS], { encoding: 'utf8', timeout: 600_000 });

  it('exits 0 and prints every acceptance criterion with a figure', () => {
    expect(cli.status, cli.stderr.slice(-2000)).toBe(0);
    for (const id of ['stake_bound', 'psisync_deviation', 'treasury_cross_runtime', 'adversaries_detected', 'value_leakage', 'reward_monotone', 'cross_shard_consistency', 'safe_mode', 'evidence_verifies']) {
      expect(cli.stdout).toMatch(new RegExp(`(PASS|FAIL|NOT RUN) +${id} +\\S`));
    }
    expect(cli.stderr).toContain('main run: epoch 4/4');
  });

  it('qfs verify accepts what it wrote', () => {
    const v = spawnSync(process.execPath, ['bin/qfs.mjs', 'verify', out], { encoding: 'utf8' });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain('evidence verified: 10 files');
  });

  it('the same seed gives byte-identical evidence (an in-process run written elsewhere)', () => {
    const genesis = defaultGenesis();
    const G = genesisHash(genesis);
    const signatures = genesis.founders.map((f) => signGenesis(G, f.id, devKey(devLabel.founder(f.id)).secretKey));
    const r = phase3({ genesis, signatures, seed: 5n, epochs: 4, runs: 1, scenarioRuns: 1, counterexamples: join(dir, 'cx2'), runtimes: conformanceRuntimes, progress: () => {} });
    const key = devKey(devLabel.evidence);
    const b = join(dir, 'b');
    writeEvidencePackage(b, r.artifacts, { genesisHash: G, seed: 5n, runs: 1n, epochs: r.epochs, versions: { qfs_harmonic: '0.1.0', spec: 'v4' }, runtimes: r.runtimes, acceptance: r.acceptance }, key.secretKey, {
      publicKey: key.publicKey,
      label: devLabel.evidence,
      development: true,
    });
    const names = readdirSync(out).sort();
    expect(readdirSync(b).sort()).toEqual(names);
    for (const n of names) expect(readFileSync(join(b, n)).equals(readFileSync(join(out, n))), n).toBe(true);
  }, 600_000);

  it('an unmeasured criterion is "not run", never a pass', () => {
    const m = JSON.parse(readFileSync(join(out, 'phase3_manifest.json'), 'utf8')) as { runtimes: Record<string, string | null>; acceptance: { id: string; status: string }[] };
    const row = m.acceptance.find((a) => a.id === 'treasury_cross_runtime')!;
    if (m.runtimes.python === null || m.runtimes.rust === null) expect(row.status).toBe('not_run');
    else expect(row.status).toBe(m.runtimes.python === m.runtimes.typescript && m.runtimes.rust === m.runtimes.typescript ? 'pass' : 'fail');
  });

  it('bad flags are refused with a code naming the flag, and write nothing', () => {
    const bad = spawnSync(process.execPath, ['bin/qfs.mjs', 'run', '--out', join(dir, 'c'), '--epochs', 'x'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('E_USAGE --epochs');
    expect(() => readdirSync(join(dir, 'c'))).toThrow();
  });
});
