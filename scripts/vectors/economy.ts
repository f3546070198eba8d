/** economy.json: §6 steps 4–10, each step alone on given inputs. */
import { floorDiv, LIMIT, sum } from '../../src/math/certified-math.ts';
import type { Constants } from '../../src/genesis/constants.ts';
import { applyActions, fieldFlow, mintPsy, rebalanceChr, resonance, type Action } from '../../src/economics/harmonic-economics.ts';
import { holoRewards } from '../../src/economics/holo-reward.ts';
import type { State } from '../../src/economics/state.ts';
import { distributeTreasury } from '../../src/economics/treasury-distribution.ts';
import { fluxDemand, gradient, openingField, shardCoherences, type OpeningField } from '../../src/field/psi-field.ts';
import { topology, type Topology } from '../../src/field/topology.ts';
import type { Patch } from '../patch.ts';
import { j, mathError, S, strs, type Vectors } from './common.ts';
import { GENESES_TEXT, genesesUsed, genesisNamed, patchedState } from './fixtures.ts';

/** The opening field of ψ values given directly (steps 5–10 read nothing else of the field). */
function fieldFromPsi(topo: Topology, psi: readonly bigint[]): OpeningField {
  const gradients: bigint[] = [];
  const demand: bigint[] = [];
  for (let e = 0; e < topo.edgeA.length; e++) {
    const g = gradient(psi[topo.edgeA[e]!]!, psi[topo.edgeB[e]!]!);
    gradients.push(g);
    demand.push(fluxDemand(topo.constants.kappa, g));
  }
  const sumPsi = sum(psi);
  return { psi, gradients, demand, sumPsi, c: floorDiv(sumPsi, BigInt(psi.length)), cShards: shardCoherences(topo, psi) };
}

type Step = 'actions' | 'flow' | 'chr' | 'res' | 'psy' | 'rewards' | 'treasury';

