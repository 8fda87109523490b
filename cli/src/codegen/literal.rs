//! Struct literals over the runtime's defaults: `HttpDef { port: 9000, ..HttpDef::DEFAULT }` names only the fields
//! whose value differs from the runtime's `DEFAULT` constant (`mcpgen_runtime::defs`), so a generated definition
//! carries what its spec says and nothing else. Lowering decides which fields differ, comparing each value with the
//! runtime's own constant, so an omitted field is the default by construction; templates print the result.

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
}
