//! §6 epoch of honest shards, replayed from the stored inputs document of pin P6.7, and its
//! record (P6.1–P6.5, P6.10) hashed with `qfs/v13/epoch`.
//!
//! Inputs `{ epoch, snapshots: [{ digest, snapshot, signature }], validator, proposals }`: the
//! voters are the proposals' shards, their actions are applied in canonical order
//! `(shard, node, nonce)`, and their reports are in the proposals. Step 0 (governance), step 3's
//! checks and phase 2 are not part of this replay: the proposals are taken as the honest agent's,
//! and every voter's vote matches, so the epoch commits iff there is a voter (P6.10).

use crate::canonical::{self, Canonical, CanonicalError, Sink};
use crate::certified_math::{median, MathViolation, SCALE};
use crate::economy::{self, Action};
use crate::json::{exact, int, read_id, read_unsigned};
use crate::psi::Field;
use crate::state::{Chain, Mode, State};
use crate::{hashing, oracle, validator};
use ethnum::U256;
use serde_json::{json, Value};
use std::fmt;

pub const TAG: &str = "qfs/v13/epoch";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EpochError {
    /// A MathViolation outside step 3 (CIR-511); never reached by an honest epoch within the §3
    /// bounds, and its incident's shape is not pinned, so the replay stops with it.
    Math(MathViolation),
    /// The inputs document is not one of an honest epoch of this state.
    Inputs(String),
}

impl fmt::Display for EpochError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EpochError::Math(m) => write!(f, "{m}"),
            EpochError::Inputs(s) => write!(f, "inputs: {s}"),
        }
    }
}

impl std::error::Error for EpochError {}

impl From<MathViolation> for EpochError {
    fn from(m: MathViolation) -> Self {
        EpochError::Math(m)
    }
}

fn bad<T>(what: impl Into<String>) -> Result<T, EpochError> {
    Err(EpochError::Inputs(what.into()))
}

/// A voter's proposal, as far as the replay reads it.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub shard: u64,
    pub actions: Vec<Action>,
    pub sync: i128,
}

fn read_proposal(
    chain: &Chain,
    t: i128,
    prev_root: &str,
    v: &Value,
) -> Result<Proposal, EpochError> {
    let Some(m) = exact(v, &["epoch", "shard", "prev_root", "actions", "reports"]) else {
        return bad("proposal key set");
    };
    if read_id(&m["epoch"]).map(|e| e as i128) != Some(t) {
        return bad("proposal epoch is not t");
    }
    let Some(shard) = read_id(&m["shard"]).filter(|s| chain.shard_index.contains_key(s)) else {
        return bad("proposal shard");
    };
    if m["prev_root"].as_str() != Some(prev_root) {
        return bad(format!(
            "proposal of shard {shard}: prev_root is not root(S)"
        ));
    }
    let Some(actions) = m["actions"]
        .as_array()
        .and_then(|xs| xs.iter().map(Action::read).collect::<Option<Vec<_>>>())
    else {
        return bad(format!("proposal of shard {shard}: malformed actions"));
    };
    for a in &actions {
        let known = |id: u64| chain.node_index.contains_key(&id);
        let ends_known = match a {
            Action::Transfer { to, .. } | Action::PsyTransfer { to, .. } => known(*to),
            _ => true,
        };
        if !known(a.acting_node()) || !ends_known {
            return bad(format!("proposal of shard {shard}: action names no node"));
        }
    }
    let Some(reports) = exact(&m["reports"], &["psi", "gradients", "sync"]) else {
        return bad(format!("proposal of shard {shard}: reports key set"));
    };
    let Some(sync) = read_unsigned(&reports["sync"]) else {
        return bad(format!("proposal of shard {shard}: sync"));
    };
    Ok(Proposal {
        shard,
        actions,
        sync,
    })
}

/// P6.2 `with_stakes`: the shard's C_s with each of its nodes' atr raised by that node's stake
/// amounts in the proposal, exact and unbounded as EA-9 computes it (256 bits hold every value of
/// a proposal whose stakes are covered by its flx in S; beyond that the replay refuses).
fn with_stakes(
    chain: &Chain,
    opened: &State,
    shard: usize,
    p: &Proposal,
) -> Result<U256, EpochError> {
    let members = &chain.shard_nodes[shard];
    if members.is_empty() {
        return Ok(U256::ZERO);
    }
    let mut total = U256::ZERO;
    for i in members {
        let node = &opened.nodes[*i];
        let mut atr = U256::new(node.atr as u128);
        for a in &p.actions {
            if let Action::Stake {
                node: n, amount, ..
            } = a
            {
                if *n == node.id {
                    atr = atr
                        .checked_add(U256::new(*amount as u128))
                        .ok_or(EpochError::Inputs("stakes beyond 256 bits".into()))?;
                }
            }
        }
        let product = U256::new(node.chr as u128)
            .checked_mul(atr)
            .ok_or(EpochError::Inputs("stakes beyond 256 bits".into()))?;
        total += product / U256::new((SCALE + node.dis) as u128);
    }
    Ok(total / U256::new(members.len() as u128))
}

