/**
 * The few cases that need the real binary: a closed stdout (`qfs … | head -1`) ends the command
 * quietly, and paths that could block for ever (a FIFO with no writer) are refused within a
 * timeout rather than hanging.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { makeFixture, noStack, spawnQfs } from './harness.ts';

let dir: string;
beforeAll(() => {
  dir = makeFixture();
  if (spawnSync('mkfifo', [join(dir, 'fifo')]).status !== 0) throw new Error('mkfifo failed');
  mkdirSync(join(dir, 'fifo-genesis'));
  if (spawnSync('mkfifo', [join(dir, 'fifo-genesis', 'genesis.json')]).status !== 0) throw new Error('mkfifo failed');
});

describe('closed stdout', () => {
  for (const args of [['invariants'], ['genesis', 'show', '--default'], ['genesis', 'verify', 'G'], ['--help']]) {
    test(`epipe: qfs ${args.join(' ')} | head -1 ends quietly`, async () => {
      const r = await spawnQfs(args.map((a) => (a === 'G' ? join(dir, 'G') : a)), { timeoutMs: 60_000, closeStdoutAfterFirstChunk: true });
      expect(r.timedOut).toBe(false);
      expect(r.err, r.err).not.toMatch(/EPIPE|Error/);
      expect(noStack(r.err), r.err).toBe(true);
      expect(r.code, r.err).toBe(0);
    }, 70_000);
  }
});

describe('paths that could block', () => {
  const cases: { name: string; args: () => string[]; code: number; error: string }[] = [
    { name: 'keys public of a FIFO', args: () => ['keys', 'public', join(dir, 'fifo'), '--out', join(dir, 'n.pub')], code: 3, error: 'E_IO' },
    { name: 'genesis new --from a FIFO', args: () => ['genesis', 'new', '--from', join(dir, 'fifo'), '--out', join(dir, 'g2')], code: 3, error: 'E_IO' },
    { name: 'genesis verify with genesis.json a FIFO', args: () => ['genesis', 'verify', join(dir, 'fifo-genesis')], code: 3, error: 'E_IO' },
    { name: 'replay a FIFO', args: () => ['replay', join(dir, 'fifo')], code: 3, error: 'E_IO' },
    { name: 'verify --key a FIFO', args: () => ['verify', mkdtempSync(join(tmpdir(), 'qfs-empty-')), '--key', join(dir, 'fifo')], code: 3, error: 'E_IO' },
    { name: 'genesis new --from /proc/self/fd/0 (stdin)', args: () => ['genesis', 'new', '--from', '/proc/self/fd/0', '--out', join(dir, 'g3')], code: 3, error: 'E_IO' },
  ];
  for (const c of cases) {
    test(`no hang: ${c.name}`, async () => {
      const r = await spawnQfs(c.args(), { timeoutMs: 30_000 });
      expect(r.timedOut, 'the command hung').toBe(false);
      expect(r.code, r.err).toBe(c.code);
      expect(r.err).toMatch(new RegExp(`^qfs: ${c.error} \\S+`, 'm'));
      expect(noStack(r.err), r.err).toBe(true);
    }, 40_000);
  }
});
