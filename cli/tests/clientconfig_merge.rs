//! Merging into real-world-shaped config files: other servers, unknown keys, comments, empty and missing
//! files, malformed files, idempotence, --force, uninstall, backups. Each result is checked two ways:
//! structurally (the parsed file equals the input with only our entry changed) and textually (no line of
//! the input is lost or altered, except a comma added after the entry that used to be last).

mod clientconfig_support;

use std::path::{Path, PathBuf};

use clientconfig_support::{
    TempDir, fixture, golden_spec, parse_config, place_fixture, place_fixture_as,
};
use mcpgen::clientconfig::install::{self, InstallError, InstallOptions};
use mcpgen::clientconfig::merge::{MergeError, Outcome, merge_entry, remove_entry};
use mcpgen::clientconfig::{Client, ClientEntry, EntryContext, FileFormat, server_entry};
use mcpgen::spec::TransportKind;
use serde_json::{Value, json};
use similar::{ChangeTag, TextDiff};

fn entry(client: Client, transport: TransportKind) -> ClientEntry {
    let ctx = EntryContext {
        name: "weather".into(),
        command: "/opt/mcp/weather/target/release/weather".into(),
    };
    server_entry(client, &golden_spec(), transport, &ctx).expect("declared transport")
}

/// The input document with our entry (and, for VS Code, our inputs) put in: what the file must parse to.
fn expected_after_install(before: &Value, entry: &ClientEntry) -> Value {
    let mut doc = before.clone();
    let obj = doc.as_object_mut().unwrap();
    let servers = obj
        .entry(entry.client.servers_key())
        .or_insert_with(|| json!({}));
    servers
        .as_object_mut()
        .unwrap()
        .insert("weather".into(), Value::Object(entry.server.clone()));
    if !entry.inputs.is_empty() {
        let inputs = obj.entry("inputs").or_insert_with(|| json!([]));
        inputs
            .as_array_mut()
            .unwrap()
            .extend(entry.inputs.iter().cloned());
    }
    doc
}

/// Every line of `old` survives in `new`, unchanged or with one comma added (the entry that used to be
/// last in its object or array); everything else in `new` is inserted.
fn assert_only_insertions(old: &str, new: &str) {
    let diff = TextDiff::from_lines(old, new);
    let deleted: Vec<&str> = diff
        .iter_all_changes()
        .filter(|c| c.tag() == ChangeTag::Delete)
        .map(|c| c.value())
        .collect();
    let inserted: Vec<&str> = diff
        .iter_all_changes()
        .filter(|c| c.tag() == ChangeTag::Insert)
        .map(|c| c.value())
        .collect();
    assert!(deleted.len() <= 2, "too many changed lines: {deleted:?}");
    for line in deleted {
        let with_comma = inserted.iter().any(|ins| {
            ins.len() == line.len() + 1
                && (0..=line.len()).any(|i| {
                    line.is_char_boundary(i)
                        && ins[..i] == line[..i]
                        && &ins[i..i + 1] == ","
                        && ins[i + 1..] == line[i..]
                })
        });
        assert!(
            with_comma,
            "line changed beyond an added comma: {line:?}\n--- new file:\n{new}"
        );
    }
}

/// The realistic fixtures, each with the client that reads it.
const FIXTURES: [(Client, &str, &str); 5] = [
    (
        Client::ClaudeDesktop,
        "claude_desktop_config.json",
        "claude_desktop_config.json",
    ),
    (Client::Vscode, "vscode_mcp.json", "mcp.json"),
    (Client::Zed, "zed_settings.json", "settings.json"),
    (Client::Codex, "codex_config.toml", "config.toml"),
    (Client::GeminiCli, "gemini_settings.json", "settings.json"),
];

#[test]
fn install_into_realistic_files_changes_only_our_entry() {
    for (client, name, file) in FIXTURES {
        for transport in [TransportKind::Stdio, TransportKind::StreamableHttp] {
            let dir = TempDir::new("realistic");
            let (path, original) = place_fixture_as(dir.path(), name, file);
            let e = entry(client, transport);
            let report = install::install(&path, &e, InstallOptions::default()).expect("install");
            assert_eq!(report.outcome, Outcome::Added, "{name}");
            assert!(report.written && !report.created);
            let new = std::fs::read_to_string(&path).unwrap();
            assert_eq!(
                parse_config(client, &new),
                expected_after_install(&parse_config(client, &original), &e),
                "{name}"
            );
            assert_only_insertions(&original, &new);
            // Backup first: identical to the original, named NAME.bak-YYYYMMDDTHHMMSSZ next to it.
            let backup = report.backup.expect("backup of an existing file");
            assert_eq!(std::fs::read_to_string(&backup).unwrap(), original);
            let backup_name = backup.file_name().unwrap().to_string_lossy().into_owned();
            let stamp = backup_name
                .strip_prefix(&format!("{file}.bak-"))
                .expect("backup name");
            assert!(
                stamp.len() == 16 && stamp.as_bytes()[8] == b'T' && stamp.ends_with('Z'),
                "backup name {backup_name}"
            );
            assert_eq!(backup.parent(), path.parent());
        }
    }
}

