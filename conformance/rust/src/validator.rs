//! §6 step 2: the optional external validator (EA-12), with pins P6.4–P6.6. It never changes
//! state: a malformed answer is an event, a differing one an incident, and the engine's ψ stands.

use crate::hashing;
use crate::json::{exact, int, read_id, read_unsigned};
use crate::state::Chain;
use serde_json::{json, Value};

pub const TAG: &str = "qfs/v13/validator";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No answer was received.
    Absent,
    /// P6.5 `{ kind: "validator_malformed", digest }`.
    Malformed { digest: String },
    /// Well formed; `(node id, engine ψ, validator ψ)` for every differing node, in id order.
    Checked {
        digest: String,
        differing: Vec<(u64, i128, i128)>,
    },
}

/// P6.6: exactly the keys epoch, psi; `epoch = t`; one `{ node, value }` per node in id order,
/// values in `[0, 2^127)`.
pub fn read_answer(chain: &Chain, t: i128, v: &Value) -> Option<Vec<i128>> {
    let m = exact(v, &["epoch", "psi"])?;
    if read_id(&m["epoch"])? as i128 != t {
        return None;
    }
    let entries = m["psi"].as_array()?;
    if entries.len() != chain.n_nodes() {
        return None;
    }
    entries
        .iter()
        .zip(&chain.node_ids)
        .map(|(e, id)| {
            let e = exact(e, &["node", "value"])?;
            (read_id(&e["node"])? == *id).then_some(())?;
            read_unsigned(&e["value"])
        })
        .collect()
}

pub fn check(chain: &Chain, t: i128, answer: Option<&Value>, engine_psi: &[i128]) -> Outcome {
    let Some(answer) = answer else {
        return Outcome::Absent;
    };
    let digest = hashing::h(TAG, answer).expect("a received answer has a canonical form");
    match read_answer(chain, t, answer) {
        None => Outcome::Malformed { digest },
        Some(values) => Outcome::Checked {
            digest,
            differing: values
                .iter()
                .zip(engine_psi)
                .zip(&chain.node_ids)
                .filter(|((v, e), _)| v != e)
                .map(|((v, e), id)| (*id, *e, *v))
                .collect(),
        },
    }
}

impl Outcome {
    pub fn event(&self) -> Option<Value> {
        match self {
            Outcome::Malformed { digest } => {
                Some(json!({ "kind": "validator_malformed", "digest": digest }))
            }
            _ => None,
        }
    }

    /// P6.4: at most one EA-12 incident, every differing node in id order.
    pub fn incident(&self) -> Option<Value> {
        match self {
            Outcome::Checked { digest, differing } if !differing.is_empty() => {
                let nodes: Vec<Value> = differing
                    .iter()
                    .map(|(node, engine, validator)| {
                        json!({ "node": int(node), "engine": int(engine), "validator": int(validator) })
                    })
                    .collect();
                Some(json!({
                    "code": null, "ea": "EA-12", "shard": null,
                    "evidence": { "digest": digest, "nodes": nodes },
                }))
            }
            _ => None,
        }
    }
}
