/**
 * `qfs report`: one self-contained HTML file (charts bundled, no network when opened) from an
 * evidence package, `qfs check --json` campaigns and counterexamples. The rendering lives in
 * report/; this is the edge (which input is which, where the file goes).
 */
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { QfsError } from '../src/core/errors.ts';
import { writeFileAtomic } from '../src/io/files.ts';
import { renderReport } from '../report/html.ts';
import { isEvidenceDir, loadCampaign, loadCounterexamples, loadEvidence, type Campaign, type Evidence, type StoredCounterexample } from '../report/load.ts';
import { run } from './output.ts';

/** Where the report goes by default: beside the package (`evidence/phase3` → `evidence/phase3-report.html`), never inside it. */
export function defaultReportPath(evidenceDir: string | null): string {
  if (evidenceDir === null) return 'qfs-report.html';
  const dir = evidenceDir.replace(/[/\\]+$/, '');
  return join(dirname(dir), `${basename(dir)}-report.html`);
}

/** Sorts the inputs by kind: an evidence directory, a counterexample directory or file, a campaign file. */
export function readInputs(paths: readonly string[]): { evidence: Evidence | null; campaigns: Campaign[]; counterexamples: StoredCounterexample[] } {
  let evidence: Evidence | null = null;
  const campaigns: Campaign[] = [];
  const cx = new Map<string, StoredCounterexample>();
  for (const p of paths) {
    if (!existsSync(p)) throw new QfsError('E_IO', p, 'no such file or directory');
    if (isEvidenceDir(p)) {
      if (evidence !== null) throw new QfsError('E_USAGE', p, `one evidence package per report (already ${evidence.dir})`);
      evidence = loadEvidence(p);
    } else if (statSync(p).isDirectory()) {
      const found = loadCounterexamples(p);
      if (found.length === 0) throw new QfsError('E_USAGE', p, 'neither an evidence package (no phase3_manifest.json) nor a counterexamples directory (no <invariant>/<hash12>.json)');
      for (const s of found) cx.set(s.file, s);
    } else if (readFileSync(p, 'utf8').includes('"format":"qfs-counterexample/1"')) {
      for (const s of loadCounterexamples(p)) cx.set(s.file, s);
    } else {
      const c = loadCampaign(p);
      campaigns.push(c);
      // A campaign's failures name their counterexample files: show them when they are at hand.
      for (const prop of c.doc.properties as readonly { failure?: { counterexample?: unknown } | null }[]) {
        const f = prop.failure?.counterexample;
        if (typeof f === 'string' && existsSync(f)) for (const s of loadCounterexamples(f)) cx.set(s.file, s);
      }
    }
  }
  return { evidence, campaigns, counterexamples: [...cx.values()] };
}

/** The main job's report: written beside its package (never inside the ten signed files); returns the path. */
export function writeReportBeside(evidenceDir: string): string {
  const out = defaultReportPath(evidenceDir);
  writeFileAtomic(out, renderReport({ evidence: loadEvidence(evidenceDir), campaigns: [], counterexamples: [] }).html);
  return out;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<input...>', 'an evidence package directory, `qfs check --json` output files, counterexample files or directories')
    .description('one self-contained HTML report (charts bundled, no network): acceptance and verdict, charts, attacks, incidents, counterexamples')
    .option('--out <file>', 'the HTML file (default: beside the package, e.g. evidence/phase3-report.html; else qfs-report.html)')
    .addHelpText(
      'after',
      `
Examples:
  npx qfs report evidence/phase3                       # writes evidence/phase3-report.html
  npx qfs check --seed 1 --runs 5 --json > campaign.json
  npx qfs report evidence/phase3 campaign.json counterexamples --out report.html

The package is verified as \`qfs verify\` does; one that does not verify is still shown, with its
fault and the verdict FAIL. Exit codes: 0 the report was written (whatever its verdict), 1 an
input is malformed, 2 bad usage, 3 I/O.`,
    )
    .action(
      run((inputs: string[], opts: { out?: string }) => {
        const input = readInputs(inputs);
        const out = opts.out ?? defaultReportPath(input.evidence?.dir ?? null);
        const r = renderReport(input);
        writeFileAtomic(out, r.html);
        const points = r.charts.reduce((s, c) => s + c.series.reduce((t, x) => t + (x.data as readonly unknown[]).filter((d) => d !== null).length, 0), 0);
        process.stdout.write(`wrote ${out}: verdict ${r.verdict}, ${r.charts.length} charts, ${points} points (${(Buffer.byteLength(r.html) / 1024).toFixed(0)} KiB, self-contained)\n`);
      }),
    );
}
