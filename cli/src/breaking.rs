//! Breaking changes between two versions of a spec: what would fail for a client or caller written against the old
//! one. Pure: two typed specs in, a list of findings out (`mcpgen breaking` prints them).
//!
//! Inputs (tool arguments, prompt arguments) and outputs (tool `outputSchema`) break in opposite directions: an
//! input breaks when the new spec rejects something the old one accepted (a new required property, a removed or
//! retyped property, a narrowed enum); an output breaks when the new spec may produce something the old one
//! promised it would not (a required property removed or made optional, a retyped property, a widened enum, the
//! schema removed). A tool's `execution.taskSupport` breaks when it takes away a way of calling: plain calls
//! (`optional` -> `required`, `forbidden` -> `required`) or task calls (`optional`/`required` -> `forbidden`, or the
//! field removed). An input property newly mirrored into an `Mcp-Param-*` header (SEP-2243 `x-mcp-header`, or a
//! renamed one) breaks clients that still hold the old tool list: on 2026-07-28 streamable HTTP they send no such
//! header and the server refuses the call. Descriptions, titles, annotations and anything added as optional never
//! break.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::spec::{Prompt, Spec, TaskSupport, Tool};

/// The kinds of breaking change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    RemovedTool,
    RemovedPrompt,
    RemovedResource,
    RemovedTemplate,
    ChangedTemplateUri,
    RemovedTransport,
    /// An input property that is new and required, or was optional and became required.
    NewRequiredProperty,
    /// An input property callers may send that the new schema no longer has.
    RemovedProperty,
    /// A value's type no longer accepts (input) or may now produce (output) what it did.
    RetypedProperty,
    /// An input enum lost values (or a free value became an enum).
    NarrowedEnum,
    /// The output schema changed in a way clients may rely on: a required property removed or made optional, an
    /// enum widened, the schema removed.
    ChangedOutputSchema,
    /// A tool's `execution.taskSupport` no longer allows plain calls, or no longer allows task calls.
    ChangedTaskSupport,
    /// An input property that is newly mirrored into an `Mcp-Param-*` header (SEP-2243), or into another one.
    ChangedParamHeader,
    /// A prompt argument that is new and required, or became required.
    NewRequiredArgument,
    RemovedArgument,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_value(self).expect("kinds serialise");
        f.write_str(text.as_str().expect("kinds serialise as strings"))
    }
}

/// One breaking change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    pub kind: Kind,
    /// The spec item, such as `tool get_forecast`.
    pub item: String,
    /// Where inside the item, such as `inputSchema.days` or `outputSchema.days[].high`; empty for the item itself.
    pub location: String,
    pub message: String,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.item)?;
        if !self.location.is_empty() {
            write!(f, " {}", self.location)?;
        }
        write!(f, ": {} [{}]", self.message, self.kind)
    }
}

/// Every change from `old` to `new` that breaks existing clients or callers, in spec order.
pub fn breaking_changes(old: &Spec, new: &Spec) -> Vec<Break> {
    let mut out = Vec::new();
    for tool in &old.tools {
        let item = format!("tool {}", tool.name);
        match new.tools.iter().find(|t| t.name == tool.name) {
            None => out.push(finding(Kind::RemovedTool, &item, "", "removed")),
            Some(new_tool) => compare_tool(&item, tool, new_tool, &mut out),
        }
    }
    for prompt in &old.prompts {
        let item = format!("prompt {}", prompt.name);
        match new.prompts.iter().find(|p| p.name == prompt.name) {
            None => out.push(finding(Kind::RemovedPrompt, &item, "", "removed")),
            Some(new_prompt) => compare_prompt(&item, prompt, new_prompt, &mut out),
        }
    }
    for resource in &old.resources {
        if !new.resources.iter().any(|r| r.uri == resource.uri) {
            let item = format!("resource {}", resource.name);
            let message = format!(
                "removed (no resource has the URI {} any more)",
                resource.uri
            );
            out.push(finding(Kind::RemovedResource, &item, "", &message));
        }
    }
    for template in &old.resource_templates {
        let item = format!("resource template {}", template.name);
        match new
            .resource_templates
            .iter()
            .find(|t| t.name == template.name)
        {
            None => out.push(finding(Kind::RemovedTemplate, &item, "", "removed")),
            Some(t) if t.uri_template != template.uri_template => out.push(finding(
                Kind::ChangedTemplateUri,
                &item,
                "uriTemplate",
                &format!(
                    "changed from {} to {}: URIs clients build from the old one no longer resolve",
                    template.uri_template, t.uri_template
                ),
            )),
            Some(_) => {}
        }
    }
    for kind in &old.transports.order {
        if !new.transports.order.contains(kind) {
            out.push(finding(
                Kind::RemovedTransport,
                &format!("transport {}", kind.as_str()),
                "",
                "removed: clients configured for it can no longer connect",
            ));
        }
    }
    out
}