#[test]
fn comments_in_jsonc_and_toml_are_kept() {
    for (client, name, _) in FIXTURES {
        let original = fixture(name);
        let merged = merge_entry(&original, &entry(client, TransportKind::Stdio), false)
            .unwrap()
            .text;
        for line in original.lines().filter(|l| {
            l.trim_start().starts_with("//") || l.contains("/*") || l.trim_start().starts_with('#')
        }) {
            assert!(merged.contains(line), "{name}: comment lost: {line}");
        }
        assert!(
            merged.contains("// browser automation") || client != Client::Vscode,
            "trailing comment kept"
        );
    }
}

#[test]
fn empty_file_and_missing_directory() {
    for client in Client::ALL {
        let dir = TempDir::new("empty");
        // Empty (or whitespace-only) file: becomes a document with only our entry.
        let path = dir.path().join("empty.cfg");
        std::fs::write(&path, "\n").unwrap();
        let e = entry(client, TransportKind::Stdio);
        let report = install::install(&path, &e, InstallOptions::default()).unwrap();
        assert_eq!(report.outcome, Outcome::Added);
        assert_eq!(
            parse_config(client, &std::fs::read_to_string(&path).unwrap()),
            e.document(),
            "{client}"
        );
        // Missing directory and file: both created, no backup (nothing to back up).
        let nested = dir.path().join("a").join("b").join("config");
        let report = install::install(&nested, &e, InstallOptions::default()).unwrap();
        assert!(report.created && report.written && report.backup.is_none());
        let text = std::fs::read_to_string(&nested).unwrap();
        assert_eq!(parse_config(client, &text), e.document());
        assert!(text.ends_with('\n'));
        assert_eq!(
            std::fs::read_dir(nested.parent().unwrap()).unwrap().count(),
            1,
            "no temp file left"
        );
    }
}

/// What a strict-JSON client's file that is valid JSONC is refused with: the rule and where, not the raw words of a
/// JSON parser that never heard of comments ("key must be a string").
#[test]
fn jsonc_in_a_strict_json_file_is_explained_at_its_location() {
    let cases = [
        (
            Client::ClaudeDesktop,
            "{\n  \"mcpServers\": {}, // mine\n  \"x\": 1\n}\n",
            "2:21: comments are not allowed here: Claude Desktop reads this file as strict JSON and would \
             reject all of it; remove it and install again",
        ),
        (
            Client::ClaudeDesktop,
            "{\n  /* block */\n  \"mcpServers\": {}\n}\n",
            "2:3: comments are not allowed here: Claude Desktop",
        ),
        (
            Client::Cursor,
            "{\n  \"mcpServers\": {},\n}\n",
            "2:19: a trailing comma is not allowed here: Cursor reads this file as strict JSON",
        ),
        (
            Client::Generic,
            "{'mcpServers': {}}",
            "1:2: not strict JSON (Single-quoted strings are not allowed): the client reads this file",
        ),
    ];
    for (client, text, expected) in cases {
        let err = merge_entry(text, &entry(client, TransportKind::Stdio), false)
            .expect_err("not strict JSON");
        let shown = err.to_string();
        assert!(shown.starts_with(expected), "{text:?}: {shown}");
        assert!(!shown.contains("key must be a string"), "{shown}");
    }
    // The same text is fine where the client reads JSONC.
    let jsonc = "{\n  // mine\n  \"servers\": {},\n}\n";
    merge_entry(jsonc, &entry(Client::Vscode, TransportKind::Stdio), false).expect("JSONC");
}

