//! Where each client keeps its configuration, per OS and scope.
//!
//! Resolution reads only the injected [`HostEnv`], so every OS is testable on any machine;
//! [`HostEnv::current`] is the one place that reads the real process environment.
//!
//! Sources (checked November 2026): Claude Desktop <https://modelcontextprotocol.io/quickstart/user> and
//! the MSIX package location used by its Windows installer since early 2026 (writes to `%APPDATA%\Claude`
//! are ignored by that install); Claude Code <https://code.claude.com/docs/en/mcp> (`.mcp.json`, user
//! scope in `~/.claude.json`); Cursor <https://cursor.com/docs/context/mcp>; VS Code
//! <https://code.visualstudio.com/docs/copilot/reference/mcp-configuration> (user profile folder
//! `Code/User`); Windsurf <https://docs.windsurf.com/windsurf/cascade/mcp>; Gemini CLI
//! <https://geminicli.com/docs/reference/configuration>; Codex <https://developers.openai.com/codex/mcp>
//! (`$CODEX_HOME`, default `~/.codex`); Zed <https://zed.dev/docs/configuring-zed>.

use std::fmt;
use std::path::{Path, PathBuf};

use super::Client;

/// Operating-system families with different config locations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// macOS.
    MacOs,
    /// Windows.
    Windows,
    /// Linux and other Unix-likes (XDG rules).
    Linux,
}

/// Which config file of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// The user's own config, for every project.
    #[default]
    User,
    /// The project's shared config file, in the current directory.
    Project,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::User => "user",
            Scope::Project => "project",
        })
    }
}

