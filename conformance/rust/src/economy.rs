//! §6 steps 4–11 (HarmonicEconomics, field flow, CHR rebalancing, resonance, PSY,
//! HoloRewardEngine, TreasuryDistributionEngine, PsiSync) and the record lists of pin P5.

use crate::canonical::{self, write_object, Canonical, CanonicalError, Object, Sink};
use crate::certified_math::{check_unsigned, floor_div, limit, mul_div, MathViolation, SCALE};
use crate::json::{exact, read_id, read_unsigned, NodeValue};
use crate::psi::Field;
use crate::state::{Chain, Constants, State, Unstake};
use ethnum::I256;
use serde_json::Value;
use std::collections::HashMap;

type Math<T> = Result<T, MathViolation>;

// ---------------------------------------------------------------------------------------------
// Actions (§6 messages)

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Transfer {
        from: u64,
        to: u64,
        amount: i128,
        nonce: i128,
    },
    Stake {
        node: u64,
        amount: i128,
        nonce: i128,
    },
    Unstake {
        node: u64,
        amount: i128,
        nonce: i128,
    },
    PsyTransfer {
        from: u64,
        to: u64,
        amount: i128,
        nonce: i128,
    },
}

impl Action {
    /// Exactly one of the four shapes; ids in `[0, 2^63)`, amounts and nonces in `[0, 2^127)`
    /// (an amount of 0 parses: it is step 3's `non_positive_amount`, not malformed).
    pub fn read(v: &Value) -> Option<Action> {
        let kind = v.as_object()?.get("kind")?.as_str()?;
        let pair = |m: &serde_json::Map<String, Value>| -> Option<(u64, u64, i128, i128)> {
            Some((
                read_id(&m["from"])?,
                read_id(&m["to"])?,
                read_unsigned(&m["amount"])?,
                read_unsigned(&m["nonce"])?,
            ))
        };
        let single = |m: &serde_json::Map<String, Value>| -> Option<(u64, i128, i128)> {
            Some((
                read_id(&m["node"])?,
                read_unsigned(&m["amount"])?,
                read_unsigned(&m["nonce"])?,
            ))
        };
        match kind {
            "transfer" | "psy_transfer" => {
                let m = exact(v, &["kind", "from", "to", "amount", "nonce"])?;
                let (from, to, amount, nonce) = pair(m)?;
                Some(if kind == "transfer" {
                    Action::Transfer {
                        from,
                        to,
                        amount,
                        nonce,
                    }
                } else {
                    Action::PsyTransfer {
                        from,
                        to,
                        amount,
                        nonce,
                    }
                })
            }
            "stake" | "unstake" => {
                let m = exact(v, &["kind", "node", "amount", "nonce"])?;
                let (node, amount, nonce) = single(m)?;
                Some(if kind == "stake" {
                    Action::Stake {
                        node,
                        amount,
                        nonce,
                    }
                } else {
                    Action::Unstake {
                        node,
                        amount,
                        nonce,
                    }
                })
            }
            _ => None,
        }
    }

    /// `from` of a transfer or psy_transfer, `node` of a stake or unstake.
    pub fn acting_node(&self) -> u64 {
        match *self {
            Action::Transfer { from, .. } | Action::PsyTransfer { from, .. } => from,
            Action::Stake { node, .. } | Action::Unstake { node, .. } => node,
        }
    }

    pub fn nonce(&self) -> i128 {
        match *self {
            Action::Transfer { nonce, .. }
            | Action::PsyTransfer { nonce, .. }
            | Action::Stake { nonce, .. }
            | Action::Unstake { nonce, .. } => nonce,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// P5 accounts and moves, and the record's other entries, as compact typed values: a commit on a
// large chain records hundreds of thousands of them (canonical.rs writes them as documents).

/// A P5 account: `node:<id>:<balance>`, `user:<id>:flx` or `treasury`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    Node(u64, &'static str),
    User(u64),
    Treasury,
}

impl Account {
    pub fn name(&self) -> String {
        match self {
            Account::Node(id, what) => format!("node:{id}:{what}"),
            Account::User(id) => format!("user:{id}:flx"),
            Account::Treasury => "treasury".to_string(),
        }
    }
}

impl Canonical for Account {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        self.name().write_to(out)
    }
}

/// A move `{ kind, from, to, amount }` (P5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub kind: &'static str,
    pub from: Account,
    pub to: Account,
    pub amount: i128,
}

