/**
 * The 17 genesis constants and their harmonic bounds (SPEC §3), as data: checked in table order,
 * each violation named by both names and the bound.
 */
import { floorDiv, ID_LIMIT, LIMIT, SCALE } from '../math/certified-math.ts';

export const CONSTANT_KEYS = [
  'a_max',
  'base',
  'delta_max',
  'epsilon_sync',
  'delta_curl',
  'kappa',
  'flow_rate',
  'penalty_rate',
  'align_tol',
  'res_rate',
  'res_cap_ratio',
  'psy_rate',
  'release_rate',
  'node_commission',
  'oracle_window',
  'halt_epochs',
  'blacklist_after',
] as const;
export type ConstantKey = (typeof CONSTANT_KEYS)[number];
export type Constants = { readonly [K in ConstantKey]: bigint };

export interface ConstantBound {
  readonly key: ConstantKey;
  readonly name: string;
  readonly meaning: string;
  /** The bound as the spec writes it. */
  readonly bound: string;
  readonly holds: (value: bigint, all: Constants) => boolean;
}

const inRange = (lo: bigint, hi: bigint) => (v: bigint) => lo <= v && v <= hi;

export const CONSTANT_BOUNDS: readonly ConstantBound[] = [
  { key: 'a_max', name: 'A_MAX', meaning: 'hard cap on the reward multiplier', bound: '1 <= A_MAX <= 64', holds: inRange(1n, 64n) },
  { key: 'base', name: 'BASE', meaning: 'ψ-intensity per multiplier step', bound: '0 < BASE <= SCALE', holds: inRange(1n, SCALE) },
  {
    key: 'delta_max',
    name: 'DELTA_MAX',
    meaning: "largest stake-driven change of a shard's mean ψ per epoch, as a fraction of max(C_s, SCALE)",
    bound: 'EPSILON_SYNC <= DELTA_MAX <= SCALE',
    holds: (v, c) => c.epsilon_sync <= v && v <= SCALE,
  },
  {
    key: 'epsilon_sync',
    name: 'EPSILON_SYNC',
    meaning: 'largest deviation of a ΨSync report from C, as a fraction of C',
    bound: '0 < EPSILON_SYNC < 2^127',
    holds: (v) => 0n < v && v < LIMIT,
  },
  {
    key: 'delta_curl',
    name: 'DELTA_CURL',
    meaning: 'largest |curl| of reported gradients, as a fraction of C',
    bound: '0 <= DELTA_CURL <= EPSILON_SYNC',
    holds: (v, c) => 0n <= v && v <= c.epsilon_sync,
  },
  { key: 'kappa', name: 'KAPPA', meaning: 'edge conductance', bound: '0 < KAPPA <= SCALE', holds: inRange(1n, SCALE) },
  {
    key: 'flow_rate',
    name: 'FLOW_RATE',
    meaning: "share of a node's FLX that may flow out per epoch",
    bound: '0 < FLOW_RATE <= SCALE/2',
    holds: inRange(1n, floorDiv(SCALE, 2n)),
  },
  { key: 'penalty_rate', name: 'PENALTY_RATE', meaning: 'CHR penalty per unit of dissonance', bound: '0 <= PENALTY_RATE <= SCALE', holds: inRange(0n, SCALE) },
  {
    key: 'align_tol',
    name: 'ALIGN_TOL',
    meaning: '|gradient| under which an edge counts as aligned',
    bound: '0 <= ALIGN_TOL < 2^127',
    holds: inRange(0n, LIMIT - 1n),
  },
  { key: 'res_rate', name: 'RES_RATE', meaning: 'RES generated per aligned edge, per unit of ψ', bound: '0 <= RES_RATE <= SCALE', holds: inRange(0n, SCALE) },
  {
    key: 'res_cap_ratio',
    name: 'RES_CAP_RATIO',
    meaning: 'resonance envelope as a multiple of Σψ',
    bound: '0 < RES_CAP_RATIO <= 100*SCALE',
    holds: inRange(1n, 100n * SCALE),
  },
  { key: 'psy_rate', name: 'PSY_RATE', meaning: 'PSY minted per unit of ψ', bound: '0 <= PSY_RATE <= SCALE', holds: inRange(0n, SCALE) },
  {
    key: 'release_rate',
    name: 'RELEASE_RATE',
    meaning: 'share of the treasury released per epoch',
    bound: '0 < RELEASE_RATE <= SCALE/10',
    holds: inRange(1n, floorDiv(SCALE, 10n)),
  },
  {
    key: 'node_commission',
    name: 'NODE_COMMISSION',
    meaning: "node's cut of its reward before its users",
    bound: '0 <= NODE_COMMISSION <= SCALE',
    holds: inRange(0n, SCALE),
  },
  {
    key: 'oracle_window',
    name: 'ORACLE_WINDOW',
    meaning: 'epochs an oracle snapshot stays admissible',
    bound: '0 <= ORACLE_WINDOW <= 16',
    holds: inRange(0n, 16n),
  },
  { key: 'halt_epochs', name: 'HALT_EPOCHS', meaning: "epochs an offender's halt lasts", bound: '1 <= HALT_EPOCHS <= 64', holds: inRange(1n, 64n) },
  {
    key: 'blacklist_after',
    name: 'BLACKLIST_AFTER',
    meaning: 'violations after which a shard is blacklisted',
    bound: '1 <= BLACKLIST_AFTER <= 16',
    holds: inRange(1n, 16n),
  },
];

/** Supply bounds of SPEC §3 (E_GENESIS_SUPPLY). */
export const CHR_SUPPLY_MAX = 2n ** 89n;
export const FLX_ATR_SUPPLY_MAX = 2n ** 90n;
export const PSY_SUPPLY_MAX = 2n ** 100n;
export const RES_SUPPLY_MAX = 2n ** 100n;
export const MAX_DEGREE = 64;
export const WEIGHT_LIMIT = 2n ** 64n;
export { ID_LIMIT };
