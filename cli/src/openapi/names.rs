//! Names the importer makes: tool names from operation ids (or method and path), the server's name from the
//! document's title, environment variable names. Tool names go through the generator's own sanitiser
//! (`codegen::ident`), so two tools never share a Rust module.

use std::collections::BTreeSet;

use crate::codegen::ident::{to_module_ident, to_snake_ident};

/// Tool names stay under the 64 characters Claude Desktop accepts.
const MAX_TOOL_NAME: usize = 64;

/// Hands out unique tool names.
#[derive(Default)]
pub struct ToolNames {
    names: BTreeSet<String>,
    modules: BTreeSet<String>,
}

impl ToolNames {
    /// A `snake_case` name from the operation id, else from the method and path (`get /pets/{id}` ->
    /// `get_pets_id`); `_2`, `_3`... when taken.
    pub fn claim(&mut self, operation_id: Option<&str>, method: &str, path: &str) -> String {
        let source = operation_id
            .filter(|id| !id.trim().is_empty())
            .map_or_else(|| format!("{method} {path}"), str::to_owned);
        // `to_snake_ident` guards Rust keywords with a trailing `_`, which a wire name does not need.
        let snake = to_snake_ident(&source);
        let mut base: String = snake
            .trim_matches('_')
            .chars()
            .take(MAX_TOOL_NAME - 4)
            .collect();
        if base.is_empty() {
            base.push_str("operation");
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.names.contains(&name) || self.modules.contains(&to_module_ident(&name)) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.modules.insert(to_module_ident(&name));
        self.names.insert(name.clone());
        name
    }
}

/// A server name (lowercase letters, digits and `-`, starting with a letter, at most 64) from a title.
pub fn server_name(title: &str) -> String {
    // Whole words, up to 24 characters: the name prefixes every environment variable.
    let mut name = String::new();
    let lower = title.to_ascii_lowercase();
    for word in lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !name.is_empty() && name.len() + 1 + word.len() > 24 {
            break;
        }
        if !name.is_empty() {
            name.push('-');
        }
        name.push_str(word);
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert_str(0, "api-");
    }
    name
}

/// An environment variable name: `SCREAMING_SNAKE_CASE` of `text`.
pub fn env_name(text: &str) -> String {
    let upper = to_snake_ident(text).trim_matches('_').to_ascii_uppercase();
    if upper.starts_with(|c: char| c.is_ascii_digit()) || upper.is_empty() {
        format!("API_{upper}")
    } else {
        upper
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case_unique_and_short() {
        let mut names = ToolNames::default();
        assert_eq!(names.claim(Some("listPets"), "get", "/pets"), "list_pets");
        assert_eq!(names.claim(Some("list-pets"), "get", "/x"), "list_pets_2");
        assert_eq!(names.claim(None, "get", "/pets/{petId}"), "get_pets_pet_id");
        assert_eq!(names.claim(Some("type"), "get", "/t"), "type");
        assert_eq!(names.claim(Some("type_"), "get", "/t"), "type_2");
        assert!(names.claim(Some(&"x".repeat(200)), "get", "/").len() <= MAX_TOOL_NAME);
        assert_eq!(
            server_name("Swagger Petstore - OpenAPI 3.0"),
            "swagger-petstore-openapi"
        );
        assert_eq!(server_name("3D API"), "api-3d-api");
        assert_eq!(server_name("Été"), "t");
        assert_eq!(env_name("petstore api_key"), "PETSTORE_API_KEY");
    }
}
