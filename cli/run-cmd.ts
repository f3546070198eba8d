/**
 * `qfs run` (= `npm run phase3`): the Phase 3 main job (SPEC §10, §11) on the built-in genesis or
 * a certified genesis directory; writes and signs `evidence/phase3/`, verifies what it wrote, and
 * prints the acceptance table. The job itself is models/phase3-run.ts; this is the edge.
 */
import type { Command } from 'commander';
import { devLabel } from '../src/genesis/default-genesis.ts';
import { QfsError } from '../src/core/errors.ts';
import { genesisHash } from '../src/genesis/genesis.ts';
import { keyFingerprint } from '../src/evidence/evidence-package.ts';
import { writeEvidencePackage } from '../src/io/evidence-dir.ts';
import { readSecretKeyFile } from '../src/io/key-files.ts';
import { checkOutputDir, checkWritableDir, dropAsideIfSame, setAside } from '../src/io/files.ts';
import { devKey } from '../src/math/signatures.ts';
import { checkDevelopmentKeys, evidenceParameters, phase3 } from '../models/phase3-run.ts';
import { conformanceRuntimes } from '../models/phase3-conformance.ts';
import { certifiedGenesis, integer } from './args.ts';
import { EXIT, run } from './output.ts';
import { writeReportBeside } from './report-cmd.ts';
import { acceptanceTable, terminalWidth, verdictLine } from './acceptance-table.ts';



export function registerRun(program: Command): void {
  program
    .command('run')
    .description('the Phase 3 main job: certify the genesis, run the honest and adversary scenario and the property suites, write and sign evidence/phase3, print the acceptance table')
    .option('--genesis <dir>', 'a certified genesis directory whose shard, oracle and M founder keys are development keys (default: the built-in genesis)')
    .option('--out <dir>', 'the evidence directory', 'evidence/phase3')
    .option('--seed <n>', 'the seed of the scenario and of the property suites', '1')
    .option('--key <file>', 'secret key file of the evidence signer (default: the DEVELOPMENT key evidence-signer)')
    .option('--epochs <n>', 'epochs of the main run', '16')
    .option('--runs <n>', 'runs per adversary property', '8')
    .option('--scenario-runs <n>', 'scenario runs per attack', '2')
    .option('--counterexamples <dir>', 'where failing properties write counterexamples', 'counterexamples')
    .option('--force', 'replace a non-empty --out: what was there is set aside as <dir>.replaced-<n> (removed again if byte-identical), never deleted')
    .addHelpText(
      'after',
      `
Writes the ten files of SPEC §10 into --out (the seven artifacts, phase3_final_hash.sha256, the
manifest and its ML-DSA-87 signature; layouts in docs/spec.md P7 and P11), verifies them as
\`qfs verify\` does, and prints the acceptance table of §11, every row computed from the artifacts
as \`qfs verify\` recomputes it (a criterion that was not measured is "not run", never a pass; a
failed scenario run stays in the artifacts and fails its rows). Same seed, same bytes: \`qfs verify
--reexecute\` re-runs this job from the manifest and compares. Progress goes to stderr.
Exit codes: 0 every measured criterion passed, 1 a criterion failed (or the package does not
verify), 2 bad usage, 3 I/O.`,
    )
    .action(
      run((opts: { genesis?: string; out: string; seed: string; key?: string; epochs: string; runs: string; scenarioRuns: string; counterexamples: string; force?: boolean }) => {
        const t0 = Date.now();
        const seed = integer('--seed', 0n)(opts.seed);
        const epochs = Number(integer('--epochs', 2n)(opts.epochs));
        const runs = Number(integer('--runs', 1n)(opts.runs));
        const scenarioRuns = Number(integer('--scenario-runs', 1n)(opts.scenarioRuns));
        checkOutputDir(opts.out, opts.force === true);
        checkWritableDir(opts.counterexamples);
        const g = certifiedGenesis(opts.genesis);
        const devProblem = checkDevelopmentKeys(g.genesis);
        if (devProblem !== null) throw new QfsError('E_USAGE', '--genesis', `the main job signs as every shard, the oracle and M founders with development keys (P4): ${devProblem}`);
        const signer = opts.key === undefined ? { ...devKey(devLabel.evidence), label: devLabel.evidence, development: true } : readSecretKeyFile(opts.key);
        const tty = process.stderr.isTTY;
        const progress = (line: string) => process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
        const r = phase3({ genesis: g.genesis, signatures: g.signatures, seed, epochs, runs, scenarioRuns, counterexamples: opts.counterexamples, runtimes: (ctx, s) => conformanceRuntimes(ctx, s, (l) => process.stderr.write(`${tty ? '\r\x1b[2K' : ''}${l}\n`)), progress });
        if (tty) process.stderr.write('\n');
        const aside = setAside(opts.out);
        const verified = writeEvidencePackage(
          opts.out,
          r.artifacts,
          evidenceParameters(genesisHash(g.genesis), { seed, runs, scenarioRuns }, r),
          signer.secretKey,
          { publicKey: signer.publicKey, label: signer.label, development: signer.development },
        );
        const kept = dropAsideIfSame(aside, opts.out);
        if (kept !== null) process.stderr.write(`the previous contents of ${opts.out} are kept in ${kept}\n`);
        process.stdout.write(`\nPhase 3 acceptance (SPEC §11), seed ${seed}, genesis ${genesisHash(g.genesis)}\n`);
        const rows = [...r.acceptance, { status: 'pass' as const, id: 'evidence_verifies', figure: `${opts.out}: 10 files, merkle root ${verified.manifest.merkle_root}, signed by ${signer.label}${signer.development ? ' (DEVELOPMENT key)' : ''} key ${keyFingerprint(signer.publicKey)}; checked against the key this job signed with, not a trust root` }];
        process.stdout.write(`${[...acceptanceTable(rows, terminalWidth()), '', verdictLine(rows)].join('\n')}\n`);
        process.stdout.write(`report: ${writeReportBeside(opts.out)} (open it in a browser)\n`);
        const how = signer.development ? `npx qfs verify ${opts.out} --reexecute (the signer is a development key: not a trust root)` : `npx qfs verify ${opts.out} --key <the signer's public key file>, or --reexecute`;
        process.stdout.write(`\nwrote ${opts.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s; runtimes: ${r.runtimeNote}\nverify: ${how}\n`);
        if (r.acceptance.some((a) => a.status === 'fail')) process.exitCode = EXIT.invalid;
      }),
    );
}
