//! The Lambda service, emulated for the `lambda` transport: cargo-lambda's Runtime API and function URLs
//! (`cargo lambda watch --only-lambda-apis`, from PyPI `cargo-lambda` or its installer), with the built server
//! started by verify itself, as Lambda would start it: no arguments, the Runtime API in the environment.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

/// The name the emulator gives a function it does not start itself.
const FUNCTION: &str = "_";

/// A running emulator on 127.0.0.1, killed when dropped.
pub(crate) struct Emulator {
    port: u16,
    _child: Child,
}

impl Emulator {
    /// Starts the emulator and waits, within `timeout`, until it accepts connections. `Err(None)`: cargo-lambda
    /// is not installed (the check is skipped); `Err(Some(why))`: it failed.
    pub(crate) async fn start(timeout: Duration) -> Result<Emulator, Option<String>> {
        // The emulator reads port 0 as its default (9000): take a free port and hand it over.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| Some(format!("no free port: {e}")))?
            .port();
        let mut child = Command::new("cargo-lambda")
            .args(["lambda", "watch", "--only-lambda-apis", "--invoke-address"])
            .arg("127.0.0.1")
            .arg("--invoke-port")
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => None,
                _ => Some(format!("cannot start cargo-lambda: {e}")),
            })?;
        let ready = async {
            loop {
                if tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
                {
                    return Ok(());
                }
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(format!("cargo lambda watch exited ({status})"));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        match tokio::time::timeout(timeout, ready).await {
            Ok(Ok(())) => Ok(Emulator {
                port,
                _child: child,
            }),
            Ok(Err(why)) => Err(Some(why)),
            Err(_) => Err(Some(format!(
                "cargo lambda watch did not listen within {timeout:?}"
            ))),
        }
    }

    /// What Lambda sets for a function's process.
    pub(crate) fn function_env(&self) -> [(&'static str, String); 4] {
        [
            (
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{}/.rt", self.port),
            ),
            ("AWS_LAMBDA_FUNCTION_NAME", FUNCTION.to_owned()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "1".to_owned()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".to_owned()),
        ]
    }

    /// The function URL of `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/lambda-url/{FUNCTION}{path}", self.port)
    }
}
