//! rustfmt's default widths, for the lines of a tool's module in `generated/tools.rs` that lowering lays out, so
//! that the module comes out of the template already formatted and skips rustfmt (see `view::ToolView::laid_out`;
//! the types inside come laid out from `typegen`, and the `tool!` call is one rustfmt leaves as written). Widths
//! count chars, which is rustfmt's count for ASCII.

/// rustfmt's default `max_width`.
pub const MAX_WIDTH: usize = 100;
/// One level of indentation.
pub const INDENT: &str = "    ";

/// A line's width as rustfmt counts it, for ASCII text.
pub fn width(s: &str) -> usize {
    s.chars().count()
}