/// The facts about the machine path resolution depends on.
pub struct HostEnv {
    /// The OS family.
    pub os: Os,
    /// The home directory (`HOME`; `USERPROFILE` on Windows).
    pub home: Option<PathBuf>,
    /// `%APPDATA%` (Windows roaming application data).
    pub appdata: Option<PathBuf>,
    /// `%LOCALAPPDATA%` (Windows local application data).
    pub local_appdata: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME`.
    pub xdg_config_home: Option<PathBuf>,
    /// `$CODEX_HOME`.
    pub codex_home: Option<PathBuf>,
    /// The current directory (project scope).
    pub cwd: PathBuf,
    /// Whether a path exists (the MSIX package folder decides Claude Desktop's location on Windows).
    pub exists: Box<dyn Fn(&Path) -> bool>,
}

impl fmt::Debug for HostEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostEnv")
            .field("os", &self.os)
            .field("home", &self.home)
            .field("appdata", &self.appdata)
            .field("local_appdata", &self.local_appdata)
            .field("xdg_config_home", &self.xdg_config_home)
            .field("codex_home", &self.codex_home)
            .field("cwd", &self.cwd)
            .finish_non_exhaustive()
    }
}

impl HostEnv {
    /// The running process's environment. Empty variables count as unset.
    pub fn current() -> std::io::Result<HostEnv> {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let os = if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        };
        Ok(HostEnv {
            os,
            home: if os == Os::Windows {
                var("USERPROFILE").or_else(|| var("HOME"))
            } else {
                var("HOME")
            },
            appdata: var("APPDATA"),
            local_appdata: var("LOCALAPPDATA"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            codex_home: var("CODEX_HOME"),
            cwd: std::env::current_dir()?,
            exists: Box::new(|p: &Path| p.exists()),
        })
    }
}

/// The Claude Desktop MSIX package's family name (publisher hash included).
pub const CLAUDE_MSIX_PACKAGE: &str = "Claude_pzs8sxrjxfjjc";

/// Why no path could be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// An environment variable the location depends on is unset.
    #[error("cannot locate the {client} config file: {var} is not set (pass --config-path)")]
    MissingVar {
        /// The client.
        client: &'static str,
        /// The variable.
        var: &'static str,
    },
    /// The client has no config file of that scope.
    #[error(
        "{client} has no {scope}-scope config file (pass --config-path, or use --scope {other})"
    )]
    NoScope {
        /// The client.
        client: &'static str,
        /// The scope asked for.
        scope: Scope,
        /// The scope that exists.
        other: Scope,
    },
    /// The generic format belongs to no particular client.
    #[error("the generic format has no standard location: pass --config-path")]
    NoStandardLocation,
}

/// The config file `client` reads for `scope` on the machine described by `env`.
pub fn config_path(client: Client, scope: Scope, env: &HostEnv) -> Result<PathBuf, PathError> {
    let name = client.display_name();
    let home = || {
        env.home.clone().ok_or(PathError::MissingVar {
            client: name,
            var: home_var(env.os),
        })
    };
    let no_scope = |scope: Scope| PathError::NoScope {
        client: name,
        scope,
        other: if scope == Scope::User {
            Scope::Project
        } else {
            Scope::User
        },
    };
    let appdata = || {
        env.appdata.clone().ok_or(PathError::MissingVar {
            client: name,
            var: "APPDATA",
        })
    };
    let project = |rel: &[&str]| rel.iter().fold(env.cwd.clone(), |p, c| p.join(c));
    // The OS's folder for an application's settings.
    let app_config = |app: &str| -> Result<PathBuf, PathError> {
        Ok(match env.os {
            Os::MacOs => home()?
                .join("Library")
                .join("Application Support")
                .join(app),
            Os::Windows => appdata()?.join(app),
            Os::Linux => xdg_config(env, name)?.join(app),
        })
    };

    match (client, scope) {
        (Client::Generic, _) => Err(PathError::NoStandardLocation),
        (Client::ClaudeDesktop, Scope::Project) | (Client::Windsurf, Scope::Project) => {
            Err(no_scope(scope))
        }

        (Client::ClaudeDesktop, Scope::User) => {
            // The MSIX (Store-style) install on Windows virtualises %APPDATA%: the app reads its package's
            // LocalCache, and a file in %APPDATA%\Claude is silently ignored.
            let msix = env
                .local_appdata
                .as_ref()
                .map(|l| l.join("Packages").join(CLAUDE_MSIX_PACKAGE))
                .filter(|pkg| env.os == Os::Windows && (env.exists)(pkg));
            let dir = match msix {
                Some(pkg) => pkg.join("LocalCache").join("Roaming").join("Claude"),
                None => app_config("Claude")?,
            };
            Ok(dir.join("claude_desktop_config.json"))
        }

        (Client::ClaudeCode, Scope::User) => Ok(home()?.join(".claude.json")),
        (Client::ClaudeCode, Scope::Project) => Ok(project(&[".mcp.json"])),

        (Client::Cursor, Scope::User) => Ok(home()?.join(".cursor").join("mcp.json")),
        (Client::Cursor, Scope::Project) => Ok(project(&[".cursor", "mcp.json"])),

        (Client::Vscode, Scope::User) => Ok(app_config("Code")?.join("User").join("mcp.json")),
        (Client::Vscode, Scope::Project) => Ok(project(&[".vscode", "mcp.json"])),

        (Client::Windsurf, Scope::User) => Ok(home()?
            .join(".codeium")
            .join("windsurf")
            .join("mcp_config.json")),

        (Client::GeminiCli, Scope::User) => Ok(home()?.join(".gemini").join("settings.json")),
        (Client::GeminiCli, Scope::Project) => Ok(project(&[".gemini", "settings.json"])),

        (Client::Codex, Scope::User) => {
            let dir = match &env.codex_home {
                Some(dir) => dir.clone(),
                None => home()?.join(".codex"),
            };
            Ok(dir.join("config.toml"))
        }
        (Client::Codex, Scope::Project) => Ok(project(&[".codex", "config.toml"])),

        (Client::Zed, Scope::User) => {
            let dir = match env.os {
                // Zed uses ~/.config/zed on macOS too.
                Os::MacOs => home()?.join(".config").join("zed"),
                Os::Windows => appdata()?.join("Zed"),
                Os::Linux => xdg_config(env, name)?.join("zed"),
            };
            Ok(dir.join("settings.json"))
        }
        (Client::Zed, Scope::Project) => Ok(project(&[".zed", "settings.json"])),
    }
}

fn home_var(os: Os) -> &'static str {
    if os == Os::Windows {
        "USERPROFILE"
    } else {
        "HOME"
    }
}

/// `$XDG_CONFIG_HOME`, or `~/.config` when it is unset, empty or relative (the XDG base directory
/// specification says relative values are invalid and must be ignored).
fn xdg_config(env: &HostEnv, client: &'static str) -> Result<PathBuf, PathError> {
    match &env.xdg_config_home {
        Some(dir) if dir.is_absolute() => Ok(dir.clone()),
        _ => Ok(env
            .home
            .clone()
            .ok_or(PathError::MissingVar {
                client,
                var: "HOME",
            })?
            .join(".config")),
    }
}
