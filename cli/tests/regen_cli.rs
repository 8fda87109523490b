//! `mcpgen generate` on an existing crate, through the binary: finding the spec, --check, --diff, hand-edited
//! generated files (refused, then --force with a backup), .mcpgenignore, Cargo.toml edits, an invalid spec and a
//! simulated failure mid-write (nothing changes in either case), and the report of removed and added items.

mod regen_support;

use regen_support::{Crate, snapshot};

const MINIMAL: &str = include_str!("../../specs/minimal.yaml");

const MULTIPLY: &str = "  - name: multiply
    description: Multiply two numbers.
    inputSchema:
      type: object
      properties:
        a: {type: number}
        b: {type: number}
      required: [a, b]
";

fn with_multiply() -> String {
    MINIMAL.replace("transports:", &format!("{MULTIPLY}transports:"))
}

#[test]
fn generate_without_arguments_finds_the_crate_and_its_spec_from_a_subfolder() {
    let c = Crate::new(MINIMAL);
    let out = c.mcpgen_in(&c.dir.join("src/tools"), &["generate"]);
    assert!(out.ok(), "{out}");
    assert!(out.stdout.contains("is up to date"), "{out}");

    c.write_spec(&with_multiply());
    let out = c.mcpgen_in(&c.dir.join("src"), &["generate"]);
    assert!(out.ok(), "{out}");
    assert!(c.dir.join("src/tools/multiply.rs").exists(), "{out}");

    let elsewhere = tempfile::tempdir().unwrap();
    let out = c.mcpgen_in(elsewhere.path(), &["generate"]);
    assert_eq!(out.code, Some(1), "{out}");
    assert!(out.stderr.contains("no generated crate here"), "{out}");
}

#[test]
fn check_passes_on_a_fresh_crate_and_lists_drift_and_hand_edits() {
    let c = Crate::new(MINIMAL);
    let out = c.mcpgen(&["generate", "--check"]);
    assert!(out.ok(), "{out}");
    assert!(out.stdout.is_empty(), "{out}");

    c.write_spec(&with_multiply());
    let before = snapshot(&c.dir);
    let out = c.mcpgen(&["generate", "--check"]);
    assert_eq!(out.code, Some(1), "{out}");
    assert!(
        out.stdout
            .contains("created (yours to edit): src/tools/multiply.rs"),
        "{out}"
    );
    assert!(
        out.stdout.contains("updated: src/generated/tools.rs"),
        "{out}"
    );
    assert!(out.stderr.contains("is out of date"), "{out}");
    assert_eq!(before, snapshot(&c.dir), "--check writes nothing");

    // A hand edit is drift too, and named as such.
    c.write_spec(MINIMAL);
    let server = c.dir.join("src/generated/server.rs");
    let mut text = std::fs::read_to_string(&server).unwrap();
    text.push_str("// my tweak\n");
    std::fs::write(&server, &text).unwrap();
    let out = c.mcpgen(&["generate", "--check"]);
    assert_eq!(out.code, Some(1), "{out}");
    assert_eq!(
        out.stdout.trim(),
        "edited by hand: src/generated/server.rs",
        "{out}"
    );

    // A spec edit that changes no generated file (a comment) still leaves the manifest stale.
    std::fs::write(&server, text.replace("// my tweak\n", "")).unwrap();
    c.write_spec(&format!("{MINIMAL}# a comment\n"));
    let out = c.mcpgen(&["generate", "--check"]);
    assert_eq!(out.code, Some(1), "{out}");
    assert!(out.stdout.contains(".mcpgen/manifest.json"), "{out}");
}

