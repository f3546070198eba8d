mod common;

use common::{array, load, string, Report};
use ethnum::I256;
use qfs_conformance::certified_math::{self as cm, MathViolation};

fn run(op: &str, args: &[I256]) -> Result<i128, MathViolation> {
    match (op, args) {
        ("mulDiv", &[a, b, c]) => cm::mul_div(a, b, c),
        ("floorDiv", &[a, c]) => cm::floor_div(a, c),
        // Median inputs are values already in range (i128); a wider one is a broken vector.
        ("median", xs) => cm::median(
            &xs.iter()
                .map(|x| i128::try_from(*x).unwrap())
                .collect::<Vec<_>>(),
        ),
        ("checkUnsigned", &[x]) => cm::check_unsigned(x),
        ("checkSigned", &[x]) => cm::check_signed(x),
        _ => panic!("unknown op {op} with {} args", args.len()),
    }
}

#[test]
fn math_vectors() {
    let mut report = Report::default();
    for case in array(&load("math.json"), "cases") {
        let op = string(case, "op");
        let args: Vec<I256> = array(case, "args")
            .iter()
            .map(|a| a.as_str().unwrap().parse().unwrap())
            .collect();
        let name = format!(
            "{op}{:?}",
            args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
        );
        let got = match run(op, &args) {
            Ok(v) => serde_json::json!({ "result": v.to_string() }),
            Err(e) => {
                serde_json::json!({ "error": { "code": MathViolation::CODE, "reason": e.reason.as_str() } })
            }
        };
        let want = match case.get("error") {
            Some(e) => serde_json::json!({ "error": e }),
            None => serde_json::json!({ "result": case["result"] }),
        };
        report.check(&name, got == want, || format!("got {got}, want {want}"));
    }
    report.finish("math.json");
}
