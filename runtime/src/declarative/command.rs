//! Tools run as a program: the argv is built element by element from the spec's templates and handed to the
//! operating system as separate arguments, never to a shell, so an argument such as `; rm -rf /` reaches the
//! program verbatim as one element. The environment is cleared but for `PATH` and the spec's allow-list; stdin
//! is empty; stdout and stderr are read with bounds; the child is killed on timeout, when its output is too
//! long, and when the call is dropped (the client cancelled it). On Unix it runs in a process group of its own,
//! and a timeout or a cancellation kills the whole group, so children it started die with it.

use std::process::Stdio;
use std::time::Duration;

use rmcp::model::JsonObject;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

use super::CommandDef;
use super::output::{ERROR_EXCERPT_BYTES, excerpt, failure, success};
use super::template::{render, sole_placeholder, text};
use crate::error::ToolResult;

/// Runs the tool's program with the call's arguments. `structured`: the tool has an output schema, so stdout
/// must be a JSON object, sent as `structuredContent`.
pub async fn call(def: &CommandDef, arguments: JsonObject, structured: bool) -> ToolResult {
    let argv = argv(def.args, &arguments);
    let mut command = Command::new(def.program);
    command
        .args(&argv)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for name in std::iter::once("PATH").chain(def.env.iter().copied()) {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    if let Some(cwd) = def.cwd {
        command.current_dir(cwd);
    }
    #[cfg(unix)]
    command.process_group(0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) => {
            return Ok(failure(format!(
                "Could not start `{}`: {error}",
                def.program
            )));
        }
    };
    let mut group = Group(child.id());
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let run = async {
        let (out, err, status) = tokio::join!(
            read_bounded(stdout, def.max_output_bytes),
            read_bounded(stderr, ERROR_EXCERPT_BYTES),
            child.wait()
        );
        (out, err, status)
    };
    let Ok((out, err, status)) =
        tokio::time::timeout(Duration::from_secs(def.timeout_secs), run).await
    else {
        // Dropping `run` drops `child`, which kill_on_drop kills.
        return Ok(failure(format!(
            "`{}` did not finish within {} s and was killed",
            def.program, def.timeout_secs
        )));
    };
    // Finished: its group is left alone (a background child it started may outlive it, as in a shell).
    group.0 = None;
    let status = match status {
        Ok(status) => status,
        Err(error) => {
            return Ok(failure(format!(
                "Waiting for `{}` failed: {error}",
                def.program
            )));
        }
    };
    let (Ok(out), Ok(err)) = (out, err) else {
        return Ok(failure(format!(
            "Reading the output of `{}` failed",
            def.program
        )));
    };
    if out.len() > def.max_output_bytes {
        return Ok(failure(format!(
            "`{}` wrote more than {} bytes to stdout (maxOutputBytes)",
            def.program, def.max_output_bytes
        )));
    }
    if !status.success() {
        let code = status.code().map_or_else(
            || "was killed by a signal".to_owned(),
            |c| format!("exited with status {c}"),
        );
        return Ok(failure(format!(
            "`{}` {code}:\n{}",
            def.program,
            excerpt(&err)
        )));
    }
    Ok(success(&out, structured, None))
}

/// The program's process group (its id is the program's pid), killed when dropped while still set: on timeout
/// and when the call is cancelled. Cleared once the program has finished, so a reused id is never signalled.
struct Group(Option<u32>);

