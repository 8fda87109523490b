//! `mcpgen completions SHELL` and `mcpgen man` cover every subcommand, read from `mcpgen --help` so that a new
//! subcommand is checked without editing this test.

use std::process::{Command, Output};

fn mcpgen(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(args)
        .output()
        .expect("run mcpgen");
    assert_eq!(
        out.status.code(),
        Some(0),
        "mcpgen {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(args: &[&str]) -> String {
    String::from_utf8(mcpgen(args).stdout).unwrap()
}

/// The subcommands `mcpgen --help` lists, without clap's own `help`.
fn subcommands() -> Vec<String> {
    let help = stdout(&["--help"]);
    let list = help
        .split_once("Commands:\n")
        .expect("--help lists the commands")
        .1;
    let names: Vec<String> = list
        .lines()
        .take_while(|l| l.starts_with("  "))
        // A long description wraps onto lines indented past the names.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    for expected in [
        "init",
        "validate",
        "new",
        "generate",
        "config",
        "completions",
        "man",
        "dev",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not in {names:?}"
        );
    }
    names
}

/// How a completion script offers a subcommand name.
type Offer = fn(&str) -> String;

#[test]
fn every_shell_completes_every_subcommand() {
    let names = subcommands();
    let shells: [(&str, Offer); 5] = [
        ("bash", |n| format!("mcpgen,{n})")),
        ("zsh", |n| format!("({n})")),
        ("fish", |n| format!("-a \"{n}\"")),
        ("powershell", |n| format!("new('{n}', '{n}'")),
        ("elvish", |n| format!("cand {n} '")),
    ];
    for (shell, offer) in shells {
        let script = stdout(&["completions", shell]);
        assert!(script.len() > 1000, "{shell}: {script}");
        for name in &names {
            assert!(
                script.contains(&offer(name)),
                "{shell} does not complete `{name}`"
            );
        }
    }
}

#[test]
fn bash_completion_is_valid_bash() {
    let script = stdout(&["completions", "bash"]);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), script).unwrap();
    match Command::new("bash").arg("-n").arg(file.path()).output() {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("skipped: no bash ({e})"),
    }
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_page_lists_every_subcommand_and_the_examples() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH mcpgen 1"), "{page}");
    for name in subcommands() {
        assert!(
            page.contains(&format!("mcpgen\\-{name}(1)")),
            "mcpgen(1) does not list `{name}`"
        );
    }
    assert!(
        page.contains(".SH EXAMPLES\n.nf\n\\&mcpgen init "),
        "{page}"
    );
    assert!(page.contains("\\&mcpgen new mcpgen.yaml \\-\\-out myserver"));
}

#[test]
fn man_pages_of_each_command_are_printed_or_written() {
    let generate = stdout(&["man", "generate"]);
    assert!(generate.contains(".TH mcpgen-generate 1"), "{generate}");
    assert!(generate.contains("\\fB\\-\\-diff\\fR"), "{generate}");

    let dir = tempfile::tempdir().unwrap();
    mcpgen(&["man", "--out-dir", dir.path().to_str().unwrap()]);
    let main = std::fs::read_to_string(dir.path().join("mcpgen.1")).unwrap();
    assert_eq!(main, stdout(&["man"]));
    for name in subcommands() {
        let page = std::fs::read_to_string(dir.path().join(format!("mcpgen-{name}.1")))
            .unwrap_or_else(|e| panic!("mcpgen-{name}.1: {e}"));
        assert!(page.contains(&format!(".TH mcpgen-{name} 1")), "{page}");
    }

    let unknown = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(["man", "nope"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("the commands are new, generate"));
}