#[test]
fn diff_prints_a_unified_diff_and_writes_nothing() {
    let c = Crate::new(MINIMAL);
    c.write_spec(&MINIMAL.replace("Add two numbers and return the sum.", "Add two numbers."));
    let before = snapshot(&c.dir);
    let out = c.mcpgen(&["generate", "--diff"]);
    assert!(out.ok(), "{out}");
    assert!(
        out.stdout
            .contains("--- a/src/generated/tools.rs\n+++ b/src/generated/tools.rs\n"),
        "{out}"
    );
    assert!(
        out.stdout.contains("\n+") && out.stdout.contains("Add two numbers.\""),
        "{out}"
    );
    assert!(
        out.stdout.contains("\n-") && out.stdout.contains("and return the sum."),
        "{out}"
    );
    assert_eq!(before, snapshot(&c.dir));
}

#[test]
fn hand_edited_generated_file_is_refused_then_overwritten_with_force_after_a_backup() {
    let c = Crate::new(MINIMAL);
    let tools = c.dir.join("src/generated/tools.rs");
    let edited = format!("{}// my change\n", std::fs::read_to_string(&tools).unwrap());
    std::fs::write(&tools, &edited).unwrap();
    c.write_spec(&with_multiply());
    let before = snapshot(&c.dir);

    let out = c.mcpgen(&["generate"]);
    assert_eq!(out.code, Some(1), "{out}");
    assert!(out.stderr.contains("src/generated/tools.rs"), "{out}");
    assert!(out.stderr.contains("--force"), "{out}");
    assert!(out.stderr.contains("Nothing was written"), "{out}");
    assert_eq!(before, snapshot(&c.dir), "a refused run writes nothing");

    let out = c.mcpgen(&["generate", "--force"]);
    assert!(out.ok(), "{out}");
    assert!(
        out.stdout.contains("Saved the hand-edited files under"),
        "{out}"
    );
    assert!(
        !std::fs::read_to_string(&tools)
            .unwrap()
            .contains("// my change")
    );
    assert!(
        std::fs::read_to_string(&tools)
            .unwrap()
            .contains("multiply")
    );
    let backups: Vec<_> = std::fs::read_dir(c.dir.join(".mcpgen/backup"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1);
    // Named like every other backup mcpgen makes: YYYYMMDDTHHMMSSZ.
    let stamp = backups[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        stamp.len() == 16 && stamp.as_bytes()[8] == b'T' && stamp.ends_with('Z'),
        "{stamp}"
    );
    assert_eq!(
        std::fs::read_to_string(backups[0].join("src/generated/tools.rs")).unwrap(),
        edited
    );
    assert!(c.mcpgen(&["generate", "--check"]).ok());
}

#[test]
fn mcpgenignore_paths_are_never_written_created_or_deleted() {
    let c = Crate::new(MINIMAL);
    std::fs::write(
        c.dir.join(".mcpgenignore"),
        "# mine now\nREADME.md\nmcp-config/\nsrc/tools/multiply.rs\n",
    )
    .unwrap();
    std::fs::write(c.dir.join("README.md"), "my own readme\n").unwrap();
    std::fs::remove_file(c.dir.join("mcp-config/generic.stdio.json")).unwrap();
    c.write_spec(&with_multiply().replace(
        "name: minimal",
        "name: minimal\n  description: Now described.",
    ));

    let out = c.mcpgen(&["generate"]);
    assert!(out.ok(), "{out}");
    assert_eq!(c.read("README.md"), "my own readme\n");
    assert!(!c.dir.join("mcp-config/generic.stdio.json").exists());
    assert!(!c.dir.join("src/tools/multiply.rs").exists());
    assert!(
        c.read("src/generated/tools.rs").contains("multiply"),
        "other files are still generated"
    );
    let out = c.mcpgen(&["generate", "--check"]);
    assert!(out.ok(), "ignored files are not drift: {out}");
}

#[test]
fn cargo_toml_keeps_every_user_line_and_gets_back_what_mcpgen_needs() {
    let c = Crate::new(MINIMAL);
    let original = c.read("Cargo.toml");
    assert!(original.contains("lto = \"fat\"\n"), "{original}");
    let user = original
        .replace(
            "[dependencies]\n",
            "[dependencies]\n# parsing, mine\nregex = \"1\"\n",
        )
        .replace("tokio = { version = \"1\"", "tokio = { version = \"1.40\"")
        .replace("rmcp = { version = \"3.11\"", "rmcp = { version = \"3.1\"")
        .replace(
            "lto = \"fat\"\n",
            "lto = \"thin\" # faster release builds\n",
        )
        + "\n[profile.dev.package.\"*\"]\nopt-level = 1\n";
    std::fs::write(c.dir.join("Cargo.toml"), &user).unwrap();

    let out = c.mcpgen(&["generate", "--check"]);
    assert_eq!(out.code, Some(1), "{out}");
    assert_eq!(
        out.stdout.trim(),
        "updated (only mcpgen's entries): Cargo.toml",
        "{out}"
    );
    let out = c.mcpgen(&["generate", "--diff"]);
    assert!(out.stdout.contains("-rmcp = { version = \"3.1\""), "{out}");
    assert!(out.stdout.contains("+rmcp = { version = \"3.11\""), "{out}");

    let out = c.mcpgen(&["generate"]);
    assert!(out.ok(), "{out}");
    // Only the too-old rmcp requirement changed; the raised tokio one and every user line stayed.
    assert_eq!(
        c.read("Cargo.toml"),
        user.replace("rmcp = { version = \"3.1\"", "rmcp = { version = \"3.11\"")
    );
    assert!(c.mcpgen(&["generate", "--check"]).ok());
}

#[test]
fn invalid_spec_writes_nothing() {
    let c = Crate::new(MINIMAL);
    c.write_spec(&with_multiply().replace("name: multiply", "name: \"\""));
    let before = snapshot(&c.dir);
    let out = c.mcpgen(&["generate"]);
    assert_eq!(out.code, Some(1), "{out}");
    assert!(
        out.stderr.contains("invalid spec, nothing was written"),
        "{out}"
    );
    assert_eq!(before, snapshot(&c.dir));
}

#[test]
fn a_failure_between_writes_leaves_every_file_old_then_a_rerun_makes_them_all_new() {
    let c = Crate::new(MINIMAL);
    c.write_spec(&with_multiply().replace("Add two numbers and return the sum.", "Add."));
    let before = snapshot(&c.dir);
    let out = c.mcpgen(&["generate", "--check"]);
    let writes = out.stdout.lines().count() + 1; // + the manifest
    assert!(writes >= 4, "{out}");
    for n in [0, 1, writes / 2, writes - 1] {
        let out = c.mcpgen(&["generate", "--fail-after", &n.to_string()]);
        assert_eq!(out.code, Some(1), "{out}");
        assert!(out.stderr.contains("simulated failure"), "{out}");
        assert_eq!(
            before,
            snapshot(&c.dir),
            "fail after {n} files: not all old"
        );
    }
    let out = c.mcpgen(&["generate"]);
    assert!(out.ok(), "{out}");
    assert!(
        c.mcpgen(&["generate", "--check"]).ok(),
        "all new after the rerun"
    );
}

#[test]
fn renamed_tool_is_reported_as_a_removal_and_an_addition_and_its_old_handler_kept() {
    let c = Crate::new(&with_multiply());
    std::fs::write(c.dir.join("src/tools/multiply.rs"), "// my multiply\n").unwrap();
    c.write_spec(&with_multiply().replace("name: multiply", "name: product"));
    let out = c.mcpgen(&["generate"]);
    assert!(out.ok(), "{out}");
    assert!(out.stdout.contains("removed tool: multiply"), "{out}");
    assert!(out.stdout.contains("added tool: product"), "{out}");
    assert!(
        out.stdout
            .contains("created (yours to edit): src/tools/product.rs"),
        "{out}"
    );
    assert!(
        out.stdout.contains("orphaned: src/tools/multiply.rs"),
        "{out}"
    );
    assert_eq!(c.read("src/tools/multiply.rs"), "// my multiply\n");
    assert!(!c.read("src/generated/mod.rs").contains("multiply.rs"));
}