fn finding(kind: Kind, item: &str, location: &str, message: &str) -> Break {
    Break {
        kind,
        item: item.to_owned(),
        location: location.to_owned(),
        message: message.to_owned(),
    }
}

/// `forbidden` when the spec writes no `taskSupport` (the protocol's default).
fn task_support(tool: &Tool) -> TaskSupport {
    tool.execution
        .as_ref()
        .and_then(|e| e.task_support)
        .unwrap_or(TaskSupport::Forbidden)
}

fn compare_task_support(item: &str, old: &Tool, new: &Tool, out: &mut Vec<Break>) {
    let (old, new) = (task_support(old), task_support(new));
    let plain = |s: TaskSupport| s != TaskSupport::Required;
    let task = |s: TaskSupport| s != TaskSupport::Forbidden;
    let name = |s: TaskSupport| match s {
        TaskSupport::Forbidden => "forbidden",
        TaskSupport::Optional => "optional",
        TaskSupport::Required => "required",
    };
    let lost = if plain(old) && !plain(new) {
        "plain calls are now refused"
    } else if task(old) && !task(new) {
        "calls as a task are now refused"
    } else {
        return;
    };
    out.push(finding(
        Kind::ChangedTaskSupport,
        item,
        "execution.taskSupport",
        &format!("{} -> {}: {lost}", name(old), name(new)),
    ));
}

fn compare_tool(item: &str, old: &Tool, new: &Tool, out: &mut Vec<Break>) {
    compare_task_support(item, old, new, out);
    // No inputSchema means no arguments.
    let no_args = Value::Object(Map::from_iter([
        ("type".to_owned(), Value::from("object")),
        ("properties".to_owned(), Value::Object(Map::new())),
    ]));
    let schema = |s: &Option<Map<String, Value>>| s.clone().map_or(no_args.clone(), Value::Object);
    let (old_in, new_in) = (schema(&old.input_schema), schema(&new.input_schema));
    let mut cmp = Compare {
        item,
        old_root: &old_in,
        new_root: &new_in,
        out: &mut *out,
    };
    cmp.input("inputSchema", &old_in, &new_in, 0);

    match (&old.output_schema, &new.output_schema) {
        (Some(_), None) => out.push(finding(
            Kind::ChangedOutputSchema,
            item,
            "outputSchema",
            "removed: the tool no longer returns structured content",
        )),
        (Some(o), Some(n)) => {
            let (o, n) = (Value::Object(o.clone()), Value::Object(n.clone()));
            let mut cmp = Compare {
                item,
                old_root: &o,
                new_root: &n,
                out,
            };
            cmp.output("outputSchema", &o, &n, 0);
        }
        // Added, or never had one: nothing a client relied on.
        (None, _) => {}
    }
}

