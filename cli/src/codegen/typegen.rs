//! JSON Schema (a tool's `inputSchema` / `outputSchema`) -> Rust types, as a view model for `templates/types.rs.tera`.
//!
//! The server validates every instance against the schema before it deserialises it, so the one hard rule is that a
//! generated type never rejects data the schema accepts: where a schema cannot be typed faithfully the type is
//! `serde_json::Value`. Keywords that only narrow the accepted values (`minimum`, `pattern`, `format`, `oneOf` beside a
//! typed base...) are ignored, since the validator enforces them.
//!
//! Every name comes from `ident`, every string literal and doc comment from `rust`; the view model carries final,
//! already-formatted text (laid out the way rustfmt would, see `layout_decl`) so that the template only prints it.
//!
//! Naming, all unique in the module (a taken name gets a number: `DaysItem2`; roots' names are reserved):
//! - roots: the names given (`Input`, `Output`);
//! - `$ref` targets: the last pointer segment (`#/$defs/unit` -> `Unit`), one type however often referenced;
//! - inline objects and string enums: the property name (`owner` -> `Owner`), array items `<Property>Item`, map
//!   values `<Property>Value` (`<Struct>Value` for a struct's typed `additionalProperties`);
//! - a string enum with the same base name and values as an earlier one is that type (input and output often
//!   repeat `units`);
//! - fields: `to_snake_ident` of the property, with `#[serde(rename)]` when it differs; variants: `to_pascal_ident`
//!   of the value, renamed likewise; JSON defaults: `fn default_<struct>_<field>()`.
//!
//! An optional property is an `Option` field: serde reads a missing one as `None`, and the struct's
//! `#[mcpgen_runtime::skip_serializing_none]` (serde_with's) leaves a `None` out, except on a required nullable
//! field (`#[serialize_always]`), whose `null` is part of the data.
//!
//! Known, documented gaps (all rare in tool schemas):
//! - `integer` is `i64` (`u64` when `minimum >= 0` and `maximum` exceeds `i64`, `serde_json::Number` when the bounds
//!   exceed both, compared exactly); an unbounded `integer` beyond `i64` is refused by the typed `Input`. Integral
//!   floats such as `1.0` parse: the runtime's `tool::parse` turns them into integers first.
//! - An optional property sent as an explicit `null` comes back as absent, and undeclared properties of a struct are
//!   dropped unless `additionalProperties` is a schema (then they are kept in a flattened map) or `required` names
//!   them (then each is a `serde_json::Value` field). Since a combinator's `required` would see that, an object
//!   whose branches require a property whose presence the struct may change (undeclared, nullable, defaulted) is
//!   a `serde_json::Value`.
//!
//! `tests/typegen_props.rs` checks the rule on random schemas: every instance a schema accepts parses, and
//! serialises back to one it accepts.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::{Map, Value};

use super::ident::{Scope, to_pascal_ident, to_snake_ident};
use super::layout::{self, INDENT, width};
use super::rust::{doc_comment, string_literal};

/// rustfmt's `max_width`, less the one level of indentation every type gets in its tool's `pub mod` in
/// `generated/tools.rs`: types are laid out from column 0 and `render` indents them.
const MAX_WIDTH: usize = layout::MAX_WIDTH - INDENT.len();
const TEMPLATE: &str = include_str!("../../../templates/types.rs.tera");

const VALUE: &str = "serde_json::Value";
/// Below this many JSON pointer segments under a root (about 24 nested objects) a subschema is typed as
/// `serde_json::Value`: deeper struct nesting overflows rustc's recursion limit (128) when it lays out the
/// handler's future or checks `Send` (40 nested objects failed to compile). The validator still checks it all.
const MAX_POINTER_DEPTH: usize = 48;
const STRUCT_DERIVES: &[&str] = &["Debug", "Clone", "PartialEq"];
const SERDE_DERIVES: &[&str] = &["serde::Serialize", "serde::Deserialize"];
const ENUM_DERIVES: &[&str] = &[
    "Debug",
    "Clone",
    "Copy",
    "PartialEq",
    "Eq",
    "Hash",
    "serde::Serialize",
    "serde::Deserialize",
];
/// Clippy's default `type-complexity-threshold`: a field type scoring more is linted.
const TYPE_COMPLEXITY_THRESHOLD: u32 = 250;
/// Keywords that combine subschemas. Beside a typed base they only narrow it (every JSON Schema keyword is a
/// conjunction), so they are ignored there; without a typed base the value is untyped.
const COMBINATORS: &[&str] = &["allOf", "anyOf", "oneOf", "not", "if", "then", "else"];

