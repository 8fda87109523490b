//! rustfmt's default layout for the lines of a tool's module in `generated/tools.rs` that lowering builds from user
//! text, so that the module comes out of the template already formatted and skips rustfmt (see
//! `view::ToolView::laid_out`; the types inside come laid out from `typegen`). Widths count chars, which is
//! rustfmt's count for ASCII; a module with other characters outside its comments goes through rustfmt.

/// rustfmt's default `max_width`.
pub const MAX_WIDTH: usize = 100;
/// One level of indentation.
pub const INDENT: &str = "    ";

/// A line's width as rustfmt counts it, for ASCII text.
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// The leading spaces of `line`.
fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches(' ').len()]
}

/// The value `Some(<literal>)`, or `None`, that follows `lead` (its line so far, indentation included) and precedes
/// `tail`. rustfmt keeps the call on the line when the line fits; otherwise it gives the literal a line of its own,
/// one level deeper, however long (a literal cannot be broken).
pub fn some_literal(lead: &str, literal: Option<&str>, tail: &str) -> String {
    let Some(literal) = literal else {
        return "None".to_owned();
    };
    if width(lead) + width("Some()") + width(literal) + width(tail) <= MAX_WIDTH {
        format!("Some({literal})")
    } else {
        let indent = indent_of(lead);
        format!("Some(\n{indent}{INDENT}{literal},\n{indent})")
    }
}

/// `{lead} {value}{tail}` (say `pub const NAME: &str = "x";`), which rustfmt breaks after `lead` when the line is too
/// wide and the value fits on the next line, one level deeper; when it fits nowhere the line stays as it is.
pub fn assignment(lead: &str, value: &str, tail: &str) -> String {
    let one_line = format!("{lead} {value}{tail}");
    let next = format!("{}{INDENT}", indent_of(lead));
    if width(&one_line) <= MAX_WIDTH || width(&next) + width(value) + width(tail) > MAX_WIDTH {
        one_line
    } else {
        format!("{lead}\n{next}{value}{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // What rustfmt 1.8 made of each shape at the widths around its limits (checked by hand, and for whole tool
    // modules by render's `tool_modules_said_to_be_formatted_are_what_rustfmt_makes`).
    #[test]
    fn literals_move_to_their_own_line_when_the_line_is_full() {
        let lead = "        description: ";
        // 21 + 6 + 72 + 1 = 100 columns: fits.
        let fits = format!("\"{}\"", "x".repeat(70));
        assert_eq!(
            some_literal(lead, Some(&fits), ","),
            format!("Some({fits})")
        );
        let over = format!("\"{}\"", "x".repeat(71));
        assert_eq!(
            some_literal(lead, Some(&over), ","),
            format!("Some(\n            {over},\n        )")
        );
        assert_eq!(some_literal(lead, None, ","), "None");
    }

    #[test]
    fn assignments_break_after_the_equals_sign_only_when_that_helps() {
        let lead = "    pub const NAME: &str =";
        let fits = format!("\"{}\"", "x".repeat(70));
        assert_eq!(assignment(lead, &fits, ";"), format!("{lead} {fits};"));
        let over = format!("\"{}\"", "x".repeat(71));
        assert_eq!(
            assignment(lead, &over, ";"),
            format!("{lead}\n        {over};")
        );
        let nowhere = format!("\"{}\"", "x".repeat(90));
        assert_eq!(
            assignment(lead, &nowhere, ";"),
            format!("{lead} {nowhere};")
        );
    }
}