fn compare_prompt(item: &str, old: &Prompt, new: &Prompt, out: &mut Vec<Break>) {
    for arg in &old.arguments {
        if !new.arguments.iter().any(|a| a.name == arg.name) {
            out.push(finding(
                Kind::RemovedArgument,
                item,
                &format!("arguments.{}", arg.name),
                "removed: callers that pass it are rejected",
            ));
        }
    }
    for arg in new.arguments.iter().filter(|a| a.required) {
        let message = match old.arguments.iter().find(|a| a.name == arg.name) {
            Some(o) if o.required => continue,
            Some(_) => "became required",
            None => "new required argument",
        };
        out.push(finding(
            Kind::NewRequiredArgument,
            item,
            &format!("arguments.{}", arg.name),
            message,
        ));
    }
}

/// Schemas deeper than this are not compared further (they are also rare; `$ref` cycles stop here).
const MAX_DEPTH: usize = 32;

struct Compare<'a> {
    item: &'a str,
    old_root: &'a Value,
    new_root: &'a Value,
    out: &'a mut Vec<Break>,
}

impl<'a> Compare<'a> {
    fn push(&mut self, kind: Kind, location: &str, message: String) {
        self.out.push(finding(kind, self.item, location, &message));
    }

    /// Callers send values valid under `old`: does `new` still accept them all?
    fn input(&mut self, at: &str, old: &'a Value, new: &'a Value, depth: usize) {
        let (old, new) = (resolve(self.old_root, old), resolve(self.new_root, new));
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(lost) = lost_types(types(old).as_ref(), types(new).as_ref()) {
            self.push(
                Kind::RetypedProperty,
                at,
                format!("no longer accepts {lost}"),
            );
            return;
        }
        match (enum_values(old), enum_values(new)) {
            (None, Some(values)) => self.push(
                Kind::NarrowedEnum,
                at,
                format!("now limited to {}", list(&values)),
            ),
            (Some(old_values), Some(new_values)) => {
                if let Some(removed) = lost_values(&old_values, &new_values) {
                    self.push(
                        Kind::NarrowedEnum,
                        at,
                        format!("no longer accepts {removed}"),
                    );
                }
            }
            _ => {}
        }
        let was = param_header(old);
        if let Some(now) = param_header(new)
            && !was.is_some_and(|was| was.eq_ignore_ascii_case(now))
        {
            let was = was.map_or("not mirrored".to_owned(), |was| {
                format!("was Mcp-Param-{was}")
            });
            self.push(
                Kind::ChangedParamHeader,
                at,
                format!(
                    "now mirrored into the Mcp-Param-{now} header ({was}): on 2026-07-28 HTTP the server \
                     refuses calls from clients that still hold the old tool list"
                ),
            );
        }
        let (old_props, new_props) = (properties(old), properties(new));
        let (old_req, new_req) = (required(old), required(new));
        for name in &new_req {
            if old_req.contains(name) {
                continue;
            }
            let message = if old_props.is_some_and(|p| p.contains_key(name.as_str())) {
                "became required"
            } else {
                "new required property"
            };
            self.push(
                Kind::NewRequiredProperty,
                &format!("{at}.{name}"),
                message.to_owned(),
            );
        }
        if let Some(old_props) = old_props {
            for (name, old_schema) in old_props {
                let path = format!("{at}.{name}");
                match new_props.and_then(|p| p.get(name)) {
                    Some(new_schema) => self.input(&path, old_schema, new_schema, depth + 1),
                    None => self.push(
                        Kind::RemovedProperty,
                        &path,
                        "removed: callers that send it may be rejected".to_owned(),
                    ),
                }
            }
        }
        if let (Some(o), Some(n)) = (old.get("items"), new.get("items")) {
            self.input(&format!("{at}[]"), o, n, depth + 1);
        }
    }

