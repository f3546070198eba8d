//! Self-checks of the §4–§6 port that need no vector: an honest chain on the default genesis
//! (actions of every kind, oracle snapshots, a validator) keeps the §4 supplies and the §9 step
//! invariants that the record lets one recompute.

mod common;

use common::load;
use qfs_conformance::economy::Action;
use qfs_conformance::epoch::{self, EpochError};
use qfs_conformance::psi::Field;
use qfs_conformance::state::{Chain, State};
use qfs_conformance::{hashing, oracle, signatures};
use serde_json::{json, Value};

fn s(x: impl ToString) -> Value {
    Value::String(x.to_string())
}

fn action_value(a: &Action) -> Value {
    match a {
        Action::Transfer {
            from,
            to,
            amount,
            nonce,
        } => {
            json!({ "kind": "transfer", "from": s(from), "to": s(to), "amount": s(amount), "nonce": s(nonce) })
        }
        Action::PsyTransfer {
            from,
            to,
            amount,
            nonce,
        } => {
            json!({ "kind": "psy_transfer", "from": s(from), "to": s(to), "amount": s(amount), "nonce": s(nonce) })
        }
        Action::Stake {
            node,
            amount,
            nonce,
        } => {
            json!({ "kind": "stake", "node": s(node), "amount": s(amount), "nonce": s(nonce) })
        }
        Action::Unstake {
            node,
            amount,
            nonce,
        } => {
            json!({ "kind": "unstake", "node": s(node), "amount": s(amount), "nonce": s(nonce) })
        }
    }
}

/// An honest proposal of `shard` (index) from S and the opening field.
fn proposal(chain: &Chain, st: &State, field: &Field, shard: usize, actions: &[Action]) -> Value {
    let t = st.epoch + 1;
    let members = &chain.shard_nodes[shard];
    let psi: Vec<Value> = members
        .iter()
        .map(|i| json!({ "node": s(chain.node_ids[*i]), "value": s(field.psi[*i]) }))
        .collect();
    let gradients: Vec<Value> = chain
        .edges
        .iter()
        .enumerate()
        .filter(|(_, (a, _))| chain.node_shard[*a] == shard)
        .map(|(e, (a, b))| {
            json!({ "a": s(chain.node_ids[*a]), "b": s(chain.node_ids[*b]), "value": s(field.grad[e]) })
        })
        .collect();
    json!({
        "epoch": s(t), "shard": s(chain.shard_ids[shard]), "prev_root": st.root(),
        "actions": actions.iter().map(action_value).collect::<Vec<_>>(),
        "reports": { "psi": psi, "gradients": gradients, "sync": s(field.c) },
    })
}

fn sum(xs: impl Iterator<Item = i128>) -> i128 {
    xs.sum()
}

fn supplies(st: &State) -> (i128, i128, i128) {
    let chr = sum(st.nodes.iter().map(|n| n.chr)) + st.chr_pool;
    let flx = sum(st.nodes.iter().map(|n| n.flx + n.stake))
        + sum(st.users.iter().map(|u| u.1))
        + st.treasury;
    let psy = sum(st.nodes.iter().map(|n| n.psy));
    (chr, flx, psy)
}

