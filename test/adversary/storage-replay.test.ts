/**
 * EA-14 counterexamples go through the same §12 path as the epoch attacks: a stored storage-attack
 * case reads back, replays through the storage attacker, and `qfs replay` reports it; a malformed
 * tamper command is refused naming the field.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveCounterexample, loadCounterexample, type Counterexample } from '../../src/io/counterexamples.ts';
import { adversaryChain } from '../../models/adversary.ts';
import { replayCounterexample } from '../../models/adversary-check.ts';
import { runStorageAttack, storageCommands, type StorageRun } from '../../models/storage-attack.ts';

const dir = mkdtempSync(join(tmpdir(), 'qfs-ea14-cx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run: StorageRun = { shards: 4n, loads: [3n, 4n, 5n], target: 'inputs', epoch: 2n, offset: 77n, xor: 4n };

describe('EA-14 counterexamples', () => {
  const report = runStorageAttack(run);
  // A stored case as a failing property would write it (here for a run that passes: replay says so).
  const c: Counterexample = {
    format: 'qfs-counterexample/1',
    property: 'adversary.EA-14',
    invariant: 'adversary.EA-14',
    seed: 1n,
    path: '0',
    genesis_hash: adversaryChain(4n).ctx.genesisHash,
    commands: storageCommands(run),
    failure: { epoch: 2n, message: 'k is not the first epoch whose inputs were altered', expected: '2', actual: '3' },
    roots: [...report.roots],
  };
  const { file } = saveCounterexample(dir, c);

  it('the storage attack recovers epoch 2 of 3', () => {
    expect(report.recovered).toBe(true);
    expect(report.k).toBe(2n);
  });

  it('reads back and replays through the storage attacker (passes: not reproduced)', () => {
    const back = loadCounterexample(file);
    expect(back.commands).toEqual(c.commands);
    expect(replayCounterexample(back).kind).toBe('passes');
  });

  it('`qfs replay` runs it and exits 1 (the stored failure is not reproduced)', () => {
    const out = spawnSync(process.execPath, ['bin/qfs.mjs', 'replay', file], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(1);
    expect(out.stdout).toContain('the run passes now');
  });

  it('a malformed tamper command is refused naming the field', () => {
    const bad = saveCounterexample(dir, { ...c, commands: [c.commands[0]!, { kind: 'tamper', target: 'anchor', epoch: '1', offset: '0', xor: '1' }] });
    const out = spawnSync(process.execPath, ['bin/qfs.mjs', 'replay', bad.file], { encoding: 'utf8' });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('E_COUNTEREXAMPLE commands');
    expect(out.stderr).toContain('target');
  });
});
