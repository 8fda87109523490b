//! Checking the rest of a spec around its structural errors. Each broken part is taken out (an unknown key, an
//! optional key with a bad value, or the top-level list item or `server` that holds one), the semantic rules run
//! on what remains, and what they say about the parts taken out is dropped: it would only repeat the structural
//! error. List items are replaced by placeholders rather than removed, so every later item keeps its index (rules
//! report `tools[3]`, and a shifted list would make that the wrong tool).

use serde_json::{Value, json};

use super::structure::{self, Broken};
use crate::diag::Diagnostic;

/// The lists whose items are checked one by one, and the placeholder that stands for a broken item: valid,
/// named so that it collides with nothing a user writes.
const LISTS: &[&str] = &[
    "/tools",
    "/resources",
    "/resourceTemplates",
    "/prompts",
    "/env",
];

fn placeholder(list: &str, index: usize) -> Value {
    let name = format!("mcpgen-placeholder-{index}-for-a-broken-item");
    match list {
        "/resources" => json!({"name": name, "uri": format!("mcpgen-placeholder:{index}")}),
        "/resourceTemplates" => {
            json!({"name": name, "uriTemplate": format!("mcpgen-placeholder:{index}/{{id}}")})
        }
        "/env" => json!({"name": format!("MCPGEN_PLACEHOLDER_{index}_FOR_A_BROKEN_ITEM")}),
        _ => json!({"name": name}),
    }
}

/// The spec with its broken parts taken out, and where they were.
pub struct Repaired {
    pub value: Value,
    /// Pointers of the parts taken out (or replaced by placeholders).
    taken: Vec<String>,
}

impl Repaired {
    /// Whether a rule's diagnostic is a consequence of a part taken out: it is located in that part, or at
    /// the mapping that held it (a rule about the mapping saw the key missing).
    pub fn is_consequence(&self, d: &Diagnostic) -> bool {
        self.taken.iter().any(|t| {
            let parent = t.rsplit_once('/').map_or("", |(p, _)| p);
            is_within(&d.pointer, t) || d.pointer == parent
        })
    }
}

/// `None` when a broken part cannot be taken out without leaving a spec the rules cannot run on (`transports`
/// is broken: the auth rules read it).
pub fn repair(raw: &Value, broken: &[Broken]) -> Option<Repaired> {
    let mut value = raw.clone();
    let mut taken: Vec<String> = Vec::new();
    for b in broken {
        if taken.iter().any(|t| is_within(b.pointer(), t)) {
            continue;
        }
        let mut pointer = b.pointer().to_owned();
        let mut unknown = matches!(b, Broken::UnknownKey(_));
        loop {
            // Only the server's own rules read it: a stand-in hides nothing.
            if pointer == "/server" {
                value["server"] = json!({"name": "mcpgen-placeholder-for-a-broken-server"});
                break;
            }
            let (parent, key) = pointer.rsplit_once('/')?;
            let key = key.replace("~1", "/").replace("~0", "~");
            match value.pointer_mut(parent)? {
                Value::Object(map)
                    if unknown || !structure::required_keys(parent).contains(&key) =>
                {
                    map.shift_remove(&key);
                    break;
                }
                Value::Array(items) if LISTS.contains(&parent) => {
                    let index: usize = key.parse().ok()?;
                    *items.get_mut(index)? = placeholder(parent, index);
                    break;
                }
                _ => {
                    pointer = parent.to_owned();
                    unknown = false;
                }
            }
        }
        taken.retain(|t| !is_within(t, &pointer));
        taken.push(pointer);
    }
    Some(Repaired { value, taken })
}

/// `pointer` is `base` or below it.
fn is_within(pointer: &str, base: &str) -> bool {
    pointer
        .strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within() {
        assert!(is_within("/tools/1/name", "/tools/1"));
        assert!(is_within("/tools/1", "/tools/1"));
        assert!(!is_within("/tools/10", "/tools/1"));
    }

    #[test]
    fn unknown_keys_go_and_broken_items_become_placeholders_in_place() {
        let raw = json!({
            "server": {"name": "s"},
            "tools": [{"name": "a"}, {"name": 5}, {"name": "c", "bogus": 1}],
        });
        let broken = [
            Broken::Value("/tools/1/name".into()),
            Broken::UnknownKey("/tools/2/bogus".into()),
        ];
        let repaired = repair(&raw, &broken).unwrap();
        let tools = repaired.value["tools"].as_array().unwrap();
        assert_eq!(tools.len(), 3);
        assert_eq!(tools[0], json!({"name": "a"}));
        assert_eq!(tools[1], placeholder("/tools", 1));
        assert_eq!(tools[2], json!({"name": "c"}));
        let at = |pointer: &str| Diagnostic {
            severity: crate::diag::Severity::Error,
            code: "x",
            message: String::new(),
            hint: None,
            file: Default::default(),
            span: None,
            pointer: pointer.into(),
            related: Vec::new(),
        };
        assert!(repaired.is_consequence(&at("/tools/1/name")));
        assert!(repaired.is_consequence(&at("/tools/2")));
        assert!(!repaired.is_consequence(&at("/tools/2/name")));
        assert!(!repaired.is_consequence(&at("/tools/0")));
    }

    #[test]
    fn a_broken_server_is_stood_in_for_but_broken_transports_stop_the_rules() {
        let raw = json!({"server": {"name": 5}, "transports": {"stdio": 5}});
        let repaired = repair(&raw, &[Broken::Value("/server/name".into())]).unwrap();
        assert_eq!(
            repaired.value["server"]["name"],
            "mcpgen-placeholder-for-a-broken-server"
        );
        assert!(repair(&raw, &[Broken::Value("/transports".into())]).is_none());
    }
}
