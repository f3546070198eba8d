//! conformance/vectors/economy.json: §6 steps 4–10, each step alone on the topology and
//! constants of a genesis (some constants overridden by the case).

mod common;

use common::{array, first_difference, genesis_named, load_optional, string, Report};
use qfs_conformance::certified_math::MathViolation;
use qfs_conformance::economy::{self as eco, Action, Holdings};
use qfs_conformance::json::{node_values, read_id, read_int, read_unsigned};
use qfs_conformance::psi::Field;
use qfs_conformance::state::{Chain, Unstake};
use serde_json::{json, Value};

fn s(x: impl ToString) -> Value {
    Value::String(x.to_string())
}

fn ints(v: &Value, key: &str) -> Vec<i128> {
    array(v, key)
        .iter()
        .map(|x| {
            read_int(x)
                .unwrap_or_else(|| panic!("{key}: not an integer"))
                .as_i128()
        })
        .collect()
}

fn int1(v: &Value, key: &str) -> i128 {
    read_int(&v[key])
        .unwrap_or_else(|| panic!("{key}: not an integer"))
        .as_i128()
}

fn list(xs: &[i128]) -> Value {
    Value::Array(xs.iter().map(s).collect())
}

fn unstakes_of(v: &Value) -> Vec<Unstake> {
    v.as_array()
        .expect("unstakes")
        .iter()
        .map(|u| Unstake {
            node: read_id(&u["node"]).unwrap(),
            nonce: read_unsigned(&u["nonce"]).unwrap(),
            amount: read_unsigned(&u["amount"]).unwrap(),
            since: read_unsigned(&u["since"]).unwrap(),
        })
        .collect()
}

fn unstakes_value(us: &[Unstake]) -> Value {
    Value::Array(
        us.iter()
            .map(|u| json!({ "node": s(u.node), "nonce": s(u.nonce), "amount": s(u.amount), "since": s(u.since) }))
            .collect(),
    )
}

fn run_step(chain: &Chain, step: &str, i: &Value) -> Result<Value, MathViolation> {
    let ids = &chain.node_ids;
    let field = || Field::from_psi(chain, ints(i, "psi"));
    Ok(match step {
        "actions" => {
            let mut h = Holdings {
                flx: ints(i, "flx"),
                stake: ints(i, "stake"),
                atr: ints(i, "atr"),
                psy: ints(i, "psy"),
                nonce: ints(i, "nonce"),
            };
            let actions: Vec<Action> = array(i, "actions")
                .iter()
                .map(|a| Action::read(a).expect("a well-formed action"))
                .collect();
            let out = eco::step_actions(
                chain,
                &mut h,
                &unstakes_of(&i["unstakes"]),
                int1(i, "coherence"),
                int1(i, "c"),
                int1(i, "t"),
                &actions,
            )?;
            json!({
                "atr": list(&h.atr), "flx": list(&h.flx), "moves": eco::list_value(&out.moves), "nonce": list(&h.nonce),
                "psy": list(&h.psy), "released": out.released, "stake": list(&h.stake),
                "unstakes": unstakes_value(&out.unstakes),
            })
        }
        "flow" => {
            let f = field()?;
            let mut flx = ints(i, "flx");
            let (flows, moves) = eco::step_flow(chain, &f, &mut flx)?;
            json!({ "flows": eco::list_value(&flows), "flx": list(&flx), "moves": eco::list_value(&moves) })
        }
        "chr" => {
            let f = field()?;
            let out = eco::step_chr(
                &f,
                &chain.k,
                &ints(i, "chr"),
                &ints(i, "dis"),
                int1(i, "chr_pool"),
            )?;
            let per_node = |xs: &[i128]| node_values(ids.iter().copied().zip(xs.iter().copied()));
            json!({
                "chr": list(&out.chr), "chr_pool": s(out.pool),
                "record": { "penalties": per_node(&out.penalties), "pool": s(out.pool), "shares": per_node(&out.shares) },
            })
        }
        "res" => {
            let f = field()?;
            let out = eco::step_res(chain, &f, &ints(i, "res"))?;
            json!({
                "record": { "cap": s(out.cap), "credits": eco::credits_value(chain, &out.credits) },
                "res": list(&out.res),
            })
        }
        "psy" => {
            let f = field()?;
            let mut psy = ints(i, "psy");
            let (minted, exhausted) = eco::step_psy(&f, &chain.k, &mut psy)?;
            json!({
                "psy": list(&psy), "psy_exhausted": exhausted,
                "psy_minted": node_values(ids.iter().copied().zip(minted)),
            })
        }
        "rewards" => {
            let f = field()?;
            let out = eco::step_rewards(
                &f,
                &chain.k,
                &ints(i, "chr"),
                &ints(i, "res"),
                int1(i, "treasury"),
                int1(i, "chr_supply"),
            )?;
            let nodes: Vec<Value> = ids
                .iter()
                .zip(&out.nodes)
                .map(|(id, (m, w, r))| json!({ "node": s(id), "m": s(m), "w": s(w), "r": s(r) }))
                .collect();
            json!({ "budget": s(out.budget), "nodes": nodes, "total_weight": s(out.total_weight) })
        }
        "treasury" => {
            let mut flx = ints(i, "flx");
            let mut user_flx = ints(i, "user_flx");
            let mut treasury = int1(i, "treasury");
            let out =
                eco::step_treasury(chain, &ints(i, "r"), &mut flx, &mut user_flx, &mut treasury)?;
            json!({
                "flx": list(&flx), "k": list(&out.cuts), "moves": eco::list_value(&out.moves), "paid": s(out.paid),
                "treasury": s(treasury), "user_flx": list(&user_flx),
                "users": eco::users_value(chain, &out.payouts),
            })
        }
        other => panic!("unknown step {other}"),
    })
}

#[test]
fn economy_vectors() {
    let Some(v) = load_optional("economy.json") else {
        return;
    };
    let mut report = Report::default();
    for case in array(&v, "cases") {
        let step = string(case, "step");
        let name = format!("{step}: {}", string(case, "name"));
        let doc = genesis_named(&v, string(case, "genesis"));
        let mut chain = Chain::new(&doc).unwrap_or_else(|e| panic!("{name}: genesis refused: {e}"));
        if let Some(overrides) = case.get("constants").and_then(Value::as_object) {
            for (k, x) in overrides {
                *chain
                    .k
                    .get_mut(k)
                    .unwrap_or_else(|| panic!("{name}: unknown constant {k}")) =
                    read_int(x).expect("a constant").as_i128();
            }
        }
        let got = match run_step(&chain, step, &case["inputs"]) {
            Ok(out) => json!({ "outputs": out }),
            Err(e) => {
                json!({ "error": { "code": MathViolation::CODE, "reason": e.reason.as_str() } })
            }
        };
        let want = match case.get("error") {
            Some(e) => json!({ "error": e }),
            None => json!({ "outputs": case["outputs"] }),
        };
        report.check(&name, got == want, || {
            first_difference(&got, &want).unwrap_or_default()
        });
    }
    report.finish("economy.json");
}
