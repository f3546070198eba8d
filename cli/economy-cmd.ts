/** `qfs economy`: honest epochs under the scenario load, writing the honest-path evidence data. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { canonicalString } from '../src/math/canonical.ts';
import { defaultGenesis } from '../src/genesis/default-genesis.ts';
import { QfsError } from '../src/core/errors.ts';
import { epochContext } from '../src/epoch/epoch.ts';
import { honestRun } from '../src/runs/honest-run.ts';
import { checkOutputDir, writeOutputDir } from '../src/io/files.ts';
import { readGenesisDir } from '../src/io/genesis-dir.ts';
import { harmonicsLog, holofieldRewards, psiDynamics, treasuryLog } from '../src/evidence/phase3-data.ts';
import { integer } from './args.ts';
import { DEV_NOTE, run } from './output.ts';


export function registerEconomy(program: Command): void {
  program
    .command('economy')
    .description('run honest epochs (no ledger yet) under a deterministic load and write the ψ-dynamics, harmonics, treasury and rewards data')
    .option('--genesis <dir>', 'a certified genesis directory (default: the built-in genesis)')
    .option('--epochs <n>', 'number of epochs', '20')
    .option('--seed <n>', 'seed of the load', '1')
    .option('--out <dir>', 'directory for the four files (its own default: never the main job\'s evidence/phase3)', 'out/economy')
    .option('--force', 'write into a non-empty directory: what was there is set aside as <dir>.replaced-<n> (removed again if identical), never deleted')
    .addHelpText(
      'after',
      '\nWrites phase3_psi_dynamics.json, phase3_harmonics.jsonl, phase3_treasury.jsonl and\nphase3_holofield_rewards.json (canonical JSON, layouts in docs/spec.md P7). Same seed, same bytes.',
    )
    .action(
      run((opts: { genesis?: string; epochs: string; seed: string; out: string; force?: boolean }) => {
        const epochs = Number(integer('--epochs', 1n)(opts.epochs));
        if (epochs > 100_000) throw new QfsError('E_USAGE', '--epochs', '--epochs takes at most 100000 (P13.7)');
        const seed = integer('--seed', 0n)(opts.seed);
        checkOutputDir(opts.out, opts.force === true);
        let genesis = defaultGenesis();
        if (opts.genesis) {
          const d = readGenesisDir(opts.genesis);
          if (!d.certification.certified) throw new QfsError('E_SIGNATURES', opts.genesis, 'the genesis is not certified by M founders');
          genesis = d.genesis;
        } else process.stderr.write(`genesis: the built-in default (${DEV_NOTE})\n`);
        const ctx = epochContext(genesis);
        const tty = process.stderr.isTTY;
        const r = honestRun(ctx, epochs, { seed }, (step) => {
          const line = `epoch ${step.record.epoch}/${epochs} ${step.record.outcome} root ${step.record.root.slice(0, 16)}…`;
          process.stderr.write(tty ? `\r${line}` : `${line}\n`);
        });
        if (tty) process.stderr.write('\n');
        const jsonl = (xs: ReturnType<typeof harmonicsLog>) => xs.map((x) => `${canonicalString(x)}\n`).join('');
        const files: [string, string][] = [
          ['phase3_psi_dynamics.json', canonicalString(psiDynamics(ctx, r.steps))],
          ['phase3_harmonics.jsonl', jsonl(harmonicsLog(r.steps))],
          ['phase3_treasury.jsonl', jsonl(treasuryLog(r.steps))],
          ['phase3_holofield_rewards.json', canonicalString(holofieldRewards(ctx, r.steps))],
        ];
        const aside = writeOutputDir(opts.out, files, opts.force === true);
        if (aside !== null) console.log(`the previous contents of ${opts.out} are kept in ${aside}`);
        console.log(`${epochs} epochs, final root ${r.steps.at(-1)!.record.root}; ${r.refused} submitted actions refused by the honest agents`);
        for (const [name, text] of files) console.log(`wrote ${join(opts.out, name)} (${Buffer.byteLength(text)} bytes)`);
      }),
    );
}