impl Canonical for Move {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_object(
            out,
            &mut [
                ("kind", &self.kind),
                ("from", &self.from),
                ("to", &self.to),
                ("amount", &self.amount),
            ],
        )
    }
}

fn move_of(kind: &'static str, from: Account, to: Account, amount: i128) -> Move {
    Move {
        kind,
        from,
        to,
        amount,
    }
}

/// A flow `{ a, b, from, to, demand, amount }` of step 5 (node ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub a: u64,
    pub b: u64,
    pub from: u64,
    pub to: u64,
    pub demand: i128,
    pub amount: i128,
}

impl Canonical for Flow {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_object(
            out,
            &mut [
                ("a", &self.a),
                ("b", &self.b),
                ("from", &self.from),
                ("to", &self.to),
                ("demand", &self.demand),
                ("amount", &self.amount),
            ],
        )
    }
}

/// A list of typed entries (moves, flows) as a document, for the vectors.
pub fn list_value<T: Canonical>(items: &[T]) -> Value {
    canonical::to_value(items)
}

// ---------------------------------------------------------------------------------------------
// Checked arithmetic on named values (§1: out of range is a MathViolation, never a wrap)

fn add(x: i128, y: i128) -> Math<i128> {
    check_unsigned(I256::new(x) + I256::new(y))
}

fn sub(x: i128, y: i128) -> Math<i128> {
    check_unsigned(I256::new(x) - I256::new(y))
}

fn sum(xs: impl IntoIterator<Item = i128>) -> Math<i128> {
    check_unsigned(xs.into_iter().map(I256::new).sum::<I256>())
}

// ---------------------------------------------------------------------------------------------
// Step 4: actions, then the unstake queue

/// The per-node balances step 4 changes, in node order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holdings {
    pub flx: Vec<i128>,
    pub stake: Vec<i128>,
    pub atr: Vec<i128>,
    pub psy: Vec<i128>,
    pub nonce: Vec<i128>,
}

#[derive(Debug, Clone)]
pub struct ActionsOut {
    pub moves: Vec<Move>,
    /// The queue after the step, sorted by `(node, nonce)`.
    pub unstakes: Vec<Unstake>,
    /// `C <= S.coherence`: queued unstakes with `since < t` executed.
    pub released: bool,
}

/// The voters' actions (valid by step 3, in any order) applied in canonical order
/// `(shard, node, nonce)`; then, if `c <= coherence`, every queued unstake with `since < t`
/// executes in queue order and leaves the queue.
pub fn step_actions(
    chain: &Chain,
    h: &mut Holdings,
    queue: &[Unstake],
    coherence: i128,
    c: i128,
    t: i128,
    actions: &[Action],
) -> Math<ActionsOut> {
    let ix = |id: u64| chain.node_index[&id];
    let mut ordered: Vec<&Action> = actions.iter().collect();
    ordered.sort_by_key(|a| {
        let n = ix(a.acting_node());
        (
            chain.shard_ids[chain.node_shard[n]],
            a.acting_node(),
            a.nonce(),
        )
    });
    let mut moves = Vec::new();
    let mut queued = Vec::new();
    for action in ordered {
        match *action {
            Action::Transfer {
                from, to, amount, ..
            } => {
                let (f, d) = (ix(from), ix(to));
                h.flx[f] = sub(h.flx[f], amount)?;
                h.flx[d] = add(h.flx[d], amount)?;
                moves.push(move_of(
                    "transfer",
                    Account::Node(from, "flx"),
                    Account::Node(to, "flx"),
                    amount,
                ));
            }
            Action::Stake { node, amount, .. } => {
                let i = ix(node);
                h.flx[i] = sub(h.flx[i], amount)?;
                h.stake[i] = add(h.stake[i], amount)?;
                h.atr[i] = add(h.atr[i], amount)?;
                moves.push(move_of(
                    "stake",
                    Account::Node(node, "flx"),
                    Account::Node(node, "stake"),
                    amount,
                ));
            }
            Action::Unstake {
                node,
                amount,
                nonce,
            } => queued.push(Unstake {
                node,
                nonce,
                amount,
                since: t,
            }),
            Action::PsyTransfer {
                from, to, amount, ..
            } => {
                let (f, d) = (ix(from), ix(to));
                h.psy[f] = sub(h.psy[f], amount)?;
                h.psy[d] = add(h.psy[d], amount)?;
                moves.push(move_of(
                    "psy_transfer",
                    Account::Node(from, "psy"),
                    Account::Node(to, "psy"),
                    amount,
                ));
            }
        }
        h.nonce[ix(action.acting_node())] = action.nonce();
    }
    let released = c <= coherence;
    let mut old = queue.to_vec();
    old.sort_by_key(|u| (u.node, u.nonce));
    let mut rest = Vec::new();
    for u in old {
        if released && u.since < t {
            let i = ix(u.node);
            h.stake[i] = sub(h.stake[i], u.amount)?;
            h.flx[i] = add(h.flx[i], u.amount)?;
            h.atr[i] = sub(h.atr[i], u.amount)?;
            if u.amount > 0 {
                moves.push(move_of(
                    "unstake",
                    Account::Node(u.node, "stake"),
                    Account::Node(u.node, "flx"),
                    u.amount,
                ));
            }
        } else {
            rest.push(u);
        }
    }
    rest.extend(queued);
    rest.sort_by_key(|u| (u.node, u.nonce));
    Ok(ActionsOut {
        moves,
        unstakes: rest,
        released,
    })
}