#[test]
fn malformed_files_are_left_untouched_with_a_located_error() {
    let cases = [
        (
            Client::ClaudeDesktop,
            "malformed.json",
            5,
            "invalid JSON: expected `,` or `}`",
        ),
        (Client::Codex, "malformed.toml", 4, ""),
        // A comment is valid JSONC but Claude Desktop reads plain JSON: refuse rather than propagate.
        (
            Client::ClaudeDesktop,
            "claude_desktop_with_comment.json",
            2,
            "comments are not allowed here: Claude Desktop reads this file as strict JSON",
        ),
    ];
    for (client, name, line, message) in cases {
        let dir = TempDir::new("malformed");
        let (path, original) = place_fixture(dir.path(), name);
        let err = install::install(
            &path,
            &entry(client, TransportKind::Stdio),
            InstallOptions::default(),
        )
        .expect_err("malformed");
        let InstallError::Invalid {
            source:
                MergeError::Malformed {
                    line: l,
                    column,
                    message: m,
                },
            ..
        } = &err
        else {
            panic!("{name}: unexpected error {err:?}")
        };
        assert_eq!(*l, line, "{name}: {err}");
        assert!(*column >= 1);
        assert!(m.contains(message), "{name}: {m}");
        let shown = err.to_string();
        assert!(
            shown.contains(&format!("{name}:{line}:{column}:")),
            "file:line:col in {shown}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            original,
            "{name} untouched"
        );
        assert_eq!(dir.listing(), [name], "no backup, no temp file");
    }
}

#[test]
fn wrong_shape_is_reported_with_its_location() {
    let text = "{\n  \"theme\": \"dark\",\n  \"mcpServers\": [\"not\", \"an object\"]\n}\n";
    let err = merge_entry(text, &entry(Client::Cursor, TransportKind::Stdio), false).unwrap_err();
    assert_eq!(
        err,
        MergeError::Shape {
            line: 3,
            column: 17,
            what: "`mcpServers`".into(),
            expected: "an object"
        }
    );
    let err = merge_entry(
        "[1, 2]\n",
        &entry(Client::Cursor, TransportKind::Stdio),
        false,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            MergeError::Shape {
                line: 1,
                column: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

/// A temporary directory `tag` holding the fixture `name` as `file` with our HTTP entry installed; also returns the
/// file's path and the fixture's text.
fn installed_http_entry(
    tag: &str,
    client: Client,
    name: &str,
    file: &str,
) -> (TempDir, PathBuf, String) {
    let dir = TempDir::new(tag);
    let (path, original) = place_fixture_as(dir.path(), name, file);
    let e = entry(client, TransportKind::StreamableHttp);
    install::install(&path, &e, InstallOptions::default()).unwrap();
    (dir, path, original)
}

#[test]
fn second_install_is_a_no_op() {
    for (client, name, file) in FIXTURES {
        let (dir, path, _) = installed_http_entry("idempotent", client, name, file);
        let e = entry(client, TransportKind::StreamableHttp);
        let after_first = std::fs::read_to_string(&path).unwrap();
        let listing = dir.listing();
        let report = install::install(&path, &e, InstallOptions::default()).unwrap();
        assert_eq!(report.outcome, Outcome::Unchanged, "{name}");
        assert!(!report.written && report.backup.is_none() && report.diff.is_empty());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), after_first);
        assert_eq!(dir.listing(), listing, "no new backup");
    }
}

#[test]
fn a_different_entry_of_the_same_name_needs_force() {
    for (client, name, file) in FIXTURES {
        // Someone else's `weather` entry (here: our HTTP entry) is present.
        let (dir, path, _) = installed_http_entry("force", client, name, file);
        let before = std::fs::read_to_string(&path).unwrap();
        let listing = dir.listing();
        let stdio = entry(client, TransportKind::Stdio);

        let err = install::install(&path, &stdio, InstallOptions::default()).expect_err("conflict");
        let InstallError::Conflict { diff, name: n, .. } = err else {
            panic!("{name}: {err:?}")
        };
        assert_eq!(n, "weather");
        assert!(
            diff.contains("/opt/mcp/weather/target/release/weather"),
            "{name}: diff shows the new entry:\n{diff}"
        );
        assert!(
            diff.lines()
                .any(|l| l.starts_with('-') && !l.starts_with("---")),
            "{name}: diff shows removals"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            before,
            "untouched without --force"
        );
        assert_eq!(dir.listing(), listing);

        let report = install::install(
            &path,
            &stdio,
            InstallOptions {
                force: true,
                dry_run: false,
            },
        )
        .unwrap();
        assert_eq!(report.outcome, Outcome::Updated);
        assert_eq!(
            std::fs::read_to_string(report.backup.unwrap()).unwrap(),
            before
        );
        let after = std::fs::read_to_string(&path).unwrap();
        let mut expected = parse_config(client, &before);
        expected[client.servers_key()]["weather"] = Value::Object(stdio.server.clone());
        if let Some(inputs) = expected.get_mut("inputs").and_then(Value::as_array_mut) {
            inputs.extend(stdio.inputs.iter().cloned());
        }
        assert_eq!(
            parse_config(client, &after),
            expected,
            "{name}: only our entry replaced"
        );
    }
}

#[test]
fn uninstall_removes_only_our_entry() {
    for (client, name, file) in FIXTURES {
        let (dir, path, original) = installed_http_entry("uninstall", client, name, file);
        let report =
            install::uninstall(&path, client, "weather", InstallOptions::default()).unwrap();
        assert_eq!(report.outcome, Outcome::Removed);
        assert!(report.backup.is_some());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            parse_config(client, &text),
            parse_config(client, &original),
            "{name}: back to the original structure"
        );
        if client.format() != FileFormat::Json {
            // Comment-preserving formats: every original line is still there, in order.
            assert_only_insertions(&original, &text);
        }
        // Nothing left to remove: no write, no backup.
        let listing = dir.listing();
        let again =
            install::uninstall(&path, client, "weather", InstallOptions::default()).unwrap();
        assert_eq!(again.outcome, Outcome::NotPresent);
        assert!(!again.written);
        assert_eq!(dir.listing(), listing);
    }
}

