//! §6 step 1 (EA-11): oracle snapshot admission, with pins P6.4 (incidents), P6.5 (event) and
//! P6.6 (schema).

use crate::certified_math::SCALE;
use crate::json::{exact, int, read_id, read_in};
use crate::state::{Chain, State};
use crate::{hashing, signatures};
use ethnum::I256;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const TAG: &str = "qfs/v13/oracle";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Malformed,
    BadSignature,
    Future,
    Stale,
    Replayed,
    Superseded,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed",
            Reason::BadSignature => "bad_signature",
            Reason::Future => "future",
            Reason::Stale => "stale",
            Reason::Replayed => "replayed",
            Reason::Superseded => "superseded",
        }
    }
}

/// A well-formed snapshot: its epoch and `(node index, dis)` entries.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub epoch: i128,
    pub dis: Vec<(usize, i128)>,
}

/// P6.6: exactly the keys genesis, epoch, dis; `genesis = G`; `epoch` in `[0, 2^63)`; `dis` a
/// list of `{ node, value }`, existing nodes strictly ascending, values in `[0, SCALE]`.
pub fn read_snapshot(chain: &Chain, v: &Value) -> Option<Snapshot> {
    let m = exact(v, &["genesis", "epoch", "dis"])?;
    if m["genesis"].as_str()? != chain.genesis_hash {
        return None;
    }
    let epoch = read_id(&m["epoch"])? as i128;
    let mut dis = Vec::new();
    let mut last: Option<u64> = None;
    for entry in m["dis"].as_array()? {
        let e = exact(entry, &["node", "value"])?;
        let node = read_id(&e["node"])?;
        let index = *chain.node_index.get(&node)?;
        if last.is_some_and(|l| l >= node) {
            return None;
        }
        last = Some(node);
        let value = read_in(&e["value"], I256::ZERO, I256::new(SCALE) + 1)?.as_i128();
        dis.push((index, value));
    }
    Some(Snapshot { epoch, dis })
}

/// The snapshot step admitted, if any.
#[derive(Debug, Clone)]
pub struct Admitted {
    pub digest: String,
    pub snapshot: Snapshot,
}

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub admitted: Option<Admitted>,
    /// EA-11 incidents, in digest order.
    pub incidents: Vec<Value>,
}

impl Outcome {
    /// P6.5: `{ kind: "oracle_admitted", digest, epoch }`, when a snapshot was admitted.
    pub fn event(&self) -> Option<Value> {
        self.admitted.as_ref().map(|a| {
            json!({ "kind": "oracle_admitted", "digest": a.digest, "epoch": int(a.snapshot.epoch) })
        })
    }

    /// Step 1's effect on the state: each listed node's dis, and `last_oracle_epoch`.
    pub fn apply(&self, state: &mut State) {
        if let Some(a) = &self.admitted {
            for (i, value) in &a.snapshot.dis {
                state.nodes[*i].dis = *value;
            }
            state.last_oracle_epoch = a.snapshot.epoch;
        }
    }
}

/// Step 1 for epoch `t` over the received copies `(snapshot, signature hex)`: copies with one
/// digest are one message, signed iff one copy's signature verifies against `oracle_key`.
pub fn admit(chain: &Chain, s: &State, t: i128, copies: &[(Value, String)]) -> Outcome {
    let mut by_digest: BTreeMap<String, (&Value, Vec<&str>)> = BTreeMap::new();
    for (snapshot, signature) in copies {
        let digest = hashing::h(TAG, snapshot).expect("received snapshots have a canonical form");
        by_digest
            .entry(digest)
            .or_insert_with(|| (snapshot, Vec::new()))
            .1
            .push(signature);
    }
    let window = chain.k.oracle_window;
    // (digest, epoch or None, verdict): None passes every check.
    let mut judged: Vec<(String, Option<Snapshot>, Option<Reason>)> = Vec::new();
    for (digest, (snapshot, sigs)) in by_digest {
        let Some(snap) = read_snapshot(chain, snapshot) else {
            judged.push((digest, None, Some(Reason::Malformed)));
            continue;
        };
        let digest_bytes: [u8; 32] = hex::decode(&digest).unwrap().try_into().unwrap();
        let signed = sigs.iter().any(|sig| {
            signatures::from_hex(sig, signatures::SIGNATURE_BYTES)
                .is_some_and(|s| signatures::verify(&chain.oracle_key, TAG, &digest_bytes, &s))
        });
        let e = snap.epoch;
        let reason = if !signed {
            Some(Reason::BadSignature)
        } else if e > t {
            Some(Reason::Future)
        } else if e + window < t {
            Some(Reason::Stale)
        } else if e <= s.last_oracle_epoch {
            Some(Reason::Replayed)
        } else {
            None
        };
        judged.push((digest, Some(snap), reason));
    }
    // Highest epoch, then lowest digest (digests are visited in ascending order).
    let mut best: Option<usize> = None;
    for (i, (_, snap, reason)) in judged.iter().enumerate() {
        if reason.is_none() {
            let e = snap.as_ref().unwrap().epoch;
            if best.is_none_or(|b| e > judged[b].1.as_ref().unwrap().epoch) {
                best = Some(i);
            }
        }
    }
    let admitted_digest = best.map(|b| judged[b].0.clone());
    let mut out = Outcome::default();
    for (i, (digest, snap, reason)) in judged.into_iter().enumerate() {
        if Some(i) == best {
            out.admitted = Some(Admitted {
                digest,
                snapshot: snap.unwrap(),
            });
            continue;
        }
        let reason = reason.unwrap_or(Reason::Superseded);
        let admitted = match reason {
            Reason::Superseded => Value::String(admitted_digest.clone().unwrap()),
            _ => Value::Null,
        };
        out.incidents.push(json!({
            "code": null, "ea": "EA-11", "shard": null,
            "evidence": {
                "digest": digest,
                "reason": reason.as_str(),
                "epoch": snap.map_or(Value::Null, |s| int(s.epoch)),
                "admitted": admitted,
            },
        }));
    }
    out
}