export function economyVectors(): Vectors {
  const cases: unknown[] = [];
  const used: string[] = [];
  const add = (step: Step, name: string, genesis: string, constants: Partial<Constants> | undefined, inputs: Record<string, unknown>, run: (topo: Topology) => unknown) => {
    used.push(genesis);
    const base = topology(genesisNamed(genesis));
    const topo: Topology = constants === undefined ? base : { ...base, constants: { ...base.constants, ...constants } };
    const head = { step, name, genesis, ...(constants === undefined ? {} : { constants: j(constants) }), inputs: j(inputs) };
    try {
      cases.push({ ...head, outputs: j(run(topo)) });
    } catch (e) {
      cases.push({ ...head, error: mathError(e) });
    }
  };
  const psiOfState = (name: string, patch: Patch = []) => {
    const g = genesisNamed(name);
    return [...openingField(topology(g), patchedState(name, patch).nodes).psi];
  };
  const col = (name: string, k: 'chr' | 'flx' | 'stake' | 'psy' | 'atr' | 'res' | 'dis') => genesisNamed(name).nodes.map((n) => n[k]);
  const userCount = (name: string) => topology(genesisNamed(name)).userIds.length;

  // Step 4: actions (valid, any order) and the unstake queue.
  const step4 = (name: string, genesis: string, o: { flx?: bigint[]; stake?: bigint[]; psy?: bigint[]; atr?: bigint[]; nonce?: bigint[]; unstakes?: State['unstakes']; coherence: bigint; c: bigint; t: bigint; actions: Action[] }) => {
    const g = genesisNamed(genesis);
    const inputs = {
      flx: o.flx ?? col(genesis, 'flx'),
      stake: o.stake ?? col(genesis, 'stake'),
      psy: o.psy ?? col(genesis, 'psy'),
      atr: o.atr ?? col(genesis, 'atr'),
      nonce: o.nonce ?? g.nodes.map(() => 0n),
      unstakes: o.unstakes ?? [],
      coherence: o.coherence,
      c: o.c,
      t: o.t,
      actions: o.actions,
    };
    add('actions', name, genesis, undefined, { ...inputs, flx: strs(inputs.flx), stake: strs(inputs.stake), psy: strs(inputs.psy), atr: strs(inputs.atr), nonce: strs(inputs.nonce) }, (topo) => {
      const s0 = patchedState(genesis);
      const st: State = {
        ...s0,
        coherence: inputs.coherence,
        unstakes: inputs.unstakes,
        nodes: s0.nodes.map((n, i) => ({ ...n, flx: inputs.flx[i]!, stake: inputs.stake[i]!, psy: inputs.psy[i]!, atr: inputs.atr[i]!, nonce: inputs.nonce[i]! })),
      };
      const r = applyActions(topo, st, inputs.actions, inputs.t, inputs.c);
      return {
        flx: strs(r.nodes.map((n) => n.flx)),
        stake: strs(r.nodes.map((n) => n.stake)),
        psy: strs(r.nodes.map((n) => n.psy)),
        atr: strs(r.nodes.map((n) => n.atr)),
        nonce: strs(r.nodes.map((n) => n.nonce)),
        unstakes: r.unstakes,
        moves: r.moves,
        released: r.released,
      };
    });
  };
  const mixed: Action[] = [
    { kind: 'unstake', node: 1n, amount: S / 4n, nonce: 2n },
    { kind: 'psy_transfer', from: 2n, to: 3n, amount: S, nonce: 2n },
    { kind: 'transfer', from: 3n, to: 4n, amount: S, nonce: 1n },
    { kind: 'stake', node: 1n, amount: S / 10n, nonce: 1n },
    { kind: 'transfer', from: 2n, to: 1n, amount: 2n * S, nonce: 1n },
    { kind: 'stake', node: 4n, amount: 1n, nonce: 6n },
  ];
  const queue = [
    { node: 1n, nonce: 1n, amount: S / 2n, since: 1n },
    { node: 2n, nonce: 3n, amount: S / 8n, since: 2n },
    { node: 2n, nonce: 4n, amount: S / 8n, since: 3n },
  ];
  step4('every kind, any order; C rose: the queue stays', 'example', { t: 3n, coherence: 3n * S, c: 3n * S + 1n, actions: mixed, unstakes: queue, nonce: [1n, 0n, 0n, 5n] });
  step4('C did not rise: entries with since < t execute in queue order, new ones wait', 'example', { t: 3n, coherence: 3n * S, c: 3n * S, actions: mixed, unstakes: queue, nonce: [1n, 0n, 0n, 5n] });
  step4('no action, C fell: the whole old queue executes', 'example', { t: 4n, coherence: 3n * S, c: 2n * S, actions: [], unstakes: queue });
  step4('a node stakes its whole flx and unstakes its whole stake (queued with since = t, not released)', 'triangle', {
    t: 1n,
    coherence: 0n,
    c: 0n,
    actions: [
      { kind: 'transfer', from: 40n, to: 10n, amount: 5n * S, nonce: 1n },
      { kind: 'unstake', node: 10n, amount: 2n * S, nonce: 2n },
      { kind: 'stake', node: 10n, amount: 50n * S, nonce: 1n },
      { kind: 'transfer', from: 20n, to: 30n, amount: S, nonce: 1n },
    ],
  });

  // Step 5: field flow.
  const flow = (name: string, genesis: string, psi: bigint[], flx: bigint[], constants?: Partial<Constants>) =>
    add('flow', name, genesis, constants, { psi: strs(psi), flx: strs(flx) }, (topo) => {
      const r = fieldFlow(topo, fieldFromPsi(topo, psi), flx);
      return { flx: strs(r.flx), flows: r.flows, moves: r.moves };
    });
  flow('example at genesis (sources over and under budget)', 'example', psiOfState('example'), col('example', 'flx'));
  flow('every demand within budget', 'example', psiOfState('example'), [1000n * S, 1000n * S, 1000n * S, 1000n * S]);
  flow('sources with no flx: entries with amount 0 and no move', 'example', psiOfState('example'), [0n, 0n, 0n, 7n * S]);
  flow('a node both source and target; budget from the balance before any flow', 'example', [S, 2n * S, 4n * S, 8n * S], [4n * S, 10n, 3n, 0n]);
  flow('a zero gradient carries nothing; a demand flooring to 0 is not listed', 'example', [5n * S, 5n * S, 5n * S + 1n, 7n * S], [S, S, S, S]);
  flow('KAPPA 1: demands floor to 0 except the largest gradients', 'example', [0n, S, S - 1n, 3n * S], [S, S, S, S], { kappa: 1n });
  flow('FLOW_RATE SCALE/2 on the triangle', 'triangle', psiOfState('triangle'), col('triangle', 'flx'));
  flow('default at genesis', 'default', psiOfState('default'), col('default', 'flx'));
  flow('a target pushed out of range: E_MATH out_of_range', 'example', [S, 5n * S, 2n * S, 3n * S], [10n * S, LIMIT - 1n, 10n * S, 0n]);

  // Step 6: CHR rebalancing.
  const chr = (name: string, genesis: string, psi: bigint[], chrs: bigint[], dis: bigint[], pool: bigint, constants?: Partial<Constants>) =>
    add('chr', name, genesis, constants, { psi: strs(psi), chr: strs(chrs), dis: strs(dis), chr_pool: pool }, (topo) => {
      const r = rebalanceChr(topo, fieldFromPsi(topo, psi), chrs, dis, pool);
      return { chr: strs(r.chr), chr_pool: r.chr_pool, record: r.record };
    });
  chr('example at genesis', 'example', psiOfState('example'), col('example', 'chr'), col('example', 'dis'), 0n);
  chr('a pool carried over, floor remainders kept', 'example', [7n, 11n, 13n, 0n], [3n * S + 1n, 5n * S + 7n, S, 9n], [S / 3n, S, 1n, S / 7n], 12345n);
  chr('Σψ = 0: no shares, the pool keeps P', 'example', [0n, 0n, 0n, 0n], col('example', 'chr'), [S, S, S, S], 5n);
  chr('PENALTY_RATE 0: only the pool is shared', 'example', psiOfState('example'), col('example', 'chr'), col('example', 'dis'), 999n, { penalty_rate: 0n });
  chr('PENALTY_RATE SCALE, dis SCALE: the whole chr is paid in', 'example', [S, 0n, 2n * S, 0n], col('example', 'chr'), [S, S, S, S], 0n, { penalty_rate: S });
  chr('default at genesis', 'default', psiOfState('default'), col('default', 'chr'), col('default', 'dis'), 0n);

  // Step 7: resonance — the three branches and their edges.
  const res = (name: string, genesis: string, psi: bigint[], r: bigint[], constants?: Partial<Constants>) =>
    add('res', name, genesis, constants, { psi: strs(psi), res: strs(r) }, (topo) => {
      const x = resonance(topo, fieldFromPsi(topo, psi), r);
      return { res: strs(x.res), record: x.record };
    });
  const exPsi = psiOfState('example');
  res('Σres > cap: every balance scaled down, nothing generated', 'example', exPsi, [10n * S, 3n * S, 7n * S + 1n, 2n]);
  res('generation within the room: every credit whole', 'example', exPsi, [0n, 0n, 0n, 0n], { res_cap_ratio: 100n * S });
  res('generation over the room: each credit scaled by room / Gen', 'example', exPsi, col('example', 'res'));
  res('Σres = cap exactly: room 0, credits 0 (listed)', 'example', [S, 2n * S, 3n * S, 4n * S], [S, 2n * S, 3n * S, 4n * S]);
  res('no aligned edge: no credit', 'example', [0n, 10n * S, 20n * S, 30n * S], [1n, 2n, 3n, 4n]);
  res('ALIGN_TOL 0: only equal densities align', 'example', [S, S, 2n * S, S], [0n, 0n, 0n, 0n], { align_tol: 0n });
  res('triangle at genesis (aligned exactly at ALIGN_TOL)', 'triangle', psiOfState('triangle'), col('triangle', 'res'));
  res('default at genesis', 'default', psiOfState('default'), col('default', 'res'));

  // Step 8: PSY.
  const psy = (name: string, genesis: string, psi: bigint[], p: bigint[], constants?: Partial<Constants>) =>
    add('psy', name, genesis, constants, { psi: strs(psi), psy: strs(p) }, (topo) => {
      const x = mintPsy(topo, fieldFromPsi(topo, psi), p);
      return { psy: strs(x.psy), psy_minted: x.psy_minted, psy_exhausted: x.psy_exhausted };
    });
  psy('example at genesis', 'example', exPsi, col('example', 'psy'));
  psy('PSY_RATE 0: zero mints', 'example', exPsi, col('example', 'psy'), { psy_rate: 0n });
  // ψ·PSY_RATE/SCALE with ψ = [100, 200, 300, 400]·SCALE and PSY_RATE = SCALE/100: the mint is 10·SCALE.
  const mintPsi = [100n * S, 200n * S, 300n * S, 400n * S];
  psy('supply + mint = 2^127 − 1: minted', 'example', mintPsi, [LIMIT - 1n - 10n * S, 0n, 0n, 0n]);
  psy('supply + mint = 2^127: exhausted, nothing minted', 'example', mintPsi, [LIMIT - 10n * S - 5n, 5n, 0n, 0n]);
  psy('supply alone at 2^127 − 1, zero mint: minted (nothing)', 'example', [0n, 0n, 0n, 0n], [LIMIT - 1n, 0n, 0n, 0n]);
  psy('default at genesis', 'default', psiOfState('default'), col('default', 'psy'));

  // Step 9: rewards.
  const exChrSupply = sum(col('example', 'chr'));
  const rewards = (name: string, genesis: string, psi: bigint[], chrs: bigint[], r: bigint[], treasury: bigint, chrSupplyValue: bigint, constants?: Partial<Constants>) =>
    add('rewards', name, genesis, constants, { psi: strs(psi), chr: strs(chrs), res: strs(r), treasury, chr_supply: chrSupplyValue }, (topo) => {
      const x = holoRewards({ ...topo, chrSupply: chrSupplyValue }, fieldFromPsi(topo, psi), chrs, r, treasury);
      return x;
    });
  rewards('example at genesis', 'example', exPsi, col('example', 'chr'), col('example', 'res'), 1000n * S, exChrSupply);
  rewards('W = 0 (every ψ below BASE): no rewards', 'example', [S - 1n, S / 2n, 0n, 3n], col('example', 'chr'), col('example', 'res'), 1000n * S, exChrSupply);
  rewards('the A_MAX cap and RES feedback capped at SCALE', 'example', [100n * S, 3n * S, 2n * S - 1n, S], col('example', 'chr'), [5n * S, S - 1n, S, 0n], 777n * S + 3n, exChrSupply);
  rewards('an empty treasury: budget 0', 'example', exPsi, col('example', 'chr'), col('example', 'res'), 0n, exChrSupply);
  rewards('floor shares leave a remainder', 'example', [2n * S, 2n * S, 2n * S, 2n * S], [S, S, S, S], [0n, 0n, 0n, 0n], 10n, 4n * S, { release_rate: S / 10n });
  rewards('default at genesis', 'default', psiOfState('default'), col('default', 'chr'), col('default', 'res'), genesisNamed('default').treasury, sum(col('default', 'chr')));
  rewards('a weight out of range: E_MATH out_of_range', 'example', [2n ** 125n, 2n ** 125n, 0n, 0n], [2n ** 88n, 2n ** 88n, S, S], [S, S, 0n, 0n], S, 2n ** 89n + 2n * S, { a_max: 64n, base: 1n });

  // Step 10: treasury distribution.
  const treasury = (name: string, genesis: string, r: bigint[], flx: bigint[], userFlx: bigint[], t: bigint, constants?: Partial<Constants>) =>
    add('treasury', name, genesis, constants, { r: strs(r), flx: strs(flx), user_flx: strs(userFlx), treasury: t }, (topo) => {
      const x = distributeTreasury(topo, r, flx, userFlx, t);
      return { flx: strs(x.nodeFlx), user_flx: strs(x.userFlx), treasury: x.treasury, k: strs(x.cuts), paid: x.paid, users: x.users, moves: x.moves };
    });
  const zerosU = (name: string) => Array.from({ length: userCount(name) }, () => 0n);
  treasury('example: cuts, weighted users, node 3 has no users (k = r)', 'example', [10n * S + 7n, 3n * S + 1n, 5n * S, 4n * S + 2n], col('example', 'flx'), zerosU('example'), 1000n * S);
  treasury('zero rewards and tiny ones: zero amounts are not moves', 'example', [0n, 3n, 1n, 2n], col('example', 'flx'), [1n, 2n, 3n, 4n, 5n, 6n], 100n);
  treasury('NODE_COMMISSION SCALE: everything to the nodes', 'example', [10n, 20n, 30n, 40n], [0n, 0n, 0n, 0n], zerosU('example'), 100n, { node_commission: S });
  treasury('NODE_COMMISSION 0: no cut is recorded for nodes with users', 'example', [10n, 20n, 30n, 40n], [0n, 0n, 0n, 0n], zerosU('example'), 100n, { node_commission: 0n });
  treasury('triangle: user ids out of node order, a weight of 2^40', 'triangle', [S, 2n * S + 1n, 3n * S, 5n * S], col('triangle', 'flx'), zerosU('triangle'), 12345n * S);
  const defHolo = holoRewards(topology(genesisNamed('default')), openingField(topology(genesisNamed('default')), patchedState('default').nodes), col('default', 'chr'), col('default', 'res'), genesisNamed('default').treasury);
  treasury('default at genesis (step 9\'s rewards)', 'default', defHolo.nodes.map((x) => x.r), col('default', 'flx'), zerosU('default'), genesisNamed('default').treasury);

  return {
    format: 'qfs-vectors/1',
    section: '§6 steps 4–10 (HarmonicEconomics, HoloRewardEngine, TreasuryDistributionEngine), each step alone',
    conventions:
      `${GENESES_TEXT} A case runs one step on the topology and constants of its genesis, with \`constants\` (if present) replacing some of them. ` +
      'Every node-aligned list (psi, flx, chr, dis, res, psy, stake, atr, nonce, r, k) is in node id order; user_flx in user id order. ' +
      'The opening field of steps 5–10 is §5 computed from the given psi (gradients, demands, Σψ). ' +
      'actions (step 4): inputs are S\'s node balances and nonces, S\'s queue and coherence, the opening C, t and the voters\' (valid) actions in any order; outputs the balances, nonces, queue (sorted by (node, nonce)), moves, and whether C <= coherence released the queue. ' +
      'flow (5): outputs flx after the flows, the record\'s flows and the moves. chr (6): inputs chr and dis of S and chr_pool; outputs chr, chr_pool and the record\'s chr. ' +
      'res (7): inputs res of S; outputs res and the record\'s res. psy (8): inputs psy after step 4; outputs psy, psy_minted, psy_exhausted. ' +
      'rewards (9): inputs chr and res of S, the treasury, CHR_SUPPLY; outputs budget R, total_weight W, and { node, m, w, r } per node. ' +
      'treasury (10): inputs r per node, node flx after step 5, user flx and the treasury; outputs the balances, the cut k per node, paid = Σk + Σu, the record\'s users and the moves. ' +
      'An error case is { code, reason } of the MathViolation the step raises (P1.1).',
    decisions: [
      'Where the spec text leaves a choice open, these vectors take (and pin) this one:',
      'step 4: new unstake entries join the queue, sorted by (node, nonce), before the release; released entries move in that order, after every action\'s move.',
      'step 5: budgets come from the balances after step 4, before any flow: what a node receives never raises its budget.',
      'step 7: Gen is the sum of every credit, two per aligned edge (one per end); Σres = cap is not over the cap: room 0, every credit listed with value 0.',
      'step 8: on psy_exhausted, psy_minted still lists every node, with 0.',
      'every sum the spec names (Σψ, a source\'s demand D_i, Σp, P, Gen, W, Σs, Σ res, what the treasury pays) must be below 2^127 (E_MATH out_of_range otherwise); the exhaustion test of step 8 is exact.',
    ],
    geneses: genesesUsed(used),
    cases,
  };
}
