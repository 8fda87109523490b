//! The environment variables the spec declares.

use crate::generated::server as spec;

/// The value of the spec's environment variable `name`, or its default from the spec.
pub fn env_var(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Some(value),
        _ => spec::ENV
            .iter()
            .find(|var| var.name == name)
            .and_then(|var| var.default)
            .map(str::to_owned),
    }
}

/// Fails naming every required variable that is unset, so the server refuses to start without them.
pub(crate) fn check_required() -> Result<(), String> {
    let missing: Vec<&str> = spec::ENV
        .iter()
        .filter(|var| var.required && env_var(var.name).is_none())
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
