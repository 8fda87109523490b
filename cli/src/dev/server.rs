//! The server process `mcpgen dev` runs over HTTP: started after each build on the same port, its log
//! forwarded, stopped before the next start and when `dev` ends.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::verify::session::listening_url;

/// A running server; killed when dropped, so no path out of `dev` leaves it behind.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// The endpoint it logged, `http://127.0.0.1:PORT/PATH`.
    pub url: String,
}

impl Server {
    /// Starts `binary` with `transport` on 127.0.0.1:`port` (0: the OS picks) and waits, at most `timeout`,
    /// for the address it logs. Its log goes to stderr, each line marked as the server's.
    pub fn start(
        binary: &Path,
        transport: &str,
        port: u16,
        timeout: Duration,
    ) -> Result<Server, String> {
        let port = port.to_string();
        let mut child = Command::new(binary)
            .args([
                "--transport",
                transport,
                "--host",
                "127.0.0.1",
                "--port",
                &port,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = listening_url(&line)
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(url);
                }
                eprintln!("server | {line}");
            }
        });
        let mut server = Server {
            child,
            url: String::new(),
        };
        match rx.recv_timeout(timeout) {
            Ok(url) => {
                server.url = url;
                Ok(server)
            }
            // The log ended first: the server exited (a port in use, a missing variable: its log said why).
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = server.child.wait().map_err(|e| e.to_string())?;
                Err(format!("the server exited before listening ({status})"))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
                "the server did not report its address within {} s",
                timeout.as_secs()
            )),
        }
    }

    /// The port it listens on, kept for the next start so clients reconnect to the same URL.
    pub fn port(&self) -> Option<u16> {
        let rest = self.url.strip_prefix("http://127.0.0.1:")?;
        rest.split(['/', '?']).next()?.parse().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
