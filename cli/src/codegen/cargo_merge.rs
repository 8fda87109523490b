//! `Cargo.toml` belongs to the user once `mcpgen new` created it: they add dependencies, comments, profiles. On
//! regeneration mcpgen edits only the entries the generated code needs, in place with toml_edit, so every other line,
//! comment and key order survives.
//!
//! What "needs" means is the manifest mcpgen would write for a new crate ([`super::cargo_toml::render`]): every
//! dependency, dev-dependency and feature there must be satisfied by the user's file.
//!
//! The rules, per dependency mcpgen needs:
//! - missing: added, as mcpgen would write it (at the end of its table);
//! - `version`: kept when it already asks for at least mcpgen's version within the same semver-compatible range
//!   (a user who raised `rmcp = "3.9"` to `"3.11"` keeps 3.11); otherwise (lower, or another major) set to mcpgen's,
//!   because the generated code is written against that API. A dependency without `version` (path, git,
//!   `workspace = true`) is left pointing where the user pointed it;
//! - `features`: mcpgen's are added, the user's extra ones kept;
//! - `optional = true` is enforced where mcpgen's features enable the dependency with `dep:`, else cargo rejects
//!   the manifest; `default-features` is set only when the dependency is added (turning defaults off later could
//!   break the user's own use of it).
//!
//! Features: each transport feature gets mcpgen's entries added (user extras kept); `default` gets the spec's
//! transports added and the transports the spec no longer declares removed, keeping anything else the user put there.
//! Nothing is ever removed from a dependency table.

use semver::{Op, Version, VersionReq};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike, Value};

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("Cargo.toml is not valid TOML, so mcpgen cannot update its dependencies: {0}")]
    Parse(#[from] toml_edit::TomlError),
    #[error("Cargo.toml: `{0}` is not a table")]
    NotATable(String),
}

/// The user's `current` manifest with everything the `wanted` manifest (as mcpgen would create it) needs.
/// Returns `current` byte for byte when nothing is missing.
pub fn merge(current: &str, wanted: &str) -> Result<String, MergeError> {
    let mut doc: DocumentMut = current.parse()?;
    let wanted: DocumentMut = wanted.parse()?;
    for section in ["dependencies", "dev-dependencies"] {
        if let Some(want) = wanted.get(section).and_then(Item::as_table_like) {
            merge_dependencies(&mut doc, section, want)?;
        }
    }
    if let Some(want) = wanted.get("features").and_then(Item::as_table_like) {
        merge_features(&mut doc, want)?;
    }
    retire(&mut doc, &wanted);
    Ok(doc.to_string())
}

/// Removes what only the runtime copied into crates by mcpgen 0.1.0 needed (see
/// [`retired_dependencies`](super::cargo_toml::retired_dependencies)), where it is still exactly as mcpgen wrote
/// it, and those dependencies' entries in mcpgen's features. Nothing `wanted` asks for is retired.
fn retire(doc: &mut DocumentMut, wanted: &DocumentMut) {
    use super::cargo_toml::{
        RETIRED_FEATURE_ENTRIES, retired_dependencies, retired_dev_dependencies,
    };
    let removed: Vec<String> =
        retire_dependencies(doc, wanted, "dependencies", retired_dependencies())
            .into_iter()
            .map(|name| format!("dep:{name}"))
            .collect();
    retire_dependencies(doc, wanted, "dev-dependencies", retired_dev_dependencies());
    if doc
        .get("dev-dependencies")
        .and_then(Item::as_table_like)
        .is_some_and(|t| t.is_empty())
    {
        doc.remove("dev-dependencies");
    }
    let (Some(features), Some(want_features)) = (
        doc.get_mut("features").and_then(Item::as_table_like_mut),
        wanted.get("features").and_then(Item::as_table_like),
    ) else {
        return;
    };
    for (name, want_item) in want_features.iter().filter(|(name, _)| *name != "default") {
        let wanted_entries: Vec<&str> = want_item
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(entries) = features.get_mut(name).and_then(Item::as_array_mut) {
            entries.retain(|v| {
                v.as_str().is_none_or(|f| {
                    wanted_entries.contains(&f)
                        || (!RETIRED_FEATURE_ENTRIES.contains(&f)
                            && !removed.iter().any(|r| r == f))
                })
            });
            if let Some(first) = entries.get_mut(0) {
                first.decor_mut().set_prefix("");
            }
        }
    }
}

