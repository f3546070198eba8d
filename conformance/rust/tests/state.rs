//! conformance/vectors/state.json: §4 the state at epoch 0 of a genesis, its root and supplies.

mod common;

use common::{array, first_difference, genesis_named, load_optional, string, Report};
use qfs_conformance::state::{Chain, State};
use serde_json::json;

#[test]
fn state_vectors() {
    let Some(v) = load_optional("state.json") else {
        return;
    };
    let mut report = Report::default();
    for case in array(&v, "cases") {
        let name = string(case, "name");
        let doc = genesis_named(&v, string(case, "genesis"));
        let chain = Chain::new(&doc).unwrap_or_else(|e| panic!("{name}: genesis refused: {e}"));
        report.check(
            name,
            chain.genesis_hash == string(case, "genesis_hash"),
            || format!("genesis hash {}", chain.genesis_hash),
        );
        let state = State::genesis(&chain, &doc).expect("a valid genesis opens");
        let got = state.to_value();
        report.check(name, got == case["state"], || {
            format!(
                "state: {}",
                first_difference(&got, &case["state"]).unwrap_or_default()
            )
        });
        report.check(name, state.root() == string(case, "root"), || {
            format!("root {}", state.root())
        });
        let s = state.supplies();
        let supplies = json!({
            "chr": s.chr.to_string(), "flx": s.flx.to_string(), "psy": s.psy.to_string(),
            "atr": s.atr.to_string(), "res": s.res.to_string(),
        });
        report.check(name, supplies == case["supplies"], || {
            format!("supplies {supplies}, want {}", case["supplies"])
        });
        // The state document reads back to the same state.
        let back = State::from_value(&chain, &got);
        report.check(name, back.as_ref() == Ok(&state), || format!("{back:?}"));
    }
    report.finish("state.json");
}