/// The Rust types for the schema roots of one tool, all living in one module of the generated crate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeModule {
    /// Root types first (in the order given), each followed by the types it needs, in first-seen order.
    pub items: Vec<TypeItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeItem {
    Struct(StructDef),
    Enum(EnumDef),
    Alias(AliasDef),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StructDef {
    /// Rust type name.
    pub name: String,
    /// `doc_comment()` lines, possibly empty.
    pub doc: String,
    pub derives: Vec<String>,
    /// Whether `mcpgen_runtime::skip_serializing_none` comes before the derive: the struct has optional fields,
    /// which serialise only when present.
    pub skip_none: bool,
    /// Item attributes other than the derive, such as `#[serde(deny_unknown_fields)]`.
    pub attrs: Vec<String>,
    pub fields: Vec<FieldDef>,
    /// Functions named in `#[serde(default = "...")]`, rendered after the struct.
    pub default_fns: Vec<DefaultFn>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDef {
    /// Rust field name.
    pub name: String,
    /// The JSON property name; empty for the flattened map of additional properties.
    pub wire: String,
    /// The Rust type on one line.
    pub ty: String,
    /// Indented doc-comment lines, possibly empty.
    pub doc: String,
    /// Indented attribute lines (serde's, and an `allow` for clippy's `type_complexity` where it applies), one
    /// attribute each; an attribute may span lines the way rustfmt breaks it.
    pub attrs: Vec<String>,
    /// Indented `pub name: Type,`, broken over lines the way rustfmt does when it is too wide.
    pub decl: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DefaultFn {
    pub name: String,
    /// `fn name() -> Type {`, broken as rustfmt does when too wide (`layout_signature`).
    pub signature: String,
    /// The indented body expression.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumDef {
    pub name: String,
    pub doc: String,
    pub derives: Vec<String>,
    pub attrs: Vec<String>,
    pub variants: Vec<VariantDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantDef {
    pub name: String,
    /// The JSON string value.
    pub wire: String,
    pub doc: String,
    pub attrs: Vec<String>,
}

/// `pub type Name = Type;` for a root that is not an object (e.g. `serde_json::Value` for an untypable schema).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AliasDef {
    pub name: String,
    pub doc: String,
    /// The whole declaration, broken over lines the way rustfmt does when it is too wide.
    pub decl: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TypegenError {
    #[error("root type name {0:?} is not a PascalCase ASCII identifier")]
    InvalidRootName(String),
    #[error("root type name {0:?} is used twice")]
    DuplicateRoot(String),
}

/// Types for the given roots, e.g. `[("Input", input_schema), ("Output", output_schema)]`. Roots that are objects
/// (including `{"type": "object"}` with no properties) become structs with exactly the given names; other roots
/// become type aliases. Nested types are named as the module documentation describes.
pub fn types_for(roots: &[(&str, &Map<String, Value>)]) -> Result<TypeModule, TypegenError> {
    let mut names = BTreeSet::new();
    for (name, _) in roots {
        let valid = name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid {
            return Err(TypegenError::InvalidRootName((*name).to_owned()));
        }
        if !names.insert(*name) {
            return Err(TypegenError::DuplicateRoot((*name).to_owned()));
        }
    }
    let roots: Vec<(&str, Value)> = roots
        .iter()
        .map(|(name, schema)| (*name, Value::Object((*schema).clone())))
        .collect();
    let mut g = Gen {
        roots: &roots,
        types: Scope::with_reserved(names.iter().copied().chain(["Input", "Output"])),
        fns: Scope::default(),
        items: Vec::new(),
        named: HashMap::new(),
        enums: HashMap::new(),
        in_progress: BTreeSet::new(),
        inlining: BTreeSet::new(),
    };
    for (index, (name, schema)) in roots.iter().enumerate() {
        g.root(index, name, schema);
    }
    Ok(TypeModule {
        items: g.items.into_iter().flatten().collect(),
    })
}

/// Renders the module body (no header, no `use` lines: every path is fully qualified) through the embedded template,
/// indented one level for its place in the tool's `pub mod`. The template and view model are fixed by this module,
/// so a rendering failure is a bug here (tests cover it) and panics rather than returning an error.
pub fn render(module: &TypeModule) -> String {
    // Parsed once: parsing the template for every tool was most of the time `mcpgen generate` took on large specs.
    static TERA: std::sync::LazyLock<tera::Tera> = std::sync::LazyLock::new(|| {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(Vec::new());
        tera.add_raw_template("types.rs.tera", TEMPLATE)
            .expect("templates/types.rs.tera parses (covered by tests)");
        tera
    });
    let context = tera::Context::from_serialize(module).expect("the view model serialises");
    let text = TERA
        .render("types.rs.tera", &context)
        .expect("templates/types.rs.tera renders every view model (covered by tests)");
    // Safe line by line: string literals here are escaped onto one line, so no line break is inside one.
    let mut indented = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split_inclusive('\n') {
        if line != "\n" {
            indented.push_str(INDENT);
        }
        indented.push_str(line);
    }
    indented
}

/// Whether `render`'s text is what rustfmt makes of it inside the tool's module. Everything `typegen` lays out is,
/// with three exceptions left to rustfmt: a line wider than rustfmt's `max_width` (a declaration nothing makes fit,
/// a signature or type name too long), which follows rules not reproduced here; an empty struct over 98 columns,
/// which rustfmt breaks; and an attribute of 99 or 100 columns on one line, which rustfmt breaks on a struct field
/// but not on an enum variant. Comments are left alone by rustfmt. Widths count chars, rustfmt's count only for
/// ASCII. Checked against rustfmt on random schemas by render's `tool_modules_said_to_be_formatted_are_what_rustfmt_makes`.
pub fn is_laid_out(rendered: &str) -> bool {
    let lines: Vec<&str> = rendered.lines().collect();
    lines.iter().enumerate().all(|(i, line)| {
        let code = line.trim_start();
        if code.starts_with("//") {
            return true;
        }
        let attr_width = if code.starts_with("#[") && code.ends_with('(') {
            // A broken attribute: its width on one line.
            let arg = lines.get(i + 1).map_or("", |l| l.trim_start());
            line.len() + arg.len() + 2
        } else if code.starts_with("#[") {
            line.len()
        } else {
            0
        };
        line.is_ascii()
            && line.len() <= layout::MAX_WIDTH
            && !(code.ends_with("{}") && line.len() > layout::MAX_WIDTH - 2)
            && !(layout::MAX_WIDTH - 1..=layout::MAX_WIDTH).contains(&attr_width)
    })
}

/// A Rust type as a tree, so that a declaration too wide for one line can be broken the way rustfmt does.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Path(String),
    Generic(&'static str, Vec<Ty>),
}

impl Ty {
    fn path(p: &str) -> Ty {
        Ty::Path(p.to_owned())
    }
    fn value() -> Ty {
        Ty::path(VALUE)
    }
    fn map() -> Ty {
        Ty::Generic("serde_json::Map", vec![Ty::path("String"), Ty::value()])
    }
    fn option(self) -> Ty {
        Ty::Generic("Option", vec![self])
    }
    /// Clippy's `type_complexity` score: each type path scores 10 times its nesting depth (starting at 1).
    fn complexity(&self, nest: u32) -> u32 {
        match self {
            Ty::Path(_) => 10 * nest,
            Ty::Generic(_, args) => {
                10 * nest + args.iter().map(|a| a.complexity(nest + 1)).sum::<u32>()
            }
        }
    }

    fn text(&self) -> String {
        match self {
            Ty::Path(p) => p.clone(),
            Ty::Generic(p, args) => {
                let args: Vec<String> = args.iter().map(Ty::text).collect();
                format!("{p}<{}>", args.join(", "))
            }
        }
    }
}

/// `{indent}{head} {ty}{tail}` laid out as rustfmt does: on one line if it fits, else with the type on the next
/// line, else with the type's generic arguments one per line. When nothing fits rustfmt leaves the item as written,
/// so the one-line form is returned.
fn layout_decl(indent: &str, head: &str, ty: &Ty, tail: &str) -> String {
    let text = ty.text();
    let one_line = format!("{indent}{head} {text}{tail}");
    if width(&one_line) <= MAX_WIDTH {
        return one_line;
    }
    let next_indent = format!("{indent}{INDENT}");
    if width(&next_indent) + width(&text) + width(tail) <= MAX_WIDTH {
        return format!("{indent}{head}\n{next_indent}{text}{tail}");
    }
    let mut lines = Vec::new();
    let first = format!("{indent}{head} ");
    if break_generics(ty, &first, indent, tail, &mut lines) {
        return lines.join("\n");
    }
    // The head alone, then the type broken from the next line.
    let mut lines = vec![format!("{indent}{head}")];
    if break_generics(ty, &next_indent, &next_indent, tail, &mut lines) {
        lines.join("\n")
    } else {
        one_line
    }
}

/// Pushes `ty` starting after `prefix` (which includes `indent`), breaking generic arguments one per line at
/// `indent` + 4 when it does not fit. Returns false when some part cannot fit.
fn break_generics(
    ty: &Ty,
    prefix: &str,
    indent: &str,
    tail: &str,
    lines: &mut Vec<String>,
) -> bool {
    let text = ty.text();
    if width(prefix) + width(&text) + width(tail) <= MAX_WIDTH {
        lines.push(format!("{prefix}{text}{tail}"));
        return true;
    }
    let Ty::Generic(path, args) = ty else {
        return false;
    };
    let open = format!("{prefix}{path}<");
    if width(&open) > MAX_WIDTH {
        return false;
    }
    lines.push(open);
    let inner = format!("{indent}{INDENT}");
    for arg in args {
        if !break_generics(arg, &inner, &inner, ",", lines) {
            return false;
        }
    }
    lines.push(format!("{indent}>{tail}"));
    true
}

/// `fn {name}() -> {ty} {` as rustfmt lays it out (measured against rustfmt 1.8): on one line when it fits, else
/// the brace on the next line while the rest is at most one column over, else broken before `->`.
fn layout_signature(name: &str, ty: &str) -> String {
    let head = format!("fn {name}() -> {ty}");
    if width(&head) + 2 <= MAX_WIDTH {
        format!("{head} {{")
    } else if width(&head) <= MAX_WIDTH + 1 {
        format!("{head}\n{{")
    } else {
        format!("fn {name}()\n-> {ty} {{")
    }
}

/// An attribute with a single argument, `{indent}#[{path}({arg})]`, broken around the argument when too wide (as
/// rustfmt does even when the argument alone is still too wide, since a string literal cannot be broken). At 99
/// and 100 columns rustfmt decides by where the attribute is (see `is_laid_out`).
fn layout_attr(indent: &str, path: &str, arg: &str) -> String {
    let one_line = format!("{indent}#[{path}({arg})]");
    if width(&one_line) <= MAX_WIDTH {
        one_line
    } else {
        format!("{indent}#[{path}(\n{indent}{INDENT}{arg}\n{indent})]")
    }
}

/// `#[serde(rename)]` from a Rust name to its wire name, when they differ.
fn rename(name: &str, wire: &str) -> Vec<String> {
    if name == wire {
        return Vec::new();
    }
    let attr = format!("rename = {}", string_literal(wire));
    vec![layout_attr(INDENT, "serde", &attr)]
}

/// A struct field, with its declaration laid out and an `allow` where clippy would find its type too complex.
fn field_def(name: String, wire: &str, ty: &Ty, doc: &str, mut attrs: Vec<String>) -> FieldDef {
    if ty.complexity(1) > TYPE_COMPLEXITY_THRESHOLD {
        attrs.push(format!("{INDENT}#[allow(clippy::type_complexity)]"));
    }
    FieldDef {
        decl: layout_decl(INDENT, &format!("pub {name}:"), ty, ","),
        name,
        wire: wire.to_owned(),
        ty: ty.text(),
        doc: doc_comment(doc, INDENT),
        attrs,
    }
}

/// Doc text from a schema's `title` and `description`.
fn schema_doc(schema: &Map<String, Value>) -> String {
    let title = schema.get("title").and_then(Value::as_str).unwrap_or("");
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("");
    match (title.trim().is_empty(), description.trim().is_empty()) {
        (false, false) if title.trim() != description.trim() => format!("{title}\n\n{description}"),
        (false, _) => title.to_owned(),
        _ => description.to_owned(),
    }
}

fn escape_pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A named type already generated (or being generated) for a schema location.
#[derive(Debug, Clone)]
struct Named {
    name: String,
    /// For string enums: wire value -> variant name, to turn a JSON `default` into a Rust expression.
    variants: Option<Vec<(String, String)>>,
}

/// What a schema maps to: a Rust type, and whether the schema also accepts `null`.
struct Shape {
    ty: Ty,
    nullable: bool,
}

impl Shape {
    fn of(ty: Ty) -> Shape {
        Shape {
            ty,
            nullable: false,
        }
    }
    fn value() -> Shape {
        Shape::of(Ty::value())
    }
    /// The type of a value that may be null.
    fn nullable_ty(self) -> Ty {
        if self.nullable {
            self.ty.option()
        } else {
            self.ty
        }
    }
}

/// A schema location: root index and JSON pointer inside that root.
type Loc = (usize, String);

struct Gen<'a> {
    roots: &'a [(&'a str, Value)],
    types: Scope,
    fns: Scope,
    /// Slots reserved when a type is started, so the order is first-seen (pre-order) even though a type is
    /// finished after the types it contains.
    items: Vec<Option<TypeItem>>,
    named: HashMap<Loc, Named>,
    /// Structural dedup of string enums: (base name, values) -> generated enum. Input and output often repeat the
    /// same enum under the same property name (the first one's doc wins).
    enums: HashMap<(String, Vec<String>), Named>,
    /// Structs being generated: a reference to one of them, not behind a `Vec` or map, needs a `Box`.
    in_progress: BTreeSet<Loc>,
    /// `$ref` targets being inlined (not named types), to stop unnamed reference cycles.
    inlining: BTreeSet<Loc>,
}

impl Gen<'_> {
    fn root(&mut self, index: usize, name: &str, schema: &Value) {
        let map = schema.as_object().expect("roots are objects");
        let loc = (index, String::new());
        if self.is_object(map) && self.typed_base(index, map) {
            self.object_struct(loc, map, Some(name), name);
            return;
        }
        let shape = self.shape(index, "", schema, name, false);
        let decl = layout_decl("", &format!("pub type {name} ="), &shape.nullable_ty(), ";");
        self.items.push(Some(TypeItem::Alias(AliasDef {
            name: name.to_owned(),
            doc: doc_comment(&schema_doc(map), ""),
            decl,
        })));
    }

    /// Whether `type` is `"object"` (or `["object", "null"]`).
    fn is_object(&self, schema: &Map<String, Value>) -> bool {
        let (types, _) = types_of(schema);
        types == ["object"]
    }

    /// Whether combinators beside an object base with properties can be ignored. They only narrow the base, but a
    /// branch declaring or requiring a property the base does not have would lose that property in the struct
    /// (and the value would then fail the branch), and a
    /// `$ref` or nested combinator branch is not inspected, so those make the value untyped.
    fn typed_base(&self, root: usize, schema: &Map<String, Value>) -> bool {
        let branches: Vec<&Value> = COMBINATORS
            .iter()
            .filter_map(|k| schema.get(*k))
            .flat_map(|v| match v {
                Value::Array(items) => items.iter().collect::<Vec<_>>(),
                other => vec![other],
            })
            .collect();
        if branches.is_empty() {
            return true;
        }
        let base_props = schema.get("properties").and_then(Value::as_object);
        let base_required = schema.get("required").and_then(Value::as_array);
        // Whether the struct may change the property's presence, which a branch's `required` sees: it drops an
        // undeclared one, drops an optional `null` (`None` is skipped) and fills in a default.
        let presence_changes = |k: &str| match base_props.and_then(|b| b.get(k)) {
            None => true,
            Some(_) if base_required.is_some_and(|r| r.iter().any(|n| n == k)) => false,
            Some(p) => p.get("default").is_some() || self.may_be_null(root, p, 0),
        };
        branches.iter().all(|branch| {
            let Some(branch) = branch.as_object() else {
                return true;
            };
            let undeclared = |k: &str| !base_props.is_some_and(|b| b.contains_key(k));
            // Declaring a property the struct would drop, or requiring one whose presence it may change.
            let new_props = branch
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|props| props.keys().any(|k| undeclared(k)))
                || branch
                    .get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().filter_map(Value::as_str).any(presence_changes));
            !new_props
                && !branch.contains_key("$ref")
                && !COMBINATORS.iter().any(|k| branch.contains_key(*k))
        })
    }

    /// Whether the schema may accept `null` (conservatively: true for what it does not look into).
    fn may_be_null(&self, root: usize, schema: &Value, depth: usize) -> bool {
        let Value::Object(map) = schema else {
            return *schema != Value::Bool(false);
        };
        if depth > 8 {
            return true;
        }
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            return self
                .resolve(root, reference)
                .is_none_or(|(_, target)| self.may_be_null(root, &target, depth + 1));
        }
        if let Some(values) = map.get("enum").and_then(Value::as_array) {
            return values.contains(&Value::Null);
        }
        if let Some(value) = map.get("const") {
            return value.is_null();
        }
        if map.contains_key("type") {
            return types_of(map).1;
        }
        let mut branches = ["anyOf", "oneOf"]
            .iter()
            .filter_map(|k| map.get(*k).and_then(Value::as_array))
            .flatten()
            .peekable();
        branches.peek().is_none() || branches.any(|b| self.may_be_null(root, b, depth + 1))
    }

    /// The shape of the schema at `(root, ptr)`. `hint` names a type created for it; `indirect` is true behind a
    /// `Vec` or map, where a recursive reference needs no `Box`.
    fn shape(
        &mut self,
        root: usize,
        ptr: &str,
        schema: &Value,
        hint: &str,
        indirect: bool,
    ) -> Shape {
        let Value::Object(map) = schema else {
            // `true` accepts anything, `false` nothing; a non-schema is left to the validator.
            return Shape::value();
        };
        if ptr.matches('/').count() > MAX_POINTER_DEPTH {
            return Shape::value();
        }
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            return self.reference(root, reference, indirect);
        }
        if let Some(shape) = self.nullable_combinator(root, ptr, map, hint, indirect) {
            return shape;
        }
        let has_base = ["type", "enum", "const"]
            .iter()
            .any(|k| map.contains_key(*k));
        if !has_base {
            // `allOf: [X]` alone is X (a common way to attach a description to a `$ref`).
            if let Some(Value::Array(all)) = map.get("allOf")
                && let [only] = all.as_slice()
                && !COMBINATORS
                    .iter()
                    .any(|k| *k != "allOf" && map.contains_key(*k))
            {
                return self.shape(root, &format!("{ptr}/allOf/0"), only, hint, indirect);
            }
            return Shape::value();
        }
        if let Some(values) = map.get("enum").and_then(Value::as_array) {
            return self.enumeration(root, ptr, map, values, hint);
        }
        if let Some(value) = map.get("const") {
            let ty = match value {
                Value::String(_) => Ty::path("String"),
                Value::Bool(_) => Ty::path("bool"),
                Value::Number(n) if n.is_i64() => Ty::path("i64"),
                Value::Number(n) if n.is_u64() => Ty::path("u64"),
                Value::Number(_) => Ty::path("f64"),
                _ => Ty::value(),
            };
            return Shape::of(ty);
        }
        let (types, nullable) = types_of(map);
        let ty = match types.as_slice() {
            ["string"] => Ty::path("String"),
            ["boolean"] => Ty::path("bool"),
            ["number"] => Ty::path("f64"),
            ["integer"] => integer_type(map),
            ["array"] => self.array(root, ptr, map, hint),
            ["object"] => return self.object(root, ptr, map, hint, indirect, nullable),
            // `null` alone, several non-null types, or an unknown type name.
            _ => return Shape::value(),
        };
        Shape { ty, nullable }
    }

    /// `anyOf`/`oneOf` of one schema and `{"type": "null"}` (with no other base keywords) is that schema, nullable.
    fn nullable_combinator(
        &mut self,
        root: usize,
        ptr: &str,
        map: &Map<String, Value>,
        hint: &str,
        indirect: bool,
    ) -> Option<Shape> {
        let others = [
            "type",
            "enum",
            "const",
            "properties",
            "items",
            "allOf",
            "not",
            "if",
        ];
        if others.iter().any(|k| map.contains_key(*k)) {
            return None;
        }
        let (key, branches) = match (map.get("anyOf"), map.get("oneOf")) {
            (Some(Value::Array(b)), None) => ("anyOf", b),
            (None, Some(Value::Array(b))) => ("oneOf", b),
            _ => return None,
        };
        let is_null = |v: &Value| {
            v.as_object().is_some_and(|m| {
                types_of(m) == (Vec::new(), true)
                    && m.keys()
                        .all(|k| ["type", "title", "description"].contains(&k.as_str()))
            })
        };
        let [a, b] = branches.as_slice() else {
            return None;
        };
        let (index, other) = match (is_null(a), is_null(b)) {
            (false, true) => (0, a),
            (true, false) => (1, b),
            _ => return None,
        };
        let inner = self.shape(root, &format!("{ptr}/{key}/{index}"), other, hint, indirect);
        if inner.ty == Ty::value() {
            return Some(inner);
        }
        Some(Shape {
            ty: inner.ty,
            nullable: true,
        })
    }

    /// A local `$ref` (`#`, `#/$defs/X`, `#/definitions/X`, any JSON pointer into the same root).
    fn reference(&mut self, root: usize, reference: &str, indirect: bool) -> Shape {
        let Some((ptr, target)) = self.resolve(root, reference) else {
            return Shape::value();
        };
        let loc = (root, ptr.clone());
        if let Some(named) = self.named.get(&loc) {
            let ty = Ty::Path(named.name.clone());
            let boxed = !indirect && self.in_progress.contains(&loc);
            // Named types are only made for `type` lists and enums, whose `null` is all the nullability there is.
            let nullable = target.as_object().is_some_and(|m| {
                types_of(m).1
                    || m.get("enum")
                        .and_then(Value::as_array)
                        .is_some_and(|vs| vs.iter().any(Value::is_null))
            });
            return Shape {
                ty: if boxed {
                    Ty::Generic("Box", vec![ty])
                } else {
                    ty
                },
                nullable,
            };
        }
        if !self.inlining.insert(loc.clone()) {
            // A reference cycle through schemas that are not named types (e.g. an array of itself).
            return Shape::value();
        }
        let hint = if ptr.is_empty() {
            self.roots[root].0.to_owned()
        } else {
            let last = ptr.rsplit('/').next().unwrap_or("");
            last.replace("~1", "/").replace("~0", "~")
        };
        let shape = self.shape(root, &ptr, &target, &hint, indirect);
        self.inlining.remove(&loc);
        shape
    }

    /// The canonical pointer and schema a local reference points at.
    fn resolve(&self, root: usize, reference: &str) -> Option<(String, Value)> {
        let fragment = mcpgen_runtime::uri_template::percent_decode(reference.strip_prefix('#')?)?;
        let mut node = &self.roots[root].1;
        let mut ptr = String::new();
        if !fragment.is_empty() {
            for raw in fragment.strip_prefix('/')?.split('/') {
                let segment = raw.replace("~1", "/").replace("~0", "~");
                node = match node {
                    Value::Object(m) => m.get(&segment)?,
                    Value::Array(a) => a.get(segment.parse::<usize>().ok()?)?,
                    _ => return None,
                };
                ptr.push('/');
                ptr.push_str(&escape_pointer_segment(&segment));
            }
        }
        Some((ptr, node.clone()))
    }

    fn array(&mut self, root: usize, ptr: &str, map: &Map<String, Value>, hint: &str) -> Ty {
        let item = match map.get("items") {
            // Tuples (`items: [..]` up to draft 7, `prefixItems` after) hold different types per position.
            Some(items @ Value::Object(_)) if !map.contains_key("prefixItems") => {
                let hint = format!("{hint}Item");
                self.shape(root, &format!("{ptr}/items"), items, &hint, true)
                    .nullable_ty()
            }
            _ => Ty::value(),
        };
        Ty::Generic("Vec", vec![item])
    }

    fn object(
        &mut self,
        root: usize,
        ptr: &str,
        map: &Map<String, Value>,
        hint: &str,
        indirect: bool,
        nullable: bool,
    ) -> Shape {
        let has_props = map
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        let ty = if has_props {
            if !self.typed_base(root, map) {
                return Shape::value();
            }
            let loc = (root, ptr.to_owned());
            let name = match self.named.get(&loc) {
                Some(named) => named.name.clone(),
                None => self.object_struct(loc.clone(), map, None, hint),
            };
            let ty = Ty::Path(name);
            if !indirect && self.in_progress.contains(&loc) {
                Ty::Generic("Box", vec![ty])
            } else {
                ty
            }
        } else {
            match map.get("additionalProperties") {
                Some(values @ Value::Object(_)) if !map.contains_key("patternProperties") => {
                    let hint = format!("{hint}Value");
                    let ptr = format!("{ptr}/additionalProperties");
                    let value = self.shape(root, &ptr, values, &hint, true).nullable_ty();
                    Ty::Generic(
                        "std::collections::BTreeMap",
                        vec![Ty::path("String"), value],
                    )
                }
                _ => Ty::map(),
            }
        };
        Shape { ty, nullable }
    }

    /// Generates the struct for the object schema at `loc`, named `fixed_name` or after `hint`; returns its name.
    fn object_struct(
        &mut self,
        loc: Loc,
        map: &Map<String, Value>,
        fixed_name: Option<&str>,
        hint: &str,
    ) -> String {
        let name = match fixed_name {
            Some(name) => name.to_owned(),
            None => self.types.claim(to_pascal_ident(hint)),
        };
        self.named.insert(
            loc.clone(),
            Named {
                name: name.clone(),
                variants: None,
            },
        );
        self.in_progress.insert(loc.clone());
        let slot = self.items.len();
        self.items.push(None);

        let (root, ptr) = loc.clone();
        let required: BTreeSet<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut field_names = Scope::default();
        let mut fields = Vec::new();
        let mut default_fns = Vec::new();
        let mut all_optional = true;
        let mut skip_none = false;
        // Required nullable fields: `Option`s whose `null` must still be sent.
        let mut nulls = Vec::new();
        let empty = Map::new();
        let props = map
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (wire, schema) in props {
            let field_ptr = format!("{ptr}/properties/{}", escape_pointer_segment(wire));
            let shape = self.shape(root, &field_ptr, schema, wire, false);
            let field_name = field_names.claim(to_snake_ident(wire));
            let mut attrs = rename(&field_name, wire);
            // Valid against its own schema: `mcpgen validate` refuses a spec whose default is not.
            let default = schema.as_object().and_then(|s| s.get("default"));
            let ty = if required.contains(wire.as_str()) {
                all_optional = false;
                if shape.nullable {
                    nulls.push(fields.len());
                }
                shape.nullable_ty()
            } else if let Some(expr) = default
                .filter(|_| !shape.nullable)
                .and_then(|d| self.default_expr(&shape.ty, d))
            {
                all_optional = false;
                let fn_name = self.fns.claim(format!(
                    "default_{}_{}",
                    to_snake_ident(&name).trim_end_matches('_'),
                    field_name.trim_end_matches('_')
                ));
                let signature = layout_signature(&fn_name, &shape.ty.text());
                attrs.push(layout_attr(
                    INDENT,
                    "serde",
                    &format!("default = {}", string_literal(&fn_name)),
                ));
                default_fns.push(DefaultFn {
                    name: fn_name,
                    signature,
                    body: expr,
                });
                shape.ty
            } else {
                // serde reads a missing `Option` field as `None` by itself; `skip_none` leaves it out when `None`.
                skip_none = true;
                shape.ty.option()
            };
            let doc = schema_doc(schema.as_object().unwrap_or(&empty));
            fields.push(field_def(field_name, wire, &ty, &doc, attrs));
        }

        // A required property the schema does not declare is still required: dropping it as an unknown field
        // would make the value serialise to an object the schema rejects.
        for wire in required.iter().filter(|w| !props.contains_key(**w)) {
            all_optional = false;
            let field_name = field_names.claim(to_snake_ident(wire));
            let attrs = rename(&field_name, wire);
            fields.push(field_def(field_name, wire, &Ty::value(), "", attrs));
        }
        if skip_none {
            for i in nulls {
                fields[i].attrs.push(format!("{INDENT}#[serialize_always]"));
            }
        }

        let mut attrs = Vec::new();
        let additional = map.get("additionalProperties");
        let patterns = map.contains_key("patternProperties");
        match additional {
            Some(Value::Bool(false)) if !patterns => {
                attrs.push("#[serde(deny_unknown_fields)]".to_owned());
            }
            // Keep undeclared properties when the schema types them, so they survive a round trip.
            Some(values @ Value::Object(_)) if !patterns => {
                let value_ptr = format!("{ptr}/additionalProperties");
                let hint = format!("{name}Value");
                let value = self
                    .shape(root, &value_ptr, values, &hint, true)
                    .nullable_ty();
                let ty = Ty::Generic(
                    "std::collections::BTreeMap",
                    vec![Ty::path("String"), value],
                );
                let field_name = field_names.claim("additional_properties".to_owned());
                fields.push(field_def(
                    field_name,
                    "",
                    &ty,
                    "Properties not declared in the schema.",
                    vec![format!("{INDENT}#[serde(flatten)]")],
                ));
            }
            _ => {}
        }

        // Default only where it means the same as deserialising `{}`: every field optional, none with a JSON default.
        let mut derives: Vec<String> = STRUCT_DERIVES.iter().map(|d| (*d).to_owned()).collect();
        if all_optional {
            derives.push("Default".to_owned());
        }
        derives.extend(SERDE_DERIVES.iter().map(|d| (*d).to_owned()));
        self.in_progress.remove(&loc);
        self.items[slot] = Some(TypeItem::Struct(StructDef {
            name: name.clone(),
            doc: doc_comment(&schema_doc(map), ""),
            derives,
            skip_none,
            attrs,
            fields,
            default_fns,
        }));
        name
    }

    /// The body of a function returning the JSON `default` as `ty`, or None if it is not a simple value of that type
    /// (then the field stays an `Option`).
    fn default_expr(&self, ty: &Ty, default: &Value) -> Option<String> {
        let Ty::Path(path) = ty else {
            return None;
        };
        let expr = match (path.as_str(), default) {
            ("i64", Value::Number(n)) => n.as_i64()?.to_string(),
            ("u64", Value::Number(n)) => n.as_u64()?.to_string(),
            ("f64", Value::Number(n)) => format!("{:?}", n.as_f64()?),
            ("bool", Value::Bool(b)) => b.to_string(),
            ("String", Value::String(s)) => {
                let one_line = format!("{INDENT}String::from({})", string_literal(s));
                return Some(if width(&one_line) <= MAX_WIDTH {
                    one_line
                } else {
                    format!(
                        "{INDENT}String::from(\n{INDENT}{INDENT}{},\n{INDENT})",
                        string_literal(s)
                    )
                });
            }
            (name, Value::String(s)) => {
                let named = self.enums.values().find(|n| n.name == name)?;
                let (_, variant) = named.variants.as_ref()?.iter().find(|(w, _)| w == s)?;
                format!("{name}::{variant}")
            }
            _ => return None,
        };
        Some(format!("{INDENT}{expr}"))
    }

    /// `enum`: all strings -> a Rust enum; all integers -> i64 (u64 or serde_json::Number when they do not fit);
    /// all numbers -> f64; all booleans -> bool; a `null`
    /// value makes it nullable; anything else is untyped.
    fn enumeration(
        &mut self,
        root: usize,
        ptr: &str,
        map: &Map<String, Value>,
        values: &[Value],
        hint: &str,
    ) -> Shape {
        let nullable = values.iter().any(Value::is_null);
        let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        if values.is_empty() {
            return Shape::value();
        }
        let ty = if values.iter().all(|v| v.is_string()) {
            let mut strings: Vec<String> = Vec::new();
            for v in &values {
                let s = v.as_str().expect("checked above").to_owned();
                if !strings.contains(&s) {
                    strings.push(s);
                }
            }
            Ty::Path(self.string_enum(root, ptr, map, strings, hint))
        } else if values.iter().all(|v| v.is_i64()) {
            Ty::path("i64")
        } else if values.iter().all(|v| v.is_u64()) {
            Ty::path("u64")
        } else if values.iter().all(|v| v.is_f64() || exact_in_f64(v)) {
            Ty::path("f64")
        } else if values.iter().all(|v| v.is_number()) {
            // An `f64` would round `u64::MAX` to another number the enum does not list.
            Ty::path("serde_json::Number")
        } else if values.iter().all(|v| v.is_boolean()) {
            Ty::path("bool")
        } else {
            return Shape::value();
        };
        Shape { ty, nullable }
    }

    fn string_enum(
        &mut self,
        root: usize,
        ptr: &str,
        map: &Map<String, Value>,
        values: Vec<String>,
        hint: &str,
    ) -> String {
        let loc = (root, ptr.to_owned());
        if let Some(named) = self.named.get(&loc) {
            return named.name.clone();
        }
        let doc = schema_doc(map);
        let key = (to_pascal_ident(hint), values.clone());
        if let Some(named) = self.enums.get(&key) {
            let named = named.clone();
            self.named.insert(loc, named.clone());
            return named.name;
        }
        let name = self.types.claim(key.0.clone());
        let mut variant_names = Scope::default();
        let mut variants = Vec::new();
        let mut pairs = Vec::new();
        for wire in values {
            let variant = variant_names.claim(to_pascal_ident(&wire));
            let attrs = rename(&variant, &wire);
            pairs.push((wire.clone(), variant.clone()));
            variants.push(VariantDef {
                name: variant,
                wire,
                doc: String::new(),
                attrs,
            });
        }
        let named = Named {
            name: name.clone(),
            variants: Some(pairs),
        };
        self.named.insert(loc, named.clone());
        self.enums.insert(key, named);
        self.items.push(Some(TypeItem::Enum(EnumDef {
            name: name.clone(),
            doc: doc_comment(&doc, ""),
            derives: ENUM_DERIVES.iter().map(|d| (*d).to_owned()).collect(),
            // Variant names come from the wire values, so they may share a prefix or the enum's name.
            attrs: vec!["#[allow(clippy::enum_variant_names)]".to_owned()],
            variants,
        })));
        name
    }
}

