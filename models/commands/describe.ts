/** How a command prints in a counterexample (fast-check shows `toString`). */
import type { CommandData } from './data.ts';
import { VALIDATOR_FLAWS } from './validator.ts';

const pct = (permille: number): string => `${(permille / 10).toFixed(1)}%`;

export function describe(d: CommandData): string {
  switch (d.cmd) {
    case 'submit': {
      const amount = 'permille' in d.amount ? pct(d.amount.permille) : d.amount.bad;
      const nonce = d.nonce === 0 ? 'next' : `next${d.nonce > 0 ? '+' : ''}${d.nonce}`;
      const target = d.kind === 'stake' || d.kind === 'unstake' ? '' : ` to=${typeof d.target === 'string' ? d.target : 'peer' in d.target ? `peer#${d.target.peer}` : `any#${d.target.any}`}`;
      return `Submit(${d.kind} node=${d.node === 'unknown' ? 'unknown' : `#${d.node}`} amount=${amount} nonce=${nonce}${target}${d.via === 0 ? '' : ` via=shard+${d.via}`})`;
    }
    case 'duplicate':
      return `Duplicate(#${d.pick})`;
    case 'snapshot':
      return `Snapshot(${d.when}${d.lag === 0 ? '' : ` lag=${d.lag}`} dis=[${d.dis.map((x) => `#${x.node}:${x.level}/4`).join(' ')}] key=${d.key}${d.copies === 'one' ? '' : ` copies=${d.copies}`})`;
    case 'validator':
      return d.kind === 'honest'
        ? 'Validator(honest)'
        : d.kind === 'malformed'
          ? `Validator(malformed flaw=${VALIDATOR_FLAWS[d.flaw % VALIDATOR_FLAWS.length]})`
          : `Validator(lying ${d.lies.map((l) => `#${l.node}:${l.lie}`).join(' ')})`;
    case 'safe-mode':
      return 'SafeMode()';
    case 'advance':
      return `AdvanceEpoch(perm=${d.perm})`;
  }
}
