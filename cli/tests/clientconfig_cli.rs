//! `mcpgen config` end to end: the crate's spec found through `.mcpgen/manifest.json`, the release binary
//! located through `cargo metadata` (honouring CARGO_TARGET_DIR), install / idempotence / conflict exit
//! codes, malformed files.

mod clientconfig_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clientconfig_support::{TempDir, fixtures_root, place_fixture, place_fixture_as};
use serde_json::Value;

/// A minimal crate as `mcpgen generate` leaves it: Cargo.toml, a binary target, the manifest, the spec.
fn fake_crate(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join(".mcpgen")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"weather\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(dir.join("src").join("main.rs"), "fn main() {}\n").unwrap();
    std::fs::copy(fixtures_root().join("spec.yaml"), dir.join("weather.yaml")).unwrap();
    std::fs::write(
        dir.join(".mcpgen").join("manifest.json"),
        r#"{"mcpgenVersion": "0.1.0", "spec": "weather.yaml", "specHash": "", "files": {}}"#,
    )
    .unwrap();
}

/// A temporary directory holding a fake crate `weather` and the CARGO_TARGET_DIR its commands see.
struct Weather {
    tmp: TempDir,
    dir: String,
    target: PathBuf,
}

impl Weather {
    fn new(name: &str) -> Self {
        let tmp = TempDir::new(name);
        let krate = tmp.path().join("weather");
        fake_crate(&krate);
        let target = tmp.path().join("target");
        let dir = krate.to_str().unwrap().to_owned();
        Weather { tmp, dir, target }
    }

    /// `mcpgen config CLIENT <the crate> ARGS...`.
    fn config(&self, client: &str, args: &[&str]) -> Output {
        mcpgen(
            &[&["config", client, &self.dir], args].concat(),
            &self.target,
        )
    }
}

