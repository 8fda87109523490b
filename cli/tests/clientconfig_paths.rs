//! Config-file locations per OS and scope, through an injected environment (never this machine's).

use std::path::{Path, PathBuf};

use mcpgen::clientconfig::Client;
use mcpgen::clientconfig::paths::{
    CLAUDE_MSIX_PACKAGE, HostEnv, Os, PathError, Scope, config_path,
};

fn env(os: Os) -> HostEnv {
    let (home, appdata, local) = match os {
        Os::Windows => (
            r"C:\Users\ada",
            Some(PathBuf::from(r"C:\Users\ada\AppData\Roaming")),
            Some(PathBuf::from(r"C:\Users\ada\AppData\Local")),
        ),
        Os::MacOs => ("/Users/ada", None, None),
        Os::Linux => ("/home/ada", None, None),
    };
    HostEnv {
        os,
        home: Some(PathBuf::from(home)),
        appdata,
        local_appdata: local,
        xdg_config_home: None,
        codex_home: None,
        cwd: PathBuf::from("/work/project"),
        exists: Box::new(|_: &Path| false),
    }
}

fn join(base: &str, parts: &[&str]) -> PathBuf {
    parts.iter().fold(PathBuf::from(base), |p, c| p.join(c))
}

#[test]
fn claude_desktop_on_macos() {
    assert_eq!(
        config_path(Client::ClaudeDesktop, Scope::User, &env(Os::MacOs)).unwrap(),
        join(
            "/Users/ada",
            &[
                "Library",
                "Application Support",
                "Claude",
                "claude_desktop_config.json"
            ]
        )
    );
}

#[test]
fn claude_desktop_on_windows_classic_install() {
    assert_eq!(
        config_path(Client::ClaudeDesktop, Scope::User, &env(Os::Windows)).unwrap(),
        join(
            r"C:\Users\ada\AppData\Roaming",
            &["Claude", "claude_desktop_config.json"]
        )
    );
}

#[test]
fn claude_desktop_on_windows_msix_install() {
    let package = join(
        r"C:\Users\ada\AppData\Local",
        &["Packages", CLAUDE_MSIX_PACKAGE],
    );
    let mut e = env(Os::Windows);
    let seen = package.clone();
    e.exists = Box::new(move |p: &Path| p == seen);
    assert_eq!(
        config_path(Client::ClaudeDesktop, Scope::User, &e).unwrap(),
        package
            .join("LocalCache")
            .join("Roaming")
            .join("Claude")
            .join("claude_desktop_config.json")
    );
}

#[test]
fn claude_desktop_on_linux_with_and_without_xdg_config_home() {
    let mut e = env(Os::Linux);
    assert_eq!(
        config_path(Client::ClaudeDesktop, Scope::User, &e).unwrap(),
        join(
            "/home/ada",
            &[".config", "Claude", "claude_desktop_config.json"]
        )
    );
    e.xdg_config_home = Some(PathBuf::from("/xdg/config"));
    assert_eq!(
        config_path(Client::ClaudeDesktop, Scope::User, &e).unwrap(),
        join("/xdg/config", &["Claude", "claude_desktop_config.json"])
    );
    // The XDG spec says relative values are invalid and must be ignored.
    e.xdg_config_home = Some(PathBuf::from("relative/dir"));
    assert_eq!(
        config_path(Client::ClaudeDesktop, Scope::User, &e).unwrap(),
        join(
            "/home/ada",
            &[".config", "Claude", "claude_desktop_config.json"]
        )
    );
}

#[test]
fn other_clients_user_scope() {
    let mac = env(Os::MacOs);
    let linux = HostEnv {
        xdg_config_home: Some(PathBuf::from("/xdg")),
        ..env(Os::Linux)
    };
    let win = env(Os::Windows);
    let cases: [(Client, &HostEnv, PathBuf); 10] = [
        (
            Client::ClaudeCode,
            &mac,
            join("/Users/ada", &[".claude.json"]),
        ),
        (
            Client::Cursor,
            &linux,
            join("/home/ada", &[".cursor", "mcp.json"]),
        ),
        (
            Client::Vscode,
            &mac,
            join(
                "/Users/ada",
                &["Library", "Application Support", "Code", "User", "mcp.json"],
            ),
        ),
        (
            Client::Vscode,
            &linux,
            join("/xdg", &["Code", "User", "mcp.json"]),
        ),
        (
            Client::Vscode,
            &win,
            join(
                r"C:\Users\ada\AppData\Roaming",
                &["Code", "User", "mcp.json"],
            ),
        ),
        (
            Client::Windsurf,
            &win,
            join(
                r"C:\Users\ada",
                &[".codeium", "windsurf", "mcp_config.json"],
            ),
        ),
        (
            Client::GeminiCli,
            &linux,
            join("/home/ada", &[".gemini", "settings.json"]),
        ),
        (
            Client::Codex,
            &mac,
            join("/Users/ada", &[".codex", "config.toml"]),
        ),
        (
            Client::Zed,
            &mac,
            join("/Users/ada", &[".config", "zed", "settings.json"]),
        ),
        (
            Client::Zed,
            &win,
            join(r"C:\Users\ada\AppData\Roaming", &["Zed", "settings.json"]),
        ),
    ];
    for (client, e, expected) in cases {
        assert_eq!(
            config_path(client, Scope::User, e).unwrap(),
            expected,
            "{client} on {:?}",
            e.os
        );
    }
    let codex = HostEnv {
        codex_home: Some(PathBuf::from("/opt/codex")),
        ..env(Os::Linux)
    };
    assert_eq!(
        config_path(Client::Codex, Scope::User, &codex).unwrap(),
        join("/opt/codex", &["config.toml"])
    );
    assert_eq!(
        config_path(Client::Zed, Scope::User, &linux).unwrap(),
        join("/xdg", &["zed", "settings.json"])
    );
}

#[test]
fn project_scope_is_relative_to_the_current_directory() {
    let e = env(Os::Linux);
    let cases = [
        (Client::ClaudeCode, vec![".mcp.json"]),
        (Client::Cursor, vec![".cursor", "mcp.json"]),
        (Client::Vscode, vec![".vscode", "mcp.json"]),
        (Client::GeminiCli, vec![".gemini", "settings.json"]),
        (Client::Codex, vec![".codex", "config.toml"]),
        (Client::Zed, vec![".zed", "settings.json"]),
    ];
    for (client, rel) in cases {
        assert_eq!(
            config_path(client, Scope::Project, &e).unwrap(),
            join("/work/project", &rel),
            "{client}"
        );
    }
    for client in [Client::ClaudeDesktop, Client::Windsurf] {
        assert!(
            matches!(
                config_path(client, Scope::Project, &e),
                Err(PathError::NoScope { .. })
            ),
            "{client}"
        );
    }
}

#[test]
fn missing_variables_and_generic_are_clear_errors() {
    let no_home = HostEnv {
        home: None,
        ..env(Os::Linux)
    };
    let no_appdata = HostEnv {
        appdata: None,
        ..env(Os::Windows)
    };
    for (e, var) in [(no_home, "HOME"), (no_appdata, "APPDATA")] {
        let err = config_path(Client::ClaudeDesktop, Scope::User, &e).unwrap_err();
        assert_eq!(
            err,
            PathError::MissingVar {
                client: "Claude Desktop",
                var
            }
        );
        assert!(err.to_string().contains("--config-path"), "{err}");
        assert_eq!(
            config_path(Client::Generic, Scope::User, &e).unwrap_err(),
            PathError::NoStandardLocation
        );
    }
}
