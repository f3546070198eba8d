/**
 * The `qfs` program and `main(argv, io)`: runs one command in-process and returns its exit code
 * without calling process.exit, so that the bad-input suite can run hundreds of commands in one
 * process. Every failure ends here: a QfsError (or a Node I/O error, as E_IO naming its path) is
 * one line `qfs: E_CODE field: message` on stderr and its documented exit code.
 */
import { Command, CommanderError } from 'commander';
import { QfsError } from '../src/core/errors.ts';
import { registerCheck } from './check-cmd.ts';
import { registerRun } from './run-cmd.ts';
import { registerEconomy } from './economy-cmd.ts';
import { registerGenesis } from './genesis-cmd.ts';
import { registerInvariants } from './invariants-cmd.ts';
import { registerKeys } from './keys-cmd.ts';
import { registerLedger, registerSimulate } from './ledger-cmd.ts';
import { EXIT, exitCodeFor } from './output.ts';
import { registerVerify } from './verify-cmd.ts';
import { registerReport } from './report-cmd.ts';

export function buildProgram(): Command {
  const program = new Command('qfs')
    .description('QFS V13 Phase 3 harmonic economy: reference state machine, verification harness and evidence')
    .version('0.1.0')
    .exitOverride()
    // Commander's own error text is replaced by one coded line in `main` (E_USAGE naming the flag).
    .configureOutput({ outputError: () => undefined })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 invalid input or failed verification (the message names the code and field),
2 bad usage, 3 a file could not be read or written.`,
    );
  registerGenesis(program);
  registerKeys(program);
  registerInvariants(program);
  registerEconomy(program);
  registerSimulate(program);
  registerLedger(program);
  registerCheck(program);
  registerRun(program);
  registerVerify(program);
  registerReport(program);
  return program;
}

/** A closed reader of stdout (`qfs … | head -1`): not a fault of the command, it just ends. */
export const isEpipe = (e: unknown): boolean => (e as NodeJS.ErrnoException | null)?.code === 'EPIPE';

/** A Node error from the file system (ENOENT, EACCES, ENOTDIR, …) as E_IO naming its path. */
function asQfsError(e: unknown): QfsError | undefined {
  if (e instanceof QfsError) return e;
  const n = e as NodeJS.ErrnoException | null;
  if (n instanceof Error && typeof n.code === 'string' && typeof n.syscall === 'string') {
    return new QfsError('E_IO', n.path ?? '(unknown path)', `${n.syscall}: ${n.code}`);
  }
  return undefined;
}

/** Where `main` writes; the default is the process's own streams. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

type Write = typeof process.stdout.write;

/**
 * Runs `qfs <argv…>` and returns the exit code. With `io`, everything the command writes (stdout,
 * stderr, console) goes to `io` while it runs (the commands write to the process streams; this is
 * the one place that redirects them).
 */
export async function main(argv: readonly string[], io?: Io): Promise<number> {
  const saved = { out: process.stdout.write, err: process.stderr.write, log: console.log, error: console.error, warn: console.warn, exitCode: process.exitCode };
  const errWrite = (text: string) => (io ? io.err(text) : process.stderr.write(text));
  if (io) {
    const sink = (f: (t: string) => void): Write => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      f(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
      if (cb) cb();
      return true;
    }) as Write;
    process.stdout.write = sink(io.out);
    process.stderr.write = sink(io.err);
    console.log = (...xs: unknown[]) => io.out(`${xs.map(String).join(' ')}\n`);
    console.error = (...xs: unknown[]) => io.err(`${xs.map(String).join(' ')}\n`);
    console.warn = console.error;
  }
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.ok;
      const text = e.message.replace(/^error: /, '');
      const named = /'([^' ]+)[^']*'/.exec(text)?.[1];
      errWrite(`qfs: E_USAGE ${named ?? '(usage)'}: ${text} (run with --help for usage)\n`);
      return EXIT.usage;
    }
    if (isEpipe(e)) return Number(process.exitCode ?? EXIT.ok);
    const q = asQfsError(e);
    if (q === undefined) throw e;
    errWrite(`qfs: ${q.describe()}\n`);
    return exitCodeFor(q.code);
  } finally {
    if (io) {
      process.stdout.write = saved.out;
      process.stderr.write = saved.err;
      console.log = saved.log;
      console.error = saved.error;
      console.warn = saved.warn;
    }
    process.exitCode = saved.exitCode;
  }
}