/// The non-null types named by `type`, and whether `null` is among them.
fn types_of(schema: &Map<String, Value>) -> (Vec<&str>, bool) {
    let listed: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = listed.contains(&"null");
    let mut types: Vec<&str> = listed.into_iter().filter(|t| *t != "null").collect();
    types.dedup();
    (types, nullable)
}

/// `i64` unless explicit bounds say the values do not fit it: then `u64` if they fit that, else
/// `serde_json::Number`. An absent bound counts as fitting (an unbounded `integer` is `i64`, a documented limit);
/// a present one is compared exactly, so `maximum: 9223372036854775808` (2^63) is not an `i64`.
fn integer_type(schema: &Map<String, Value>) -> Ty {
    let bound = |key: &str, to_integer: fn(f64) -> f64, step: i128| {
        let n = schema.get(key)?.as_number()?;
        let exact = n.as_i64().map(i128::from).or(n.as_u64().map(i128::from));
        // `as` saturates beyond i128, far past what decides the type.
        Some(exact.unwrap_or_else(|| to_integer(n.as_f64().unwrap_or(0.0)) as i128) + step)
    };
    // The effective bounds are the stricter of the inclusive and exclusive ones (booleans in draft 4 are skipped).
    let stricter = |a: Option<i128>, b: Option<i128>, pick: fn(i128, i128) -> i128| match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    };
    let low = stricter(
        bound("minimum", f64::ceil, 0),
        bound("exclusiveMinimum", f64::floor, 1),
        i128::max,
    );
    let high = stricter(
        bound("maximum", f64::floor, 0),
        bound("exclusiveMaximum", f64::ceil, -1),
        i128::min,
    );
    let within = |x: Option<i128>, lo: i128, hi: i128| x.is_none_or(|x| (lo..=hi).contains(&x));
    let (i64_min, i64_max, u64_max) = (
        i128::from(i64::MIN),
        i128::from(i64::MAX),
        i128::from(u64::MAX),
    );
    if within(low, i64_min, i64_max) && within(high, i64_min, i64_max) {
        Ty::path("i64")
    } else if low.is_some_and(|l| (0..=u64_max).contains(&l)) && within(high, 0, u64_max) {
        Ty::path("u64")
    } else {
        Ty::path("serde_json::Number")
    }
}

