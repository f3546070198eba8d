/** The chains of epochs.json: each a start state and a plan per epoch. */
import type { Json } from '../../src/math/canonical.ts';
import type { Patch } from '../patch.ts';
import { S, s } from './common.ts';
import { act, answer, corrupt, noInputs, notOracleSecret, reachedStart, runChain, signedRaw, snap, submitted, type ChainResult, type ChainView, type Plan } from './epoch-chain.ts';

export function exampleChain(): ChainResult {
  const plans: Plan[] = [
    // t = 1
    (c) => {
      const A = snap(c.ctx, 1n, [[2n, S / 2n]]);
      const snapshots = [
        A,
        corrupt(A),
        snap(c.ctx, 0n, [[1n, S]]),
        snap(c.ctx, 2n, [[3n, S]]),
        snap(c.ctx, 1n, [[4n, 0n]], notOracleSecret()),
        signedRaw({ genesis: '00'.repeat(32), epoch: '1', dis: [] }),
      ];
      return {
        snapshots,
        validator: answer(c, snapshots),
        actions: submitted(
          [
            0n,
            [
              act.tr(3n, 4n, S, 1n),
              act.ps(2n, 3n, S, 1n),
              act.st(2n, S / 10n, 2n),
              act.un(2n, S / 4n, 3n),
              act.tr(3n, 1n, 10n * S, 2n),
              act.ps(2n, 1n, S, 4n),
              act.tr(3n, 3n, S, 2n),
              { kind: 'transfer', from: '3', to: '4', amount: '-1', nonce: '2' },
              { kind: 'mint', node: '3', amount: '1', nonce: '2' },
              { kind: 'stake', node: '2', amount: '1', nonce: '4', extra: '1' },
              act.tr(3n, 4n, S, 1n),
              act.tr(3n, 99n, S, 2n),
              act.tr(3n, 4n, 0n, 2n),
              act.tr(3n, 4n, S, 5n),
              act.tr(1n, 2n, S, 1n),
            ],
          ],
          [1n, [act.un(1n, S / 2n, 1n), act.st(1n, S, 2n), act.st(4n, S / 20n, 1n)]], // node 4 has no flx yet: overdraft
          [2n, [act.tr(1n, 2n, S, 3n)]],
        ),
      };
    },
    // t = 2
    (c) => {
      const G1 = snap(c.ctx, 2n, [[1n, S / 4n]]);
      const snapshots = [G1, snap(c.ctx, 2n, [[1n, S / 8n]]), snap(c.ctx, 1n, [[2n, 0n]]), corrupt(G1)];
      return {
        snapshots,
        validator: answer(c, snapshots, [[1n, 1n], [4n, 10n ** 30n]]),
        actions: submitted([1n, [act.un(1n, S / 4n, 3n), act.tr(1n, 3n, 2n * S, 2n)]], [0n, [act.tr(2n, 4n, S, 4n), act.ps(3n, 2n, S / 2n, 2n)]]),
      };
    },
    // t = 3
    (c) => {
      const snapshots = [snap(c.ctx, 0n, [[1n, 0n]]), snap(c.ctx, 3n, [[2n, S], [3n, S / 2n]])];
      return {
        snapshots,
        validator: answer(c, snapshots, [], 2n),
        actions: submitted([0n, [act.un(2n, S / 8n, 5n), act.st(3n, S / 100n, 3n)]], [1n, [act.tr(4n, 1n, S / 3n, 1n)]]),
      };
    },
    // t = 4: nothing at all
    () => noInputs,
    // t = 5
    (c) => {
      const snapshots = [
        signedRaw({ genesis: c.ctx.genesisHash, epoch: s(2n ** 63n), dis: [] }),
        snap(c.ctx, 2n ** 63n - 1n, []),
        snap(c.ctx, 5n, []),
        snap(c.ctx, 4n, [[1n, 0n]]),
      ];
      const psi = answer(c, snapshots) as { epoch: string; psi: Json[] };
      return {
        snapshots,
        validator: { epoch: psi.epoch, psi: psi.psi.slice(1) },
        actions: submitted([0n, [act.ps(2n, 3n, 2n * S, 6n), act.st(2n, S / 50n, 7n)]], [1n, [act.un(1n, S / 8n, 4n), act.st(4n, S / 30n, 2n)]]),
      };
    },
    // t = 6
    (c) => {
      const G = c.ctx.genesisHash;
      const snapshots = [
        snap(c.ctx, 5n, [[1n, S]]),
        snap(c.ctx, 6n, [[99n, 0n]]),
        snap(c.ctx, 6n, [[2n, S + 1n]]),
        snap(c.ctx, 6n, [[3n, 0n], [2n, 0n]]),
        snap(c.ctx, 6n, [[1n, S], [1n, S]]),
        signedRaw({ genesis: G, epoch: '6', dis: [], note: 'x' }),
        signedRaw({ genesis: G, epoch: '06', dis: [] }),
        signedRaw({ genesis: G, epoch: '6', dis: [{ node: '1', value: '-1' }] }),
      ];
      return { snapshots, validator: answer(c, snapshots), actions: submitted([0n, [act.tr(3n, 2n, S / 7n, 4n)]], [1n, [act.tr(1n, 4n, S, 5n), act.tr(4n, 1n, S / 10n, 3n)]]) };
    },
    // t = 7: a quiet epoch that releases what is still queued, if C did not rise
    (c) => {
      const snapshots = [snap(c.ctx, 7n, [[1n, S], [4n, S]])];
      return { snapshots, validator: null, actions: submitted([1n, [act.st(1n, S / 100n, 6n)]]) };
    },
  ];
  return runChain('example', 'the 4-node example: every EA-11 reason, both validator faults, every refusal code, every move kind, queued and released unstakes', 'example', [], plans, true);
}

