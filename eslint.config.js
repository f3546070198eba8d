// ESLint makes SPEC §1 mechanical in src/: no floating point, no Math, no randomness, no clocks,
// no locale, and no `/` outside CertifiedMath (every division is mulDiv or floorDiv).
import tseslint from 'typescript-eslint';

const FLOAT_LITERAL = String.raw`/^(\d*\.\d+|\d+\.\d*)([eE][+-]?\d+)?$|^\d+[eE][+-]?\d+$/`;

export const determinismRules = {
  'no-restricted-syntax': [
    'error',
    { selector: `Literal[raw=${FLOAT_LITERAL}]`, message: 'SPEC §1: no floating-point literal in src/ (use bigint fixed point).' },
    { selector: "BinaryExpression[operator='/']", message: 'SPEC §1: every division is mulDiv or floorDiv (certified-math.ts).' },
    { selector: "AssignmentExpression[operator='/=']", message: 'SPEC §1: every division is mulDiv or floorDiv (certified-math.ts).' },
    { selector: 'ForInStatement', message: 'Determinism: for…in iterates in an order the spec does not fix; iterate a sorted list.' },
    { selector: "CallExpression[callee.property.name='sort'][arguments.length=0]", message: 'Determinism: give sort() an explicit comparator.' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'Math', message: 'SPEC §1: no Math in src/ (floating point and Math.random); use certified-math.ts.' },
    { name: 'Date', message: 'Determinism: no clocks in src/.' },
    { name: 'performance', message: 'Determinism: no clocks in src/.' },
    { name: 'Intl', message: 'Determinism: no locale in src/.' },
    { name: 'parseFloat', message: 'SPEC §1: no floating point in src/.' },
    { name: 'setTimeout', message: 'Determinism: no timers in src/.' },
    { name: 'setInterval', message: 'Determinism: no timers in src/.' },
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Math', message: 'SPEC §1: no Math in src/.' },
    { object: 'process', property: 'hrtime', message: 'Determinism: no clocks in src/.' },
    { object: 'Number', property: 'parseFloat', message: 'SPEC §1: no floating point in src/.' },
    { object: 'crypto', property: 'getRandomValues', message: 'Determinism: no randomness in src/.' },
    { property: 'toLocaleString', message: 'Determinism: no locale in src/.' },
    { property: 'localeCompare', message: 'Determinism: no locale in src/.' },
    { property: 'toFixed', message: 'SPEC §1: no floating point in src/.' },
    { property: 'toPrecision', message: 'SPEC §1: no floating point in src/.' },
  ],
  'no-restricted-imports': [
    'error',
    {
      paths: [
        { name: 'node:crypto', importNames: ['randomBytes', 'randomInt', 'randomUUID', 'getRandomValues'], message: 'Determinism: no randomness in src/.' },
        { name: 'node:perf_hooks', message: 'Determinism: no clocks in src/.' },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'scratch/**', 'dist/**', 'conformance/rust/target/**', 'conformance/python/**', 'counterexamples/**', 'evidence/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/io/**'],
    rules: determinismRules,
  },
  {
    // CertifiedMath is the one place that divides.
    files: ['src/math/certified-math.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...determinismRules['no-restricted-syntax'].slice(1).filter((r) => !String(r.selector).includes("'/'") && !String(r.selector).includes("'/='")),
      ],
    },
  },
);
