//! Struct literals over the runtime's defaults: `HttpDef { port: 9000, ..HttpDef::DEFAULT }` names only the fields
//! whose value differs from the runtime's `DEFAULT` constant (`mcpgen_runtime::defs`), so a generated definition
//! carries what its spec says and nothing else. Lowering decides which fields differ, comparing each value with the
//! runtime's own constant, so an omitted field is the default by construction; templates print the result.

use super::layout;

/// A struct literal being built: the type's name, how many fields it has, and the fields it sets, in order.
pub struct Literal {
    ty: &'static str,
    count: usize,
    fields: Vec<(&'static str, String)>,
}

impl Literal {
    /// A literal of `ty`, a struct of `count` fields: when all are set, `..DEFAULT` is left out (clippy's
    /// `needless_update`). A wrong count shows as a compile error or that lint in the generated examples.
    pub fn new(ty: &'static str, count: usize) -> Self {
        Literal {
            ty,
            count,
            fields: Vec::new(),
        }
    }

    /// Sets `name` to `text` (a field the default leaves empty, such as a name).
    pub fn set(mut self, name: &'static str, text: impl Into<String>) -> Self {
        self.fields.push((name, text.into()));
        self
    }

    /// Sets `name` to `text(value)` when `value` differs from the runtime's `default`.
    pub fn field<T: PartialEq>(
        self,
        name: &'static str,
        value: T,
        default: T,
        text: impl FnOnce(T) -> String,
    ) -> Self {
        if value == default {
            self
        } else {
            self.set(name, text(value))
        }
    }

    /// Sets `name` to `text` when there is one (the default being `None`, `&[]` or `false`).
    pub fn some(self, name: &'static str, text: Option<String>) -> Self {
        match text {
            Some(text) => self.set(name, text),
            None => self,
        }
    }

    /// Whether every field is the default's.
    pub fn is_default(&self) -> bool {
        self.fields.is_empty()
    }

    /// One line, for rustfmt to lay out: `Ty { a: x, ..Ty::DEFAULT }`, or `Ty::DEFAULT` when nothing differs.
    pub fn inline(&self) -> String {
        if self.fields.is_empty() {
            return format!("{}::DEFAULT", self.ty);
        }
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|(name, value)| format!("{name}: {value}, "))
            .collect();
        let rest = if self.fields.len() < self.count {
            format!("..{}::DEFAULT ", self.ty)
        } else {
            String::new()
        };
        format!("{} {{ {}{rest}}}", self.ty, fields.concat())
    }

    /// For a list item at `indent` that nothing formats (inside a macro call): `inline()` when the line fits
    /// rustfmt's width with its trailing comma, else one field a line, the way rustfmt breaks a struct literal.
    pub fn laid_out(&self, indent: &str) -> String {
        let inline = self.inline();
        if layout::width(indent) + layout::width(&inline) < layout::MAX_WIDTH {
            return inline;
        }
        let inner = format!("{indent}{}", layout::INDENT);
        let mut lines: Vec<String> = self
            .fields
            .iter()
            .map(|(name, value)| format!("{inner}{name}: {value},"))
            .collect();
        if self.fields.len() < self.count {
            lines.push(format!("{inner}..{}::DEFAULT", self.ty));
        }
        format!("{} {{\n{}\n{indent}}}", self.ty, lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fields_that_differ_from_the_default_are_written() {
        let literal = Literal::new("HttpDef", 3)
            .field("port", 9000_u16, 8000, |p| p.to_string())
            .field("path", "/mcp", "/mcp", |p| format!("{p:?}"))
            .some("metrics", None);
        assert_eq!(
            literal.inline(),
            "HttpDef { port: 9000, ..HttpDef::DEFAULT }"
        );
        let default = Literal::new("HttpDef", 3).field("port", 8000_u16, 8000, |p| p.to_string());
        assert_eq!(default.inline(), "HttpDef::DEFAULT");
        let full = Literal::new("MetricsDef", 1).set("port", "None");
        assert_eq!(full.inline(), "MetricsDef { port: None, }");
    }

    #[test]
    fn a_literal_too_wide_for_its_line_gets_one_field_a_line() {
        let arg = |description: &str| {
            Literal::new("PromptArgDef", 5)
                .set("name", "\"city\"")
                .set("description", format!("Some({description:?})"))
        };
        let indent = "            ";
        assert_eq!(
            arg("City.").laid_out(indent),
            r#"PromptArgDef { name: "city", description: Some("City."), ..PromptArgDef::DEFAULT }"#
        );
        let long = "x".repeat(60);
        assert_eq!(
            arg(&long).laid_out(indent),
            format!(
                "PromptArgDef {{\n{indent}    name: \"city\",\n{indent}    description: Some({long:?}),\n\
                 {indent}    ..PromptArgDef::DEFAULT\n{indent}}}"
            )
        );
    }
}