/// Removes from `section` each of `retired` that is exactly as mcpgen wrote it and that `wanted` no longer asks for;
/// returns the names removed.
fn retire_dependencies(
    doc: &mut DocumentMut,
    wanted: &DocumentMut,
    section: &str,
    retired: Vec<super::cargo_toml::Dep>,
) -> Vec<&'static str> {
    let still_wanted = wanted.get(section).and_then(Item::as_table_like);
    let Some(table) = doc.get_mut(section).and_then(Item::as_table_like_mut) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for dep in retired {
        if still_wanted.is_some_and(|t| t.contains_key(dep.name)) {
            continue;
        }
        let written = super::cargo_toml::dep_item(&dep);
        if table
            .get(dep.name)
            .is_some_and(|have| same_entry(have, &written))
        {
            table.remove(dep.name);
            removed.push(dep.name);
        }
    }
    removed
}

/// Whether a dependency entry says the same as `written`, whatever its spacing and key order.
fn same_entry(have: &Item, written: &Item) -> bool {
    match (have.as_value(), written.as_value()) {
        (Some(have), Some(written)) => canonical(have) == canonical(written),
        _ => false,
    }
}

fn canonical(value: &Value) -> String {
    match value {
        Value::InlineTable(table) => {
            let mut pairs: Vec<String> = table
                .iter()
                .map(|(key, value)| format!("{key}={}", canonical(value)))
                .collect();
            pairs.sort();
            format!("{{{}}}", pairs.join(","))
        }
        Value::Array(array) => {
            let items: Vec<String> = array.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        other => {
            let mut other = other.clone();
            other.decor_mut().clear();
            other.to_string()
        }
    }
}

/// The table `name` of `doc`, created (at the end) when missing.
fn table_mut<'d>(
    doc: &'d mut DocumentMut,
    name: &str,
) -> Result<&'d mut dyn TableLike, MergeError> {
    if doc.get(name).is_none() {
        let mut table = Table::new();
        table.decor_mut().set_prefix("\n");
        // Without a position toml_edit would print the new table right after the first table it meets.
        table.set_position(last_position(doc.as_table()) + 1);
        doc.insert(name, Item::Table(table));
    }
    doc.get_mut(name)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| MergeError::NotATable(name.to_owned()))
}

/// The highest position of any (nested) table of the document.
fn last_position(table: &Table) -> usize {
    table
        .iter()
        .filter_map(|(_, item)| item.as_table())
        .map(|t| t.position().unwrap_or(0).max(last_position(t)))
        .max()
        .unwrap_or(0)
}

fn merge_dependencies(
    doc: &mut DocumentMut,
    section: &str,
    want: &dyn TableLike,
) -> Result<(), MergeError> {
    // Optional dependencies referenced as `dep:NAME` by mcpgen's features.
    let table = table_mut(doc, section)?;
    for (name, want_item) in want.iter() {
        match table.get_mut(name) {
            None => {
                table.insert(name, want_item.clone());
            }
            Some(have) => merge_dependency(have, want_item),
        }
    }
    Ok(())
}

/// What mcpgen asks of one dependency.
struct Want<'a> {
    version: Option<&'a str>,
    path: Option<&'a str>,
    features: Vec<&'a str>,
    optional: bool,
}

