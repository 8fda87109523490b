//! The environment variables the spec declares.

use super::defs::EnvVarDef;

/// The value of environment variable `name`, or its default in `env` (the spec's `env` section). The
/// generated prelude's `env_var(name)` passes the spec's list.
pub fn env_var(env: &[EnvVarDef], name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Some(value),
        _ => env
            .iter()
            .find(|var| var.name == name)
            .and_then(|var| var.default)
            .map(str::to_owned),
    }
}

/// Fails naming every required variable that is unset, so the server refuses to start without them.
pub(crate) fn check_required(env: &[EnvVarDef]) -> Result<(), String> {
    let missing: Vec<&str> = env
        .iter()
        .filter(|var| var.required && env_var(env, var.name).is_none())
        .map(|var| var.name)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "missing required environment variable(s): {}",
            missing.join(", ")
        ))
    }
}