    /// Clients read values valid under `old`: is every value `new` allows one they can handle?
    fn output(&mut self, at: &str, old: &'a Value, new: &'a Value, depth: usize) {
        let (old, new) = (resolve(self.old_root, old), resolve(self.new_root, new));
        if depth > MAX_DEPTH {
            return;
        }
        // Widened output types are what old clients cannot read: the old set must contain every new type.
        if let Some(extra) = lost_types(types(new).as_ref(), types(old).as_ref()) {
            self.push(Kind::RetypedProperty, at, format!("may now be {extra}"));
            return;
        }
        match (enum_values(old), enum_values(new)) {
            (Some(_), None) => self.push(
                Kind::ChangedOutputSchema,
                at,
                "no longer limited to its enum values".to_owned(),
            ),
            (Some(old_values), Some(new_values)) => {
                if let Some(added) = lost_values(&new_values, &old_values) {
                    self.push(Kind::ChangedOutputSchema, at, format!("may now be {added}"));
                }
            }
            _ => {}
        }
        let (old_props, new_props) = (properties(old), properties(new));
        let new_req = required(new);
        for name in required(old) {
            let path = format!("{at}.{name}");
            if new_props.is_some_and(|p| p.contains_key(name.as_str())) {
                if !new_req.contains(&name) {
                    self.push(
                        Kind::ChangedOutputSchema,
                        &path,
                        "no longer required: clients may not find it".to_owned(),
                    );
                }
            } else {
                self.push(
                    Kind::RemovedProperty,
                    &path,
                    "removed from the output: clients that read it break".to_owned(),
                );
            }
        }
        if let (Some(old_props), Some(new_props)) = (old_props, new_props) {
            for (name, old_schema) in old_props {
                if let Some(new_schema) = new_props.get(name) {
                    self.output(&format!("{at}.{name}"), old_schema, new_schema, depth + 1);
                }
            }
        }
        if let (Some(o), Some(n)) = (old.get("items"), new.get("items")) {
            self.output(&format!("{at}[]"), o, n, depth + 1);
        }
    }
}

/// Follows local `$ref`s (`#/definitions/x`, `#/$defs/x`), a bounded number of times.
fn resolve<'v>(root: &'v Value, mut schema: &'v Value) -> &'v Value {
    for _ in 0..MAX_DEPTH {
        let Some(pointer) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        else {
            break;
        };
        match root.pointer(pointer) {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

/// The JSON types a schema allows (`None`: any).
fn types(schema: &Value) -> Option<BTreeSet<String>> {
    match schema.get("type")? {
        Value::String(t) => Some(BTreeSet::from([t.clone()])),
        Value::Array(ts) => Some(
            ts.iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    }
}

/// The types `from` allows that `to` does not, as text (`None` when `to` allows them all). An integer is a number.
fn lost_types(from: Option<&BTreeSet<String>>, to: Option<&BTreeSet<String>>) -> Option<String> {
    let to = to?;
    let allows = |t: &str| to.contains(t) || (t == "integer" && to.contains("number"));
    let lost: Vec<&str> = match from {
        None => vec!["any type"],
        Some(from) => from
            .iter()
            .map(String::as_str)
            .filter(|t| !allows(t))
            .collect(),
    };
    if lost.is_empty() {
        return None;
    }
    let now: Vec<&str> = to.iter().map(String::as_str).collect();
    Some(format!("{} (now {})", lost.join(", "), now.join(", ")))
}

/// The SEP-2243 header a property is mirrored into, after `Mcp-Param-`.
fn param_header(schema: &Value) -> Option<&str> {
    schema.get("x-mcp-header").and_then(Value::as_str)
}

/// The enum values in `from` that `to` lacks, as text (`None` when `to` has them all).
fn lost_values(from: &[Value], to: &[Value]) -> Option<String> {
    let lost: Vec<Value> = from.iter().filter(|v| !to.contains(v)).cloned().collect();
    (!lost.is_empty()).then(|| list(&lost))
}

fn enum_values(schema: &Value) -> Option<Vec<Value>> {
    if let Some(Value::Array(values)) = schema.get("enum") {
        return Some(values.clone());
    }
    schema.get("const").map(|v| vec![v.clone()])
}

fn properties(schema: &Value) -> Option<&Map<String, Value>> {
    schema.get("properties")?.as_object()
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn list(values: &[Value]) -> String {
    values
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