// ---------------------------------------------------------------------------------------------
// Step 5: field flow

/// From the opening gradients and the flx after step 4, all at once: each source's budget
/// `B_i = mulDiv(flx_i, FLOW_RATE, SCALE)` against its demand `D_i`. Returns the record's
/// `flows` (every edge with `|d_e| > 0`, in edge order) and the moves.
pub fn step_flow(chain: &Chain, field: &Field, flx: &mut [i128]) -> Math<(Vec<Flow>, Vec<Move>)> {
    let ids = &chain.node_ids;
    let n = chain.n_nodes();
    let mut demand_of = vec![I256::ZERO; n];
    for e in 0..chain.edges.len() {
        if let Some((from, _)) = field.direction(chain, e) {
            demand_of[from] += I256::new(field.demand[e]);
        }
    }
    let budget_of = flx
        .iter()
        .map(|x| mul_div(*x, chain.k.flow_rate, SCALE))
        .collect::<Math<Vec<_>>>()?;
    let demand_of = demand_of
        .into_iter()
        .map(check_unsigned)
        .collect::<Math<Vec<_>>>()?;
    let mut flows = Vec::new();
    let mut moves = Vec::new();
    let mut delta = vec![I256::ZERO; n];
    for e in 0..chain.edges.len() {
        let d = field.demand[e];
        let Some((from, to)) = field.direction(chain, e) else {
            continue;
        };
        if d == 0 {
            continue;
        }
        let amount = if demand_of[from] <= budget_of[from] {
            d
        } else {
            mul_div(d, budget_of[from], demand_of[from])?
        };
        let (a, b) = chain.edges[e];
        flows.push(Flow {
            a: ids[a],
            b: ids[b],
            from: ids[from],
            to: ids[to],
            demand: d,
            amount,
        });
        if amount > 0 {
            delta[from] -= I256::new(amount);
            delta[to] += I256::new(amount);
            moves.push(move_of(
                "flow",
                Account::Node(ids[from], "flx"),
                Account::Node(ids[to], "flx"),
                amount,
            ));
        }
    }
    for (x, d) in flx.iter_mut().zip(&delta) {
        *x = check_unsigned(I256::new(*x) + d)?;
    }
    Ok((flows, moves))
}

// ---------------------------------------------------------------------------------------------
// Step 6: CHR rebalancing

#[derive(Debug, Clone)]
pub struct ChrOut {
    pub chr: Vec<i128>,
    pub pool: i128,
    pub penalties: Vec<i128>,
    pub shares: Vec<i128>,
}

