mod common;

use common::{array, load, string, Report};
use qfs_conformance::canonical;

#[test]
fn encode_vectors() {
    let mut report = Report::default();
    for case in array(&load("canonical.json"), "encode") {
        let want = string(case, "canonical");
        let got = canonical::encode(&case["input"]);
        // What the encoder writes, the reader accepts unchanged.
        let reparsed = canonical::parse(want.as_bytes());
        report.check(
            string(case, "name"),
            got.as_deref() == Ok(want) && reparsed.as_ref() == Ok(&case["input"]),
            || format!("got {got:?} / reparsed {reparsed:?}, want {want:?}"),
        );
    }
    report.finish("canonical.json encode");
}

#[test]
fn parse_vectors() {
    let mut report = Report::default();
    for case in array(&load("canonical.json"), "parse") {
        let want = case["canonical"].as_bool().unwrap();
        let got = canonical::parse(string(case, "text").as_bytes());
        report.check(string(case, "name"), got.is_ok() == want, || {
            format!("got {got:?}, want canonical={want}")
        });
    }
    report.finish("canonical.json parse");
}

/// Beyond the vectors: P2.3 corners that they do not exercise.
#[test]
fn refused_inputs() {
    for bytes in [
        &b"\xef\xbb\xbf{\"a\":\"1\"}"[..],
        b"{\"a\":\"\xff\"}",
        b"{\"a\":\"\\ud800\"}",
        b"{\"a\":\"\x01\"}",
        b"{\"a\":NaN}",
    ] {
        assert!(
            !canonical::is_canonical(bytes),
            "{:?} accepted",
            String::from_utf8_lossy(bytes)
        );
    }
}

/// Integers are written by the port's own digit loop: the edges of its 19-digit chunks and of i128.
#[test]
fn integers_are_decimal_strings() {
    use qfs_conformance::canonical::encode;
    for x in [
        0i128,
        7,
        -7,
        9_999_999_999_999_999_999,
        10_000_000_000_000_000_000,
        10_000_000_000_000_000_001,
        -100_000_000_000_000_000_000_000_000_000_000_000_000,
        i128::MAX,
        i128::MIN,
    ] {
        assert_eq!(encode(&x).unwrap(), format!("\"{x}\""));
    }
}
