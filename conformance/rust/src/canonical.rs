//! §2 canonical encoding (restricted RFC 8785) with pins P2.1-P2.3, over `serde_json::Value`.
//!
//! Integers live in documents as strings already; a `Value::Number` that is an integer is written
//! as a string too (§2: every integer is a JSON string), anything else numeric is refused.

use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalError(pub String);

impl CanonicalError {
    pub const CODE: &'static str = "E_CANONICAL";
}

impl fmt::Display for CanonicalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", Self::CODE, self.0)
    }
}

impl std::error::Error for CanonicalError {}

/// P2.1: object keys are non-empty `[a-z0-9_]+`.
fn is_key(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// P2.2: JSON.stringify's escapes; other C0 controls as lowercase `\u00xx`; everything else literal.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_value(v: &Value, out: &mut String) -> Result<(), CanonicalError> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => write_string(&i.to_string(), out),
            (_, Some(u)) => write_string(&u.to_string(), out),
            _ => return Err(CanonicalError(format!("non-integer number {n}"))),
        },
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sorted here, whatever order the map keeps; keys are ASCII so bytes = code units.
            let mut keys: Vec<&String> = map.keys().collect();
            if let Some(bad) = keys.iter().find(|k| !is_key(k)) {
                return Err(CanonicalError(format!(
                    "object key {bad:?} is not [a-z0-9_]+"
                )));
            }
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_value(&map[k.as_str()], out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

pub fn encode(v: &Value) -> Result<String, CanonicalError> {
    let mut out = String::new();
    write_value(v, &mut out)?;
    Ok(out)
}

fn has_number(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::Array(items) => items.iter().any(has_number),
        Value::Object(map) => map.values().any(has_number),
        _ => false,
    }
}

/// P2.3: accept iff valid UTF-8 without BOM, JSON without any number, re-encoding to the same
/// bytes. serde_json refuses lone surrogates; a duplicate key keeps one entry, so the
/// re-encoding is shorter than the text and the comparison refuses it.
pub fn parse(bytes: &[u8]) -> Result<Value, CanonicalError> {
    let text = std::str::from_utf8(bytes).map_err(|_| CanonicalError("not UTF-8".into()))?;
    if text.starts_with('\u{feff}') {
        return Err(CanonicalError("byte order mark".into()));
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| CanonicalError(format!("not JSON: {e}")))?;
    if has_number(&value) {
        return Err(CanonicalError("JSON number (integers are strings)".into()));
    }
    if encode(&value)? != text {
        return Err(CanonicalError("not in canonical form".into()));
    }
    Ok(value)
}

pub fn is_canonical(bytes: &[u8]) -> bool {
    parse(bytes).is_ok()
}