/// Opening ψ, the dissonance after step 1 and the chr of S: `p_i`, the pool `P`, the shares
/// `s_i = mulDiv(P, ψ_i, Σψ)` (none if `Σψ = 0`), and the floor remainders kept in the pool.
pub fn step_chr(
    field: &Field,
    k: &Constants,
    chr: &[i128],
    dis: &[i128],
    pool: i128,
) -> Math<ChrOut> {
    let penalties = chr
        .iter()
        .zip(dis)
        .map(|(c, d)| mul_div(*c, mul_div(*d, k.penalty_rate, SCALE)?, SCALE))
        .collect::<Math<Vec<_>>>()?;
    let p = check_unsigned(I256::new(pool) + I256::new(sum(penalties.iter().copied())?))?;
    let shares = if field.sum == 0 {
        vec![0; chr.len()]
    } else {
        field
            .psi
            .iter()
            .map(|x| mul_div(p, *x, field.sum))
            .collect::<Math<Vec<_>>>()?
    };
    let chr = (0..chr.len())
        .map(|i| check_unsigned(I256::new(chr[i]) + I256::new(shares[i]) - I256::new(penalties[i])))
        .collect::<Math<Vec<_>>>()?;
    let pool = sub(p, sum(shares.iter().copied())?)?;
    Ok(ChrOut {
        chr,
        pool,
        penalties,
        shares,
    })
}

// ---------------------------------------------------------------------------------------------
// Step 7: resonance

#[derive(Debug, Clone)]
pub struct ResOut {
    pub res: Vec<i128>,
    pub cap: i128,
    /// `(edge index, node index, value)`: end a then end b of every aligned edge.
    pub credits: Vec<(usize, usize, i128)>,
}

/// The res of S against the envelope `cap = mulDiv(Σψ, RES_CAP_RATIO, SCALE)`.
pub fn step_res(chain: &Chain, field: &Field, res: &[i128]) -> Math<ResOut> {
    let k = &chain.k;
    let cap = mul_div(field.sum, k.res_cap_ratio, SCALE)?;
    let total = sum(res.iter().copied())?;
    let mut out = res.to_vec();
    let mut credits = Vec::new();
    if total > cap {
        for x in out.iter_mut() {
            *x = mul_div(*x, cap, total)?;
        }
    } else {
        let mut raw = Vec::new();
        for (e, (a, b)) in chain.edges.iter().enumerate() {
            if I256::new(field.grad[e]).abs() <= I256::new(k.align_tol) {
                let r = mul_div(field.psi[*a].min(field.psi[*b]), k.res_rate, SCALE)?;
                raw.push((e, *a, r));
                raw.push((e, *b, r));
            }
        }
        let room = cap - total;
        let gen = sum(raw.iter().map(|(_, _, r)| *r))?;
        for (e, i, r) in raw {
            let c = if gen <= room {
                r
            } else {
                mul_div(r, room, gen)?
            };
            out[i] = add(out[i], c)?;
            credits.push((e, i, c));
        }
    }
    Ok(ResOut {
        res: out,
        cap,
        credits,
    })
}

/// A resonance credit `{ a, b, node, value }` (node ids).
pub struct Credit {
    pub a: u64,
    pub b: u64,
    pub node: u64,
    pub value: i128,
}

impl Canonical for Credit {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_object(
            out,
            &mut [
                ("a", &self.a),
                ("b", &self.b),
                ("node", &self.node),
                ("value", &self.value),
            ],
        )
    }
}

pub fn credits(chain: &Chain, credits: &[(usize, usize, i128)]) -> Vec<Credit> {
    let ids = &chain.node_ids;
    credits
        .iter()
        .map(|(e, i, value)| {
            let (a, b) = chain.edges[*e];
            Credit {
                a: ids[a],
                b: ids[b],
                node: ids[*i],
                value: *value,
            }
        })
        .collect()
}

pub fn credits_value(chain: &Chain, c: &[(usize, usize, i128)]) -> Value {
    canonical::to_value(&credits(chain, c))
}

// ---------------------------------------------------------------------------------------------
// Step 8: PSY

