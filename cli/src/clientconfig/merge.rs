//! Editing an existing config file's text so that only our entry changes.
//!
//! JSON and JSONC are edited through a concrete syntax tree (`jsonc-parser`'s CST), TOML through
//! `toml_edit`: every other key, entry, comment and blank line stays as written, in its place. After each
//! edit the result is parsed again and compared structurally with the expected document (the input with
//! only our entry changed); a mismatch is reported rather than written.

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::cst::{CstInputValue, CstObject, CstRootNode};
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::{CollectOptions, ParseOptions};
use serde_json::{Map, Value};
use toml_edit::{DocumentMut, Item};

use super::toml_value::{entry_table, item_to_json};
use super::{Client, ClientEntry, FileFormat};

/// What an edit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Our entry was not there and now is.
    Added,
    /// Our entry (or one of its VS Code inputs) was there with other content and was replaced.
    Updated,
    /// Our entry was already there exactly: nothing to write.
    Unchanged,
    /// Our entry was removed.
    Removed,
    /// There was no entry of that name to remove: nothing to write.
    NotPresent,
}

/// The text after an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// What happened.
    pub outcome: Outcome,
    /// The whole new file (equal to the input for `Unchanged` and `NotPresent`).
    pub text: String,
}

/// Why an existing file cannot be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// The file does not parse.
    #[error("{line}:{column}: {message}")]
    Malformed {
        /// 1-based line.
        line: usize,
        /// 1-based column (characters).
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The file parses but a key we must edit has the wrong type.
    #[error("{line}:{column}: {what} must be {expected}")]
    Shape {
        /// 1-based line.
        line: usize,
        /// 1-based column (characters).
        column: usize,
        /// The offending value, such as "`mcpServers`".
        what: String,
        /// What it must be, such as "an object".
        expected: &'static str,
    },
    /// An entry of the same name exists with other content; `proposed` is the file with ours instead.
    #[error("an entry named `{name}` already exists with different content")]
    Conflict {
        /// The entry name.
        name: String,
        /// The whole file as it would be with our entry replacing the existing one.
        proposed: String,
    },
    /// The edit would have changed more than our entry (a bug in the editor): nothing is written.
    #[error(
        "internal error: the edited file would differ from the original outside the `{name}` entry"
    )]
    Unsafe {
        /// The entry name.
        name: String,
    },
}

/// Puts `entry` into `existing` (the file's text; empty when the file is missing). An existing entry of
/// the same name with different content is replaced only when `force` is set.
pub fn merge_entry(existing: &str, entry: &ClientEntry, force: bool) -> Result<Edit, MergeError> {
    match entry.client.format() {
        FileFormat::Toml => merge_toml(existing, entry, force),
        FileFormat::Json | FileFormat::Jsonc => merge_json(existing, entry, force),
    }
}

/// Removes the entry `name` of `client` from `existing`; for VS Code also the `inputs` only it used.
pub fn remove_entry(existing: &str, client: Client, name: &str) -> Result<Edit, MergeError> {
    match client.format() {
        FileFormat::Toml => remove_toml(existing, name),
        FileFormat::Json | FileFormat::Jsonc => remove_json(existing, client, name),
    }
}

