/**
 * Metamorphic and targeted properties of the economy (SPEC §9, §6 steps 1, 2, 9, 10):
 *
 *   reward.monotone      raising one node's chr, atr or res, or lowering its dis, in a valid state
 *                        (reached by honest epochs) never lowers its reward (the whole epoch is run)
 *   treasury.exact       every committed epoch pays exactly Σ k_i + Σ u, recomputed from the
 *                        rewards, the commission and the user weights; what stays is the floor
 *                        remainders (< number of nodes + number of users)
 *   ledger.deterministic permuting the submitted actions across arrival order (and shard groups)
 *                        gives the same root, the same record bytes and the same refusals
 *   oracle.EA-11         stale, future, replayed, superseded, bad-signature and malformed snapshots
 *                        produce exactly those EA-11 incidents, and the admitted one is applied
 *   validator.EA-12      a lying validator gives exactly one EA-12 incident listing exactly the
 *                        differing nodes, and never changes the state (same root as without it)
 *
 * States are reached with the commands of models/commands/ (plain data run by `fc.modelRun`),
 * so every epoch on the way is also checked by the catalog.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { canonicalString, type Encodable, type Json } from '../src/math/canonical.ts';
import { SCALE } from '../src/math/certified-math.ts';
import { replayHonestEpoch, runHonestEpoch, type EpochContext, type EpochInputs } from '../src/epoch/epoch.ts';
import type { Genesis } from '../src/genesis/genesis.ts';
import { checkStep } from '../src/invariants/catalog.ts';
import type { SignedSnapshot } from '../src/epoch/oracle.ts';
import { initialState, stateRoot, type State } from '../src/economics/state.ts';
import { validatorDigest } from '../src/epoch/validator.ts';
import type { CommandData } from '../models/commands/data.ts';
import type { Engine, EpochOutput } from '../models/commands/engine.ts';
import { economySetup, type EconomyModel, type EconomyReal } from '../models/commands/model.ts';
import { permuted } from '../models/commands/advance.ts';
import { commandsFromData } from '../models/commands/command.ts';
import { advanceData, duplicateData, submitData, validatorData } from '../models/commands/arbitraries.ts';
import { asJson, economyContext, economyGenesis, signedSnapshot } from '../models/economy.ts';
import { modelNodes, modelPsi, oracleDigest } from '../models/spec-model.ts';

const S = SCALE;
const numRuns = (fallback: number): number => fc.readConfigureGlobal().numRuns ?? fallback;
const started = Date.now();
const seen: Record<string, Record<string, number>> = {};
const note = (property: string, what: string): void => {
  const p = (seen[property] ??= {});
  p[what] = (p[what] ?? 0) + 1;
};
afterAll(() => {
  const lines = Object.entries(seen).map(([p, c]) => `  ${p}: ${Object.entries(c).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`[qfs] economy.metamorphic (${((Date.now() - started) / 1000).toFixed(1)} s):\n${lines.join('\n')}`);
});

/** Runs the commands (plain data) from the genesis; returns the real system (state, pending inputs). */
function drive(genesis: Genesis, data: readonly CommandData[], engine?: Engine): { model: EconomyModel; real: EconomyReal } {
  const setup = economySetup(genesis, engine);
  let out: { model: EconomyModel; real: EconomyReal } | undefined;
  fc.modelRun(() => (out = setup()), commandsFromData(data));
  return out!;
}

/** Commands that reach a valid state: actions and epochs (each epoch checked by the catalog). */
const history = fc.array(fc.oneof({ arbitrary: submitData as fc.Arbitrary<CommandData>, weight: 4 }, { arbitrary: advanceData as fc.Arbitrary<CommandData>, weight: 1 }), { maxLength: 14 });
/** Submissions for one epoch (valid and invalid, some duplicated). */
const submissions = fc.array(fc.oneof({ arbitrary: submitData as fc.Arbitrary<CommandData>, weight: 6 }, { arbitrary: duplicateData as fc.Arbitrary<CommandData>, weight: 1 }), { minLength: 1, maxLength: 12 });

