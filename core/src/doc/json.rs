//! Conversion between JSON values and Automerge's hydrated values, so that
//! typed Rust values go in and out of the document through serde.

use automerge::{ScalarValue, TextEncoding, hydrate};
use serde_json::{Map, Number, Value};

/// A JSON value as a new Automerge object tree (maps, lists, scalars).
pub(crate) fn to_hydrate(v: &Value) -> hydrate::Value {
    match v {
        Value::Null => hydrate::Value::Scalar(ScalarValue::Null),
        Value::Bool(b) => hydrate::Value::Scalar(ScalarValue::Boolean(*b)),
        Value::Number(n) => hydrate::Value::Scalar(if let Some(i) = n.as_i64() {
            ScalarValue::Int(i)
        } else if let Some(u) = n.as_u64() {
            ScalarValue::Uint(u)
        } else {
            ScalarValue::F64(n.as_f64().unwrap_or(0.0))
        }),
        Value::String(s) => hydrate::Value::Scalar(ScalarValue::Str(s.as_str().into())),
        Value::Array(items) => {
            hydrate::Value::from(items.iter().map(to_hydrate).collect::<Vec<_>>())
        }
        Value::Object(m) => {
            let map: std::collections::HashMap<String, hydrate::Value> =
                m.iter().map(|(k, v)| (k.clone(), to_hydrate(v))).collect();
            hydrate::Value::Map(hydrate::Map::from(map))
        }
    }
}

/// Text objects become strings; byte strings become arrays of numbers (we
/// write none); counters and timestamps become numbers.
pub(crate) fn from_hydrate(v: &hydrate::Value) -> Value {
    match v {
        hydrate::Value::Scalar(s) => scalar(s),
        hydrate::Value::Map(m) => Value::Object(
            m.iter()
                .map(|(k, mv)| (k.clone(), from_hydrate(&mv.value)))
                .collect::<Map<_, _>>(),
        ),
        hydrate::Value::List(l) => {
            Value::Array(l.iter().map(|lv| from_hydrate(&lv.value)).collect())
        }
        hydrate::Value::Text(t) => Value::String(String::from(t)),
    }
}

fn scalar(s: &ScalarValue) -> Value {
    match s {
        ScalarValue::Null => Value::Null,
        ScalarValue::Boolean(b) => Value::Bool(*b),
        ScalarValue::Int(i) => Value::from(*i),
        ScalarValue::Uint(u) => Value::from(*u),
        ScalarValue::F64(f) => Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        ScalarValue::Str(s) => Value::String(s.to_string()),
        ScalarValue::Timestamp(t) => Value::from(*t),
        ScalarValue::Counter(c) => Value::from(i64::from(c)),
        ScalarValue::Bytes(b) => Value::Array(b.iter().map(|x| Value::from(*x)).collect()),
        ScalarValue::Unknown { .. } => Value::Null,
    }
}

/// A text object's initial value.
pub(crate) fn text(encoding: TextEncoding, s: &str) -> hydrate::Value {
    hydrate::Value::text(encoding, s)
}