/// Each node mints `mulDiv(ψ_i, PSY_RATE, SCALE)`, all or nothing: when the supply plus the mint
/// would reach `2^127`, nothing (the mints are then all 0, and `psy_exhausted`).
pub fn step_psy(field: &Field, k: &Constants, psy: &mut [i128]) -> Math<(Vec<i128>, bool)> {
    let mints = field
        .psi
        .iter()
        .map(|p| mul_div(*p, k.psy_rate, SCALE))
        .collect::<Math<Vec<_>>>()?;
    let supply: I256 = psy.iter().map(|x| I256::new(*x)).sum();
    let minted: I256 = mints.iter().map(|m| I256::new(*m)).sum();
    if supply + minted >= limit() {
        return Ok((vec![0; psy.len()], true));
    }
    for (x, m) in psy.iter_mut().zip(&mints) {
        *x = add(*x, *m)?;
    }
    Ok((mints, false))
}

// ---------------------------------------------------------------------------------------------
// Step 9: rewards

#[derive(Debug, Clone)]
pub struct RewardsOut {
    pub budget: i128,
    pub total_weight: i128,
    /// Per node `(m, w, r)`.
    pub nodes: Vec<(i128, i128, i128)>,
}

/// From the opening field and the chr and res of S: `R`, `m_i`, `f_i`, `w_i`, floor shares `r_i`.
pub fn step_rewards(
    field: &Field,
    k: &Constants,
    chr: &[i128],
    res: &[i128],
    treasury: i128,
    chr_supply: i128,
) -> Math<RewardsOut> {
    let budget = mul_div(treasury, k.release_rate, SCALE)?;
    let mut mw = Vec::with_capacity(chr.len());
    for i in 0..chr.len() {
        let psi = field.psi[i];
        let m = floor_div(psi, k.base)?.min(k.a_max);
        let f = SCALE + res[i].min(SCALE);
        let contrib = mul_div(mul_div(chr[i], psi, chr_supply)?, f, SCALE)?;
        mw.push((m, check_unsigned(I256::new(m) * I256::new(contrib))?));
    }
    let total_weight = sum(mw.iter().map(|(_, w)| *w))?;
    let nodes = mw
        .into_iter()
        .map(|(m, w)| {
            let r = if total_weight == 0 {
                0
            } else {
                mul_div(budget, w, total_weight)?
            };
            Ok((m, w, r))
        })
        .collect::<Math<Vec<_>>>()?;
    Ok(RewardsOut {
        budget,
        total_weight,
        nodes,
    })
}

// ---------------------------------------------------------------------------------------------
// Step 10: treasury distribution

#[derive(Debug, Clone)]
pub struct TreasuryOut {
    /// The cut `k_i` per node.
    pub cuts: Vec<i128>,
    /// The payout `u` per user, in user id order.
    pub payouts: Vec<i128>,
    pub paid: i128,
    pub moves: Vec<Move>,
}

/// Treasury → nodes → users: the node's cut `k_i` (all of `r_i` for a node with no users), the
/// rest by weight; moves node by node in id order, the cut first, zero amounts not recorded.
pub fn step_treasury(
    chain: &Chain,
    r: &[i128],
    flx: &mut [i128],
    user_flx: &mut [i128],
    treasury: &mut i128,
) -> Math<TreasuryOut> {
    let ids = &chain.node_ids;
    let mut paid = I256::ZERO;
    let mut cuts = Vec::with_capacity(r.len());
    let mut moves = Vec::new();
    let mut by_user: HashMap<u64, i128> = HashMap::new();
    for i in 0..r.len() {
        let users = &chain.node_users[i];
        let cut = if users.is_empty() {
            r[i]
        } else {
            mul_div(r[i], chain.k.node_commission, SCALE)?
        };
        cuts.push(cut);
        flx[i] = add(flx[i], cut)?;
        paid += I256::new(cut);
        if cut > 0 {
            moves.push(move_of(
                "cut",
                Account::Treasury,
                Account::Node(ids[i], "flx"),
                cut,
            ));
        }
        let rest = sub(r[i], cut)?;
        for (user, weight) in users {
            let u = mul_div(rest, *weight, chain.node_weight[i])?;
            by_user.insert(*user, u);
            paid += I256::new(u);
            if u > 0 {
                moves.push(move_of(
                    "payout",
                    Account::Treasury,
                    Account::User(*user),
                    u,
                ));
            }
        }
    }
    let payouts: Vec<i128> = chain.users.iter().map(|(u, _)| by_user[u]).collect();
    for (x, u) in user_flx.iter_mut().zip(&payouts) {
        *x = add(*x, *u)?;
    }
    let paid = check_unsigned(paid)?;
    *treasury = sub(*treasury, paid)?;
    Ok(TreasuryOut {
        cuts,
        payouts,
        paid,
        moves,
    })
}

