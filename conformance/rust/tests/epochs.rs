//! conformance/vectors/epochs.json: whole honest epochs (§6, P6) replayed from their stored
//! inputs (P6.7): inputs hash, outcome, record hash, next state root, and on small chains the
//! full record and state.

mod common;

use common::{apply_patch, array, first_difference, genesis_named, load_optional, string, Report};
use qfs_conformance::state::{Chain, State};
use qfs_conformance::{agent, epoch};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[test]
fn epoch_vectors() {
    let Some(v) = load_optional("epochs.json") else {
        return;
    };
    let mut report = Report::default();
    for chain_case in array(&v, "chains") {
        let cname = string(chain_case, "name");
        let doc = genesis_named(&v, string(chain_case, "genesis"));
        let chain = Chain::new(&doc).unwrap_or_else(|e| panic!("{cname}: genesis refused: {e}"));
        let start = State::genesis(&chain, &doc).expect("a valid genesis opens");
        let patched = apply_patch(&start.to_value(), array(chain_case, "start_patch"));
        let mut state = State::from_value(&chain, &patched)
            .unwrap_or_else(|e| panic!("{cname}: start state refused: {e}"));
        report.check(
            cname,
            state.root() == string(chain_case, "start_root"),
            || format!("start root {}", state.root()),
        );
        let mut elapsed = Duration::ZERO;
        let epochs = array(chain_case, "epochs");
        for (i, e) in epochs.iter().enumerate() {
            let name = format!("{cname} epoch {}", i + 1);
            check_agent(&mut report, &name, &chain, &state, e);
            let began = Instant::now();
            let out = match epoch::replay(&chain, &state, &e["inputs"]) {
                Ok(out) => out,
                Err(err) => {
                    report.check(&name, false, || format!("replay failed: {err}"));
                    break;
                }
            };
            let record_hash = epoch::record_hash(&out.record);
            let root = out.next.root();
            elapsed += began.elapsed();
            let r = &out.record.to_value();
            report.check(&name, r["inputs_hash"] == e["inputs_hash"], || {
                format!("inputs_hash {}", r["inputs_hash"])
            });
            report.check(&name, r["outcome"] == e["outcome"], || {
                format!("outcome {}", r["outcome"])
            });
            if let Some(want) = e.get("record") {
                report.check(&name, r == want, || {
                    format!("record: {}", first_difference(r, want).unwrap_or_default())
                });
            }
            if let Some(want) = e.get("state") {
                let got = out.next.to_value();
                report.check(&name, &got == want, || {
                    format!(
                        "state: {}",
                        first_difference(&got, want).unwrap_or_default()
                    )
                });
            }
            report.check(&name, record_hash == string(e, "record_hash"), || {
                format!("record_hash {record_hash}")
            });
            report.check(&name, root == string(e, "root"), || format!("root {root}"));
            state = out.next;
        }
        eprintln!(
            "epochs.json {cname}: {} epochs on {} nodes, {:.3} ms per epoch (replay + record hash + root)",
            epochs.len(),
            chain.n_nodes(),
            elapsed.as_secs_f64() * 1e3 / epochs.len().max(1) as f64
        );
    }
    report.finish("epochs.json");
}

/// P6.8–P6.9: the honest agent of every active shard, run on what its nodes submitted, reproduces
/// the stored proposals and the refusals (in the agent's order, shards ascending).
fn check_agent(report: &mut Report, name: &str, chain: &Chain, s: &State, e: &Value) {
    let t = s.epoch + 1;
    let snapshots = e["inputs"]["snapshots"].as_array().expect("snapshots");
    let (_, opened, field) = match epoch::opening(chain, s, snapshots) {
        Ok(x) => x,
        Err(err) => return report.check(name, false, || format!("opening failed: {err}")),
    };
    let mut proposals = Vec::new();
    let mut refusals = Vec::new();
    for shard in s.active(t) {
        let submitted: Vec<Value> = array(e, "submitted")
            .iter()
            .filter(|x| x["shard"] == Value::String(shard.to_string()))
            .flat_map(|x| array(x, "actions").iter().cloned())
            .collect();
        let (p, r) = agent::propose(chain, s, &opened, &field, shard, &submitted);
        proposals.push(p);
        refusals.extend(
            r.into_iter().map(
                |r| json!({ "shard": r.shard.to_string(), "code": r.code, "digest": r.digest }),
            ),
        );
    }
    let got = json!({ "proposals": proposals, "refusals": refusals });
    let want = json!({ "proposals": e["inputs"]["proposals"], "refusals": e["refusals"] });
    report.check(&format!("{name} (honest agent)"), got == want, || {
        first_difference(&got, &want).unwrap_or_default()
    });
}