/// The epoch record (P6.1–P6.5, P6.10). Its economic lists are typed (`economy::Lists`): on a
/// large chain they hold hundreds of thousands of entries, hashed as they are written; the other
/// members are small documents.
pub struct Record {
    pub epoch: i128,
    pub prev_root: String,
    pub root: String,
    pub outcome: &'static str,
    pub inputs_hash: String,
    pub active: Vec<u64>,
    pub voters: Vec<u64>,
    pub incidents: Vec<Value>,
    pub events: Vec<Value>,
    /// `null` in a frozen record.
    pub sync: Value,
    pub c_shards: Value,
    pub lists: economy::Lists,
}

impl Canonical for Record {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        self.lists.write_record(
            out,
            &[
                ("epoch", &self.epoch),
                ("prev_root", &self.prev_root),
                ("root", &self.root),
                ("outcome", &self.outcome),
                ("inputs_hash", &self.inputs_hash),
                ("active", &self.active),
                ("voters", &self.voters),
                ("incidents", &self.incidents),
                ("events", &self.events),
                ("sync", &self.sync),
                ("c_shards", &self.c_shards),
            ],
        )
    }
}

impl Record {
    /// The record as a document (what the vectors compare).
    pub fn to_value(&self) -> Value {
        canonical::to_value(self)
    }
}

/// The result of one epoch: its record and the next state.
pub struct Epoch {
    pub record: Record,
    pub next: State,
}

/// `inputs_hash`: SHA-256 (no tag) of the inputs document's canonical bytes.
pub fn inputs_hash(inputs: &Value) -> Result<String, EpochError> {
    hashing::untagged(inputs).map_err(|e| EpochError::Inputs(e.to_string()))
}

/// The record's hash `H("qfs/v13/epoch", record)`.
pub fn record_hash(record: &Record) -> String {
    hashing::h(TAG, record).expect("a record has a canonical form")
}

/// Step 1 over the stored snapshot entries `[{ digest, snapshot, signature }]` (sorted by
/// (digest, signature), each digest the snapshot's), and the opening field of the state it leaves:
/// what window 1 publishes.
pub fn opening(
    chain: &Chain,
    s: &State,
    snapshot_entries: &[Value],
) -> Result<(oracle::Outcome, State, Field), EpochError> {
    let t = s.epoch + 1;
    let mut copies = Vec::new();
    let mut last: Option<(String, String)> = None;
    for entry in snapshot_entries {
        let Some(e) = exact(entry, &["digest", "snapshot", "signature"]) else {
            return bad("snapshot entry key set");
        };
        let (Some(digest), Some(signature)) = (e["digest"].as_str(), e["signature"].as_str())
        else {
            return bad("snapshot entry digest or signature");
        };
        let computed = hashing::h(oracle::TAG, &e["snapshot"])
            .map_err(|_| EpochError::Inputs("snapshot without a canonical form".into()))?;
        if computed != digest {
            return bad(format!(
                "stored digest {digest} is not the snapshot's ({computed})"
            ));
        }
        let key = (digest.to_string(), signature.to_string());
        if last.as_ref().is_some_and(|l| *l >= key) {
            return bad("snapshots not sorted by (digest, signature) or repeated");
        }
        last = Some(key);
        copies.push((e["snapshot"].clone(), signature.to_string()));
    }
    let step1 = oracle::admit(chain, s, t, &copies);
    let mut opened = s.clone();
    step1.apply(&mut opened);
    let field = Field::compute(chain, &opened.nodes)?;
    Ok((step1, opened, field))
}

