/** Reading a run back from its canonical JSON (a stored counterexample's `commands`, SPEC §12). */
import { type Json } from '../../src/math/canonical.ts';
import { type AdversaryRun, type Attack, EAS, MUTANTS, type VoteMove, VOTE_MOVES } from './strategies.ts';
import { jsonOf } from './report.ts';

// ---------------------------------------------------------------------------------------------
// Reading a run back from its canonical JSON (a stored counterexample's `commands`)

export const big = (v: unknown, where: string): bigint => {
  if (typeof v !== 'string' || !/^(?:0|-?[1-9][0-9]*)$/.test(v)) throw new Error(`adversary run: ${where} is not an integer string`);
  return BigInt(v);
};
export const oneOf = <T extends string>(v: unknown, options: readonly T[], where: string): T => {
  if (typeof v !== 'string' || !options.includes(v as T)) throw new Error(`adversary run: ${where} must be one of ${options.join(', ')}`);
  return v as T;
};

export function readAttack(j: Json, where: string): Attack {
  const o = j as Record<string, Json>;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error(`adversary run: ${where} is not an object`);
  const ea = oneOf(o.ea, EAS, `${where}.ea`);
  const shard = () => big(o.shard, `${where}.shard`);
  const pick = () => big(o.pick, `${where}.pick`);
  const delta = () => big(o.delta, `${where}.delta`);
  switch (ea) {
    case 'EA-1':
      return { ea, shard: shard(), pick: pick(), delta: delta(), ...(o.report === undefined ? {} : { report: oneOf(o.report, ['psi', 'gradient'] as const, `${where}.report`) }) };
    case 'EA-4':
    case 'EA-5':
    case 'EA-7':
      return { ea, shard: shard(), pick: pick(), delta: delta() };
    case 'EA-2':
      return { ea, shard: shard(), below: o.below === true, delta: delta(), ...(o.inside === true ? { inside: true } : {}) };
    case 'EA-3':
      return { ea, shard: shard(), field: oneOf(o.field, ['payouts', 'flx_delta'] as const, `${where}.field`), pick: pick(), delta: delta() };
    case 'EA-6':
      return { ea, shard: shard(), flaw: oneOf(o.flaw, ['zero', 'overdraft', 'foreign', 'nonce'] as const, `${where}.flaw`), pick: pick() };
    case 'EA-8':
      return { ea, shard: shard(), delta: delta() };
    case 'EA-9':
      return { ea, shard: shard(), ...(o.side === undefined ? {} : { side: oneOf(o.side, ['over', 'under'] as const, `${where}.side`) }) };
    case 'EA-10':
      return { ea, shard: shard(), side: oneOf(o.side, ['in', 'out'] as const, `${where}.side`), delta: delta() };
    case 'EA-13':
      return { ea, shard: shard(), field: oneOf(o.field, ['multipliers', 'rewards', 'psy_minted'] as const, `${where}.field`), pick: pick(), delta: delta(), ...(o.starve === true ? { starve: true } : {}) };
    case 'EA-11':
      return { ea, kind: oneOf(o.kind, ['stale', 'future', 'replayed', 'superseded'] as const, `${where}.kind`), delta: delta() };
    case 'EA-12':
      return { ea, pick: pick(), delta: delta() };
    case 'EA-14':
      throw new Error(`adversary run: ${where}: EA-14 is a storage attack (models/storage-attack.ts), not an epoch attack`);
  }
}

/**
 * A run as §12 commands: `[{ kind: "setup", shards, byzantine, mutant }, { kind: "epoch", load,
 * attacks, exit }, …]` (canonical JSON; `mutant` null, or the name of a planted bug of
 * models/mutants.ts that the run executes with).
 */
export function runCommands(run: AdversaryRun): Json[] {
  const setup = { kind: 'setup', shards: run.shards, byzantine: run.byzantine, mutant: run.mutant ?? null };
  return jsonOf([setup, ...run.epochs.map((e) => ({ kind: 'epoch', ...e }))]) as Json[];
}

/** A run from its §12 commands; throws naming the command and field at fault. */
export function readRunCommands(commands: readonly Json[]): AdversaryRun {
  const [setup, ...rest] = commands as Record<string, Json>[];
  if (setup === undefined || setup === null || typeof setup !== 'object' || setup.kind !== 'setup') throw new Error('adversary run: commands[0] must be the setup command');
  const byz = setup.byzantine;
  if (!Array.isArray(byz)) throw new Error('adversary run: commands[0].byzantine must be an array');
  const mutant = setup.mutant === null || setup.mutant === undefined ? undefined : oneOf(setup.mutant, MUTANTS, 'commands[0].mutant');
  return {
    shards: big(setup.shards, 'commands[0].shards'),
    byzantine: byz.map((b, i) => big(b, `commands[0].byzantine[${i}]`)),
    ...(mutant === undefined ? {} : { mutant }),
    epochs: rest.map((eo, i) => {
      const where = `commands[${i + 1}]`;
      if (eo === null || typeof eo !== 'object' || eo.kind !== 'epoch') throw new Error(`adversary run: ${where} must be an epoch command`);
      const attacks = eo.attacks;
      if (!Array.isArray(attacks)) throw new Error(`adversary run: ${where}.attacks must be an array`);
      const founders = eo.exit_founders;
      if (founders !== undefined && !Array.isArray(founders)) throw new Error(`adversary run: ${where}.exit_founders must be an array`);
      return {
        load: big(eo.load, `${where}.load`),
        exit: eo.exit === true,
        ...(founders === undefined ? {} : { exit_founders: founders.map((x, k) => big(x, `${where}.exit_founders[${k}]`)) }),
        attacks: attacks.map((a, k) => readAttack(a, `${where}.attacks[${k}]`)),
        ...(eo.moves === undefined ? {} : { moves: readMoves(eo.moves, `${where}.moves`) }),
        ...(eo.silent_oracle === true ? { silent_oracle: true } : {}),
      };
    }),
  };
}

function readMoves(j: Json, where: string): VoteMove[] {
  if (!Array.isArray(j)) throw new Error(`adversary run: ${where} must be an array`);
  return j.map((x, k) => {
    const o = x as Record<string, Json>;
    const at = `${where}[${k}]`;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error(`adversary run: ${at} is not an object`);
    const move = oneOf(o.move, VOTE_MOVES, `${at}.move`);
    const shard = big(o.shard, `${at}.shard`);
    switch (move) {
      case 'vote-anyway':
        return { move, shard, root: oneOf(o.root, ['candidate', 'other'] as const, `${at}.root`) };
      case 'equivocate':
        return { move, shard, delta: big(o.delta, `${at}.delta`) };
      case 'forge':
        return { move, shard, pick: big(o.pick, `${at}.pick`) };
      default:
        return { move, shard };
    }
  });
}
