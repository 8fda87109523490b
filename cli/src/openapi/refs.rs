//! Internal references of an OpenAPI document. A `$ref` such as `#/components/schemas/Pet` is a URI fragment
//! holding a JSON pointer (RFC 6901), percent-encoded; anything before the `#` names another document, which
//! the importer does not read.

use serde_json::Value;

/// The JSON pointer of an internal reference (`#/a/b` -> `/a/b`, percent-decoded), `None` for an external one.
pub fn internal_pointer(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    (fragment.is_empty() || fragment.starts_with('/')).then(|| percent_decode(fragment))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One pointer segment, escaped (`~` -> `~0`, `/` -> `~1`).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `base` with `segments` appended, each escaped.
pub fn join(base: &str, segments: &[&str]) -> String {
    let mut out = base.to_owned();
    for s in segments {
        out.push('/');
        out.push_str(&escape(s));
    }
    out
}

/// Follows `value`'s `$ref` chain (if any) inside `doc`: the value reached and its pointer. Errors name what is
/// wrong (external, missing, a loop).
pub fn follow<'d>(
    doc: &'d Value,
    mut value: &'d Value,
    mut pointer: String,
) -> Result<(&'d Value, String), String> {
    for _ in 0..64 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return Ok((value, pointer));
        };
        let target = internal_pointer(reference).ok_or_else(|| {
            format!("`$ref: {reference}` points into another document, which is not read")
        })?;
        value = doc
            .pointer(&target)
            .ok_or_else(|| format!("`$ref: {reference}` points to nothing in the document"))?;
        pointer = target;
    }
    Err("a `$ref` chain loops".to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pointers_are_decoded_and_chains_followed() {
        assert_eq!(
            internal_pointer("#/components/schemas/Foo%20Bar").as_deref(),
            Some("/components/schemas/Foo Bar")
        );
        assert_eq!(internal_pointer("other.yaml#/x"), None);
        assert_eq!(
            join("/paths", &["/pets/{id}", "get"]),
            "/paths/~1pets~1{id}/get"
        );
        let doc = json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/c"}, "c": 1, "l": {"$ref": "#/l"}});
        let (value, at) = follow(&doc, &doc["a"], "/a".into()).unwrap();
        assert_eq!((value, at.as_str()), (&json!(1), "/c"));
        assert!(
            follow(&doc, &doc["l"], "/l".into())
                .unwrap_err()
                .contains("loops")
        );
        assert!(follow(&doc, &json!({"$ref": "#/nope"}), String::new()).is_err());
    }
}
