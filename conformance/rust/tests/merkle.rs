//! conformance/vectors/merkle.json: the §10 Merkle tree hash of every case's leaves.

mod common;

use common::{array, load, string, Report};
use qfs_conformance::merkle;

#[test]
fn merkle_vectors() {
    let v = load("merkle.json");
    let cases = array(&v, "cases");
    let sizes: std::collections::BTreeSet<usize> =
        cases.iter().map(|c| array(c, "leaves").len()).collect();
    assert!(
        (0..=17).all(|n| sizes.contains(&n)),
        "merkle.json must cover 0..=17 leaves, has {sizes:?}"
    );
    let mut report = Report::default();
    for case in cases {
        let name = string(case, "name");
        let leaves: Vec<Vec<u8>> = array(case, "leaves")
            .iter()
            .map(|x| hex::decode(x.as_str().expect("leaf hex")).expect("leaf hex"))
            .collect();
        let got = merkle::root_hex(&leaves);
        report.check(name, got == string(case, "root"), || format!("root {got}"));
    }
    report.finish("merkle.json");
}

/// The bottom-up computation against the recursive definition of §10 on every size up to 70.
#[test]
fn bottom_up_equals_the_recursive_definition() {
    fn mth(hashes: &[[u8; 32]]) -> [u8; 32] {
        if hashes.len() == 1 {
            return hashes[0];
        }
        // The largest power of two below n: the top bit of n - 1.
        let k = 1usize << (usize::BITS - 1 - (hashes.len() - 1).leading_zeros());
        merkle::node_hash(&mth(&hashes[..k]), &mth(&hashes[k..]))
    }
    for n in 1..=70usize {
        let entries: Vec<Vec<u8>> = (0..n).map(|i| format!("entry {i}").into_bytes()).collect();
        let hashes: Vec<[u8; 32]> = entries.iter().map(|e| merkle::leaf_hash(e)).collect();
        assert_eq!(merkle::root(&entries), mth(&hashes), "n = {n}");
    }
}
