/** The `qfs` command line. Each command group lives in its own module. */
import { Command, CommanderError } from 'commander';
import { registerCheck } from './check-cmd.ts';
import { registerRun } from './run-cmd.ts';
import { registerReport } from './report-cmd.ts';
import { registerEconomy } from './economy-cmd.ts';
import { registerGenesis } from './genesis-cmd.ts';
import { registerInvariants } from './invariants-cmd.ts';
import { registerKeys } from './keys-cmd.ts';
import { registerLedger, registerSimulate } from './ledger-cmd.ts';
import { EXIT } from './output.ts';
import { registerVerify } from './verify-cmd.ts';

export function buildProgram(): Command {
  const program = new Command('qfs')
    .description('QFS V13 Phase 3 harmonic economy: reference state machine, verification harness and evidence')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
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

try {
  await buildProgram().parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? EXIT.ok : EXIT.usage);
  }
  throw e;
}
