//! §6 the honest agent of a shard, with pins P6.8–P6.9: from S, the publication of window 1 (the
//! opening field, the active set) and its nodes' submitted actions, the proposal it signs and the
//! actions it refuses, each with the first step-3 rule it would break given those already taken.

use crate::certified_math::{mul_div, SCALE};
use crate::economy::Action;
use crate::hashing;
use crate::json::int;
use crate::psi::Field;
use crate::state::{Chain, State};
use ethnum::{I256, U256};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

pub const ACTION_TAG: &str = "qfs/v13/action";

/// The step-3 action rules in their order (P6.9).
pub const RULES: [&str; 9] = [
    "malformed",
    "unknown_node",
    "wrong_shard",
    "self_transfer",
    "non_positive_amount",
    "nonce_conflict",
    "bad_nonce",
    "overdraft",
    "coherence_divergence",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub shard: u64,
    pub code: &'static str,
    pub digest: String,
}

/// What the agent has taken so far, per node.
#[derive(Default)]
struct Taken {
    nonces: HashSet<(u64, i128)>,
    last_nonce: HashMap<u64, i128>,
    /// Σ transfers + Σ stakes, Σ psy_transfers, Σ unstakes (exact).
    flx_out: HashMap<u64, I256>,
    psy_out: HashMap<u64, I256>,
    unstaked: HashMap<u64, I256>,
    staked: HashMap<u64, I256>,
}

/// EA-9 for a shard: with each node's atr raised by its stakes (nothing else changed), does the
/// shard's C_s move by more than `mulDiv(max(C_s, SCALE), DELTA_MAX, SCALE)`? Exact, unbounded
/// within 256 bits (stakes are covered by flx in S, so every term stays below `2^255`).
fn diverges(
    chain: &Chain,
    opened: &State,
    field: &Field,
    shard: usize,
    staked: &HashMap<u64, I256>,
) -> bool {
    let members = &chain.shard_nodes[shard];
    if members.is_empty() {
        return false;
    }
    let open = field.c_shards[shard];
    let mut total = U256::ZERO;
    for i in members {
        let n = &opened.nodes[*i];
        let atr = U256::new(n.atr as u128) + staked.get(&n.id).map_or(U256::ZERO, |x| x.as_u256());
        total += U256::new(n.chr as u128) * atr / U256::new((SCALE + n.dis) as u128);
    }
    let moved = total / U256::new(members.len() as u128);
    let bound = mul_div(open.max(SCALE), chain.k.delta_max, SCALE).expect("in range by §3 bounds");
    let open = U256::new(open as u128);
    let delta = if moved >= open {
        moved - open
    } else {
        open - moved
    };
    delta > U256::new(bound as u128)
}

/// What one shard's agent judges against: S, the publication of window 1, S's queued unstakes.
struct View<'a> {
    chain: &'a Chain,
    s: &'a State,
    opened: &'a State,
    field: &'a Field,
    shard: usize,
    queued: HashMap<u64, I256>,
}

/// The first rule `a` breaks given what is taken, or `None` (then it is taken).
fn judge(view: &View, taken: &Taken, a: &Action) -> Option<&'static str> {
    let View {
        chain,
        s,
        opened,
        field,
        shard,
        ref queued,
    } = *view;
    let in_shard = |id: u64| chain.node_shard[chain.node_index[&id]] == shard;
    let known = |id: u64| chain.node_index.contains_key(&id);
    let actor = a.acting_node();
    let to = match a {
        Action::Transfer { to, .. } | Action::PsyTransfer { to, .. } => Some(*to),
        _ => None,
    };
    if !known(actor) || to.is_some_and(|t| !known(t)) {
        return Some("unknown_node");
    }
    let psy_to = match a {
        Action::PsyTransfer { to, .. } => Some(*to),
        _ => None,
    };
    if !in_shard(actor) || psy_to.is_some_and(|t| !in_shard(t)) {
        return Some("wrong_shard");
    }
    if to == Some(actor) {
        return Some("self_transfer");
    }
    let amount = match *a {
        Action::Transfer { amount, .. }
        | Action::PsyTransfer { amount, .. }
        | Action::Stake { amount, .. }
        | Action::Unstake { amount, .. } => amount,
    };
    if amount <= 0 {
        return Some("non_positive_amount");
    }
    if taken.nonces.contains(&(actor, a.nonce())) {
        return Some("nonce_conflict");
    }
    let node = &s.nodes[chain.node_index[&actor]];
    let expected = taken.last_nonce.get(&actor).copied().unwrap_or(node.nonce) + 1;
    if a.nonce() != expected {
        return Some("bad_nonce");
    }
    let get = |m: &HashMap<u64, I256>| m.get(&actor).copied().unwrap_or(I256::ZERO);
    let amount = I256::new(amount);
    let over = match a {
        Action::Transfer { .. } | Action::Stake { .. } => {
            get(&taken.flx_out) + amount > I256::new(node.flx)
        }
        Action::PsyTransfer { .. } => get(&taken.psy_out) + amount > I256::new(node.psy),
        Action::Unstake { .. } => {
            get(&taken.unstaked) + amount > I256::new(node.stake) - get(queued)
        }
    };
    if over {
        return Some("overdraft");
    }
    if let Action::Stake { .. } = a {
        let mut staked = taken.staked.clone();
        *staked.entry(actor).or_insert(I256::ZERO) += amount;
        if diverges(chain, opened, field, shard, &staked) {
            return Some("coherence_divergence");
        }
    }
    None
}

