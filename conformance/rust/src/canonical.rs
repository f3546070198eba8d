//! §2 canonical encoding (restricted RFC 8785) with pins P2.1-P2.3, of `serde_json::Value`
//! documents and of the port's typed values (state, record), streamed into a `Sink`.
//!
//! Integers live in documents as strings already; a `Value::Number` that is an integer is written
//! as a string too (§2: every integer is a JSON string), anything else numeric is refused.

use serde_json::Value;
use sha2::{Digest, Sha256};
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

/// Where canonical text goes: a `String` (to keep or compare it) or a SHA-256 hasher, so that a
/// hash never needs the whole text of a large document in memory at once.
pub trait Sink {
    fn put(&mut self, s: &str);
}

impl Sink for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

/// A SHA-256 hasher fed in blocks of 64 KiB: a document is written in millions of small pieces,
/// and handing each one to the hasher costs more than copying it into a buffer.
pub struct HashSink {
    hasher: Sha256,
    buffer: Vec<u8>,
}

impl HashSink {
    const BLOCK: usize = 1 << 16;

    pub fn new() -> HashSink {
        HashSink {
            hasher: Sha256::new(),
            buffer: Vec::with_capacity(Self::BLOCK),
        }
    }

    pub fn finish(mut self) -> [u8; 32] {
        self.hasher.update(&self.buffer);
        self.hasher.finalize().into()
    }
}

impl Default for HashSink {
    fn default() -> Self {
        Self::new()
    }
}

impl Sink for HashSink {
    fn put(&mut self, s: &str) {
        if self.buffer.len() + s.len() > Self::BLOCK {
            self.hasher.update(&self.buffer);
            self.buffer.clear();
        }
        self.buffer.extend_from_slice(s.as_bytes());
    }
}

/// A value with a canonical encoding: a parsed document (`Value`, which may be refused), or one of
/// the port's own typed values (always encodable), written without building a `Value` first.
pub trait Canonical {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError>;
}

/// P2.2: JSON.stringify's escapes; other C0 controls as lowercase `\u00xx`; everything else literal.
fn write_string(s: &str, out: &mut dyn Sink) {
    out.put("\"");
    let mut plain = 0; // start of the run of characters that need no escape
    for (i, c) in s.char_indices() {
        let escaped = match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            '\u{8}' => "\\b".to_string(),
            '\u{c}' => "\\f".to_string(),
            '\n' => "\\n".to_string(),
            '\r' => "\\r".to_string(),
            '\t' => "\\t".to_string(),
            c if (c as u32) < 0x20 => format!("\\u{:04x}", c as u32),
            _ => continue,
        };
        out.put(&s[plain..i]);
        out.put(&escaped);
        plain = i + c.len_utf8();
    }
    out.put(&s[plain..]);
    out.put("\"");
}

impl Canonical for Value {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        match self {
            Value::Null => out.put("null"),
            Value::Bool(b) => b.write_to(out)?,
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => i128::from(i).write_to(out)?,
                (_, Some(u)) => u.write_to(out)?,
                _ => return Err(CanonicalError(format!("non-integer number {n}"))),
            },
            Value::String(s) => write_string(s, out),
            Value::Array(items) => items.write_to(out)?,
            Value::Object(map) => {
                let mut members: Vec<(&str, &dyn Canonical)> = map
                    .iter()
                    .map(|(k, v)| (k.as_str(), v as &dyn Canonical))
                    .collect();
                write_object(out, &mut members)?;
            }
        }
        Ok(())
    }
}

/// §2: every integer is a JSON string of its decimal digits (written into a stack buffer, right
/// to left: a large document has millions of integers).
impl Canonical for i128 {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        let mut text = [0u8; 42]; // '"', a sign, 39 digits of 2^127, '"'
        let mut at = text.len() - 1;
        text[at] = b'"';
        // 128-bit division is slow: split off 19-digit chunks, each written in 64-bit arithmetic.
        const CHUNK: u128 = 10_000_000_000_000_000_000;
        let mut x = self.unsigned_abs();
        while x >= CHUNK {
            let mut chunk = (x % CHUNK) as u64;
            x /= CHUNK;
            for _ in 0..19 {
                at -= 1;
                text[at] = b'0' + (chunk % 10) as u8;
                chunk /= 10;
            }
        }
        let mut rest = x as u64;
        loop {
            at -= 1;
            text[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if *self < 0 {
            at -= 1;
            text[at] = b'-';
        }
        at -= 1;
        text[at] = b'"';
        out.put(std::str::from_utf8(&text[at..]).expect("ASCII digits"));
        Ok(())
    }
}

impl Canonical for u64 {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        i128::from(*self).write_to(out)
    }
}

impl Canonical for bool {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        out.put(if *self { "true" } else { "false" });
        Ok(())
    }
}

impl Canonical for str {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_string(self, out);
        Ok(())
    }
}

impl Canonical for &str {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        (*self).write_to(out)
    }
}

impl Canonical for String {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        self.as_str().write_to(out)
    }
}

/// `None` is `null`.
impl<T: Canonical> Canonical for Option<T> {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        match self {
            None => {
                out.put("null");
                Ok(())
            }
            Some(x) => x.write_to(out),
        }
    }
}

impl<T: Canonical> Canonical for [T] {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        out.put("[");
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.put(",");
            }
            item.write_to(out)?;
        }
        out.put("]");
        Ok(())
    }
}

impl<T: Canonical> Canonical for Vec<T> {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        self.as_slice().write_to(out)
    }
}

/// A nested object, written by a closure (usually one `write_object` call).
pub struct Object<F>(pub F);

impl<F: Fn(&mut dyn Sink) -> Result<(), CanonicalError>> Canonical for Object<F> {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        (self.0)(out)
    }
}

/// An object from its members in any order: the keys are checked (P2.1) and sorted here, so a
/// typed value lists its members as the spec names them.
pub fn write_object(
    out: &mut dyn Sink,
    members: &mut [(&str, &dyn Canonical)],
) -> Result<(), CanonicalError> {
    if let Some((bad, _)) = members.iter().find(|(k, _)| !is_key(k)) {
        return Err(CanonicalError(format!(
            "object key {bad:?} is not [a-z0-9_]+"
        )));
    }
    // Keys are ASCII, so byte order is code-unit order.
    members.sort_unstable_by_key(|(k, _)| *k);
    out.put("{");
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.put(",");
        }
        write_string(k, out);
        out.put(":");
        v.write_to(out)?;
    }
    out.put("}");
    Ok(())
}

/// The canonical text of a value (for hashing, prefer `hashing::digest`, which streams).
pub fn encode(v: &(impl Canonical + ?Sized)) -> Result<String, CanonicalError> {
    let mut out = String::new();
    v.write_to(&mut out)?;
    Ok(out)
}

/// A typed value as a document (what the vectors compare): its canonical text, parsed back.
pub fn to_value(v: &(impl Canonical + ?Sized)) -> Value {
    let text = encode(v).expect("a typed value always has a canonical form");
    serde_json::from_str(&text).expect("canonical text is JSON")
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