/// A payout `{ user, node, u }` of the record's rewards.
pub struct Payout {
    pub user: u64,
    pub node: u64,
    pub u: i128,
}

impl Canonical for Payout {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_object(
            out,
            &mut [("user", &self.user), ("node", &self.node), ("u", &self.u)],
        )
    }
}

pub fn payouts(chain: &Chain, payouts: &[i128]) -> Vec<Payout> {
    chain
        .users
        .iter()
        .zip(payouts)
        .map(|((user, node), u)| Payout {
            user: *user,
            node: chain.node_ids[*node],
            u: *u,
        })
        .collect()
}

pub fn users_value(chain: &Chain, p: &[i128]) -> Value {
    canonical::to_value(&payouts(chain, p))
}

// ---------------------------------------------------------------------------------------------
// Steps 4–11 together: the candidate

/// A node's reward `{ node, m, w, r, k }`.
pub struct Reward {
    pub node: u64,
    pub m: i128,
    pub w: i128,
    pub r: i128,
    pub k: i128,
}

impl Canonical for Reward {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_object(
            out,
            &mut [
                ("node", &self.node),
                ("m", &self.m),
                ("w", &self.w),
                ("r", &self.r),
                ("k", &self.k),
            ],
        )
    }
}

/// The record's economic members (P5, P6.2): `moves`, `flows`, `chr`, `res`, `psy_minted`,
/// `rewards`.
pub struct Lists {
    pub moves: Vec<Move>,
    pub flows: Vec<Flow>,
    pub chr_penalties: Vec<NodeValue>,
    pub chr_shares: Vec<NodeValue>,
    pub chr_pool: i128,
    pub res_cap: i128,
    pub res_credits: Vec<Credit>,
    pub psy_minted: Vec<NodeValue>,
    pub rewards_budget: i128,
    pub rewards_nodes: Vec<Reward>,
    pub rewards_users: Vec<Payout>,
}

impl Lists {
    /// The lists of an aborted or frozen epoch (§6): all empty, `chr.pool` = `S.chr_pool`,
    /// `res.cap` and `rewards.budget` 0.
    pub fn paused(chr_pool: i128) -> Lists {
        Lists {
            moves: Vec::new(),
            flows: Vec::new(),
            chr_penalties: Vec::new(),
            chr_shares: Vec::new(),
            chr_pool,
            res_cap: 0,
            res_credits: Vec::new(),
            psy_minted: Vec::new(),
            rewards_budget: 0,
            rewards_nodes: Vec::new(),
            rewards_users: Vec::new(),
        }
    }

    /// The record's object: the members `head` and these lists.
    pub fn write_record(
        &self,
        out: &mut dyn Sink,
        head: &[(&str, &dyn Canonical)],
    ) -> Result<(), CanonicalError> {
        let chr = Object(|out: &mut dyn Sink| {
            write_object(
                out,
                &mut [
                    ("penalties", &self.chr_penalties),
                    ("shares", &self.chr_shares),
                    ("pool", &self.chr_pool),
                ],
            )
        });
        let res = Object(|out: &mut dyn Sink| {
            write_object(
                out,
                &mut [("cap", &self.res_cap), ("credits", &self.res_credits)],
            )
        });
        let rewards = Object(|out: &mut dyn Sink| {
            write_object(
                out,
                &mut [
                    ("budget", &self.rewards_budget),
                    ("nodes", &self.rewards_nodes),
                    ("users", &self.rewards_users),
                ],
            )
        });
        let mut members = head.to_vec();
        members.extend([
            ("moves", &self.moves as &dyn Canonical),
            ("flows", &self.flows),
            ("chr", &chr),
            ("res", &res),
            ("psy_minted", &self.psy_minted),
            ("rewards", &rewards),
        ]);
        write_object(out, &mut members)
    }
}

