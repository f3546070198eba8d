/** The arbitraries of the commands (weighted), and the command arbitraries for `fc.commands`. */
import fc from 'fast-check';
import { EconomyCommand } from './command.ts';
import type { ActionKind, AdvanceData, CommandData, DuplicateData, LieKind, SafeModeData, SnapshotData, SnapshotWhen, SubmitData, ValidatorData } from './data.ts';

const w = <T>(arbitrary: fc.Arbitrary<T>, weight: number): fc.WeightedArbitrary<T> => ({ arbitrary, weight });

export const submitData: fc.Arbitrary<SubmitData> = fc.record({
  cmd: fc.constant('submit' as const),
  kind: fc.constantFrom<ActionKind>('transfer', 'stake', 'unstake', 'psy_transfer'),
  node: fc.oneof(w(fc.nat(15), 30), w(fc.constant('unknown' as const), 1)),
  amount: fc.oneof(
    w(fc.record({ permille: fc.integer({ min: 1, max: 1000 }) }), 8),
    w(fc.record({ permille: fc.constantFrom(1000, 500, 100) }), 2),
    w(fc.record({ bad: fc.constantFrom('zero' as const, 'negative' as const, 'over' as const, 'huge' as const, 'float' as const) }), 1),
  ),
  nonce: fc.oneof(w(fc.constant(0), 12), w(fc.constantFrom(-2, -1, 1, 2, 1000), 1)),
  target: fc.oneof(
    w(fc.record({ peer: fc.nat(15) }), 8),
    w(fc.record({ any: fc.nat(15) }), 8),
    w(fc.constant('self' as const), 1),
    w(fc.constant('unknown' as const), 1),
  ),
  via: fc.oneof(w(fc.constant(0), 12), w(fc.integer({ min: 1, max: 5 }), 1)),
});

export const duplicateData: fc.Arbitrary<DuplicateData> = fc.record({ cmd: fc.constant('duplicate' as const), pick: fc.nat(31) });

export const snapshotData: fc.Arbitrary<SnapshotData> = fc.record({
  cmd: fc.constant('snapshot' as const),
  when: fc.oneof(
    w(fc.constant<SnapshotWhen>('timely'), 4),
    w(fc.constant<SnapshotWhen>('stale'), 2),
    w(fc.constant<SnapshotWhen>('future'), 2),
    w(fc.constant<SnapshotWhen>('replayed'), 2),
    w(fc.constant<SnapshotWhen>('competing'), 2),
    w(fc.constant<SnapshotWhen>('malformed'), 1),
  ),
  lag: fc.nat(3),
  dis: fc.array(fc.record({ node: fc.nat(15), level: fc.nat(4) }), { maxLength: 3 }),
  key: fc.oneof(w(fc.constant('oracle' as const), 4), w(fc.constant('wrong' as const), 1)),
  copies: fc.oneof(w(fc.constant('one' as const), 4), w(fc.constant('two' as const), 1), w(fc.constant('plus-wrong' as const), 1)),
});

export const validatorData: fc.Arbitrary<ValidatorData> = fc.record({
  cmd: fc.constant('validator' as const),
  kind: fc.constantFrom('honest' as const, 'lying' as const, 'lying' as const, 'malformed' as const),
  lies: fc.array(fc.record({ node: fc.nat(15), lie: fc.constantFrom<LieKind>('plus-one', 'minus-one', 'zero', 'double') }), { minLength: 1, maxLength: 3 }),
  flaw: fc.nat(4),
});

export const safeModeData: fc.Arbitrary<SafeModeData> = fc.constant({ cmd: 'safe-mode' as const });
export const advanceData: fc.Arbitrary<AdvanceData> = fc.record({ cmd: fc.constant('advance' as const), perm: fc.nat(0xffff) });

/** Every command, weighted (about one advance in four commands; safe mode rare, since it freezes the rest of the run). */
export const commandData: fc.Arbitrary<CommandData> = fc.oneof(
  w<CommandData>(submitData, 80),
  w<CommandData>(duplicateData, 8),
  w<CommandData>(snapshotData, 24),
  w<CommandData>(validatorData, 16),
  w<CommandData>(safeModeData, 1),
  w<CommandData>(advanceData, 40),
);

/** The command arbitraries for `fc.commands`. */
export const economyCommands = (): fc.Arbitrary<EconomyCommand>[] => [commandData.map((d) => new EconomyCommand(d))];
