//! The official MCP Inspector (npm `@modelcontextprotocol/inspector`), pointed at the server `mcpgen dev` runs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The Inspector's npm package, pinned to the major version whose command line this module speaks.
pub const PACKAGE: &str = "@modelcontextprotocol/inspector@2";

/// Overrides the program that runs the Inspector: a command line split on white space, for example
/// `node /opt/inspector/clients/launcher/build/index.js` for an installed copy (no network, a fixed version).
pub const LAUNCHER_VAR: &str = "MCPGEN_INSPECTOR";

/// Which face of the Inspector to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// The web UI, opened in the browser once; reconnect in it after a restart.
    Web,
    /// The terminal UI.
    Tui,
    /// One Inspector CLI command (the arguments after `--`, e.g. `--method tools/list`) after every (re)start:
    /// a smoke test of each rebuild.
    Cli,
    /// No Inspector: connect any MCP client yourself.
    None,
}

/// How the Inspector reaches the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A URL `mcpgen dev` serves, with the Inspector's name for its transport (`http` or `sse`).
    Url {
        url: String,
        transport: &'static str,
    },
    /// Standard input/output: the Inspector starts the binary itself on each connect, so it always runs the
    /// latest build.
    Stdio(PathBuf),
}

/// The program and its first arguments: `MCPGEN_INSPECTOR` when set, else `npx -y <PACKAGE>`. `Err` says what
/// to install when neither is there.
pub fn launcher() -> Result<Vec<OsString>, String> {
    launcher_in(std::env::var_os(LAUNCHER_VAR), std::env::var_os("PATH"))
}

fn launcher_in(
    override_: Option<OsString>,
    path: Option<OsString>,
) -> Result<Vec<OsString>, String> {
    if let Some(value) = override_.filter(|v| !v.is_empty()) {
        return Ok(value
            .to_string_lossy()
            .split_whitespace()
            .map(OsString::from)
            .collect());
    }
    match path.and_then(|path| find_on_path(&path, "npx")) {
        Some(npx) => Ok(vec![npx.into(), "-y".into(), PACKAGE.into()]),
        None => Err(format!(
            "the MCP Inspector runs on Node.js, and `npx` is not on PATH: install Node.js 22 or later \
             (https://nodejs.org), or set {LAUNCHER_VAR} to a command that runs the Inspector; \
             the server keeps running without it"
        )),
    }
}

/// The Inspector's arguments after the launcher: mode flag, `extra` (CLI mode's method and its options), the
/// transport, then the target after `--` (a URL, or the command that starts the server over stdio).
pub fn args(mode: Mode, endpoint: &Endpoint, extra: &[String]) -> Vec<OsString> {
    let flag = match mode {
        Mode::Web | Mode::None => "--web",
        Mode::Tui => "--tui",
        Mode::Cli => "--cli",
    };
    let mut out: Vec<OsString> = vec![flag.into()];
    out.extend(extra.iter().map(OsString::from));
    match endpoint {
        Endpoint::Url { url, transport } => {
            out.extend(["--transport", transport, "--", url.as_str()].map(OsString::from));
        }
        Endpoint::Stdio(binary) => {
            out.extend(["--transport", "stdio", "--"].map(OsString::from));
            out.push(binary.as_os_str().to_owned());
            out.extend(["--transport", "stdio"].map(OsString::from));
        }
    }
    out
}

fn find_on_path(path: &OsString, program: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .flat_map(|dir| {
            let plain = dir.join(program);
            let windows = dir.join(format!("{program}.cmd"));
            [plain, windows]
        })
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: Vec<OsString>) -> Vec<String> {
        args.into_iter().map(|a| a.into_string().unwrap()).collect()
    }

    #[test]
    fn a_url_is_given_with_its_transport_after_the_options() {
        let url = Endpoint::Url {
            url: "http://127.0.0.1:8000/mcp".into(),
            transport: "http",
        };
        assert_eq!(
            strings(args(Mode::Web, &url, &[])),
            [
                "--web",
                "--transport",
                "http",
                "--",
                "http://127.0.0.1:8000/mcp"
            ]
        );
        let extra = ["--method".to_owned(), "tools/list".to_owned()];
        assert_eq!(
            strings(args(Mode::Cli, &url, &extra)),
            [
                "--cli",
                "--method",
                "tools/list",
                "--transport",
                "http",
                "--",
                "http://127.0.0.1:8000/mcp"
            ]
        );
    }

    #[test]
    fn npx_runs_the_pinned_package_and_its_absence_says_what_to_install() {
        let dir = tempfile::tempdir().unwrap();
        let empty = Some(dir.path().as_os_str().to_owned());
        let message = launcher_in(None, empty.clone()).unwrap_err();
        assert!(message.contains("`npx` is not on PATH"), "{message}");
        assert!(message.contains("Node.js 22"), "{message}");

        let npx = dir.path().join("npx");
        std::fs::write(&npx, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&npx, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        assert_eq!(
            launcher_in(None, empty.clone()).unwrap(),
            [npx.into_os_string(), "-y".into(), PACKAGE.into()]
        );
        // The override wins, split into program and arguments.
        assert_eq!(
            strings(launcher_in(Some("node /opt/i/index.js".into()), empty).unwrap()),
            ["node", "/opt/i/index.js"]
        );
    }

    #[test]
    fn stdio_runs_the_binary_with_its_transport_flag() {
        let stdio = Endpoint::Stdio(PathBuf::from("/t/debug/weather"));
        assert_eq!(
            strings(args(Mode::Tui, &stdio, &[])),
            [
                "--tui",
                "--transport",
                "stdio",
                "--",
                "/t/debug/weather",
                "--transport",
                "stdio"
            ]
        );
    }
}