fn take(taken: &mut Taken, a: &Action) {
    let actor = a.acting_node();
    taken.nonces.insert((actor, a.nonce()));
    taken.last_nonce.insert(actor, a.nonce());
    let add =
        |m: &mut HashMap<u64, I256>, x: i128| *m.entry(actor).or_insert(I256::ZERO) += I256::new(x);
    match *a {
        Action::Transfer { amount, .. } => add(&mut taken.flx_out, amount),
        Action::Stake { amount, .. } => {
            add(&mut taken.flx_out, amount);
            add(&mut taken.staked, amount);
        }
        Action::PsyTransfer { amount, .. } => add(&mut taken.psy_out, amount),
        Action::Unstake { amount, .. } => add(&mut taken.unstaked, amount),
    }
}

/// The honest agent of `shard` in epoch `t = S.epoch + 1`: its proposal body (unsigned) and its
/// refusals, malformed ones first (digest order), then the others in (acting node, nonce, digest)
/// order. `opened` is S after step 1 and `field` its opening field.
pub fn propose(
    chain: &Chain,
    s: &State,
    opened: &State,
    field: &Field,
    shard: u64,
    submitted: &[Value],
) -> (Value, Vec<Refusal>) {
    let si = chain.shard_index[&shard];
    let t = s.epoch + 1;
    let mut refusals = Vec::new();
    let mut malformed = Vec::new();
    let mut parsed = Vec::new();
    for v in submitted {
        let Ok(digest) = hashing::h(ACTION_TAG, v) else {
            continue; // no canonical form: dropped
        };
        match Action::read(v) {
            Some(a) => parsed.push((a.acting_node(), a.nonce(), digest, a, v)),
            None => malformed.push(digest),
        }
    }
    malformed.sort();
    for digest in malformed {
        refusals.push(Refusal {
            shard,
            code: "malformed",
            digest,
        });
    }
    parsed.sort_by(|x, y| (x.0, x.1, &x.2).cmp(&(y.0, y.1, &y.2)));
    let mut queued: HashMap<u64, I256> = HashMap::new();
    for u in &s.unstakes {
        *queued.entry(u.node).or_insert(I256::ZERO) += I256::new(u.amount);
    }
    let view = View {
        chain,
        s,
        opened,
        field,
        shard: si,
        queued,
    };
    let mut taken = Taken::default();
    let mut actions = Vec::new();
    for (_, _, digest, a, v) in parsed {
        match judge(&view, &taken, &a) {
            Some(code) => refusals.push(Refusal {
                shard,
                code,
                digest,
            }),
            None => {
                take(&mut taken, &a);
                actions.push(v.clone());
            }
        }
    }
    let ids = &chain.node_ids;
    let psi: Vec<Value> = chain.shard_nodes[si]
        .iter()
        .map(|i| json!({ "node": int(ids[*i]), "value": int(field.psi[*i]) }))
        .collect();
    let gradients: Vec<Value> = chain
        .edges
        .iter()
        .enumerate()
        .filter(|(_, (a, _))| chain.node_shard[*a] == si)
        .map(|(e, (a, b))| json!({ "a": int(ids[*a]), "b": int(ids[*b]), "value": int(field.grad[e]) }))
        .collect();
    let proposal = json!({
        "epoch": int(t), "shard": int(shard), "prev_root": s.root(), "actions": actions,
        "reports": { "psi": psi, "gradients": gradients, "sync": int(field.c) },
    });
    (proposal, refusals)
}