#[test]
fn honest_chain_keeps_supplies() -> Result<(), EpochError> {
    let v = load("genesis.json");
    let doc = &v["default"]["genesis"];
    let chain = Chain::new(doc).unwrap();
    let mut st = State::genesis(&chain, doc)?;
    let oracle_key = signatures::dev_signing_key("oracle");
    let (chr0, flx0, _) = supplies(&st);
    let mut last_psy = 0;
    let mut committed = 0;
    for t in 1..=8i128 {
        let opened_field = {
            // The honest oracle signs the current dissonance: raise node t's a little.
            let mut o = st.clone();
            o.nodes[t as usize].dis = (t * 10_000_000_000_000_000) % 1_000_000_000_000_000_000;
            Field::compute(&chain, &o.nodes)?
        };
        let snapshot = json!({
            "genesis": chain.genesis_hash, "epoch": s(t),
            "dis": [{ "node": s(chain.node_ids[t as usize]), "value": s((t * 10_000_000_000_000_000) % 1_000_000_000_000_000_000) }],
        });
        let digest = hashing::digest(oracle::TAG, &snapshot).unwrap();
        let signature = hex::encode(signatures::sign(&oracle_key, oracle::TAG, &digest));
        let mut proposals = Vec::new();
        for shard in 0..chain.shard_ids.len() {
            let members = &chain.shard_nodes[shard];
            let mut actions = Vec::new();
            if let [a, b, ..] = members[..] {
                let (na, nb) = (&st.nodes[a], &st.nodes[b]);
                let (ia, ib) = (chain.node_ids[a], chain.node_ids[b]);
                actions.push(Action::Transfer {
                    from: ia,
                    to: chain.node_ids[(a + 9) % chain.n_nodes()],
                    amount: na.flx / 100 + 1,
                    nonce: na.nonce + 1,
                });
                actions.push(Action::Stake {
                    node: ia,
                    amount: na.flx / 1000 + 1,
                    nonce: na.nonce + 2,
                });
                if na.stake > 0 {
                    actions.push(Action::Unstake {
                        node: ia,
                        amount: na.stake / 2 + 1,
                        nonce: na.nonce + 3,
                    });
                }
                if nb.psy > 0 {
                    actions.push(Action::PsyTransfer {
                        from: ib,
                        to: ia,
                        amount: nb.psy / 3 + 1,
                        nonce: nb.nonce + 1,
                    });
                }
            }
            proposals.push(proposal(&chain, &st, &opened_field, shard, &actions));
        }
        // Epoch 5 has no proposal at all: an abort with no quorum that changes no balance.
        if t == 5 {
            proposals.clear();
        }
        let validator = json!({
            "epoch": s(t),
            "psi": chain.node_ids.iter().zip(&opened_field.psi).map(|(id, p)| json!({ "node": s(id), "value": s(p + i128::from(t == 3)) })).collect::<Vec<_>>(),
        });
        let inputs = json!({
            "epoch": s(t),
            "snapshots": [{ "digest": hex::encode(digest), "snapshot": snapshot, "signature": signature }],
            "validator": validator,
            "proposals": proposals,
        });
        let out = epoch::replay(&chain, &st, &inputs)?;
        let r = &out.record.to_value();
        assert_eq!(r["prev_root"], st.root());
        assert_eq!(r["root"], out.next.root());
        assert_eq!(r["inputs_hash"], epoch::inputs_hash(&inputs)?);
        let (chr, flx, psy) = supplies(&out.next);
        assert_eq!(
            (chr, flx),
            (chr0, flx0),
            "epoch {t}: CHR and FLX supplies are constant"
        );
        assert!(psy >= last_psy, "epoch {t}: PSY supply never decreases");
        last_psy = psy;
        assert_eq!(
            r["incidents"].as_array().unwrap().len(),
            usize::from(t == 3),
            "EA-12 only in epoch 3"
        );
        if t == 5 {
            assert_eq!(r["outcome"], "abort");
            assert_eq!(out.next.nodes, st.nodes);
            assert_eq!(out.next.last_oracle_epoch, st.last_oracle_epoch);
        } else {
            assert_eq!(r["outcome"], "commit");
            committed += 1;
            assert_eq!(out.next.last_oracle_epoch, t);
            // Replaying the same stored inputs reproduces the record byte for byte.
            let again = epoch::replay(&chain, &st, &inputs)?;
            assert_eq!(
                epoch::record_hash(&again.record),
                epoch::record_hash(&out.record)
            );
        }
        st = out.next;
    }
    assert_eq!(committed, 7);
    Ok(())
}