/// Our entry, keeping the values the user filled into the empty `env` placeholders we wrote before
/// (secrets for clients that cannot reference the environment): reinstalling must neither report a
/// conflict over them nor wipe them.
fn with_filled_placeholders(server: &Map<String, Value>, current: Option<&Value>) -> Value {
    let mut ours = server.clone();
    let theirs = current
        .and_then(|c| c.get("env"))
        .and_then(Value::as_object);
    if let (Some(Value::Object(env)), Some(theirs)) = (ours.get_mut("env"), theirs) {
        for (name, value) in env.iter_mut() {
            if value.as_str() == Some("")
                && let Some(filled) = theirs.get(name).filter(|v| v.is_string())
            {
                *value = filled.clone();
            }
        }
    }
    Value::Object(ours)
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Keeps the file's habit of ending with a newline (and gives new files one).
fn with_final_newline(original: &str, mut text: String) -> String {
    if (original.trim().is_empty() || original.ends_with('\n')) && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

// ---- JSON / JSONC ----

/// Parses the file as the client reads it (strict JSON, or JSONC) into an editable tree whose root is
/// an object (created when the file is empty).
fn parse_json(text: &str, client: Client) -> Result<CstRootNode, MergeError> {
    if client.format() == FileFormat::Json && !text.trim().is_empty() {
        // The CST parser is lenient; a strict client (Claude Desktop is plain JSON.parse) would reject
        // what it accepts, so check with a strict parser first.
        if let Err(e) = serde_json::from_str::<Value>(text) {
            return Err(strict_json_error(text, client, &e));
        }
    }
    let root =
        CstRootNode::parse(text, &ParseOptions::default()).map_err(|e| MergeError::Malformed {
            line: e.line_display(),
            column: e.column_display(),
            message: e.kind().to_string(),
        })?;
    if root.value().is_some() && root.object_value().is_none() {
        let (line, column) = ast_locate(text, &[]).unwrap_or((1, 1));
        return Err(MergeError::Shape {
            line,
            column,
            what: "the file's top-level value".into(),
            expected: "an object",
        });
    }
    Ok(root)
}

/// Why `text` is not the strict JSON `client` reads. A comment, a trailing comma or another JSONC/JSON5
/// nicety is named as such, at its own location, since serde_json's view of it ("key must be a string")
/// says nothing of the rule the user broke.
fn strict_json_error(text: &str, client: Client, serde_error: &serde_json::Error) -> MergeError {
    let who = match client {
        Client::Generic => "the client",
        client => client.display_name(),
    };
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    // JSONC and JSON5 (what editors and other clients accept); a missing comma is a slip in any dialect.
    let lenient = ParseOptions {
        allow_missing_commas: false,
        ..ParseOptions::default()
    };
    let lenient_ok = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &lenient).is_ok();
    let strict_error = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict).err();
    let rule = format!(
        "{who} reads this file as strict JSON and would reject all of it; remove it and install again"
    );
    match strict_error {
        Some(e) if lenient_ok => {
            let what = match e.kind() {
                ParseErrorKind::CommentsNotAllowed => "comments are not allowed here".to_owned(),
                ParseErrorKind::TrailingCommasNotAllowed => {
                    "a trailing comma is not allowed here".to_owned()
                }
                kind => format!("not strict JSON ({kind})"),
            };
            MergeError::Malformed {
                line: e.line_display(),
                column: e.column_display(),
                message: format!("{what}: {rule}"),
            }
        }
        _ => MergeError::Malformed {
            line: serde_error.line(),
            column: serde_error.column(),
            message: format!(
                "invalid JSON: {}",
                strip_serde_position(&serde_error.to_string())
            ),
        },
    }
}

/// serde_json appends " at line L column C" to its messages; the location is reported separately.
fn strip_serde_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Location of the value at `path` (object keys from the root), for error messages.
fn ast_locate(text: &str, path: &[&str]) -> Option<(usize, usize)> {
    let parsed =
        jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &ParseOptions::default())
            .ok()?;
    let mut value = parsed.value?;
    for key in path {
        let ast::Value::Object(obj) = value else {
            return None;
        };
        value = obj
            .properties
            .into_iter()
            .find(|p| p.name.as_str() == *key)?
            .value;
    }
    Some(line_col(text, value.start()))
}

fn shape_error(text: &str, path: &[&str], expected: &'static str) -> MergeError {
    let (line, column) = ast_locate(text, path).unwrap_or((1, 1));
    let what = format!("`{}`", path.join("."));
    MergeError::Shape {
        line,
        column,
        what,
        expected,
    }
}

fn to_cst(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Number(n) => CstInputValue::Number(n.to_string()),
        Value::String(s) => CstInputValue::String(s.clone()),
        Value::Array(items) => CstInputValue::Array(items.iter().map(to_cst).collect()),
        Value::Object(map) => {
            CstInputValue::Object(map.iter().map(|(k, v)| (k.clone(), to_cst(v))).collect())
        }
    }
}

