/**
 * The conformance vectors catch a broken port (SPEC §13): each port, run with one deliberate bug
 * switched on (QFS_CONFORMANCE_MUTANT=floor_div_truncates: floorDiv truncates toward zero instead
 * of refusing a negative operand), must fail its math vectors and name the failing cases; run
 * without it, the same vectors pass. Only the math vector test of each port runs (pytest
 * tests/test_math.py, cargo test --test math), so the suite stays short once the toolchains are
 * ready. On a fresh clone the first run creates the Python venv and builds the Rust port in
 * release mode (a minute or two); a port whose toolchain is missing is skipped with a note.
 */
import { describe, expect, test } from 'vitest';
import { cargoAvailable, exec, portEnv, pythonPort, PYTHON_DIR, RUST_DIR } from './ports.ts';

const MUTANT = 'floor_div_truncates';
/** Cases of math.json a truncating floorDiv gets wrong (a negative operand is refused by the spec). */
const CAUGHT = { python: ['floorDiv(-7,2)', 'floorDiv(-1,3)', 'floorDiv(1,-2)'], rust: ['floorDiv["-7", "2"]', 'floorDiv["-1", "3"]', 'floorDiv["1", "-2"]'] };
const SLOW = 900_000; // a fresh clone: venv install or a release build of the Rust port first

const pytestMath = async (python: string, mutant: string | null) =>
  exec(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_math.py'], { cwd: PYTHON_DIR, env: portEnv(mutant) });
const cargoMath = (mutant: string | null) => exec('cargo', ['test', '--release', '--locked', '--test', 'math'], { cwd: RUST_DIR, env: portEnv(mutant) });

describe('conformance.broken-port', () => {
  test(
    `conformance.broken-port.python: pytest of the math vectors fails with QFS_CONFORMANCE_MUTANT=${MUTANT} and names the cases, and passes without it`,
    async (ctx) => {
      const port = await pythonPort();
      if (!port.available) {
        console.log(`SKIPPED conformance.broken-port.python: ${port.reason}`);
        return ctx.skip(port.reason);
      }
      const broken = await pytestMath(port.python, MUTANT);
      const out = broken.stdout + broken.stderr;
      // pytest: 1 = some tests failed (not 2+, an interrupted or unusable run).
      expect(broken.code, `the broken port must fail its tests, not crash:\n${out}`).toBe(1);
      for (const c of CAUGHT.python) expect(out, `the failure names ${c}`).toContain(`FAILED tests/test_math.py::test_math_vector[${c}]`);
      expect(out).toMatch(/\b\d+ failed, \d+ passed\b/);

      const sound = await pytestMath(port.python, null);
      expect(sound.code, sound.stdout + sound.stderr).toBe(0);
      expect(sound.stdout).toMatch(/\b\d+ passed\b/);
      expect(sound.stdout).not.toMatch(/failed|error/);
      console.log(`[qfs] broken-port python: mutant run ${(broken.ms / 1000).toFixed(1)} s (named the truncated cases), sound run ${(sound.ms / 1000).toFixed(1)} s`);
    },
    SLOW,
  );

  test(
    `conformance.broken-port.rust: cargo test of the math vectors fails with QFS_CONFORMANCE_MUTANT=${MUTANT} and names the cases, and passes without it`,
    async (ctx) => {
      if (!(await cargoAvailable())) {
        console.log('SKIPPED conformance.broken-port.rust: cargo not found on PATH');
        return ctx.skip('cargo not found on PATH');
      }
      // The sound run first: it builds the port (the mutant is read at run time, not compiled in).
      const sound = await cargoMath(null);
      expect(sound.code, sound.stderr).toBe(0);
      expect(sound.stdout).toMatch(/test math_vectors \.\.\. ok/);

      const broken = await cargoMath(MUTANT);
      const out = broken.stdout + broken.stderr;
      expect(broken.code, `the broken port must fail its tests:\n${out}`).not.toBe(0);
      expect(out).toMatch(/test math_vectors \.\.\. FAILED/);
      expect(out).toMatch(/\b\d+ of \d+ failed/);
      for (const c of CAUGHT.rust) expect(out, `the failure names ${c}`).toContain(`${c}: got`);
      console.log(`[qfs] broken-port rust: sound run ${(sound.ms / 1000).toFixed(1)} s (build included), mutant run ${(broken.ms / 1000).toFixed(1)} s (named the truncated cases)`);
    },
    SLOW,
  );
});