#[test]
fn uninstall_keeps_inputs_other_servers_use() {
    let text = fixture("vscode_mcp.json");
    let merged = merge_entry(&text, &entry(Client::Vscode, TransportKind::Stdio), false)
        .unwrap()
        .text;
    assert!(merged.contains("weather-weather-api-key"));
    let removed = remove_entry(&merged, Client::Vscode, "weather")
        .unwrap()
        .text;
    assert!(
        !removed.contains("weather-weather-api-key"),
        "our input removed with our entry"
    );
    assert!(
        removed.contains("\"github-pat\""),
        "the other server's input stays"
    );
}

#[test]
fn dry_run_writes_nothing() {
    let dir = TempDir::new("dry");
    let (path, original) = place_fixture(dir.path(), "claude_desktop_config.json");
    let report = install::install(
        &path,
        &entry(Client::ClaudeDesktop, TransportKind::Stdio),
        InstallOptions {
            force: false,
            dry_run: true,
        },
    )
    .unwrap();
    assert_eq!(report.outcome, Outcome::Added);
    assert!(!report.written && report.backup.is_none());
    assert!(
        report.diff.contains("+    \"weather\": {"),
        "{}",
        report.diff
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    assert_eq!(dir.listing(), ["claude_desktop_config.json"]);
    let missing = dir.path().join("nope").join("x.json");
    install::install(
        &missing,
        &entry(Client::Cursor, TransportKind::Stdio),
        InstallOptions {
            force: false,
            dry_run: true,
        },
    )
    .unwrap();
    assert!(
        !Path::new(&missing).parent().unwrap().exists(),
        "dry run creates no directory"
    );
}

#[cfg(unix)]
#[test]
fn installs_through_a_symlink_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("symlink");
    let (real, _) = place_fixture_as(dir.path(), "claude_desktop_config.json", "real.json");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("claude_desktop_config.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let report = install::install(
        &link,
        &entry(Client::ClaudeDesktop, TransportKind::Stdio),
        InstallOptions::default(),
    )
    .unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("\"weather\"")
    );
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let backup = report.backup.unwrap();
    assert_eq!(
        std::fs::metadata(backup).unwrap().permissions().mode() & 0o777,
        0o600,
        "backup as private"
    );
}

#[test]
fn reinstall_keeps_secrets_the_user_filled_into_placeholders() {
    for client in [Client::ClaudeDesktop, Client::Zed, Client::Codex] {
        let transport = if client == Client::Codex {
            TransportKind::Sse
        } else {
            TransportKind::Stdio
        };
        let e = entry(client, transport);
        let var = if client == Client::Codex {
            "AUTH_HEADER"
        } else {
            "WEATHER_API_KEY"
        };
        let installed = merge_entry("", &e, false).unwrap().text;
        let needle = match client.format() {
            FileFormat::Toml => format!("{var} = \"\""),
            _ => format!("\"{var}\": \"\""),
        };
        assert!(
            installed.contains(&needle),
            "{client}: placeholder written: {installed}"
        );
        let filled = installed.replace(&needle, &needle.replace("\"\"", "\"s3cret\""));
        let again = merge_entry(&filled, &e, false).unwrap();
        assert_eq!(
            again.outcome,
            Outcome::Unchanged,
            "{client}: the filled value is not a conflict"
        );
        // A real change (here: another command) keeps the filled secret too.
        let mut changed = e.clone();
        if client != Client::Codex {
            changed
                .server
                .insert("command".into(), json!("/elsewhere/weather"));
            let forced = merge_entry(&filled, &changed, true).unwrap();
            assert_eq!(forced.outcome, Outcome::Updated);
            assert!(
                forced.text.contains("s3cret") && forced.text.contains("/elsewhere/weather"),
                "{client}"
            );
        }
    }
}
