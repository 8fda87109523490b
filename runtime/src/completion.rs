//! `completion/complete`: static lists from the spec, and the request the user hook receives.

use std::collections::HashMap;

use rmcp::model::CompletionInfo;

/// What is being completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionTarget {
    /// An argument of the prompt with this name.
    Prompt(&'static str),
    /// A variable of the resource template with this name.
    Template(&'static str),
}

/// A completion request for an argument without a static `completions:` list.
#[derive(Debug, Clone)]
pub struct CompletionRequest {
    /// The prompt or template.
    pub target: CompletionTarget,
    /// The argument (or template variable) being completed.
    pub argument: String,
    /// What the user has typed so far.
    pub value: String,
    /// Values of the other arguments already filled in.
    pub context: HashMap<String, String>,
}

/// The values of `values` that start with `prefix`, ignoring case, in their original order.
pub fn filter_prefix<'a>(values: impl IntoIterator<Item = &'a str>, prefix: &str) -> Vec<String> {
    let prefix = prefix.to_lowercase();
    values
        .into_iter()
        .filter(|v| v.to_lowercase().starts_with(&prefix))
        .map(str::to_owned)
        .collect()
}

/// The wire form: at most 100 values, with the total and whether more exist.
pub(crate) fn completion_info(mut values: Vec<String>) -> CompletionInfo {
    let total = values.len();
    values.truncate(CompletionInfo::MAX_VALUES);
    let has_more = total > values.len();
    CompletionInfo::with_pagination(
        values,
        Some(u32::try_from(total).unwrap_or(u32::MAX)),
        has_more,
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_by_case_insensitive_prefix_in_order() {
        let cities = ["paris", "Portland", "tokyo", "PRAGUE"];
        assert_eq!(filter_prefix(cities, "p"), ["paris", "Portland", "PRAGUE"]);
        assert_eq!(filter_prefix(cities, "PA"), ["paris"]);
        assert_eq!(
            filter_prefix(cities, ""),
            ["paris", "Portland", "tokyo", "PRAGUE"]
        );
        assert!(filter_prefix(cities, "x").is_empty());
    }

    #[test]
    fn caps_at_100_values_with_total_and_has_more() {
        let info = completion_info((0..150).map(|i| i.to_string()).collect());
        assert_eq!(info.values.len(), 100);
        assert_eq!(info.total, Some(150));
        assert_eq!(info.has_more, Some(true));
        let info = completion_info(vec!["a".into()]);
        assert_eq!(
            (info.values.len(), info.total, info.has_more),
            (1, Some(1), Some(false))
        );
    }
}