/// The object under `key` of `obj`, or `None` when the key is absent; a shape error when it is
/// something else.
fn child_object(text: &str, obj: &CstObject, key: &str) -> Result<Option<CstObject>, MergeError> {
    match obj.get(key) {
        None => Ok(None),
        Some(prop) => prop
            .object_value()
            .map(Some)
            .ok_or_else(|| shape_error(text, &[key], "an object")),
    }
}

/// The `id` of a VS Code input object.
fn input_id(input: &Value) -> Option<&str> {
    input.get("id").and_then(Value::as_str)
}

/// The whole document as a JSON value (the CST's own conversion, comments dropped).
fn json_value(root: &CstRootNode) -> Value {
    root.to_serde_value()
        .unwrap_or_else(|| Value::Object(Map::new()))
}

fn merge_json(existing: &str, entry: &ClientEntry, force: bool) -> Result<Edit, MergeError> {
    let key = entry.client.servers_key();
    let root = parse_json(existing, entry.client)?;
    let before = json_value(&root);
    let root_obj = root.object_value_or_set();

    let servers = child_object(existing, &root_obj, key)?;
    let current = servers
        .as_ref()
        .and_then(|s| s.get(&entry.name))
        .and_then(|p| p.value()?.to_serde_value());
    let ours = with_filled_placeholders(&entry.server, current.as_ref());
    let inputs = match root_obj.get("inputs") {
        Some(prop) if !entry.inputs.is_empty() => Some(
            prop.array_value()
                .ok_or_else(|| shape_error(existing, &["inputs"], "an array"))?,
        ),
        _ => None,
    };
    // Our inputs as they are now in the file, by id.
    let current_inputs: Vec<Option<Value>> = entry
        .inputs
        .iter()
        .map(|ours| {
            let id = input_id(ours);
            inputs.as_ref().and_then(|arr| {
                arr.elements()
                    .into_iter()
                    .filter_map(|e| e.to_serde_value())
                    .find(|v| input_id(v) == id)
            })
        })
        .collect();

    let entry_same = current.as_ref() == Some(&ours);
    let inputs_same = entry
        .inputs
        .iter()
        .zip(&current_inputs)
        .all(|(o, c)| c.as_ref() == Some(o));
    if entry_same && inputs_same {
        return Ok(Edit {
            outcome: Outcome::Unchanged,
            text: existing.to_owned(),
        });
    }
    let conflict = (current.is_some() && !entry_same)
        || entry
            .inputs
            .iter()
            .zip(&current_inputs)
            .any(|(o, c)| c.as_ref().is_some_and(|c| c != o));

    // Edit the tree.
    let servers = servers.unwrap_or_else(|| root_obj.object_value_or_set(key));
    match servers.get(&entry.name) {
        Some(prop) => prop.set_value(to_cst(&ours)),
        None => {
            servers.append(&entry.name, to_cst(&ours));
        }
    }
    if !entry.inputs.is_empty() {
        let arr = inputs.unwrap_or_else(|| root_obj.array_value_or_set("inputs"));
        for ours in &entry.inputs {
            let id = input_id(ours);
            let existing_el = arr
                .elements()
                .into_iter()
                .find(|e| e.to_serde_value().as_ref().and_then(input_id) == id);
            match existing_el {
                Some(el) => {
                    el.as_object()
                        .expect("an input with an id is an object")
                        .replace_with(to_cst(ours));
                }
                None => {
                    arr.append(to_cst(ours));
                }
            }
        }
    }
    let text = with_final_newline(existing, root.to_string());

    // The structural self-check: the input with only our entry (and our inputs) changed.
    let mut expected = before;
    let obj = expected.as_object_mut().expect("root is an object");
    let servers_value = obj
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    servers_value
        .as_object_mut()
        .expect("checked above")
        .insert(entry.name.clone(), ours);
    if !entry.inputs.is_empty() {
        let arr = obj
            .entry("inputs".to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        let arr = arr.as_array_mut().expect("checked above");
        for ours in &entry.inputs {
            match arr.iter_mut().find(|v| input_id(v) == input_id(ours)) {
                Some(slot) => *slot = ours.clone(),
                None => arr.push(ours.clone()),
            }
        }
    }
    check_json(&text, &expected, &entry.name)?;
    finish(&entry.name, text, current.is_some(), conflict && !force)
}

/// The edit that adds or updates entry `name`, or the conflict that stops it (with the text it would write).
fn finish(name: &str, text: String, existed: bool, conflict: bool) -> Result<Edit, MergeError> {
    if conflict {
        return Err(MergeError::Conflict {
            name: name.to_owned(),
            proposed: text,
        });
    }
    let outcome = if existed {
        Outcome::Updated
    } else {
        Outcome::Added
    };
    Ok(Edit { outcome, text })
}

fn check_json(text: &str, expected: &Value, name: &str) -> Result<(), MergeError> {
    let reparsed = CstRootNode::parse(text, &ParseOptions::default())
        .ok()
        .map(|r| json_value(&r));
    if reparsed.as_ref() == Some(expected) {
        Ok(())
    } else {
        Err(MergeError::Unsafe {
            name: name.to_owned(),
        })
    }
}

/// `${input:ID}` references in a value.
fn input_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(start) = rest.find("${input:") {
                let after = &rest[start + "${input:".len()..];
                let Some(end) = after.find('}') else { break };
                out.push(after[..end].to_owned());
                rest = &after[end..];
            }
        }
        Value::Array(items) => items.iter().for_each(|v| input_refs(v, out)),
        Value::Object(map) => map.values().for_each(|v| input_refs(v, out)),
        _ => {}
    }
}