const noInputs: EpochInputs = { snapshots: [], validator: null, actions: [] };
const text = (v: unknown): string => canonicalString(v as Encodable);

describe('economy.metamorphic', () => {
  test('reward.monotone: raising one node\'s chr, atr or res, or lowering its dis, never lowers its reward', () => {
    const change = fc.record({
      node: fc.nat(15),
      /** Pick among the nodes that earn a reward (when any does): a zero reward kept at zero shows little. */
      rewarded: fc.boolean(),
      /** Add this many halves of the current value to delta (a relative raise). */
      relative: fc.nat(2),
      what: fc.constantFrom('chr' as const, 'atr' as const, 'res' as const, 'dis' as const),
      delta: fc.oneof(fc.constantFrom(1n, S / 4n, S), fc.bigInt({ min: 1n, max: 10n ** 24n }), fc.bigInt({ min: 1n, max: 2n ** 88n })),
    });
    fc.assert(
      fc.property(economyGenesis(), history, change, (genesis, cmds, c) => {
        const { real } = drive(genesis, cmds);
        const ctx = real.ctx;
        const st = real.state;
        const before = runHonestEpoch(ctx, st, noInputs);
        const earning = before.record.rewards.nodes.flatMap((x, j) => (x.r > 0n ? [j] : []));
        const i = c.rewarded && earning.length > 0 ? earning[c.node % earning.length]! : c.node % st.nodes.length;
        const n = st.nodes[i]!;
        const delta = c.delta + (c.what === 'dis' ? (n.dis * BigInt(c.relative)) / 2n : (n[c.what] * BigInt(c.relative)) / 2n);
        const chrSupply = ctx.topology.chrSupply;
        // chr stays ≤ the genesis CHR supply (weights in range); dis stays in [0, SCALE].
        const raised: State = {
          ...st,
          nodes: st.nodes.map((m, j) => {
            if (j !== i) return m;
            switch (c.what) {
              case 'chr':
                return { ...m, chr: m.chr + delta > chrSupply ? chrSupply : m.chr + delta };
              case 'atr':
                return { ...m, atr: m.atr + delta };
              case 'res':
                return { ...m, res: m.res + delta };
              case 'dis':
                return { ...m, dis: m.dis > delta ? m.dis - delta : 0n };
            }
          }),
        };
        if (text(raised.nodes[i]) === text(n)) return; // nothing to raise (chr at the supply, dis at 0)
        const after = runHonestEpoch(ctx, raised, noInputs);
        for (const [prev, out] of [[st, before], [raised, after]] as const) expect(checkStep(ctx, prev, out.record, out.state, out.inputs)).toEqual([]);
        const r0 = before.record.rewards.nodes[i]!.r;
        const r1 = after.record.rewards.nodes[i]!.r;
        note('reward.monotone', `${c.what} ${r1 > r0 ? 'raised the reward' : 'kept the reward'}${r0 === 0n && r1 === 0n ? ' (0)' : ''}`);
        if (r1 < r0) throw new Error(`reward.monotone broken: raising node ${n.id}'s ${c.what} by ${delta} lowered its reward\n  expected: >= ${r0}\n  actual:   ${r1}`);
      }),
      { numRuns: numRuns(150) },
    );
  });

  test('treasury.exact: the treasury pays exactly Σ k_i + Σ u, recomputed; only floor remainders stay', () => {
    fc.assert(
      fc.property(economyGenesis(), fc.array(fc.oneof({ arbitrary: submitData as fc.Arbitrary<CommandData>, weight: 2 }, { arbitrary: advanceData as fc.Arbitrary<CommandData>, weight: 1 }), { minLength: 1, maxLength: 16 }), (genesis, cmds) => {
        const epochs: { S: State; out: EpochOutput }[] = [];
        const recording: Engine = {
          name: 'honest (recorded)',
          run: (ctx, S0, inputs) => {
            const out = runHonestEpoch(ctx, S0, inputs);
            epochs.push({ S: S0, out });
            return out;
          },
          replay: replayHonestEpoch,
        };
        drive(genesis, [...cmds, { cmd: 'advance', perm: 1 }], recording);
        const g = genesis;
        const k = g.constants.node_commission;
        for (const { S: prev, out } of epochs) {
          if (out.record.outcome !== 'commit') continue;
          const R = (prev.treasury * g.constants.release_rate) / S;
          const nodes = out.record.rewards.nodes;
          const W = nodes.reduce((a, x) => a + x.w, 0n);
          let paid = 0n;
          let users = 0;
          g.nodes.forEach((gn, i) => {
            const r = nodes[i]!.r;
            expect(r).toBe(W === 0n ? 0n : (R * nodes[i]!.w) / W); // floor shares of the budget
            const cut = gn.users.length === 0 ? r : (r * k) / S;
            expect(nodes[i]!.k).toBe(cut);
            paid += cut;
            const weight = gn.users.reduce((a, u) => a + u.weight, 0n);
            for (const u of gn.users) {
              const share = ((r - cut) * u.weight) / weight;
              expect(out.record.rewards.users.find((x) => x.user === u.id)!.u).toBe(share);
              paid += share;
              users++;
            }
          });
          const moved = out.record.moves.filter((m) => m.kind === 'cut' || m.kind === 'payout').reduce((a, m) => a + m.amount, 0n);
          expect(moved).toBe(paid);
          expect(prev.treasury - out.state.treasury).toBe(paid);
          const kept = R - paid;
          expect(kept >= 0n).toBe(true);
          if (W > 0n) expect(kept < BigInt(g.nodes.length + users)).toBe(true);
          note('treasury.exact', W === 0n ? 'commits with W = 0 (nothing paid)' : kept === 0n ? 'commits paying the whole budget' : 'commits keeping floor remainders');
        }
      }),
      { numRuns: numRuns(100) },
    );
  });

  test('ledger.deterministic: permuting submitted actions across arrival order gives the same root, record bytes and refusals', () => {
    fc.assert(
      fc.property(economyGenesis(), history, submissions, fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), (genesis, before, now, perms) => {
        const { real } = drive(genesis, [...before, ...now]);
        const inputs: EpochInputs = { snapshots: real.snapshots, validator: null, actions: real.actions };
        const base = runHonestEpoch(real.ctx, real.state, inputs);
        const orders: EpochInputs[] = [
          { ...inputs, actions: [...inputs.actions].reverse() },
          // every shard's submissions as one group, shards in reverse order
          {
            ...inputs,
            actions: [...new Set(inputs.actions.map((a) => a.shard))].reverse().map((shard) => ({ shard, actions: inputs.actions.filter((a) => a.shard === shard).flatMap((a) => a.actions) })),
          },
          ...perms.map((p) => permuted(inputs, p)),
        ];
        for (const o of orders) {
          const again = runHonestEpoch(real.ctx, real.state, o);
          expect(again.record.root).toBe(base.record.root);
          expect(text(again.record)).toBe(text(base.record));
          expect(text(again.refusals.map((x) => [x.shard, x.code, x.digest]))).toBe(text(base.refusals.map((x) => [x.shard, x.code, x.digest])));
        }
        note('ledger.deterministic', `${base.refusals.length > 0 ? 'with' : 'without'} refusals, ${base.inputs.proposals.some((p) => p.actions.length > 1) ? 'several' : 'at most one'} action(s) per shard`);
      }),
      { numRuns: numRuns(150) },
    );
  });

  // A bounded set of economies (3 geneses, ORACLE_WINDOW 1, 2, 3) and snapshot contents, so that
  // ML-DSA-87 signatures repeat across runs and the signature cache makes them free.
  const POOL: Genesis[] = fc.sample(economyGenesis({ shards: 3, nodes: 5 }), { numRuns: 3, seed: 20251125 }).map((g, k) => ({ ...g, constants: { ...g.constants, oracle_window: BigInt(k + 1) } }));
  type Reason = 'admitted' | 'superseded' | 'stale' | 'future' | 'replayed' | 'bad_signature' | 'malformed';
  const ADMISSIBLE = 'admissible';

  test('oracle.EA-11: each snapshot reason is detected as the spec says; the admitted snapshot is applied', () => {
    const spec = fc.record({
      economy: fc.nat(POOL.length - 1),
      t: fc.integer({ min: 1, max: 8 }),
      lastBack: fc.nat(3),
      snaps: fc.array(
        fc.record({
          kind: fc.constantFrom(ADMISSIBLE, ADMISSIBLE, 'stale', 'future', 'replayed', 'bad_signature', 'malformed'),
          k: fc.nat(3),
          copies: fc.constantFrom('one', 'two', 'plus-wrong'),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      order: fc.nat(),
    });
    fc.assert(
      fc.property(spec, (p) => {
        const g = POOL[p.economy]!;
        const ctx: EpochContext = economyContext(g);
        const W = g.constants.oracle_window;
        const t = BigInt(p.t);
        const L = t - 1n - BigInt(p.lastBack) < 0n ? 0n : t - 1n - BigInt(p.lastBack);
        const st: State = { ...initialState(g, ctx.genesisHash), epoch: t - 1n, last_oracle_epoch: L };
        const ids = g.nodes.map((n) => n.id);
        type Built = { copies: SignedSnapshot[]; digest: string; intended: Reason | typeof ADMISSIBLE; epoch: bigint | null; dis: { node: bigint; value: bigint }[] };
        const built: Built[] = [];
        p.snaps.forEach((x, idx) => {
          // Distinct content per snapshot: node idx mod n with the value idx·S/8.
          const dis = [{ node: ids[idx % ids.length]!, value: (BigInt(idx + 1) * S) / 8n }];
          const k = BigInt(x.k);
          const lo = L + 1n > t - W ? L + 1n : t - W;
          const epoch: bigint | null =
            x.kind === ADMISSIBLE || x.kind === 'bad_signature'
              ? lo + (k % (t - lo + 1n))
              : x.kind === 'stale'
                ? t - W - 1n - k
                : x.kind === 'future'
                  ? t + 1n + k
                  : x.kind === 'replayed'
                    ? L - k
                    : null;
          if (x.kind === 'stale' && epoch! < 0n) return; // no stale epoch exists yet
          if (x.kind === 'replayed' && (epoch! < 0n || epoch! + W < t)) return; // none inside the window
          if (x.kind === 'malformed') {
            const snapshot = asJson({ genesis: ctx.genesisHash, epoch: t, dis: [{ node: ids[0]!, value: S + 1n + BigInt(idx) }] });
            built.push({ copies: [{ snapshot, signature: '' }], digest: oracleDigest(snapshot), intended: 'malformed', epoch: null, dis: [] });
            return;
          }
          const good = signedSnapshot(ctx, epoch!, dis, x.kind === 'bad_signature' ? 'wrong' : 'oracle');
          const copies = [good];
          if (x.copies === 'two') copies.push(good);
          // A wrong-key copy of a good snapshot changes nothing (signed iff one copy verifies).
          if (x.copies === 'plus-wrong' && x.kind !== 'bad_signature') copies.push(signedSnapshot(ctx, epoch!, dis, 'wrong'));
          built.push({ copies, digest: oracleDigest(good.snapshot), intended: x.kind as Reason, epoch, dis });
        });
        // The spec's decision, computed here: highest epoch, then lowest digest, among the admissible.
        const admissible = built.filter((b) => b.intended === ADMISSIBLE).sort((a, b) => (a.epoch! !== b.epoch! ? (a.epoch! > b.epoch! ? -1 : 1) : a.digest < b.digest ? -1 : 1));
        const winner = admissible[0];
        const expected = built
          .filter((b) => b !== winner)
          .sort((a, b) => (a.digest < b.digest ? -1 : 1))
          .map((b) => ({
            code: null,
            ea: 'EA-11',
            shard: null,
            evidence: { digest: b.digest, reason: b.intended === ADMISSIBLE ? 'superseded' : b.intended, epoch: b.epoch, admitted: b.intended === ADMISSIBLE ? winner!.digest : null },
          }));
        const copies = built.flatMap((b) => b.copies);
        const arrival = permuted({ snapshots: copies, validator: null, actions: [] }, p.order).snapshots;
        const out = runHonestEpoch(ctx, st, { snapshots: arrival, validator: null, actions: [] });
        expect(checkStep(ctx, st, out.record, out.state, out.inputs)).toEqual([]);
        expect(text(out.record.incidents)).toBe(text(expected));
        expect(text(out.record.events.filter((e) => e.kind === 'oracle_admitted'))).toBe(text(winner === undefined ? [] : [{ kind: 'oracle_admitted', digest: winner.digest, epoch: winner.epoch }]));
        const dis = st.nodes.map((n) => winner?.dis.find((d) => d.node === n.id)?.value ?? n.dis);
        expect(out.state.nodes.map((n) => n.dis)).toEqual(dis);
        expect(out.state.last_oracle_epoch).toBe(winner === undefined ? L : winner.epoch);
        for (const b of built) note('oracle.EA-11', b === winner ? 'admitted' : b.intended === ADMISSIBLE ? 'superseded' : b.intended);
      }),
      { numRuns: numRuns(120) },
    );
  });

  test('validator.EA-12: a lying validator gives exactly one EA-12 incident listing exactly the differing nodes, and never changes the state', () => {
    fc.assert(
      fc.property(economyGenesis(), history, submissions, validatorData, (genesis, before, now, v) => {
        const { real } = drive(genesis, [...before, ...now]);
        const st = real.state;
        const t = st.epoch + 1n;
        const psi = modelPsi(modelNodes(st), st.nodes.map((n) => n.dis));
        const values = [...psi];
        if (v.kind === 'lying') {
          for (const l of v.lies) {
            const i = l.node % values.length;
            const x = values[i]!;
            values[i] = l.lie === 'plus-one' ? x + 1n : l.lie === 'minus-one' ? (x > 0n ? x - 1n : 1n) : l.lie === 'zero' ? (x > 0n ? 0n : S) : x === 0n ? S : 2n * x;
          }
        }
        const entries = st.nodes.map((n, i) => ({ node: n.id, value: values[i]! }));
        const answer: Json =
          v.kind === 'malformed'
            ? asJson(v.flaw % 2 === 0 ? { epoch: t + 1n, psi: entries } : { epoch: t, psi: entries.slice(1) })
            : asJson({ epoch: t, psi: entries });
        const plain = runHonestEpoch(real.ctx, st, { snapshots: [], validator: null, actions: real.actions });
        const out = runHonestEpoch(real.ctx, st, { snapshots: [], validator: answer, actions: real.actions });
        expect(checkStep(real.ctx, st, out.record, out.state, out.inputs)).toEqual([]);
        const differing = st.nodes.flatMap((n, i) => (values[i] !== psi[i] ? [{ node: n.id, engine: psi[i]!, validator: values[i]! }] : []));
        if (v.kind === 'malformed') {
          expect(out.record.incidents).toEqual([]);
          expect(out.record.events).toEqual([{ kind: 'validator_malformed', digest: validatorDigest(answer) }]);
          note('validator.EA-12', 'malformed: event, no incident');
        } else if (differing.length === 0) {
          expect(out.record.incidents).toEqual([]);
          note('validator.EA-12', 'agreeing: nothing');
        } else {
          expect(text(out.record.incidents)).toBe(text([{ code: null, ea: 'EA-12', shard: null, evidence: { digest: validatorDigest(answer), nodes: differing } }]));
          note('validator.EA-12', `lying on ${differing.length === 1 ? '1 node' : 'several nodes'}: one incident`);
        }
        // The validator never changes the state, nor anything of the record but its evidence and the inputs hash.
        expect(out.record.root).toBe(plain.record.root);
        expect(stateRoot(out.state)).toBe(stateRoot(plain.state));
        const strip = (r: typeof out.record) => ({ ...r, incidents: [], events: r.events.filter((e) => e.kind !== 'validator_malformed'), inputs_hash: '' });
        expect(text(strip(out.record))).toBe(text(strip(plain.record)));
      }),
      { numRuns: numRuns(150) },
    );
  });
});
