//! What the spec says a server must serve, as JSON values, and the comparison with what it served.
//!
//! Pure functions: the served side is whatever the client received, re-serialised to JSON; the spec side
//! is built from [`Spec`] here. Items are matched by their key (tool name, resource URI, ...), so a
//! difference names the item rather than an index.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::Difference;
use crate::spec::placeholders::{self, Segment};
use crate::spec::{Prompt, Spec};

/// A tool without `inputSchema` takes no arguments and is served with this schema.
pub fn no_arguments_schema() -> Value {
    json!({"type": "object", "properties": {}})
}

/// The `serverInfo` of the `initialize` result.
pub fn server_info(spec: &Spec) -> Value {
    Value::Object(wire_fields(&spec.server, &["version", "websiteUrl"]))
}

/// The capabilities a client can rely on, flattened to booleans: `tools`, `tools.listChanged`, `resources`,
/// `resources.subscribe`, `resources.listChanged`, `prompts`, `prompts.listChanged`, `logging`, `completions`.
pub fn capabilities(spec: &Spec) -> Value {
    let caps = &spec.capabilities;
    let has_tools = !spec.tools.is_empty();
    let has_resources = !spec.resources.is_empty() || !spec.resource_templates.is_empty();
    let has_prompts = !spec.prompts.is_empty();
    let has_variables = spec.prompts.iter().any(|p| !p.arguments.is_empty())
        || spec
            .resource_templates
            .iter()
            .any(|t| t.uri_template.contains('{'));
    json!({
        "tools": has_tools,
        "tools.listChanged": has_tools && caps.tools.list_changed,
        "resources": has_resources,
        "resources.subscribe": has_resources && caps.resources.subscribe,
        "resources.listChanged": has_resources && caps.resources.list_changed,
        "prompts": has_prompts,
        "prompts.listChanged": has_prompts && caps.prompts.list_changed,
        "logging": caps.logging,
        "completions": caps.completions.unwrap_or(has_variables),
    })
}