fn remove_json(existing: &str, client: Client, name: &str) -> Result<Edit, MergeError> {
    let key = client.servers_key();
    let unchanged = || {
        Ok(Edit {
            outcome: Outcome::NotPresent,
            text: existing.to_owned(),
        })
    };
    let root = parse_json(existing, client)?;
    let Some(root_obj) = root.object_value() else {
        return unchanged();
    };
    let Some(servers) = child_object(existing, &root_obj, key)? else {
        return unchanged();
    };
    let Some(prop) = servers.get(name) else {
        return unchanged();
    };
    let mut expected = json_value(&root);
    let removed = prop
        .value()
        .and_then(|v| v.to_serde_value())
        .unwrap_or(Value::Null);
    prop.remove();
    let exp_obj = expected.as_object_mut().expect("root is an object");
    exp_obj[key]
        .as_object_mut()
        .expect("checked above")
        .shift_remove(name);

    // VS Code: drop the inputs only our entry referenced.
    if client == Client::Vscode {
        let mut ours = Vec::new();
        input_refs(&removed, &mut ours);
        let mut still_used = Vec::new();
        input_refs(&exp_obj[key], &mut still_used);
        ours.retain(|id| !still_used.contains(id));
        if let Some(arr) = root_obj.get("inputs").and_then(|p| p.array_value()) {
            for el in arr.elements() {
                if el
                    .to_serde_value()
                    .as_ref()
                    .and_then(input_id)
                    .is_some_and(|id| ours.iter().any(|o| o == id))
                {
                    el.remove();
                }
            }
            if let Some(Value::Array(values)) = exp_obj.get_mut("inputs") {
                values.retain(|v| !input_id(v).is_some_and(|id| ours.iter().any(|o| o == id)));
            }
        }
    }
    let text = with_final_newline(existing, root.to_string());
    check_json(&text, &expected, name)?;
    Ok(Edit {
        outcome: Outcome::Removed,
        text,
    })
}

// ---- TOML (Codex) ----

fn parse_toml(text: &str) -> Result<DocumentMut, MergeError> {
    text.parse::<DocumentMut>().map_err(|e| {
        let (line, column) = line_col(text, e.span().map_or(0, |s| s.start));
        MergeError::Malformed {
            line,
            column,
            message: e.message().trim().to_owned(),
        }
    })
}

/// Location of the `[mcp_servers]` table or key, for shape errors.
fn toml_shape_error(text: &str, key: &str) -> MergeError {
    let offset = text.find(key).unwrap_or(0);
    let (line, column) = line_col(text, offset);
    MergeError::Shape {
        line,
        column,
        what: format!("`{key}`"),
        expected: "a table",
    }
}