export function triangleChain(): ChainResult {
  const plans: Plan[] = [
    (c) => {
      const snapshots = [snap(c.ctx, 1n, [[10n, 0n]]), snap(c.ctx, 0n, [])];
      return {
        snapshots,
        validator: null,
        actions: submitted(
          [5n, [act.tr(10n, 20n, S, 1n), act.st(30n, S / 10n, 1n), act.un(10n, S, 2n)]],
          [7n, [act.tr(20n, 40n, S / 2n, 1n)]],
          [9n, [act.tr(40n, 30n, S, 1n), act.ps(40n, 40n, S, 2n)]],
        ),
      };
    },
    (c) => {
      const snapshots = [snap(c.ctx, 2n, [[20n, S]]), snap(c.ctx, 1n, [[30n, 0n]])];
      return { snapshots, validator: answer(c, snapshots, [[40n, 0n]]), actions: submitted([5n, [act.un(10n, S / 2n, 3n), act.ps(20n, 10n, S, 2n)]], [7n, [act.ps(20n, 20n, S, 2n)]]) };
    },
    (c) => {
      const snapshots = [snap(c.ctx, 3n, [[30n, 0n]], notOracleSecret())];
      return { snapshots, validator: answer(c, snapshots), actions: submitted([5n, [act.ps(10n, 30n, S / 10n, 4n), act.ps(30n, 10n, S, 2n)]], [9n, [act.st(40n, S, 2n)]]) };
    },
    () => noInputs,
  ];
  return runChain('triangle', 'shard ids with gaps, ORACLE_WINDOW 0 (only a snapshot of epoch t is admissible), NODE_COMMISSION 0', 'triangle', [], plans, true);
}

export function haltedChain(): ChainResult {
  const patch: Patch = [
    { op: 'set', path: ['shards', 1, 'halted_until'], value: '2' },
    { op: 'set', path: ['shards', 1, 'violations'], value: '1' },
    { op: 'set', path: ['shards', 2, 'blacklisted'], value: true },
    { op: 'set', path: ['shards', 2, 'violations'], value: '3' },
  ];
  const acts = (c: ChainView) =>
    submitted(
      [0n, [act.tr(3n, 1n, S / 2n, c.S.nodes[2]!.nonce + 1n)]],
      [1n, [act.tr(1n, 2n, S, c.S.nodes[0]!.nonce + 1n), act.un(1n, S / 10n, c.S.nodes[0]!.nonce + 2n)]],
      [2n, [act.tr(4n, 2n, S, 1n)]],
    );
  const plans: Plan[] = [(c) => ({ snapshots: [], validator: null, actions: acts(c) }), (c) => ({ snapshots: [], validator: null, actions: acts(c) }), (c) => ({ snapshots: [], validator: null, actions: acts(c) })];
  return runChain('example-halted', 'constructed start: shard 1 halted until epoch 2, shard 2 blacklisted; their submissions are not proposed (and not refused) while inactive, their nodes stay in the economy', 'example', patch, plans, true);
}

