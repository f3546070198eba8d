//! conformance/vectors/psi.json: §5 the ψ-field of a state (densities, Σψ, C, C_s, gradients,
//! flux demands and directions, curls with reported gradients) and its MathViolations.

mod common;

use common::{apply_patch, array, first_difference, genesis_named, load_optional, string, Report};
use qfs_conformance::certified_math::MathViolation;
use qfs_conformance::json::read_signed;
use qfs_conformance::psi::{self, Field};
use qfs_conformance::state::{Chain, State};
use serde_json::{json, Value};
use std::collections::HashMap;

fn s(x: impl ToString) -> Value {
    Value::String(x.to_string())
}

fn field_value(chain: &Chain, f: &Field, reported: &[Value]) -> Value {
    let ids = &chain.node_ids;
    let mut grad = f.grad.clone();
    let index: HashMap<(u64, u64), usize> = chain
        .edges
        .iter()
        .enumerate()
        .map(|(e, (a, b))| ((ids[*a], ids[*b]), e))
        .collect();
    for r in reported {
        let key = (
            string(r, "a").parse().unwrap(),
            string(r, "b").parse().unwrap(),
        );
        grad[index[&key]] = read_signed(&r["value"]).expect("a reported gradient in range");
    }
    let psi: Vec<Value> = ids
        .iter()
        .zip(&f.psi)
        .map(|(id, p)| json!({ "node": s(id), "value": s(p) }))
        .collect();
    let c_shards: Vec<Value> = chain
        .shard_ids
        .iter()
        .zip(&f.c_shards)
        .map(|(id, c)| json!({ "shard": s(id), "value": s(c) }))
        .collect();
    let mut gradients = Vec::new();
    let mut flux = Vec::new();
    for (e, (a, b)) in chain.edges.iter().enumerate() {
        gradients.push(json!({ "a": s(ids[*a]), "b": s(ids[*b]), "value": s(f.grad[e]) }));
        let (from, to) = match f.direction(chain, e) {
            Some((x, y)) => (s(ids[x]), s(ids[y])),
            None => (Value::Null, Value::Null),
        };
        flux.push(json!({ "a": s(ids[*a]), "b": s(ids[*b]), "demand": s(f.demand[e]), "from": from, "to": to }));
    }
    let triangles: Vec<Value> = psi::triangles(chain)
        .into_iter()
        .map(|(ab, bc, ac)| {
            let (a, b) = chain.edges[ab];
            let c = chain.edges[bc].1;
            json!({
                "a": s(ids[a]), "b": s(ids[b]), "c": s(ids[c]),
                "curl": s(psi::curl(grad[ab], grad[bc], grad[ac])),
            })
        })
        .collect();
    json!({
        "psi": psi, "sum_psi": s(f.sum), "c": s(f.c), "c_shards": c_shards,
        "gradients": gradients, "flux": flux, "triangles": triangles,
    })
}

#[test]
fn psi_vectors() {
    let Some(v) = load_optional("psi.json") else {
        return;
    };
    let mut report = Report::default();
    for case in array(&v, "cases") {
        let name = string(case, "name");
        let doc = genesis_named(&v, string(case, "genesis"));
        let chain = Chain::new(&doc).unwrap_or_else(|e| panic!("{name}: genesis refused: {e}"));
        let start = State::genesis(&chain, &doc).expect("a valid genesis opens");
        let patched = apply_patch(&start.to_value(), array(case, "state_patch"));
        let state = State::from_value(&chain, &patched)
            .unwrap_or_else(|e| panic!("{name}: patched state refused: {e}"));
        let reported = case
            .get("reported")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let got = match Field::compute(&chain, &state.nodes) {
            Ok(f) => field_value(&chain, &f, &reported),
            Err(e) => {
                json!({ "error": { "code": MathViolation::CODE, "reason": e.reason.as_str() } })
            }
        };
        let want = match case.get("error") {
            Some(e) => json!({ "error": e }),
            None => {
                let keys = [
                    "psi",
                    "sum_psi",
                    "c",
                    "c_shards",
                    "gradients",
                    "flux",
                    "triangles",
                ];
                Value::Object(
                    keys.iter()
                        .map(|k| (k.to_string(), case[*k].clone()))
                        .collect(),
                )
            }
        };
        report.check(name, got == want, || {
            first_difference(&got, &want).unwrap_or_default()
        });
    }
    report.finish("psi.json");
}