/// Flattens a served `capabilities` object the same way as [`capabilities`]: a present capability is
/// `true`, a sub-flag absent or `false` is `false`.
pub fn served_capabilities(served: &Value) -> Value {
    let present = |key: &str| served.get(key).is_some_and(|v| !v.is_null());
    let flag = |key: &str, sub: &str| {
        served
            .get(key)
            .and_then(|c| c.get(sub))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    json!({
        "tools": present("tools"),
        "tools.listChanged": flag("tools", "listChanged"),
        "resources": present("resources"),
        "resources.subscribe": flag("resources", "subscribe"),
        "resources.listChanged": flag("resources", "listChanged"),
        "prompts": present("prompts"),
        "prompts.listChanged": flag("prompts", "listChanged"),
        "logging": present("logging"),
        "completions": present("completions"),
    })
}

/// `tools/list` as the spec declares it.
pub fn tools(spec: &Spec) -> Vec<Value> {
    spec.tools
        .iter()
        .map(|tool| {
            // No `execution`: rmcp 3.11's `Tool` has no such field, so a server built on it cannot serve one
            // and an rmcp client could not see it.
            let mut item = wire_fields(tool, &["outputSchema", "annotations"]);
            let input = tool
                .input_schema
                .clone()
                .map_or_else(no_arguments_schema, Value::Object);
            item.insert("inputSchema".into(), input);
            Value::Object(item)
        })
        .collect()
}

/// `resources/list` as the spec declares it. `contents` holds the bytes of every `text:` and `file:`
/// resource by URI: their size is filled in. A `mimeType` the spec leaves out is not compared (the
/// generator derives it).
pub fn resources(spec: &Spec, contents: &IndexMap<String, Vec<u8>>) -> Vec<Value> {
    spec.resources
        .iter()
        .map(|resource| {
            let mut item = wire_fields(resource, &["uri", "mimeType", "annotations"]);
            let size = resource
                .size
                .or_else(|| contents.get(&resource.uri).map(|c| c.len() as u64));
            put(&mut item, "size", &size);
            Value::Object(item)
        })
        .collect()
}

/// `resources/templates/list` as the spec declares it.
pub fn templates(spec: &Spec) -> Vec<Value> {
    spec.resource_templates
        .iter()
        .map(|template| {
            Value::Object(wire_fields(
                template,
                &["uriTemplate", "mimeType", "annotations"],
            ))
        })
        .collect()
}

/// `prompts/list` as the spec declares it. Arguments carry `required` only when true (absent and `false`
/// mean the same on the wire; [`normalize_prompt`] drops `false` on the served side).
pub fn prompts(spec: &Spec) -> Vec<Value> {
    spec.prompts
        .iter()
        .map(|prompt| {
            let mut item = wire_fields(prompt, &[]);
            let arguments: Vec<Value> = prompt
                .arguments
                .iter()
                .map(|argument| {
                    let mut arg = wire_fields(argument, &[]);
                    if argument.required {
                        arg.insert("required".into(), Value::Bool(true));
                    }
                    Value::Object(arg)
                })
                .collect();
            if !arguments.is_empty() {
                item.insert("arguments".into(), Value::Array(arguments));
            }
            Value::Object(item)
        })
        .collect()
}

/// Drops the wire forms that mean "nothing" from a served prompt: `required: false` on arguments and an
/// empty `arguments` list.
pub fn normalize_prompt(mut prompt: Value) -> Value {
    if let Some(object) = prompt.as_object_mut() {
        if let Some(Value::Array(arguments)) = object.get_mut("arguments") {
            for argument in arguments.iter_mut() {
                if let Some(arg) = argument.as_object_mut()
                    && arg.get("required") == Some(&Value::Bool(false))
                {
                    arg.remove("required");
                }
            }
        }
        if object
            .get("arguments")
            .is_some_and(|a| a.as_array().is_some_and(Vec::is_empty) || a.is_null())
        {
            object.remove("arguments");
        }
    }
    prompt
}

/// Arguments to render a prompt with: each argument's first static completion, else `sample-<name>`.
pub fn sample_arguments(prompt: &Prompt) -> Map<String, Value> {
    prompt
        .arguments
        .iter()
        .map(|argument| {
            let value = argument
                .completions
                .first()
                .cloned()
                .unwrap_or_else(|| format!("sample-{}", argument.name));
            (argument.name.clone(), Value::String(value))
        })
        .collect()
}

/// The `prompts/get` result of a declarative prompt rendered with `arguments` (`description` and
/// `messages`); `None` for a prompt built by a handler.
pub fn rendered_prompt(prompt: &Prompt, arguments: &Map<String, Value>) -> Option<Value> {
    let messages = prompt.messages.as_ref()?;
    let messages: Vec<Value> = messages
        .iter()
        .map(|message| {
            json!({
                "role": message.role,
                "content": {"type": "text", "text": substitute(&message.text, arguments)},
            })
        })
        .collect();
    let mut result = Map::new();
    put(&mut result, "description", &prompt.description);
    result.insert("messages".into(), Value::Array(messages));
    Some(Value::Object(result))
}

/// `{{name}}` -> the argument's text, "" when absent (the spec's rule for optional arguments).
fn substitute(text: &str, arguments: &Map<String, Value>) -> String {
    let Ok(segments) = placeholders::parse(text) else {
        // The validator rejects unclosed placeholders; such text is served as written.
        return text.to_owned();
    };
    segments
        .iter()
        .map(|segment| match segment {
            Segment::Text(text) => (*text).to_owned(),
            Segment::Placeholder(name) => match arguments.get(*name) {
                Some(Value::String(value)) => value.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            },
        })
        .collect()
}

/// The part of a served `prompts/get` result that [`rendered_prompt`] describes.
pub fn served_render(result: &Value) -> Value {
    let mut out = Map::new();
    if let Some(description) = result.get("description").filter(|d| !d.is_null()) {
        out.insert("description".into(), description.clone());
    }
    out.insert(
        "messages".into(),
        result.get("messages").cloned().unwrap_or(json!([])),
    );
    Value::Object(out)
}

/// Compares a served list with the spec's: items matched by `key`, first a missing item, then an extra
/// one, then the first field that differs. `relax` adjusts a served item against the wanted one before the
/// comparison (such as dropping a derived field the spec leaves out).
pub fn compare_list(
    list: &str,
    key: &str,
    want: &[Value],
    got: &[Value],
    relax: impl Fn(&Value, Value) -> Value,
) -> Option<Difference> {
    let key_of = |item: &Value| item.get(key).and_then(Value::as_str).map(str::to_owned);
    let got_by_key: IndexMap<String, &Value> = got
        .iter()
        .filter_map(|item| Some((key_of(item)?, item)))
        .collect();
    let want_keys: Vec<String> = want.iter().filter_map(key_of).collect();
    for (item, name) in want.iter().zip(&want_keys) {
        if !got_by_key.contains_key(name) {
            return Some(Difference {
                path: format!("/{list}/{}", escape(name)),
                got: None,
                want: Some(item.clone()),
            });
        }
    }
    for item in got {
        match key_of(item) {
            Some(name) if want_keys.contains(&name) => {}
            name => {
                return Some(Difference {
                    path: format!("/{list}/{}", escape(name.as_deref().unwrap_or("?"))),
                    got: Some(item.clone()),
                    want: None,
                });
            }
        }
    }
    want.iter().zip(&want_keys).find_map(|(item, name)| {
        let served = relax(item, got_by_key[name].clone());
        diff(&format!("/{list}/{}", escape(name)), item, &served)
    })
}

/// Drops `field` from a served item when the wanted item does not have it (a value the spec leaves to the
/// generator).
pub fn unless_declared(field: &'static str) -> impl Fn(&Value, Value) -> Value {
    move |want, mut got| {
        if want.get(field).is_none()
            && let Some(object) = got.as_object_mut()
        {
            object.remove(field);
        }
        got
    }
}

/// The first difference between two JSON values, by a depth-first walk in `want`'s key order. Numbers
/// compare by value (`1` equals `1.0`; a float that went through `f32` equals its `f64` origin).
pub fn diff(path: &str, want: &Value, got: &Value) -> Option<Difference> {
    let differ = || {
        Some(Difference {
            path: if path.is_empty() {
                "/".into()
            } else {
                path.into()
            },
            got: Some(got.clone()),
            want: Some(want.clone()),
        })
    };
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (key, wv) in w {
                let child = format!("{path}/{}", escape(key));
                match g.get(key) {
                    Some(gv) => {
                        if let Some(d) = diff(&child, wv, gv) {
                            return Some(d);
                        }
                    }
                    None => {
                        return Some(Difference {
                            path: child,
                            got: None,
                            want: Some(wv.clone()),
                        });
                    }
                }
            }
            g.iter()
                .find(|(key, _)| !w.contains_key(*key))
                .map(|(key, gv)| Difference {
                    path: format!("{path}/{}", escape(key)),
                    got: Some(gv.clone()),
                    want: None,
                })
        }
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                return differ();
            }
            w.iter()
                .zip(g)
                .enumerate()
                .find_map(|(i, (wv, gv))| diff(&format!("{path}/{i}"), wv, gv))
        }
        (Value::Number(w), Value::Number(g)) => {
            let (w, g) = (w.as_f64()?, g.as_f64()?);
            let tolerance = 1e-6 * w.abs().max(1.0);
            if (w - g).abs() <= tolerance {
                None
            } else {
                differ()
            }
        }
        _ if want == got => None,
        _ => differ(),
    }
}