export function frozenChain(): ChainResult {
  const plans: Plan[] = [
    (c) => {
      const snapshots = [snap(c.ctx, 1n, [[1n, S]])];
      return { snapshots, validator: answer(c, snapshots), actions: submitted([0n, [act.tr(3n, 4n, S, 1n)]]) };
    },
    () => noInputs,
  ];
  return runChain('example-frozen', 'constructed start: mode "safe" — frozen epochs read nothing (inputs { epoch, snapshots: [], validator: null, proposals: [] })', 'example', [{ op: 'set', path: ['mode'], value: 'safe' }], plans, true);
}

export function noQuorumChain(): ChainResult {
  const patch: Patch = [0, 1, 2].map((i) => ({ op: 'set', path: ['shards', i, 'halted_until'], value: '1' }));
  const plans: Plan[] = [
    (c) => {
      const snapshots = [snap(c.ctx, 1n, [[4n, 0n]]), snap(c.ctx, 2n, [])];
      return { snapshots, validator: answer(c, snapshots, [[2n, 0n]]), actions: submitted([0n, [act.tr(3n, 4n, S, 1n)]]) };
    },
    (c) => {
      const snapshots = [snap(c.ctx, 1n, [[4n, 0n]])];
      return { snapshots, validator: null, actions: submitted([0n, [act.tr(3n, 4n, S, 1n)]]) };
    },
  ];
  return runChain(
    'example-no-quorum',
    'constructed start: every shard halted until epoch 1 — epoch 1 has no voter and aborts (no_quorum, votes 0, needed 1; the admitted snapshot changes nothing), and epoch 2 admits the same snapshot',
    'example',
    patch,
    plans,
    true,
  );
}

/**
 * psy_exhausted from a state a valid genesis reaches: psy-max after its empty epochs up to the last
 * one that mints. Epoch 1 of the chain mints, epoch 2 would take the supply to 2^127 and mints
 * nothing (a psy_transfer still moves PSY), epoch 3 stays exhausted.
 */
export function psyExhaustedChain(): ChainResult {
  const start = reachedStart('psy-max', (r) => r.events.some((e) => e.kind === 'psy_exhausted'), 2);
  const plans: Plan[] = [() => noInputs, () => ({ snapshots: [], validator: null, actions: submitted([0n, [act.ps(0n, 1n, 10n ** 20n, 1n)]]) }), () => noInputs];
  return runChain(
    'psy-max-exhausted',
    `start: the state psy-max reaches after ${start.epoch} epochs with no input (every §3 supply at its bound, PSY_RATE = SCALE); epoch 1 of the chain mints, then the PSY supply plus the mint would reach 2^127: psy_exhausted, nothing minted`,
    'psy-max',
    start.patch,
    plans,
    true,
  );
}

export function singleChain(): ChainResult {
  const plans: Plan[] = [
    () => ({ snapshots: [], validator: null, actions: submitted([0n, [act.st(0n, S / 100n, 1n), act.un(0n, S / 100n, 2n), act.tr(0n, 0n, S, 3n)]]) }),
    (c) => ({ snapshots: [snap(c.ctx, 2n, [[0n, S]])], validator: null, actions: submitted([0n, [act.tr(0n, 1n, S, 3n)]]) }),
    () => noInputs,
  ];
  return runChain('single', 'one node, no edge: no flow, no resonance credit, an empty treasury', 'single', [], plans, true);
}