/// Re-executes the honest epoch `t = S.epoch + 1` from its stored inputs (P6.7).
pub fn replay(chain: &Chain, s: &State, inputs: &Value) -> Result<Epoch, EpochError> {
    let t = s.epoch + 1;
    let Some(doc) = exact(inputs, &["epoch", "snapshots", "validator", "proposals"]) else {
        return bad("inputs key set");
    };
    if read_id(&doc["epoch"]).map(|e| e as i128) != Some(t) {
        return bad("inputs epoch is not S.epoch + 1");
    }
    let inputs_hash = inputs_hash(inputs)?;
    let prev_root = s.root();
    let Some(snapshot_entries) = doc["snapshots"].as_array() else {
        return bad("snapshots");
    };
    let Some(proposal_values) = doc["proposals"].as_array() else {
        return bad("proposals");
    };

    let mut paused = s.clone();
    paused.epoch = t;
    // The members every outcome has; the others are filled in below as the outcome needs.
    let record = |root: String, outcome: &'static str, lists: economy::Lists| Record {
        epoch: t,
        prev_root: prev_root.clone(),
        root,
        outcome,
        inputs_hash: inputs_hash.clone(),
        active: Vec::new(),
        voters: Vec::new(),
        incidents: Vec::new(),
        events: Vec::new(),
        sync: Value::Null,
        c_shards: Value::Null,
        lists,
    };

    // Step 0 reads no governance here; a state in safe mode freezes the epoch (P6.3, P6.10).
    if s.mode == Mode::Safe {
        if !snapshot_entries.is_empty()
            || !doc["validator"].is_null()
            || !proposal_values.is_empty()
        {
            return bad("a frozen epoch reads no snapshot, validator answer or proposal");
        }
        let record = record(paused.root(), "frozen", economy::Lists::paused(s.chr_pool));
        return Ok(Epoch {
            record,
            next: paused,
        });
    }
    let active = s.active(t);

    // Step 1: oracle; then the opening field.
    let (step1, opened, field) = opening(chain, s, snapshot_entries)?;

    // Step 2: the validator.
    let answer = match &doc["validator"] {
        Value::Null => None,
        v => Some(v),
    };
    let step2 = validator::check(chain, t, answer, &field.psi);

    let mut incidents = step1.incidents.clone();
    incidents.extend(step2.incident());
    let mut events: Vec<Value> = step1.event().into_iter().collect();
    events.extend(step2.event());

    // The voters: the proposals' shards, in shard order.
    let mut proposals = Vec::new();
    for v in proposal_values {
        let p = read_proposal(chain, t, &prev_root, v)?;
        if proposals
            .last()
            .is_some_and(|q: &Proposal| q.shard >= p.shard)
        {
            return bad("proposals not in strictly ascending shard order");
        }
        if !active.contains(&p.shard) {
            return bad(format!("proposal of inactive shard {}", p.shard));
        }
        proposals.push(p);
    }
    let voters: Vec<u64> = proposals.iter().map(|p| p.shard).collect();
    let reports: Vec<Value> = proposals
        .iter()
        .map(|p| json!({ "shard": int(p.shard), "value": int(p.sync) }))
        .collect();
    let syncs: Vec<i128> = proposals.iter().map(|p| p.sync).collect();
    let sync = json!({
        "c": int(field.c),
        "median": if syncs.is_empty() { Value::Null } else { int(median(&syncs)?) },
        "reports": reports,
    });
    let c_shards = proposals
        .iter()
        .map(|p| {
            let si = chain.shard_index[&p.shard];
            Ok(json!({
                "shard": int(p.shard),
                "open": int(field.c_shards[si]),
                "with_stakes": int(with_stakes(chain, &opened, si, p)?),
            }))
        })
        .collect::<Result<Vec<_>, EpochError>>()?;

    // Steps 4–11 over the voters' actions in canonical order (shard, node, nonce).
    let mut actions: Vec<(u64, u64, i128, Action)> = proposals
        .iter()
        .flat_map(|p| {
            p.actions
                .iter()
                .map(move |a| (p.shard, a.acting_node(), a.nonce(), a.clone()))
        })
        .collect();
    actions.sort_by_key(|(s, n, nonce, _)| (*s, *n, *nonce));
    let actions: Vec<Action> = actions.into_iter().map(|(_, _, _, a)| a).collect();
    let candidate = economy::run(chain, s, &opened, &field, t, &actions)?;
    if candidate.psy_exhausted {
        events.push(json!({ "kind": "psy_exhausted" }));
    }

    let (outcome, next, lists) = if voters.is_empty() {
        // Step 13 with no voter: no quorum (votes 0, needed max(1, floorDiv(2·0 + 2, 3)) = 1).
        events.push(json!({ "kind": "no_quorum", "votes": "0", "needed": "1" }));
        ("abort", paused, economy::Lists::paused(s.chr_pool))
    } else {
        let mut next = candidate.state;
        next.epoch = t;
        ("commit", next, candidate.lists)
    };
    let record = Record {
        active,
        voters,
        incidents,
        events,
        sync,
        c_shards: Value::Array(c_shards),
        ..record(next.root(), outcome, lists)
    };
    Ok(Epoch { record, next })
}
