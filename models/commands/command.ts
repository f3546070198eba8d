/** The fast-check command: runs one `CommandData` against the model and the real system. */
import type fc from 'fast-check';
import { runAdvance } from './advance.ts';
import type { CommandData } from './data.ts';
import { describe } from './describe.ts';
import { MAX_SIGNATURES_PER_RUN, type EconomyModel, type EconomyReal } from './model.ts';
import { runSnapshot } from './snapshot.ts';
import { resolveSubmit } from './submit.ts';

export class EconomyCommand implements fc.Command<EconomyModel, EconomyReal> {
  constructor(readonly data: CommandData) {}

  check(m: Readonly<EconomyModel>): boolean {
    const d = this.data;
    switch (d.cmd) {
      case 'duplicate':
        return m.submissions.length > 0;
      case 'snapshot':
        return d.when === 'malformed' || (d.when === 'replayed' && m.admitted.length > 0) || m.signatures.size < MAX_SIGNATURES_PER_RUN;
      case 'safe-mode':
        return m.mode === 'normal' && m.epoch >= 1n;
      default:
        return true;
    }
  }

  run(m: EconomyModel, r: EconomyReal): void {
    const d = this.data;
    r.log.push(d);
    r.stats.totals.add('commands');
    r.stats.commands.add(d.cmd);
    switch (d.cmd) {
      case 'submit': {
        const s = resolveSubmit(m, d);
        m.submissions.push(s);
        r.actions.push({ shard: s.shard, actions: [s.json] });
        return;
      }
      case 'duplicate': {
        const s = m.submissions[d.pick % m.submissions.length]!;
        m.submissions.push({ ...s, label: `${s.label} (copy)` });
        r.actions.push({ shard: s.shard, actions: [s.json] });
        return;
      }
      case 'snapshot':
        runSnapshot(m, r, d);
        return;
      case 'validator':
        m.validator = d;
        return;
      case 'safe-mode':
        m.mode = 'safe';
        r.state = { ...r.state, mode: 'safe' };
        r.chainBroken = true;
        return;
      case 'advance':
        runAdvance(m, r, d);
        return;
    }
  }

  toString(): string {
    return describe(this.data);
  }
}

export const commandsFromData = (data: readonly CommandData[]): EconomyCommand[] => data.map((d) => new EconomyCommand(d));

/** The data of the commands that ran, from a command list as `fc.commands` produced it (its wrappers) or plain. */
export function ranCommandData(cmds: Iterable<unknown>): CommandData[] {
  const out: CommandData[] = [];
  for (const c of cmds) {
    const w = c as { hasRan?: boolean; cmd?: unknown };
    const cmd = (w.cmd ?? c) as EconomyCommand;
    if (w.hasRan === false) continue;
    if (cmd instanceof EconomyCommand) out.push(cmd.data);
  }
  return out;
}