impl Drop for Group {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(pgid) = self.0.and_then(|id| libc::pid_t::try_from(id).ok()) {
            // SAFETY: kill(2) takes plain integers; the group exists, as its leader has not been waited for.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
}

/// The argv after the program: each template one element, left out when a placeholder is absent; an element
/// that is a single placeholder naming an array becomes one element per item.
pub fn argv(templates: &[&str], arguments: &JsonObject) -> Vec<String> {
    let mut out = Vec::with_capacity(templates.len());
    for template in templates {
        if let Some(Value::Array(items)) = sole_placeholder(template).and_then(|n| arguments.get(n))
        {
            out.extend(items.iter().filter_map(text));
        } else if let Some(element) = render(template, arguments) {
            out.push(element);
        }
    }
    out
}

/// Up to `limit + 1` bytes of a pipe (one more than allowed tells the caller it overflowed), then stops reading:
/// a program that writes more is killed when the call returns.
async fn read_bounded(
    pipe: Option<impl AsyncRead + Unpin>,
    limit: usize,
) -> std::io::Result<Vec<u8>> {
    let mut buffer = Vec::new();
    if let Some(pipe) = pipe {
        pipe.take(limit as u64 + 1).read_to_end(&mut buffer).await?;
    }
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::declarative::testing::{args, assert_says, text_of};

    fn def(program: &'static str, args: &'static [&'static str]) -> CommandDef {
        CommandDef {
            program,
            args,
            cwd: None,
            env: &[],
            timeout_secs: 10,
            max_output_bytes: 1024,
        }
    }

    #[test]
    fn argv_elements_are_never_split_or_interpreted() {
        let a = args(
            json!({"q": "; rm -rf / && echo $HOME `id` 'x' \"y\"", "n": 2, "tags": ["a b", "-c"]}),
        );
        assert_eq!(
            argv(&["-n", "{n}", "--", "{q}", "{tags}", "--opt={missing}"], &a),
            [
                "-n",
                "2",
                "--",
                "; rm -rf / && echo $HOME `id` 'x' \"y\"",
                "a b",
                "-c"
            ]
        );
    }

    #[tokio::test]
    async fn arguments_arrive_verbatim_as_separate_elements() {
        // printf repeats its format for each argument: one line per argv element.
        let def = def("printf", &["%s\\n", "{a}", "{b}"]);
        let result = call(
            &def,
            args(json!({"a": "; rm -rf /", "b": "$(id) *"})),
            false,
        )
        .await
        .unwrap();
        assert_eq!(result.is_error, Some(false));
        assert_eq!(text_of(&result), "; rm -rf /\n$(id) *\n");
    }

    #[tokio::test]
    async fn the_environment_is_an_allow_list() {
        // HOME is set in any test environment; the test only reads it.
        let mut d = def("sh", &["-c", "echo \"[$HOME][${{PATH:+path}}]\""]);
        let result = call(&d, JsonObject::new(), false).await.unwrap();
        assert_eq!(text_of(&result), "[][path]\n");
        d.env = &["HOME"];
        let result = call(&d, JsonObject::new(), false).await.unwrap();
        assert_ne!(text_of(&result), "[][path]\n");
    }

    #[tokio::test]
    async fn failures_timeouts_and_floods_are_error_results() {
        let failed = call(
            &def("sh", &["-c", "echo oops >&2; exit 3"]),
            JsonObject::new(),
            false,
        )
        .await
        .unwrap();
        assert_eq!(failed.is_error, Some(true));
        assert_eq!(text_of(&failed), "`sh` exited with status 3:\noops\n");

        let mut slow = def("sleep", &["30"]);
        slow.timeout_secs = 1;
        let started = std::time::Instant::now();
        let timed_out = call(&slow, JsonObject::new(), false).await.unwrap();
        assert_says(&timed_out, "did not finish within 1 s");
        assert!(started.elapsed() < Duration::from_secs(20));

        let flood = call(&def("yes", &[]), JsonObject::new(), false)
            .await
            .unwrap();
        assert_says(&flood, "more than 1024 bytes");

        let missing = call(&def("/nonexistent/program", &[]), JsonObject::new(), false)
            .await
            .unwrap();
        assert!(text_of(&missing).starts_with("Could not start"));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_timeout_kills_the_programs_children_too() {
        let dir = std::env::temp_dir().join(format!("mcpgen-group-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("pid");
        let mut d = def("sh", &["-c", "sleep 60 & echo $! > \"$0\"; wait", "{file}"]);
        d.timeout_secs = 1;
        let file = pid_file.to_str().unwrap();
        let result = call(&d, args(json!({"file": file})), false).await.unwrap();
        assert_says(&result, "did not finish");
        let pid = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .to_owned();
        // Killed, then reaped by init: gone from /proc (or a zombie) within a generous bound.
        let stat = format!("/proc/{pid}/stat");
        let gone = (0..100).any(|_| {
            let state = std::fs::read_to_string(&stat).unwrap_or_default();
            let dead = state.is_empty() || state.contains(") Z ");
            if !dead {
                std::thread::sleep(Duration::from_millis(50));
            }
            dead
        });
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(gone, "the background child {pid} outlived the timeout");
    }

    #[tokio::test]
    async fn json_stdout_becomes_structured_content() {
        let d = def("printf", &["{{\"n\": %s}}", "{n}"]);
        let result = call(&d, args(json!({"n": 5})), true).await.unwrap();
        assert_eq!(result.structured_content, Some(json!({"n": 5})));
    }
}
