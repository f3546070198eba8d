mod common;

use common::{array, load, string, Report};
use qfs_conformance::hashing;
use std::collections::BTreeSet;

#[test]
fn hash_vectors() {
    let cases = load("hash.json");
    let mut report = Report::default();
    for (i, case) in array(&cases, "cases").iter().enumerate() {
        let tag = string(case, "tag");
        let got = hashing::h(tag, &case["value"]);
        let want = string(case, "digest");
        report.check(&format!("{tag}#{i}"), got.as_deref() == Ok(want), || {
            format!("got {got:?}, want {want}")
        });
    }
    let tags: BTreeSet<&str> = array(&cases, "cases")
        .iter()
        .map(|c| string(c, "tag"))
        .collect();
    assert_eq!(
        tags,
        hashing::TAGS.into_iter().collect(),
        "vectors cover every tag"
    );
    report.finish("hash.json");
}
