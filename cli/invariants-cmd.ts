/** `qfs invariants [--json]`: the §9 invariant catalog (id, kind, statement, CIR code). */
import type { Command } from 'commander';
import { canonicalString } from '../src/math/canonical.ts';
import { catalogListing, LEDGER_PENDING } from '../src/invariants/catalog.ts';
import { run } from './output.ts';

export function registerInvariants(program: Command): void {
  program
    .command('invariants')
    .description('list the invariant catalog of SPEC §9: id, kind (step or metamorphic), statement and CIR code')
    .option('--json', 'print the catalog as one canonical JSON value')
    .action(
      run((opts: { json?: boolean }) => {
        const rows = catalogListing();
        if (opts.json) {
          process.stdout.write(`${canonicalString({ invariants: rows, pending_ledger: [...LEDGER_PENDING] })}\n`);
          return;
        }
        const width = rows.reduce((w, r) => (r.id.length > w ? r.id.length : w), 0);
        for (const r of rows) {
          const kind = r.kind === 'step' ? (r.commit_only ? 'step, commit' : 'step') : 'metamorphic';
          process.stdout.write(`${r.id.padEnd(width)}  ${kind.padEnd(12)}  ${r.cir}  ${r.statement}\n`);
        }
        process.stdout.write(`\n${rows.length} invariants${LEDGER_PENDING.length > 0 ? `; not in the catalog yet: ${LEDGER_PENDING.join(', ')}` : ''}\n`);
      }),
    );
}