fn merge_toml(existing: &str, entry: &ClientEntry, force: bool) -> Result<Edit, MergeError> {
    let key = entry.client.servers_key();
    let mut doc = parse_toml(existing)?;
    let before = item_to_json(doc.as_item());

    if !doc.contains_key(key) {
        let mut servers = toml_edit::Table::new();
        servers.set_implicit(true);
        doc.insert(key, Item::Table(servers));
    }
    let servers = doc[key]
        .as_table_mut()
        .ok_or_else(|| toml_shape_error(existing, key))?;
    let current = servers.get(&entry.name).map(item_to_json);
    let ours = with_filled_placeholders(&entry.server, current.as_ref());
    if current.as_ref() == Some(&ours) {
        return Ok(Edit {
            outcome: Outcome::Unchanged,
            text: existing.to_owned(),
        });
    }
    let mut table = entry_table(ours.as_object().expect("an entry is an object"));
    if let Some(old) = servers.get(&entry.name).and_then(Item::as_table) {
        // Replace in place: keep the comments above the header and the table's position in the file.
        *table.decor_mut() = old.decor().clone();
        if let Some(position) = old.position() {
            table.set_position(position);
        }
    }
    servers.insert(&entry.name, Item::Table(table));
    let text = with_final_newline(existing, doc.to_string());

    let mut expected = before;
    let servers_value = expected
        .as_object_mut()
        .expect("a TOML document is a table")
        .entry(key.to_owned());
    servers_value
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .expect("checked above")
        .insert(entry.name.clone(), ours);
    check_toml(&text, &expected, &entry.name)?;
    finish(
        &entry.name,
        text,
        current.is_some(),
        current.is_some() && !force,
    )
}

fn check_toml(text: &str, expected: &Value, name: &str) -> Result<(), MergeError> {
    let reparsed = text
        .parse::<DocumentMut>()
        .ok()
        .map(|d| item_to_json(d.as_item()));
    // An implicit, empty `mcp_servers` renders as nothing; compare without empty tables we added.
    if reparsed.as_ref().map(strip_empty_tables) == Some(strip_empty_tables(expected)) {
        Ok(())
    } else {
        Err(MergeError::Unsafe {
            name: name.to_owned(),
        })
    }
}

fn strip_empty_tables(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !matches!(v, Value::Object(m) if m.is_empty()))
                .map(|(k, v)| (k.clone(), strip_empty_tables(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn remove_toml(existing: &str, name: &str) -> Result<Edit, MergeError> {
    let key = Client::Codex.servers_key();
    let mut doc = parse_toml(existing)?;
    let mut expected = item_to_json(doc.as_item());
    let Some(item) = doc.get_mut(key) else {
        return Ok(Edit {
            outcome: Outcome::NotPresent,
            text: existing.to_owned(),
        });
    };
    let servers = item
        .as_table_mut()
        .ok_or_else(|| toml_shape_error(existing, key))?;
    if servers.remove(name).is_none() {
        return Ok(Edit {
            outcome: Outcome::NotPresent,
            text: existing.to_owned(),
        });
    }
    if servers.is_empty() && servers.is_implicit() {
        doc.remove(key);
    }
    expected[key]
        .as_object_mut()
        .expect("checked above")
        .shift_remove(name);
    let text = with_final_newline(existing, doc.to_string());
    check_toml(&text, &expected, name)?;
    Ok(Edit {
        outcome: Outcome::Removed,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        assert_eq!(line_col("ab\ncdé\nx", 0), (1, 1));
        assert_eq!(line_col("ab\ncdé\nx", 3), (2, 1));
        assert_eq!(line_col("ab\ncdé\nx", 8), (3, 1));
        // After the two-byte `é`: column counts characters, not bytes.
        assert_eq!(line_col("ab\ncdé\nx", 7), (2, 4));
    }

    #[test]
    fn input_refs_finds_every_reference() {
        let mut out = Vec::new();
        input_refs(
            &serde_json::json!({"a": "Bearer ${input:x-token}", "b": ["${input:y}${input:z}"]}),
            &mut out,
        );
        assert_eq!(out, ["x-token", "y", "z"]);
    }
}
