//! `{{argument}}` placeholders in declarative prompt messages. The validator and the generator share this parser,
//! so a message that validates renders exactly as checked.

/// A piece of a message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Literal text.
    Text(&'a str),
    /// `{{ name }}`: the argument name, surrounding whitespace trimmed.
    Placeholder(&'a str),
}

/// A `{{` with no `}}` after it, at this byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unclosed placeholder: `{{{{` without `}}}}`")]
pub struct UnclosedPlaceholder {
    pub offset: usize,
}

/// Splits a message text into literal text and placeholders.
pub fn parse(text: &str) -> Result<Vec<Segment<'_>>, UnclosedPlaceholder> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else {
            return Err(UnclosedPlaceholder {
                offset: offset + open,
            });
        };
        if open > 0 {
            out.push(Segment::Text(&rest[..open]));
        }
        out.push(Segment::Placeholder(
            rest[open + 2..open + 2 + close].trim(),
        ));
        let consumed = open + 2 + close + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_text_and_placeholders() {
        assert_eq!(
            parse("Hi {{ name }}, see {{city}}.").unwrap(),
            [
                Segment::Text("Hi "),
                Segment::Placeholder("name"),
                Segment::Text(", see "),
                Segment::Placeholder("city"),
                Segment::Text(".")
            ]
        );
        assert_eq!(parse("").unwrap(), []);
        assert_eq!(parse("a {{b").unwrap_err().offset, 2);
    }
}
