//! Resource contents: what resource handlers return, and how embedded content is served.

use base64::Engine as _;
use rmcp::model::ResourceContents;
use serde::Serialize;

use super::error::HandlerError;

/// The contents of a resource read, returned by resource and template handlers.
///
/// The URI is the one the client asked for and the MIME type defaults to the spec's `mimeType`;
/// [`Contents::with_mime_type`] overrides it.
#[derive(Debug, Clone)]
pub struct Contents {
    body: Body,
    mime_type: Option<String>,
}

#[derive(Debug, Clone)]
enum Body {
    Text(String),
    Blob(Vec<u8>),
    Raw(Vec<ResourceContents>),
}

impl Contents {
    /// Text content.
    pub fn text(text: impl Into<String>) -> Self {
        Contents {
            body: Body::Text(text.into()),
            mime_type: None,
        }
    }

    /// A value serialised as pretty-printed JSON text, with MIME type `application/json` unless the
    /// spec says otherwise.
    pub fn json<T: Serialize>(value: &T) -> Result<Self, HandlerError> {
        let text = serde_json::to_string_pretty(value)?;
        Ok(Contents {
            body: Body::Text(text),
            mime_type: None,
        }
        .with_default_mime("application/json"))
    }

    /// Binary content, sent base64-encoded as a blob.
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Contents {
            body: Body::Blob(bytes.into()),
            mime_type: None,
        }
    }

    /// Fully built contents (several items, other URIs, `_meta`), sent as they are.
    pub fn raw(contents: Vec<ResourceContents>) -> Self {
        Contents {
            body: Body::Raw(contents),
            mime_type: None,
        }
    }

    /// Overrides the MIME type.
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(mime_type.into());
        self
    }

    fn with_default_mime(mut self, mime_type: &str) -> Self {
        self.mime_type.get_or_insert_with(|| mime_type.to_owned());
        self
    }

    /// The wire form for `uri`, with `spec_mime` (the spec's `mimeType`) as the default MIME type.
    pub(crate) fn into_contents(self, uri: &str, spec_mime: Option<&str>) -> Vec<ResourceContents> {
        // A MIME type chosen by the handler wins over the spec's, except the JSON default from
        // `Contents::json`, which the spec's own type replaces.
        let mime = match (&self.body, self.mime_type, spec_mime) {
            (Body::Text(_), Some(m), Some(spec)) if m == "application/json" => {
                Some(spec.to_owned())
            }
            (_, Some(m), _) => Some(m),
            (_, None, spec) => spec.map(str::to_owned),
        };
        let contents = match self.body {
            Body::Text(text) => ResourceContents::text(text, uri),
            Body::Blob(bytes) => ResourceContents::blob(encode_base64(&bytes), uri),
            Body::Raw(contents) => return contents,
        };
        vec![with_mime(contents, mime)]
    }
}

/// Embedded content from the spec (`text:` or `file:`): text when it is UTF-8 and its MIME type is
/// textual, else a base64 blob.
pub(crate) fn embedded(uri: &str, mime_type: Option<&str>, bytes: &[u8]) -> ResourceContents {
    let contents = match std::str::from_utf8(bytes) {
        Ok(text) if mime_type.is_none_or(is_textual) => ResourceContents::text(text, uri),
        _ => ResourceContents::blob(encode_base64(bytes), uri),
    };
    with_mime(contents, mime_type.map(str::to_owned))
}

fn with_mime(contents: ResourceContents, mime: Option<String>) -> ResourceContents {
    match mime {
        Some(mime) => contents.with_mime_type(mime),
        // `ResourceContents::text` defaults to text/plain; without a known type, say nothing.
        None => match contents {
            ResourceContents::TextResourceContents {
                uri, text, meta, ..
            } => ResourceContents::TextResourceContents {
                uri,
                mime_type: None,
                text,
                meta,
            },
            other => other,
        },
    }
}

/// MIME types whose content is text.
pub(crate) fn is_textual(mime_type: &str) -> bool {
    let essence = mime_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind == "text"
        || matches!(
            subtype,
            "json"
                | "xml"
                | "javascript"
                | "ecmascript"
                | "yaml"
                | "x-yaml"
                | "toml"
                | "x-sh"
                | "sql"
                | "graphql"
        )
        || subtype.ends_with("+json")
        || subtype.ends_with("+xml")
        || subtype.ends_with("+yaml")
}

fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(contents: &ResourceContents) -> Option<(&str, Option<&str>)> {
        match contents {
            ResourceContents::TextResourceContents {
                text, mime_type, ..
            } => Some((text, mime_type.as_deref())),
            _ => None,
        }
    }

    #[test]
    fn utf8_with_textual_mime_is_text() {
        let contents = embedded("x://a", Some("application/json"), b"{}");
        assert_eq!(text_of(&contents), Some(("{}", Some("application/json"))));
    }

    #[test]
    fn binary_or_non_textual_mime_is_blob() {
        let blob = embedded("x://a", Some("text/plain"), &[0xff, 0xfe]);
        assert!(
            matches!(blob, ResourceContents::BlobResourceContents { ref blob, .. } if blob == "//4=")
        );
        let png = embedded("x://a", Some("image/png"), b"abc");
        assert!(matches!(png, ResourceContents::BlobResourceContents { .. }));
    }

    #[test]
    fn handler_mime_defaults_to_spec() {
        let contents = Contents::json(&serde_json::json!({"a": 1}))
            .unwrap()
            .into_contents("x://a", Some("application/vnd.x+json"));
        assert_eq!(
            text_of(&contents[0]).unwrap().1,
            Some("application/vnd.x+json")
        );
        let contents = Contents::text("hi")
            .with_mime_type("text/html")
            .into_contents("x://a", Some("text/plain"));
        assert_eq!(text_of(&contents[0]).unwrap().1, Some("text/html"));
        let contents = Contents::text("hi").into_contents("x://a", None);
        assert_eq!(text_of(&contents[0]).unwrap().1, None);
    }
}