impl<'a> Want<'a> {
    fn of(item: &'a Item) -> Want<'a> {
        if let Some(version) = item.as_str() {
            return Want {
                version: Some(version),
                path: None,
                features: Vec::new(),
                optional: false,
            };
        }
        let table = item.as_table_like();
        let get = |key: &str| table.and_then(|t| t.get(key));
        Want {
            version: get("version").and_then(Item::as_str),
            path: get("path").and_then(Item::as_str),
            features: get("features")
                .and_then(Item::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default(),
            optional: get("optional").and_then(Item::as_bool).unwrap_or(false),
        }
    }
}

fn merge_dependency(have: &mut Item, want_item: &Item) {
    let want = Want::of(want_item);
    // `name = "1"`: stays a string unless mcpgen needs features or optionality.
    if let Some(version) = have.as_str() {
        let version = match want.version {
            Some(w) if !keeps(version, w) => w.to_owned(),
            _ => version.to_owned(),
        };
        if want.features.is_empty() && !want.optional && want.path.is_none() {
            set_value(have, Value::from(version));
            return;
        }
        let mut table = InlineTable::new();
        table.insert("version", version.into());
        let decor = have.as_value().map(|v| v.decor().clone());
        let mut value = Value::InlineTable(table);
        if let Some(decor) = decor {
            *value.decor_mut() = decor;
        }
        *have = Item::Value(value);
    }
    let Some(table) = have.as_table_like_mut() else {
        // Neither a string nor a table: cargo would reject it; replace it with mcpgen's entry.
        *have = want_item.clone();
        return;
    };
    // mcpgen's vendored copy of the runtime: pointed at when wanted and the user points nowhere else, dropped when
    // the crate moves to the registry. A path of the user's own (a fork) stays.
    let vendored = table.get("path").and_then(Item::as_str) == Some(super::cargo_toml::VENDOR_DIR);
    if vendored && want.path.is_none() {
        table.remove("path");
    }
    let points_elsewhere = ["path", "git", "workspace"]
        .iter()
        .any(|key| table.contains_key(key));
    let mut missing: Vec<(&str, Value)> = Vec::new();
    if let Some(path) = want.path
        && !points_elsewhere
    {
        missing.push(("path", path.into()));
    }
    if let Some(want_version) = want.version {
        match table.get_mut("version") {
            Some(item) if !item.as_str().is_some_and(|v| keeps(v, want_version)) => {
                set_value(item, Value::from(want_version));
            }
            Some(_) => {}
            None if !points_elsewhere => missing.push(("version", want_version.into())),
            None => {}
        }
    }
    if !want.features.is_empty() {
        match table.get_mut("features").and_then(Item::as_array_mut) {
            Some(features) => add_missing(features, &want.features),
            None => {
                let array: Array = want.features.iter().copied().collect();
                missing.push(("features", Value::Array(array)));
            }
        }
    }
    if want.optional && table.get("optional").and_then(Item::as_bool) != Some(true) {
        match table.get_mut("optional") {
            Some(item) => set_value(item, Value::from(true)),
            None => missing.push(("optional", true.into())),
        }
    }
    for (key, value) in missing {
        insert_key(have, key, value);
    }
}

/// Adds `key = value` to a dependency's table. In an inline table the new pair goes last and takes over the old
/// last value's trailing spacing, so `{ a = 1 }` becomes `{ a = 1, b = 2 }`.
fn insert_key(have: &mut Item, key: &str, mut value: Value) {
    if let Some(table) = have.as_inline_table_mut() {
        if let Some((_, last)) = table.iter_mut().last()
            && let Some(suffix) = last.decor().suffix().cloned()
        {
            last.decor_mut().set_suffix("");
            value.decor_mut().set_suffix(suffix);
        }
        table.insert(key, value);
    } else if let Some(table) = have.as_table_like_mut() {
        table.insert(key, Item::Value(value));
    }
}

/// Replaces a value, keeping the whitespace and comments around it.
fn set_value(item: &mut Item, mut value: Value) {
    if let Some(old) = item.as_value() {
        *value.decor_mut() = old.decor().clone();
    }
    *item = Item::Value(value);
}

fn add_missing(array: &mut Array, wanted: &[&str]) {
    for w in wanted {
        if !array.iter().any(|v| v.as_str() == Some(w)) {
            array.push(*w);
        }
    }
}

fn merge_features(doc: &mut DocumentMut, want: &dyn TableLike) -> Result<(), MergeError> {
    // Features mcpgen defines besides `default` that follow the spec (a transport, `oauth`), so `default` loses them
    // with the spec. The user's own switches (`preserve-order`) stay wherever the user put them.
    let follow_spec: Vec<&str> = want
        .iter()
        .map(|(name, _)| name)
        .filter(|name| *name != "default" && !super::cargo_toml::USER_SWITCHES.contains(name))
        .collect();
    let table = table_mut(doc, "features")?;
    for (name, want_item) in want.iter() {
        let wanted: Vec<&str> = want_item
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(have) = table.get_mut(name).and_then(Item::as_array_mut) else {
            table.insert(name, want_item.clone());
            continue;
        };
        if name == "default" {
            let first = have.get(0).map(|v| v.decor().clone());
            have.retain(|v| {
                v.as_str()
                    .is_none_or(|f| !follow_spec.contains(&f) || wanted.contains(&f))
            });
            // The new first element takes the old first's spacing (`["a", "b"]` minus "a" is `["b"]`).
            if let (Some(decor), Some(v)) = (first, have.get_mut(0))
                && let Some(prefix) = decor.prefix()
            {
                v.decor_mut().set_prefix(prefix.clone());
            }
        }
        add_missing(have, &wanted);
    }
    Ok(())
}

/// Whether the user's requirement `have` may stay in place of mcpgen's `want`: it asks for at least `want`'s lowest
/// version and stays within its semver-compatible range. Unparsable requirements are replaced.
fn keeps(have: &str, want: &str) -> bool {
    if have == want {
        return true;
    }
    // An exact pin (the runtime's) is mcpgen's to move, up or down, in step with the code it generates.
    if want.starts_with('=') {
        return false;
    }
    let (Ok(have), Ok(want)) = (VersionReq::parse(have), VersionReq::parse(want)) else {
        return false;
    };
    let Some(want) = lowest(&want) else {
        return true;
    };
    match lowest(&have) {
        // `*`: any version, the user's explicit choice.
        None => true,
        Some(have) => have >= want && compatible(&have, &want),
    }
}

/// The lowest version a requirement's lower bounds allow (None for `*`).
fn lowest(req: &VersionReq) -> Option<Version> {
    req.comparators
        .iter()
        .filter(|c| !matches!(c.op, Op::Less | Op::LessEq))
        .map(|c| Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)))
        .max()
}