/// JSON-pointer escaping of one path segment (`~` -> `~0`, `/` -> `~1`).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn put<T: serde::Serialize>(map: &mut Map<String, Value>, key: &str, value: &Option<T>) {
    if let Some(value) = value {
        map.insert(
            key.into(),
            serde_json::to_value(value).expect("spec values serialise"),
        );
    }
}

/// The keys every listed kind serves as the spec writes them (those a kind lacks are simply absent).
const DESCRIBED: &[&str] = &["name", "title", "description", "icons", "_meta"];

/// The [`DESCRIBED`] keys and the `extra` ones of a spec item as it serialises: the model uses the wire's names
/// and leaves out what is unset, so these are served as written.
fn wire_fields(item: &impl serde::Serialize, extra: &[&str]) -> Map<String, Value> {
    match serde_json::to_value(item).expect("spec values serialise") {
        Value::Object(fields) => fields
            .into_iter()
            .filter(|(key, _)| DESCRIBED.contains(&key.as_str()) || extra.contains(&key.as_str()))
            .collect(),
        _ => unreachable!("spec items serialise as objects"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::load_spec_str;
    use std::path::Path;

    fn spec(yaml: &str) -> Spec {
        match load_spec_str(Path::new("/nonexistent/spec.yaml"), yaml) {
            Ok(loaded) => loaded.spec,
            Err(diags) => panic!("{diags:#?}"),
        }
    }

    const SPEC: &str = r#"
mcpgen: 1
server: {name: demo, version: 1.2.3, title: Demo}
tools:
  - name: echo
    description: Echo it.
    inputSchema:
      type: object
      properties: {text: {type: string, maxLength: 10}}
      required: [text]
    annotations: {readOnlyHint: true}
  - name: ping
resources:
  - uri: demo://about
    name: about
    text: hello
prompts:
  - name: greet
    description: Greet someone.
    arguments:
      - {name: who, required: true, completions: [world]}
      - {name: mood}
    messages:
      - {role: user, text: "Say hi to {{who}}{{ mood }}!"}
transports:
  stdio: {}
"#;

    #[test]
    fn tools_list_matches_and_names_the_first_difference() {
        let spec = spec(SPEC);
        let want = tools(&spec);
        assert_eq!(want[1]["inputSchema"], no_arguments_schema());
        let served = want.clone();
        assert_eq!(
            compare_list("tools", "name", &want, &served, |_, g| g),
            None
        );

        let mut served = want.clone();
        served[0]["inputSchema"]["properties"]["text"]["maxLength"] = json!(11);
        let d = compare_list("tools", "name", &want, &served, |_, g| g).unwrap();
        assert_eq!(d.path, "/tools/echo/inputSchema/properties/text/maxLength");
        assert_eq!((d.got, d.want), (Some(json!(11)), Some(json!(10))));

        let mut served = want.clone();
        served[0]["annotations"]["destructiveHint"] = json!(false);
        let d = compare_list("tools", "name", &want, &served, |_, g| g).unwrap();
        assert_eq!(d.path, "/tools/echo/annotations/destructiveHint");
        assert_eq!((d.got, d.want), (Some(json!(false)), None));

        let d = compare_list("tools", "name", &want, &want[..1], |_, g| g).unwrap();
        assert_eq!((d.path.as_str(), d.got), ("/tools/ping", None));

        let mut served = want.clone();
        served.push(json!({"name": "extra/tool"}));
        let d = compare_list("tools", "name", &want, &served, |_, g| g).unwrap();
        assert_eq!((d.path.as_str(), d.want), ("/tools/extra~1tool", None));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(diff("", &json!({"a": 1}), &json!({"a": 1.0})), None);
        assert_eq!(diff("", &json!(0.8), &json!(0.800000011920929)), None);
        assert!(diff("", &json!(0.8), &json!(0.81)).is_some());
        assert!(diff("", &json!([1, 2]), &json!([1])).is_some());
        assert_eq!(diff("", &json!("a"), &json!(1)).unwrap().path, "/");
    }

    #[test]
    fn resources_fill_size_and_relax_mime_type() {
        let spec = spec(SPEC);
        let contents = IndexMap::from([("demo://about".to_owned(), b"hello".to_vec())]);
        let want = resources(&spec, &contents);
        assert_eq!(
            want[0],
            json!({"uri": "demo://about", "name": "about", "size": 5})
        );
        let served = vec![
            json!({"uri": "demo://about", "name": "about", "size": 5, "mimeType": "text/plain"}),
        ];
        let relax = unless_declared("mimeType");
        assert_eq!(
            compare_list("resources", "uri", &want, &served, &relax),
            None
        );
        let served = vec![json!({"uri": "demo://about", "name": "about", "size": 6})];
        let d = compare_list("resources", "uri", &want, &served, &relax).unwrap();
        assert_eq!(d.path, "/resources/demo:~1~1about/size");
    }

    #[test]
    fn prompts_list_ignores_required_false() {
        let spec = spec(SPEC);
        let want = prompts(&spec);
        let served = normalize_prompt(json!({
            "name": "greet", "description": "Greet someone.",
            "arguments": [{"name": "who", "required": true}, {"name": "mood", "required": false}]
        }));
        assert_eq!(diff("/prompts/greet", &want[0], &served), None);
        let served = normalize_prompt(json!({
            "name": "greet", "description": "Greet someone.",
            "arguments": [{"name": "who"}, {"name": "mood"}]
        }));
        let d = diff("/prompts/greet", &want[0], &served).unwrap();
        assert_eq!(d.path, "/prompts/greet/arguments/0/required");
    }

    #[test]
    fn declarative_prompts_render_with_sample_arguments() {
        let spec = spec(SPEC);
        let prompt = &spec.prompts[0];
        let args = sample_arguments(prompt);
        assert_eq!(args["who"], "world");
        assert_eq!(args["mood"], "sample-mood");
        let want = rendered_prompt(prompt, &args).unwrap();
        assert_eq!(
            want["messages"][0],
            json!({"role": "user", "content": {"type": "text", "text": "Say hi to worldsample-mood!"}})
        );
        let mut only_required = args.clone();
        only_required.remove("mood");
        let want = rendered_prompt(prompt, &only_required).unwrap();
        assert_eq!(
            want["messages"][0]["content"]["text"], "Say hi to world!",
            "a missing optional argument renders empty"
        );
        let served =
            json!({"description": "Greet someone.", "messages": want["messages"], "_meta": {}});
        assert_eq!(diff("/prompts/greet", &want, &served_render(&served)), None);
    }

    #[test]
    fn capabilities_follow_the_lists() {
        let spec = spec(SPEC);
        let want = capabilities(&spec);
        assert_eq!(want["tools"], true);
        assert_eq!(want["completions"], true, "the prompt has arguments");
        let served = json!({"tools": {}, "resources": {}, "prompts": {"listChanged": false}, "completions": {}});
        assert_eq!(
            diff("/capabilities", &want, &served_capabilities(&served)),
            None
        );
        let served =
            json!({"tools": {}, "resources": {}, "prompts": {}, "logging": {}, "completions": {}});
        let d = diff("/capabilities", &want, &served_capabilities(&served)).unwrap();
        assert_eq!(d.path, "/capabilities/logging");
    }

    #[test]
    fn server_info_carries_identity() {
        let spec = spec(SPEC);
        assert_eq!(
            server_info(&spec),
            json!({"name": "demo", "version": "1.2.3", "title": "Demo"})
        );
    }
}
