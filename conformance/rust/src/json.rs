//! Small helpers for the documents of §4–§6: integers are canonical decimal strings (§2), and a
//! message's schema is read strictly (exact key sets, canonical integers, §1 ranges).

use crate::canonical::{write_object, Canonical, CanonicalError, Sink};
use crate::certified_math::limit;
use crate::genesis::parse_int;
use ethnum::I256;
use serde_json::{Map, Value};

/// An integer as §2 writes it: a JSON string of decimal digits.
pub fn int(x: impl ToString) -> Value {
    Value::String(x.to_string())
}

/// `[0, 2^63)`: ids and epochs in a message.
pub fn id_limit() -> I256 {
    I256::from(1u64 << 63)
}

/// A canonical integer string of any size (saturating beyond 76 digits, see `parse_int`).
pub fn read_int(v: &Value) -> Option<I256> {
    v.as_str().and_then(parse_int)
}

/// A canonical integer string in `[lo, hi)`.
pub fn read_in(v: &Value, lo: I256, hi: I256) -> Option<I256> {
    read_int(v).filter(|x| *x >= lo && *x < hi)
}

/// An id or epoch: `[0, 2^63)`.
pub fn read_id(v: &Value) -> Option<u64> {
    read_in(v, I256::ZERO, id_limit()).map(|x| x.as_u64())
}

/// An amount, nonce, ψ or sync: `[0, 2^127)`.
pub fn read_unsigned(v: &Value) -> Option<i128> {
    read_in(v, I256::ZERO, limit()).map(|x| x.as_i128())
}

/// A gradient or delta: `[-2^127, 2^127)`.
pub fn read_signed(v: &Value) -> Option<i128> {
    read_in(v, -limit(), limit()).map(|x| x.as_i128())
}

/// The object iff its key set is exactly `keys`.
pub fn exact<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Map<String, Value>> {
    let m = v.as_object()?;
    (m.len() == keys.len() && keys.iter().all(|k| m.contains_key(*k))).then_some(m)
}

/// `{ node, value }` entries, as many lists of the record and the messages hold them.
pub fn node_values(items: impl IntoIterator<Item = (u64, i128)>) -> Value {
    Value::Array(
        items
            .into_iter()
            .map(|(node, value)| serde_json::json!({ "node": int(node), "value": int(value) }))
            .collect(),
    )
}

/// A `{ node, value }` entry, typed (the record's per-node lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeValue {
    pub node: u64,
    pub value: i128,
}

impl Canonical for NodeValue {
    fn write_to(&self, out: &mut dyn Sink) -> Result<(), CanonicalError> {
        write_object(out, &mut [("node", &self.node), ("value", &self.value)])
    }
}
