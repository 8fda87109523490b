//! Prompt arguments and the rendering of declarative prompts.

use rmcp::ErrorData;
use rmcp::model::{GetPromptResult, JsonObject, PromptMessage, Role};
use serde_json::Value;

use super::defs::{MessageRole, PromptDef};

/// The arguments of a `prompts/get` request, checked against the prompt's definition.
#[derive(Debug, Clone, Default)]
pub struct Arguments(JsonObject);

impl Arguments {
    /// Checks that every required argument is present (else -32602).
    pub(crate) fn check(def: &PromptDef, arguments: Option<JsonObject>) -> Result<Self, ErrorData> {
        let arguments = Arguments(arguments.unwrap_or_default());
        let missing: Vec<&str> = def
            .arguments
            .iter()
            .filter(|a| a.required && arguments.get(a.name).is_none())
            .map(|a| a.name)
            .collect();
        if missing.is_empty() {
            Ok(arguments)
        } else {
            Err(ErrorData::invalid_params(
                format!(
                    "prompt '{}' is missing required argument(s): {}",
                    def.name,
                    missing.join(", ")
                ),
                None,
            ))
        }
    }

    /// The argument's text; arguments are strings on the wire, other JSON values are rendered as JSON.
    pub fn get(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::Null => None,
            Value::String(text) => Some(text.clone()),
            other => Some(other.to_string()),
        }
    }

    /// A required argument (checked before the handler runs, so it is there).
    pub fn required(&self, name: &str) -> String {
        self.get(name).unwrap_or_default()
    }

    /// An optional argument.
    pub fn optional(&self, name: &str) -> Option<String> {
        self.get(name)
    }
}

/// Renders a declarative prompt: each `{{name}}` becomes the argument's value ("" when absent).
pub(crate) fn render(def: &PromptDef, arguments: &Arguments) -> GetPromptResult {
    let messages = def
        .messages
        .unwrap_or_default()
        .iter()
        .map(|message| {
            let role = match message.role {
                MessageRole::User => Role::User,
                MessageRole::Assistant => Role::Assistant,
            };
            PromptMessage::new_text(role, substitute(message.text, arguments))
        })
        .collect();
    let result = GetPromptResult::new(messages);
    match def.description {
        Some(description) => result.with_description(description),
        None => result,
    }
}

/// Replaces `{{ name }}` placeholders (spaces inside the braces allowed). A placeholder naming no
/// argument of the prompt stays as written.
fn substitute(text: &str, arguments: &Arguments) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) if is_argument_name(after[..end].trim()) => {
                out.push_str(&arguments.get(after[..end].trim()).unwrap_or_default());
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_argument_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['{', '}'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defs::{MessageDef, PromptArgDef};
    use serde_json::json;

    const DEF: PromptDef = PromptDef {
        name: "summarize",
        title: None,
        description: Some("Summary"),
        arguments: &[
            PromptArgDef {
                name: "city",
                title: None,
                description: None,
                required: true,
                completions: &[],
            },
            PromptArgDef {
                name: "style",
                title: None,
                description: None,
                required: false,
                completions: &[],
            },
        ],
        messages: Some(&[
            MessageDef {
                role: MessageRole::User,
                text: "Forecast for {{city}} in a {{ style }} style. {{unknown}} {{ {{city}}",
            },
            MessageDef {
                role: MessageRole::Assistant,
                text: "Sure: {{city}}{{city}}",
            },
        ]),
        icons: None,
        meta: None,
    };

    /// Checks `arguments`, an object, against `DEF`.
    fn check(arguments: Value) -> Result<Arguments, ErrorData> {
        Arguments::check(&DEF, Some(arguments.as_object().unwrap().clone()))
    }

    fn texts(result: &GetPromptResult) -> Vec<(Role, String)> {
        result
            .messages
            .iter()
            .map(|m| (m.role.clone(), m.content.as_text().unwrap().text.clone()))
            .collect()
    }

    #[test]
    fn renders_arguments_and_blanks_missing_optional_ones() {
        let args = check(json!({"city": "paris"})).unwrap();
        let result = render(&DEF, &args);
        assert_eq!(result.description.as_deref(), Some("Summary"));
        assert_eq!(
            texts(&result),
            vec![
                (
                    Role::User,
                    "Forecast for paris in a  style.  {{ paris".to_owned()
                ),
                (Role::Assistant, "Sure: parisparis".to_owned()),
            ]
        );
    }

    #[test]
    fn substituted_values_are_not_expanded_again() {
        let args = check(json!({"city": "{{style}}", "style": "x"})).unwrap();
        assert_eq!(texts(&render(&DEF, &args))[1].1, "Sure: {{style}}{{style}}");
    }

    #[test]
    fn missing_required_argument_is_invalid_params() {
        let error = check(json!({"style": "brief"})).unwrap_err();
        assert_eq!(error.code, rmcp::model::ErrorCode::INVALID_PARAMS);
        assert!(error.message.contains("city"), "{}", error.message);
        assert!(Arguments::check(&DEF, None).is_err());
    }
}