/// What steps 4–11 produce: the next state (epoch number not yet advanced) and the record's
/// economic members.
pub struct Candidate {
    pub state: State,
    pub lists: Lists,
    pub psy_exhausted: bool,
}

/// Steps 4–11 of epoch `t`. `s` is the committed state S and `opened` the state after step 1
/// (S with the admitted dissonance); `field` is the opening field of `opened`; `actions` are the
/// voters' actions (any order: step 4 applies them in canonical order).
pub fn run(
    chain: &Chain,
    s: &State,
    opened: &State,
    field: &Field,
    t: i128,
    actions: &[Action],
) -> Math<Candidate> {
    let col = |f: fn(&crate::state::NodeState) -> i128| -> Vec<i128> {
        opened.nodes.iter().map(f).collect()
    };
    let mut h = Holdings {
        flx: col(|n| n.flx),
        stake: col(|n| n.stake),
        atr: col(|n| n.atr),
        psy: col(|n| n.psy),
        nonce: col(|n| n.nonce),
    };
    let s_chr: Vec<i128> = s.nodes.iter().map(|n| n.chr).collect();
    let s_res: Vec<i128> = s.nodes.iter().map(|n| n.res).collect();

    let step4 = step_actions(
        chain,
        &mut h,
        &opened.unstakes,
        s.coherence,
        field.c,
        t,
        actions,
    )?;
    let (flows, flow_moves) = step_flow(chain, field, &mut h.flx)?;
    let chr = step_chr(field, &chain.k, &s_chr, &col(|n| n.dis), s.chr_pool)?;
    let res = step_res(chain, field, &s_res)?;
    let (psy_minted, psy_exhausted) = step_psy(field, &chain.k, &mut h.psy)?;
    let rewards = step_rewards(
        field,
        &chain.k,
        &s_chr,
        &s_res,
        s.treasury,
        chain.chr_supply,
    )?;
    let r: Vec<i128> = rewards.nodes.iter().map(|(_, _, r)| *r).collect();
    let mut user_flx: Vec<i128> = opened.users.iter().map(|(_, x)| *x).collect();
    let mut treasury = s.treasury;
    let paid = step_treasury(chain, &r, &mut h.flx, &mut user_flx, &mut treasury)?;

    let mut next = opened.clone();
    for (i, node) in next.nodes.iter_mut().enumerate() {
        node.flx = h.flx[i];
        node.stake = h.stake[i];
        node.atr = h.atr[i];
        node.psy = h.psy[i];
        node.nonce = h.nonce[i];
        node.chr = chr.chr[i];
        node.res = res.res[i];
    }
    for ((_, x), u) in next.users.iter_mut().zip(&user_flx) {
        *x = *u;
    }
    next.treasury = treasury;
    next.chr_pool = chr.pool;
    next.unstakes = step4.unstakes;
    // Step 11: the agreed ΨSync is the ledger's C.
    next.coherence = field.c;

    let ids = &chain.node_ids;
    let per_node = |xs: &[i128]| -> Vec<NodeValue> {
        ids.iter()
            .zip(xs)
            .map(|(id, x)| NodeValue {
                node: *id,
                value: *x,
            })
            .collect()
    };
    let mut moves = step4.moves;
    moves.extend(flow_moves);
    moves.extend(paid.moves);
    let lists = Lists {
        moves,
        flows,
        chr_penalties: per_node(&chr.penalties),
        chr_shares: per_node(&chr.shares),
        chr_pool: chr.pool,
        res_cap: res.cap,
        res_credits: credits(chain, &res.credits),
        psy_minted: per_node(&psy_minted),
        rewards_budget: rewards.budget,
        rewards_nodes: rewards
            .nodes
            .iter()
            .zip(&paid.cuts)
            .zip(ids)
            .map(|(((m, w, r), k), id)| Reward {
                node: *id,
                m: *m,
                w: *w,
                r: *r,
                k: *k,
            })
            .collect(),
        rewards_users: payouts(chain, &paid.payouts),
    };
    Ok(Candidate {
        state: next,
        lists,
        psy_exhausted,
    })
}