/// Whether an integer JSON number survives a trip through `f64` (at most 2^53 in magnitude).
fn exact_in_f64(value: &Value) -> bool {
    const EXACT: u64 = 1 << 53;
    value.as_i64().is_some_and(|i| i.unsigned_abs() <= EXACT)
        || value.as_u64().is_some_and(|u| u <= EXACT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        let Value::Object(map) = value else {
            panic!("not an object: {value}")
        };
        map
    }

    fn module(input: Value) -> TypeModule {
        types_for(&[("Input", &object(input))]).unwrap()
    }

    fn structs(module: &TypeModule) -> Vec<&StructDef> {
        module
            .items
            .iter()
            .filter_map(|item| match item {
                TypeItem::Struct(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    fn item_names(module: &TypeModule) -> Vec<&str> {
        module
            .items
            .iter()
            .map(|item| match item {
                TypeItem::Struct(s) => s.name.as_str(),
                TypeItem::Enum(e) => e.name.as_str(),
                TypeItem::Alias(a) => a.name.as_str(),
            })
            .collect()
    }

    /// The Rust type and attributes of property `p` under the given schema, optional unless `required`.
    fn field(schema: Value, required: bool) -> (String, Vec<String>) {
        let required: Vec<&str> = if required { vec!["p"] } else { vec![] };
        let m = module(
            json!({"type": "object", "properties": {"p": schema}, "required": required,
            "$defs": {"e": {"type": "string", "enum": ["x"]}, "o": {"type": "object", "properties": {"a": {}}},
                "maybe": {"anyOf": [{"type": "null"}, {"type": "integer"}]}}}),
        );
        let f = &structs(&m)[0].fields[0];
        let attrs = f.attrs.iter().map(|a| a.trim().to_owned()).collect();
        (f.ty.clone(), attrs)
    }

    #[test]
    fn required_property_types() {
        let table = [
            (json!({"type": "string"}), "String"),
            (
                json!({"type": "string", "format": "date", "minLength": 3}),
                "String",
            ),
            (json!({"type": "integer"}), "i64"),
            (
                json!({"type": "integer", "minimum": 0, "maximum": 1e19}),
                "u64",
            ),
            (
                json!({"type": "integer", "maximum": 1e30}),
                "serde_json::Number",
            ),
            // Bounds compared exactly: 2^63 is `i64::MAX as f64`, 2^64 is `u64::MAX as f64`.
            (
                json!({"type": "integer", "minimum": 0, "maximum": 9223372036854775808u64}),
                "u64",
            ),
            (
                json!({"type": "integer", "minimum": 0, "exclusiveMaximum": 9223372036854775808u64}),
                "i64",
            ),
            (
                json!({"type": "integer", "minimum": 18446744073709551616.0}),
                "serde_json::Number",
            ),
            (json!({"enum": [1, 18446744073709551615u64]}), "u64"),
            (
                json!({"enum": [-1, 18446744073709551615u64]}),
                "serde_json::Number",
            ),
            (
                json!({"enum": [0.5, 9007199254740993u64]}),
                "serde_json::Number",
            ),
            (json!({"type": "number"}), "f64"),
            (json!({"type": "boolean"}), "bool"),
            (
                json!({"type": "array", "items": {"type": "integer"}}),
                "Vec<i64>",
            ),
            (json!({"type": "array"}), "Vec<serde_json::Value>"),
            (
                json!({"type": "array", "items": [{"type": "string"}]}),
                "Vec<serde_json::Value>",
            ),
            (
                json!({"type": "array", "items": {"type": ["string", "null"]}}),
                "Vec<Option<String>>",
            ),
            (json!({"type": ["string", "null"]}), "Option<String>"),
            (
                json!({"anyOf": [{"type": "integer"}, {"type": "null"}]}),
                "Option<i64>",
            ),
            (
                json!({"oneOf": [{"type": "null"}, {"$ref": "#/$defs/e"}]}),
                "Option<E>",
            ),
            (
                json!({"anyOf": [{"type": "integer"}, {"type": "string"}]}),
                "serde_json::Value",
            ),
            (
                json!({"oneOf": [{"type": "integer"}, {"type": "string"}]}),
                "serde_json::Value",
            ),
            (json!({"allOf": [{"$ref": "#/$defs/o"}]}), "O"),
            (
                json!({"allOf": [{"type": "string"}, {"minLength": 1}]}),
                "serde_json::Value",
            ),
            (json!({"type": "string", "not": {"const": "x"}}), "String"),
            (
                json!({"type": "integer", "if": {"minimum": 1}, "then": {"maximum": 3}}),
                "i64",
            ),
            (json!({"type": ["string", "integer"]}), "serde_json::Value"),
            (json!({"type": "null"}), "serde_json::Value"),
            (json!({}), "serde_json::Value"),
            (json!(true), "serde_json::Value"),
            (json!({"properties": {"a": {}}}), "serde_json::Value"),
            (
                json!({"type": "object"}),
                "serde_json::Map<String, serde_json::Value>",
            ),
            (
                json!({"type": "object", "additionalProperties": {"type": "integer"}}),
                "std::collections::BTreeMap<String, i64>",
            ),
            (
                json!({"type": "object", "patternProperties": {"^x": {"type": "integer"}},
                "additionalProperties": {"type": "integer"}}),
                "serde_json::Map<String, serde_json::Value>",
            ),
            (
                json!({"type": "object", "properties": {"a": {"type": "string"}}}),
                "P",
            ),
            (json!({"enum": ["a", "b"]}), "P"),
            (json!({"enum": ["a", null]}), "Option<P>"),
            (json!({"enum": ["a", 1]}), "serde_json::Value"),
            (json!({"enum": [1, 2]}), "i64"),
            (json!({"enum": [1, 2.5]}), "f64"),
            (json!({"enum": []}), "serde_json::Value"),
            (json!({"const": "x"}), "String"),
            (json!({"const": {"a": 1}}), "serde_json::Value"),
            (json!({"$ref": "#/$defs/e"}), "E"),
            (json!({"$ref": "#/$defs/missing"}), "serde_json::Value"),
            (
                json!({"$ref": "https://example.com/schema"}),
                "serde_json::Value",
            ),
        ];
        for (schema, want) in table {
            assert_eq!(field(schema.clone(), true).0, want, "{schema}");
        }
    }

    #[test]
    fn optional_properties_and_defaults() {
        // Whether `p`'s struct skips `None`s, beside a required `q`.
        let skip_none = |schema: Value, required: bool| {
            let required: Vec<&str> = if required { vec!["p", "q"] } else { vec!["q"] };
            structs(&module(json!({"type": "object",
                "properties": {"p": schema, "q": {"type": "string"}}, "required": required})))[0]
                .skip_none
        };
        // An optional field is an `Option` with no attribute of its own: the struct's `skip_none` leaves it out
        // when `None`.
        for schema in [
            json!({"type": "string"}),
            json!({"type": ["string", "null"]}),
        ] {
            assert_eq!(
                field(schema.clone(), false),
                ("Option<String>".to_owned(), vec![])
            );
            assert!(skip_none(schema, false));
        }
        assert!(!skip_none(json!({"type": "string", "default": "x"}), false));
        let (ty, attrs) = field(json!({"type": "integer", "default": 3}), false);
        assert_eq!(ty, "i64");
        assert_eq!(attrs, ["#[serde(default = \"default_input_p\")]"]);
        let (ty, _) = field(json!({"$ref": "#/$defs/e", "default": "x"}), false);
        assert_eq!(ty, "E");
        // Defaults that are not a plain value of the type keep the Option.
        for schema in [
            json!({"type": "integer", "default": "3"}),
            json!({"type": "integer", "default": 1.5}),
            json!({"type": ["integer", "null"], "default": 3}),
            json!({"type": "array", "items": {"type": "integer"}, "default": [1]}),
            json!({"$ref": "#/$defs/e", "default": "not a variant"}),
        ] {
            assert!(
                field(schema.clone(), false).0.starts_with("Option<"),
                "{schema}"
            );
        }
        // A required nullable property may be null but not missing: no serde default, and beside optional
        // fields its `null` is still sent.
        assert_eq!(
            field(json!({"type": ["integer", "null"]}), true).1,
            Vec::<String>::new()
        );
        let m = module(json!({"type": "object", "required": ["n"],
            "properties": {"n": {"type": ["integer", "null"]}, "o": {"type": "integer"}}}));
        let s = structs(&m)[0];
        assert!(s.skip_none);
        assert_eq!(s.fields[0].attrs, ["    #[serialize_always]"]);
        assert!(!skip_none(json!({"type": ["integer", "null"]}), true));
    }

    #[test]
    fn required_but_undeclared_properties_are_kept() {
        let m = module(
            json!({"type": "object", "properties": {"a": {"type": "string"}},
            "required": ["a", "b-c"]}),
        );
        let fields: Vec<(&str, &str, &str)> = structs(&m)[0]
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.wire.as_str(), f.ty.as_str()))
            .collect();
        assert_eq!(
            fields,
            [("a", "a", "String"), ("b_c", "b-c", "serde_json::Value")]
        );
    }

    #[test]
    fn default_functions_return_the_json_default() {
        let m = module(json!({"type": "object", "properties": {
            "n": {"type": "number", "default": 2},
            "s": {"type": "string", "default": "a \"q\""},
            "u": {"type": "string", "enum": ["x-y"], "default": "x-y"}}}));
        let s = structs(&m)[0];
        let bodies: Vec<(&str, &str)> = s
            .default_fns
            .iter()
            .map(|f| (f.name.as_str(), f.body.trim()))
            .collect();
        assert_eq!(
            bodies,
            [
                ("default_input_n", "2.0"),
                ("default_input_s", "String::from(\"a \\\"q\\\"\")"),
                ("default_input_u", "U::XY"),
            ]
        );
        assert!(
            !s.derives.contains(&"Default".to_owned()),
            "derived Default would ignore the JSON defaults"
        );
    }

    #[test]
    fn default_is_derived_only_when_every_field_may_be_absent() {
        let derives = |schema: Value| {
            structs(&module(schema))[0]
                .derives
                .contains(&"Default".to_owned())
        };
        assert!(derives(json!({"type": "object"})));
        assert!(derives(
            json!({"type": "object", "properties": {"a": {"type": "string"}}})
        ));
        assert!(!derives(
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]})
        ));
    }

    #[test]
    fn field_names_are_sanitised_unique_and_renamed() {
        let m = module(json!({"type": "object", "properties": {
            "a-b": {}, "a_b": {}, "type": {}, "plain": {}, "": {}}}));
        let fields: Vec<(&str, &str, usize)> = structs(&m)[0]
            .fields
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.wire.as_str(),
                    f.attrs.iter().filter(|a| a.contains("rename")).count(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("a_b", "a-b", 1),
                ("a_b_2", "a_b", 1),
                ("type_", "type", 1),
                ("plain", "plain", 0),
                ("unnamed", "", 1)
            ]
        );
    }

    #[test]
    fn object_roots_are_structs_and_others_aliases() {
        let m = types_for(&[
            ("Input", &object(json!({"type": "object"}))),
            (
                "Output",
                &object(json!({"oneOf": [{"type": "string"}, {"type": "integer"}]})),
            ),
        ])
        .unwrap();
        assert_eq!(
            render(&m),
            "    #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]\n    \
             pub struct Input {}\n\n    pub type Output = serde_json::Value;\n"
        );
    }

    #[test]
    fn root_names_are_checked() {
        let schema = object(json!({"type": "object"}));
        assert_eq!(
            types_for(&[("input", &schema)]),
            Err(TypegenError::InvalidRootName("input".into()))
        );
        assert_eq!(
            types_for(&[("In-put", &schema)]),
            Err(TypegenError::InvalidRootName("In-put".into()))
        );
        assert_eq!(
            types_for(&[("Input", &schema), ("Input", &schema)]),
            Err(TypegenError::DuplicateRoot("Input".into()))
        );
    }

    #[test]
    fn nested_names_are_unique_in_the_module_and_enums_shared() {
        let input = object(json!({"type": "object", "properties": {
            "output": {"type": "object", "properties": {"a": {}}},
            "units": {"enum": ["c", "f"]},
            "days": {"type": "array", "items": {"type": "object", "properties": {"d": {}}}},
            "other": {"type": "object", "properties": {"days": {"type": "array", "items": {
                "type": "object", "properties": {"e": {}}}}}}}}));
        let output =
            object(json!({"type": "object", "properties": {"units": {"enum": ["c", "f"]}}}));
        let m = types_for(&[("Input", &input), ("Output", &output)]).unwrap();
        assert_eq!(
            item_names(&m),
            [
                "Input",
                "Output_",
                "Units",
                "DaysItem",
                "Other",
                "DaysItem2",
                "Output"
            ]
        );
    }

    #[test]
    fn only_direct_recursion_is_boxed() {
        let m = module(json!({"type": "object", "properties": {
            "me": {"$ref": "#"},
            "us": {"type": "array", "items": {"$ref": "#"}},
            "map": {"type": "object", "additionalProperties": {"$ref": "#"}},
            "node": {"$ref": "#/$defs/node"}},
            "$defs": {"node": {"type": "object", "properties": {
                "next": {"$ref": "#/$defs/node"}, "root": {"$ref": "#"}}}}}));
        let types: Vec<Vec<&str>> = structs(&m)
            .iter()
            .map(|s| s.fields.iter().map(|f| f.ty.as_str()).collect())
            .collect();
        assert_eq!(
            types,
            [
                vec![
                    "Option<Box<Input>>",
                    "Option<Vec<Input>>",
                    "Option<std::collections::BTreeMap<String, Input>>",
                    "Option<Node>"
                ],
                vec!["Option<Box<Node>>", "Option<Box<Input>>"],
            ]
        );
    }

    #[test]
    fn additional_properties_decide_unknown_fields() {
        let attrs = |schema: Value| structs(&module(schema))[0].attrs.clone();
        let props = json!({"a": {"type": "string"}});
        assert_eq!(
            attrs(json!({"type": "object", "properties": props, "additionalProperties": false})),
            ["#[serde(deny_unknown_fields)]"]
        );
        // patternProperties admit properties that additionalProperties: false does not.
        assert!(
            attrs(
                json!({"type": "object", "properties": props, "additionalProperties": false,
            "patternProperties": {"^x": {}}})
            )
            .is_empty()
        );
        let m = module(
            json!({"type": "object", "properties": props, "additionalProperties": {"type": "integer"}}),
        );
        let extra = structs(&m)[0].fields.last().unwrap().clone();
        assert_eq!(
            (
                extra.name.as_str(),
                extra.ty.as_str(),
                extra.attrs[0].trim()
            ),
            (
                "additional_properties",
                "std::collections::BTreeMap<String, i64>",
                "#[serde(flatten)]"
            )
        );
    }

    #[test]
    fn combinators_beside_an_object_base() {
        let base = json!({"a": {"type": "string"}, "b": {"type": "string"}});
        let narrowing = json!({"type": "object", "properties": base,
            "oneOf": [{"required": ["a"]}, {"required": ["b"]}]});
        assert_eq!(field(narrowing, true).0, "P");
        let widening =
            json!({"type": "object", "properties": base, "anyOf": [{"properties": {"c": {}}}]});
        assert_eq!(field(widening, true).0, "serde_json::Value");
        let by_ref =
            json!({"type": "object", "properties": base, "allOf": [{"$ref": "#/$defs/o"}]});
        assert_eq!(field(by_ref, true).0, "serde_json::Value");
        // A branch requiring a property whose presence the struct changes: dropped when undeclared, skipped when
        // an optional null, filled in when it has a default.
        for (name, property) in [
            ("c", json!({"type": "string"})),
            ("a", json!({"type": ["string", "null"]})),
            ("a", json!({"$ref": "#/$defs/maybe"})),
            ("a", json!({"type": "string", "default": "x"})),
        ] {
            let schema = json!({"type": "object", "properties": {"a": property, "b": {}},
                "oneOf": [{"required": [name]}, {"required": ["b"]}]});
            assert_eq!(
                field(schema.clone(), true).0,
                "serde_json::Value",
                "{schema}"
            );
        }
        let required_null = json!({"type": "object", "required": ["a"],
            "properties": {"a": {"type": ["string", "null"]}}, "oneOf": [{"required": ["a"]}]});
        assert_eq!(field(required_null, true).0, "P");
    }

    #[test]
    fn layout_follows_rustfmt() {
        // Widths are counted one level in (MAX_WIDTH is 96): render() indents every line.
        let long = Ty::Generic("Option", vec![Ty::path(&"X".repeat(76))]);
        assert_eq!(
            layout_decl("    ", "pub a:", &long, ","),
            format!("    pub a: Option<{}>,", "X".repeat(76))
        );
        assert_eq!(
            layout_decl("    ", &format!("pub {}:", "a".repeat(20)), &long, ","),
            format!(
                "    pub {}:\n        Option<{}>,",
                "a".repeat(20),
                "X".repeat(76)
            )
        );
        let nested = Ty::Generic(
            "Option",
            vec![Ty::Generic("Vec", vec![Ty::path(&"Y".repeat(83))])],
        );
        assert_eq!(
            layout_decl("    ", "pub a:", &nested, ","),
            format!(
                "    pub a: Option<\n        Vec<\n            {}\n        >,\n    >,",
                "Y".repeat(83) + ","
            )
        );
        let unbreakable = Ty::path(&"Z".repeat(120));
        assert_eq!(
            layout_decl("", "pub type A =", &unbreakable, ";"),
            format!("pub type A = {};", "Z".repeat(120))
        );
        assert_eq!(
            layout_attr("", "serde", "rename = \"x\""),
            "#[serde(rename = \"x\")]"
        );
        let long_attr = format!("rename = \"{}\"", "w".repeat(100));
        assert_eq!(
            layout_attr("    ", "serde", &long_attr),
            format!("    #[serde(\n        {long_attr}\n    )]")
        );
    }

    #[test]
    fn complexity_scores_like_clippy() {
        assert_eq!(Ty::path("String").complexity(1), 10);
        // Option 10 + Vec 20 + BTreeMap 30 + (String 40 + Value 40)
        let ty = Ty::Generic(
            "Option",
            vec![Ty::Generic(
                "Vec",
                vec![Ty::Generic(
                    "std::collections::BTreeMap",
                    vec![Ty::path("String"), Ty::value()],
                )],
            )],
        );
        assert_eq!(ty.complexity(1), 140);
    }

    #[test]
    fn pointers_resolve_with_escapes() {
        let m = module(json!({"type": "object", "properties": {
            "a": {"$ref": "#/$defs/with~1slash"},
            "b": {"$ref": "#/$defs/with%20space"},
            "c": {"$ref": "#/$defs/tilde~0"},
            "d": {"$ref": "#/properties/a"}},
            "$defs": {"with/slash": {"type": "integer"}, "with space": {"type": "boolean"},
                "tilde~": {"type": "string"}}}));
        let types: Vec<&str> = structs(&m)[0]
            .fields
            .iter()
            .map(|f| f.ty.as_str())
            .collect();
        assert_eq!(
            types,
            [
                "Option<i64>",
                "Option<bool>",
                "Option<String>",
                "Option<i64>"
            ]
        );
    }

    #[test]
    fn deep_nesting_stops_at_a_value_rustc_can_compile() {
        let mut schema = json!({"type": "object", "properties": {"leaf": {"type": "string"}}});
        for _ in 0..40 {
            schema = json!({"type": "object", "properties": {"child": schema}});
        }
        let m = module(schema);
        let structs = structs(&m);
        // One struct per nesting level up to the cap, then the rest of the tree as one `serde_json::Value`.
        assert_eq!(structs.len(), MAX_POINTER_DEPTH / 2 + 1);
        assert!(render(&m).contains("Option<serde_json::Value>"));
    }
}