fn mcpgen(args: &[&str], target_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(args)
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
        .expect("run mcpgen")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn prints_the_snippet_with_the_release_binary_from_cargo_metadata() {
    let weather = Weather::new("cli-print");
    let out = weather.config("claude-desktop", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON snippet");
    let command = doc["mcpServers"]["weather"]["command"].as_str().unwrap();
    let expected = weather
        .target
        .join("release")
        .join(format!("weather{}", std::env::consts::EXE_SUFFIX));
    assert_eq!(
        Path::new(command),
        expected,
        "CARGO_TARGET_DIR honoured, absolute path"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cargo build --release --manifest-path"),
        "says how to build: {stderr}"
    );
    assert!(
        stderr.contains("WEATHER_API_KEY"),
        "placeholder warning on stderr: {stderr}"
    );
}

#[test]
fn install_is_idempotent_and_conflicts_exit_1_with_a_diff() {
    let weather = Weather::new("cli-install");
    let (config, original) = place_fixture(weather.tmp.path(), "claude_desktop_config.json");
    let cfg = config.to_str().unwrap();
    let claude = |args: &[&str]| weather.config("claude-desktop", args);

    let first = claude(&["--install", "--config-path", cfg]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(text(&first.stderr).contains("added `weather`"));
    let installed = std::fs::read_to_string(&config).unwrap();

    let second = claude(&["--install", "--config-path", cfg]);
    assert!(second.status.success());
    assert!(
        text(&second.stderr).contains("already up to date"),
        "{}",
        text(&second.stderr)
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), installed);

    // The HTTP entry differs from the installed stdio one: exit 1, diff on stdout, file untouched.
    let args = [
        "--install",
        "--config-path",
        cfg,
        "--transport",
        "streamable-http",
    ];
    let conflict = claude(&args);
    assert_eq!(conflict.status.code(), Some(1));
    let diff = text(&conflict.stdout);
    assert!(
        diff.lines()
            .any(|l| l.starts_with('+') && l.contains("\"mcp-remote\"")),
        "{diff}"
    );
    assert!(text(&conflict.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), installed);

    let forced = claude(&[&args[..], &["--force"]].concat());
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert!(text(&forced.stderr).contains("replaced `weather`"));

    let dry = claude(&["--uninstall", "--config-path", cfg, "--dry-run"]);
    assert!(dry.status.success());
    assert!(
        text(&dry.stdout).contains("-    \"weather\": {"),
        "{}",
        text(&dry.stdout)
    );
    let removed = claude(&["--uninstall", "--config-path", cfg]);
    assert!(removed.status.success());
    let after: Value = serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    let original: Value = serde_json::from_str(&original).unwrap();
    assert_eq!(after, original);
}

#[test]
fn malformed_config_exits_1_with_its_location() {
    let weather = Weather::new("cli-malformed");
    let (config, original) = place_fixture_as(weather.tmp.path(), "malformed.toml", "config.toml");
    let out = weather.config(
        "codex",
        &["--install", "--config-path", config.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:4:", config.display())),
        "{stderr}"
    );
    assert!(stderr.contains("not changed"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
}

#[test]
fn without_a_manifest_it_asks_for_spec() {
    let tmp = TempDir::new("cli-nomanifest");
    let out = mcpgen(
        &["config", "cursor", tmp.path().to_str().unwrap()],
        &tmp.path().join("target"),
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--spec"),
        "{}",
        text(&out.stderr)
    );
    let spec = fixtures_root().join("spec.yaml");
    let out = mcpgen(
        &[
            "config",
            "cursor",
            "--spec",
            spec.to_str().unwrap(),
            "--transport",
            "streamable-http",
        ],
        &tmp.path().join("target"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["mcpServers"]["weather"]["url"],
        "http://127.0.0.1:8000/mcp"
    );
}

/// `-q` keeps the snippet (the command's product) and drops the notes and warnings.
#[test]
fn quiet_prints_only_the_snippet() {
    let weather = Weather::new("cli-quiet");
    let normal = weather.config("claude-desktop", &[]);
    assert!(text(&normal.stderr).contains("WEATHER_API_KEY"));
    let quiet = weather.config("claude-desktop", &["-q"]);
    assert!(quiet.status.success());
    assert_eq!(text(&quiet.stderr), "");
    assert_eq!(quiet.stdout, normal.stdout);
}

/// `--format json`: one object whatever the action, with the snippet or the file merged into.
#[test]
fn json_format_describes_the_snippet_and_the_install() {
    let weather = Weather::new("cli-json");
    let json = |args: &[&str]| -> (Option<i32>, Value) {
        let out = weather.config("claude-desktop", &[&["--format", "json"], args].concat());
        let value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
        (out.status.code(), value)
    };

    let (code, print) = json(&[]);
    assert_eq!(code, Some(0));
    assert_eq!(
        (
            &print["ok"],
            &print["action"],
            &print["client"],
            &print["name"],
            &print["transport"]
        ),
        (
            &Value::from(true),
            &Value::from("print"),
            &Value::from("claude-desktop"),
            &Value::from("weather"),
            &Value::from("stdio")
        )
    );
    let snippet: Value = serde_json::from_str(print["snippet"].as_str().unwrap()).unwrap();
    assert!(snippet["mcpServers"]["weather"]["command"].is_string());
    assert!(
        print["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("WEATHER_API_KEY")),
        "{print}"
    );
    assert_eq!(print["diagnostics"], serde_json::json!([]));

    let config = weather.tmp.path().join("claude_desktop_config.json");
    let cfg = config.to_str().unwrap();
    let (code, install) = json(&["--install", "--config-path", cfg]);
    assert_eq!(code, Some(0));
    assert_eq!(install["action"], "install");
    assert_eq!(install["outcome"], "added");
    assert_eq!(install["created"], true);
    assert_eq!(install["path"], cfg);
    assert!(install["diff"].as_str().unwrap().contains("+"), "{install}");
    let (_, again) = json(&["--install", "--config-path", cfg]);
    assert_eq!(again["outcome"], "unchanged");

    let (code, conflict) = json(&[
        "--install",
        "--config-path",
        cfg,
        "--transport",
        "streamable-http",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(conflict["ok"], false);
    assert!(
        conflict["error"].as_str().unwrap().contains("--force"),
        "{conflict}"
    );
    assert!(conflict["diff"].is_string());

    let (code, removed) = json(&["--uninstall", "--config-path", cfg]);
    assert_eq!(
        (code, &removed["outcome"]),
        (Some(0), &Value::from("removed"))
    );
}
