/** math.json: §1 CertifiedMath (mulDiv, floorDiv, median, the range checks), results and violations. */
import { checkSigned, checkUnsigned, floorDiv, LIMIT, MathViolation, median, mulDiv, SCALE } from '../../src/math/certified-math.ts';
import { s, type Vectors } from './common.ts';

export function mathVectors(): Vectors {
  const cases: unknown[] = [];
  const run = (op: string, args: bigint[], f: () => bigint) => {
    try {
      cases.push({ op, args: args.map(s), result: s(f()) });
    } catch (e) {
      if (!(e instanceof MathViolation)) throw e;
      cases.push({ op, args: args.map(s), error: { code: e.code, reason: e.reason } });
    }
  };
  const M = LIMIT - 1n;
  const mulDivArgs: [bigint, bigint, bigint][] = [
    [0n, 0n, 1n], [1n, 1n, 1n], [7n, 3n, 2n], [10n, 10n, 3n], [SCALE, SCALE, SCALE], [3n * SCALE, SCALE, 2n * SCALE],
    [M, 1n, 1n], [M, M, M], [M, 2n, 2n], [M, 3n, 2n], [2n ** 126n, 2n, 1n], [2n ** 126n, 2n, 2n], [M, M, M - 1n],
    [123456789012345678901234567890n, 987654321098765432109876543210n, 2n ** 100n + 7n],
    [-1n, 1n, 1n], [1n, -1n, 1n], [1n, 1n, 0n], [1n, 1n, -1n], [LIMIT, 1n, 1n], [1n, LIMIT, 1n], [1n, 1n, LIMIT], [0n, 5n, 0n],
  ];
  for (const a of mulDivArgs) run('mulDiv', a, () => mulDiv(...a));
  const floorArgs: [bigint, bigint][] = [[0n, 1n], [7n, 2n], [M, 1n], [M, M], [M, 2n], [5n, 0n], [-1n, 3n], [-7n, 2n], [1n, -2n], [LIMIT, 1n], [1n, LIMIT]];
  for (const a of floorArgs) run('floorDiv', a, () => floorDiv(...a));
  const medians: bigint[][] = [[5n], [2n, 1n], [3n, 1n, 2n], [4n, 1n, 3n, 2n], [7n, 7n, 1n, 9n, 9n, 0n], [-3n, 5n, -1n], []];
  for (const xs of medians) run('median', xs, () => median(xs));
  for (const x of [0n, M, LIMIT, -1n]) run('checkUnsigned', [x], () => checkUnsigned(x));
  for (const x of [-LIMIT, -LIMIT - 1n, M, LIMIT, 0n]) run('checkSigned', [x], () => checkSigned(x));
  return { format: 'qfs-vectors/1', section: '§1 CertifiedMath', cases };
}