/** Step 3's bounds on each side, as the honest agent applies them (P6.9): every sum exactly at its limit is taken, one more is refused. */
export function boundsChain(): ChainResult {
  const plans: Plan[] = [
    () => ({
      snapshots: [],
      validator: null,
      actions: submitted(
        [
          0n,
          [
            act.tr(3n, 1n, S, 1n),
            act.tr(3n, 4n, S + 4n, 2n), // Σ = flx of node 3 exactly
            act.tr(3n, 4n, 1n, 3n), // overdraft
            act.ps(2n, 3n, 5n * S, 1n), // psy of node 2 exactly
            act.ps(2n, 3n, 1n, 2n), // overdraft
            act.un(2n, S / 4n, 2n),
          ],
        ],
        // Shard 1: C_s = 5·SCALE, bound SCALE/2; staking x on node 1 moves C_s by exactly x.
        [1n, [act.st(1n, S / 4n, 1n), act.st(1n, S / 4n, 2n), act.st(1n, 1n, 3n)]],
      ),
    }),
    () => ({
      snapshots: [],
      validator: null,
      // Node 2: stake S/2 in S with S/4 queued: S/4 more is the limit.
      // Node 3 reuses nonce 1, taken in epoch 1: bad_nonce (nonce_conflict is for a nonce taken in this epoch).
      actions: submitted([0n, [act.un(2n, S / 4n, 3n), act.un(2n, 1n, 4n), act.tr(3n, 4n, 1n, 1n), act.tr(3n, 4n, 1n, 3n), act.tr(3n, 4n, 2n, 3n)]]),
    }),
  ];
  return runChain('example-step3-bounds', 'every step-3 limit met exactly (taken) and passed by one (refused): flx, psy, stake minus queued unstakes, the EA-9 bound', 'example', [], plans, true);
}

/** A shard whose C_s is below one unit: EA-9's bound is mulDiv(max(C_s, SCALE), DELTA_MAX, SCALE). */
export function lowCoherenceChain(): ChainResult {
  const plans: Plan[] = [
    (c) => ({
      snapshots: [snap(c.ctx, 1n, [[0n, S]])], // ψ = SCALE/2 after the oracle
      validator: null,
      actions: submitted([0n, [act.st(0n, S / 5n, 1n), act.st(0n, 2n, 2n)]]),
    }),
  ];
  return runChain('single-low-coherence', 'C_s = SCALE/2 after the oracle: a stake moving it by exactly SCALE/10 is taken, by one more refused', 'single', [], plans, true);
}

export function defaultChain(): ChainResult {
  const N = 72;
  const plan =
    (k: number): Plan =>
    (c) => {
      const topo = c.ctx.topology;
      const st = c.S;
      const byShard = new Map<bigint, Json[]>();
      const push = (i: number, a: Json) => {
        const shard = topo.shardIds[topo.nodeShard[i]!]!;
        byShard.set(shard, [...(byShard.get(shard) ?? []), a]);
      };
      st.nodes.forEach((n, i) => {
        let nonce = n.nonce;
        const queued = st.unstakes.filter((u) => u.node === n.id).reduce((x, u) => x + u.amount, 0n);
        if ((i + k) % 3 === 0) {
          const to = topo.nodeIds[(i * 7 + k + 1) % N]!;
          if (to !== n.id && n.flx / 5n > 0n) push(i, act.tr(n.id, to, n.flx / 5n, ++nonce));
        }
        if ((i + k) % 4 === 1) {
          const amount = n.atr / 50n + 1n < n.flx / 4n ? n.atr / 50n + 1n : n.flx / 4n;
          if (amount > 0n) push(i, act.st(n.id, amount, ++nonce));
        }
        if ((i + k) % 5 === 2 && n.stake - queued > 0n) push(i, act.un(n.id, (n.stake - queued) / 3n + 1n, ++nonce));
        if ((i + k) % 2 === 0 && n.psy > 0n) {
          const members = topo.shardNodes[topo.nodeShard[i]!]!;
          const to = topo.nodeIds[members[(members.indexOf(i) + 1 + k) % members.length]!]!;
          if (to !== n.id) push(i, act.ps(n.id, to, n.psy / 4n + 1n, ++nonce));
        }
        // An over-large stake (EA-9 or overdraft) now and then; the agent refuses it.
        if ((i + k) % 11 === 5) push(i, act.st(n.id, n.flx, nonce + 1n));
      });
      const t = c.t;
      const snapshots = [snap(c.ctx, t, [[BigInt((k * 11) % N), (BigInt(k + 1) * S) / 8n], [BigInt((k * 11 + 5) % N), 0n]]), snap(c.ctx, t - 1n, [[0n, S]])];
      const validator = k % 3 === 0 ? answer(c, snapshots) : k % 3 === 1 ? answer(c, snapshots, [[BigInt(k), 0n], [BigInt(k + 40), 1n]]) : null;
      return { snapshots, validator, actions: [...byShard].map(([shard, actions]) => ({ shard, actions })) };
    };
  return runChain('default', 'the 72-node default genesis: six epochs with many actions, snapshots and validator answers (hashes and roots only)', 'default', [], [0, 1, 2, 3, 4, 5].map(plan), false);
}
