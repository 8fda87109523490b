//! The README's first-hour sections stay true: every subcommand is listed in "Commands", every flag it names
//! exists, and the install line and the test script's requirements are there.

use std::path::Path;
use std::process::Command;

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    std::fs::read_to_string(path).unwrap()
}

fn section<'r>(readme: &'r str, title: &str) -> &'r str {
    let start = readme
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("README has no `## {title}` section"));
    let rest = &readme[start + title.len() + 5..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The subcommands `mcpgen --help` lists, without clap's own `help`.
fn subcommands() -> Vec<String> {
    let help = help(&[]);
    let list = help.split_once("Commands:\n").unwrap().1;
    list.lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn commands_section_lists_every_subcommand_with_flags_that_exist() {
    let readme = readme();
    let commands = section(&readme, "Commands");
    let rows: Vec<&str> = commands
        .lines()
        .filter(|l| l.starts_with("| `mcpgen "))
        .collect();
    let names = subcommands();
    for name in &names {
        let row = rows
            .iter()
            .find(|r| r.starts_with(&format!("| `mcpgen {name}")))
            .unwrap_or_else(|| panic!("README's Commands table has no row for `{name}`"));
        // The row's command words (`import openapi` for a command with subcommands of its own), whose --help
        // lists the flags.
        let words: Vec<&str> = row
            .split('`')
            .nth(1)
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .collect();
        let help = help(&words);
        for flag in row
            .split('`')
            .skip(1)
            .step_by(2)
            .flat_map(str::split_whitespace)
            .filter(|w| w.starts_with("--"))
        {
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "README says `mcpgen {name}` takes {flag}; its --help does not"
            );
        }
    }
    assert_eq!(rows.len(), names.len(), "one row per subcommand: {rows:#?}");
    for flag in ["--check", "--diff", "--force", "--verify"] {
        assert!(
            commands.contains(flag),
            "README's Commands omit generate {flag}"
        );
    }
}

#[test]
fn install_and_test_requirements_are_stated() {
    let readme = readme();
    assert!(section(&readme, "Install").contains("cargo install --locked --path cli"));
    let try_it = section(&readme, "Try it");
    assert!(try_it.contains("scripts/test"));
    assert!(try_it.contains("needs root"), "scripts/test runs apt-get");
    let script =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/test"))
            .unwrap();
    for package in ["nginx-light", "redis-server", "prometheus"] {
        assert!(
            script.contains(package) && try_it.contains(package),
            "{package}"
        );
    }
    // What generated servers do is described, and the section of what they do not stays.
    for feature in [
        "AWS Lambda",
        "legacy SSE",
        "mcpgen import openapi",
        "`sessionStore`",
        "execution.taskSupport",
        "SEP-2663",
    ] {
        assert!(
            readme.contains(feature),
            "README does not describe {feature}"
        );
    }
    assert!(!section(&readme, "Not supported yet").trim().is_empty());
}