/// Cargo's compatibility rule: same leftmost non-zero component.
fn compatible(a: &Version, b: &Version) -> bool {
    match (a.major, b.major) {
        (0, 0) if a.minor == 0 && b.minor == 0 => a.patch == b.patch,
        (0, 0) => a.minor == b.minor,
        (x, y) => x == y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WANTED: &str = r#"[package]
name = "x"

[dependencies]
rmcp = { version = "3.9", default-features = false, features = ["server"] }
tokio = { version = "1", features = ["macros", "time"] }
tracing = "0.1"
axum = { version = "0.8", default-features = false, features = ["http1"], optional = true }

[features]
default = ["stdio"]
stdio = ["rmcp/transport-io"]
streamable-http = ["dep:axum", "rmcp/transport-streamable-http-server"]

[dev-dependencies]
tower = { version = "0.5", features = ["util"] }
"#;

    #[test]
    fn a_user_switch_in_default_survives() {
        for (switch, enables) in [
            ("preserve-order", "serde_json/preserve_order"),
            ("mimalloc", "dep:mimalloc"),
        ] {
            assert!(super::super::cargo_toml::USER_SWITCHES.contains(&switch));
            let definition = format!("{switch} = [\"{enables}\"]\n");
            let wanted = WANTED.replace("[features]\n", &format!("[features]\n{definition}"));
            let on = WANTED.replace(
                "default = [",
                &format!("{definition}default = [\"{switch}\", "),
            );
            assert_ne!(on, WANTED);
            assert_eq!(merge(&on, &wanted).unwrap(), on);
        }
    }

    #[test]
    fn up_to_date_file_is_returned_byte_for_byte() {
        assert_eq!(merge(WANTED, WANTED).unwrap(), WANTED);
        let spaced = WANTED.replace("[features]", "# mine\n\n[features]  # trailing\n");
        assert_eq!(merge(&spaced, WANTED).unwrap(), spaced);
    }

    #[test]
    fn user_lines_survive_and_only_needed_entries_change() {
        let user = r#"# my crate
[package]
name = "x" # keep

[dependencies]
# the SDK
rmcp = { version = "3.8", default-features = false, features = ["server", "macros"] }  # old
regex = "1"
tokio = "1.40"
tracing = "0.1.41"

[features]
default = ["streamable-http", "mine"]
mine = []

[profile.release]
lto = true
"#;
        let merged = merge(user, WANTED).unwrap();
        let expected = r#"# my crate
[package]
name = "x" # keep

[dependencies]
# the SDK
rmcp = { version = "3.9", default-features = false, features = ["server", "macros"] }  # old
regex = "1"
tokio = { version = "1.40", features = ["macros", "time"] }
tracing = "0.1.41"
axum = { version = "0.8", default-features = false, features = ["http1"], optional = true }

[features]
default = ["mine", "stdio"]
mine = []
stdio = ["rmcp/transport-io"]
streamable-http = ["dep:axum", "rmcp/transport-streamable-http-server"]

[profile.release]
lto = true

[dev-dependencies]
tower = { version = "0.5", features = ["util"] }
"#;
        assert_eq!(merged, expected);
        // Idempotent: a second run changes nothing.
        assert_eq!(merge(&merged, WANTED).unwrap(), merged);
    }

    #[test]
    fn dotted_and_standard_tables_path_and_workspace_dependencies() {
        let user = r#"[dependencies.rmcp]
path = "../rmcp"
features = ["server"]

[dependencies]
tokio.workspace = true
tracing = { git = "https://example.invalid/tracing" }
axum = { version = "0.8", features = ["http1"] }
"#;
        let merged = merge(user, WANTED).unwrap();
        assert!(
            merged
                .starts_with("[dependencies.rmcp]\npath = \"../rmcp\"\nfeatures = [\"server\"]\n")
        );
        assert!(!merged.contains("version = \"3.9\""), "{merged}");
        assert!(merged.contains("tokio.workspace = true"), "{merged}");
        assert!(
            merged.contains("tokio.features = [\"macros\", \"time\"]"),
            "{merged}"
        );
        assert!(merged.contains("tracing = { git = \"https://example.invalid/tracing\" }"));
        assert!(
            merged
                .contains("axum = { version = \"0.8\", features = [\"http1\"], optional = true }"),
            "{merged}"
        );
        assert_eq!(merge(&merged, WANTED).unwrap(), merged);
    }

    #[test]
    fn versions_are_never_downgraded_within_the_compatible_range() {
        for (have, want, kept) in [
            ("3.9", "3.9", true),
            ("3.11", "3.9", true),
            ("3.9.4", "3.9", true),
            ("=3.9.1", "3.9", true),
            (">=3.9, <4", "3.9", true),
            ("~3.10", "3.9", true),
            ("*", "3.9", true),
            ("3.8", "3.9", false),
            ("4.0", "3.9", false),
            ("2", "3.9", false),
            ("0.61", "0.60", false),
            ("0.60.3", "0.60", true),
            ("1.47", "1", true),
            ("not a version", "1", false),
        ] {
            assert_eq!(keeps(have, want), kept, "{have} vs {want}");
        }
    }

    #[test]
    fn invalid_toml_is_an_error() {
        assert!(matches!(
            merge("[dependencies\n", WANTED),
            Err(MergeError::Parse(_))
        ));
    }
}
