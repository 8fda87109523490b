//! Rendering: the view model through the embedded Tera templates, then rustfmt, into a [`Plan`]. Reads and writes
//! nothing.

use std::sync::LazyLock;

use tera::{Context, Tera};

use super::cargo_toml::{self, RuntimeSource};
use super::deploy::{self, Deploy};
use super::lower::LowerError;
use super::plan::{DuplicatePath, Owner, Plan};
pub use super::rustfmt::Format;
use super::rustfmt::{PIECE_BYTES, RustfmtError, rustfmt_all, without_part_marks};
use super::snapshot::CrateSnapshot;
use super::vendor;
use super::view::CrateView;
use crate::pipeline::LoadedSpec;

/// Templates, embedded in the binary. Names are paths under `templates/`.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates![
    "generated/mod.rs.tera",
    "generated/server.rs.tera",
    "generated/tools.rs.tera",
    "generated/resources.rs.tera",
    "generated/templates.rs.tera",
    "generated/prompts.rs.tera",
    "crate/README.md.tera",
    "crate/gitignore.tera",
    "crate/Dockerfile.tera",
    "crate/dockerignore.tera",
    "crate/deploy/nginx.conf.tera",
    "crate/main.rs.tera",
    "crate/state.rs.tera",
    "crate/completions.rs.tera",
    "crate/tool.rs.tera",
    "crate/resource.rs.tera",
    "crate/template.rs.tera",
    "crate/prompt.rs.tera",
];

static TERA: LazyLock<Tera> = LazyLock::new(|| {
    let mut tera = Tera::default();
    tera.autoescape_on(Vec::new());
    tera.add_raw_templates(TEMPLATES.iter().copied())
        .expect("embedded templates parse (covered by tests)");
    tera
});

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Lower(#[from] LowerError),
    #[error("rendering {template}: {source}")]
    Template {
        template: &'static str,
        source: tera::Error,
    },
    #[error("`file:` resource {0} was not loaded with the spec")]
    Asset(String),
    #[error(transparent)]
    Duplicate(#[from] DuplicatePath),
    #[error(transparent)]
    Rustfmt(#[from] RustfmtError),
}

/// The parts of `generated/tools.rs` that need no rustfmt: its header comment, and each tool's module that lowering
/// laid out ([`super::view::ToolView::laid_out`]). Checked against rustfmt on random tools by
/// `tool_modules_said_to_be_formatted_are_what_rustfmt_makes`.
fn tools_laid_out(tools: &[super::view::ToolView]) -> impl Fn(&str, usize) -> bool + Sync + '_ {
    |path, index| {
        path == "src/generated/tools.rs"
            && index
                .checked_sub(1)
                .is_none_or(|tool| tools.get(tool).is_some_and(|t| t.laid_out))
    }
}

fn render_one(name: &'static str, ctx: &Context) -> Result<String, RenderError> {
    TERA.render(name, ctx)
        .map_err(|source| RenderError::Template {
            template: name,
            source,
        })
}

/// Renders the whole crate for `loaded`, lowered to `view`, as it should be at the crate `snapshot` holds. Reads
/// nothing from disk: the snapshot tells which user files exist (those are never formatted, as they are never
/// written), the spec carries its `file:` resources.
pub fn render_crate(
    loaded: &LoadedSpec,
    view: &CrateView,
    snapshot: &CrateSnapshot,
    format: Format,
    runtime: RuntimeSource,
) -> Result<Plan, RenderError> {
    let mut ctx = Context::from_serialize(view).expect("the view model serialises");
    ctx.insert("rmcp_version", cargo_toml::RMCP_VERSION);

    let snippets = crate::clientconfig::crate_snippets(&loaded.spec);
    let claude = snippets
        .iter()
        .find(|(file, _)| file.starts_with("claude-desktop.stdio."))
        .or_else(|| {
            snippets
                .iter()
                .find(|(file, _)| file.starts_with("claude-desktop."))
        })
        .map(|(_, content)| content.trim_end().to_owned())
        .unwrap_or_default();
    ctx.insert("claude_desktop_snippet", &claude);

    let mut plan = Plan::default();

    let mut generated_files: Vec<(String, String, Owner)> = Vec::new();
    for (file, template) in [
        ("mod.rs", "generated/mod.rs.tera"),
        ("server.rs", "generated/server.rs.tera"),
        ("tools.rs", "generated/tools.rs.tera"),
        ("resources.rs", "generated/resources.rs.tera"),
        ("templates.rs", "generated/templates.rs.tera"),
        ("prompts.rs", "generated/prompts.rs.tera"),
    ] {
        // The templates start with the header line themselves, so they read as complete files.
        generated_files.push((
            format!("src/generated/{file}"),
            render_one(template, &ctx)?,
            Owner::Generated,
        ));
    }
    let laid_out = tools_laid_out(&view.tools);
    let format_files = |files: Vec<(String, String, Owner)>| match format {
        Format::Rustfmt => rustfmt_all(files, &laid_out),
        Format::AsRendered => Ok(files
            .into_iter()
            .map(|(path, source, owner)| (path, without_part_marks(&source), owner))
            .collect()),
    };
    std::thread::scope(|scope| -> Result<(), RenderError> {
        // Big generated modules are formatted on another core while the user's files render (at 1,000 tools
        // `generated/server.rs` alone keeps one rustfmt busy for ~30 ms); small ones share the user's batches, as
        // every rustfmt process costs ~10 ms to start.
        let big = generated_files.iter().map(|f| f.1.len()).sum::<usize>() > PIECE_BYTES;
        let (early, mut files) = if big {
            (
                Some(scope.spawn(|| format_files(generated_files))),
                Vec::new(),
            )
        } else {
            (None, generated_files)
        };
        let user_files = render_user_files(view, &mut ctx, snapshot)?;
        files.extend(user_files.to_format);
        let mut formatted = format_files(files)?;
        if let Some(early) = early {
            formatted.extend(early.join().expect("formatting does not panic")?);
        }
        for (path, source, owner) in formatted.into_iter().chain(user_files.as_rendered) {
            plan.add(path, source, owner)?;
        }
        Ok(())
    })?;
    // The vendored runtime is kept rustfmt-clean in runtime/ (`cargo fmt --all --check`), so it skips the formatter.
    if runtime == RuntimeSource::Vendored {
        for (path, source) in vendor::files() {
            plan.add(path, source, Owner::Generated)?;
        }
    }

    plan.add("Cargo.toml", cargo_toml::render(view, runtime), Owner::User)?;
    plan.add(
        ".gitignore",
        render_one("crate/gitignore.tera", &ctx)?,
        Owner::User,
    )?;
    // Containers serve over the network: only servers with an HTTP transport get a Dockerfile. The README speaks of
    // the container and deployment files only where the crate keeps them (`.mcpgenignore` may leave them out).
    let docker = view
        .transports
        .http
        .as_ref()
        .map(|h| ("streamable-http", h.port))
        .or_else(|| view.transports.sse.as_ref().map(|s| ("sse", s.port)));
    let keeps = |path: &str| !snapshot.is_ignored(path);
    ctx.insert("has_dockerfile", &(docker.is_some() && keeps("Dockerfile")));
    if let Some((transport, port)) = docker {
        ctx.insert("docker_transport", transport);
        ctx.insert("docker_port", &port);
        plan.add(
            "Dockerfile",
            render_one("crate/Dockerfile.tera", &ctx)?,
            Owner::User,
        )?;
        plan.add(
            ".dockerignore",
            render_one("crate/dockerignore.tera", &ctx)?,
            Owner::User,
        )?;
    }
    let deploy = Deploy::of(&loaded.spec, &view.server.env_prefix);
    ctx.insert(
        "has_deploy",
        &(deploy.is_some() && keeps("deploy/compose.yaml")),
    );
    if let Some(deploy) = deploy {
        ctx.insert("deploy_scales_out", &deploy.scales_out());
        ctx.insert("deploy_session_store", &deploy.http.session_store.is_some());
        ctx.insert("deploy_app_host", deploy::APP_SERVICE);
        ctx.insert(
            "deploy_upstream_keepalive_ms",
            &deploy.upstream_keepalive_ms(),
        );
        plan.add(
            "deploy/nginx.conf",
            render_one("crate/deploy/nginx.conf.tera", &ctx)?,
            Owner::User,
        )?;
        plan.add("deploy/compose.yaml", deploy.compose(), Owner::User)?;
        for (file, content) in deploy.kubernetes() {
            plan.add(format!("deploy/k8s/{file}"), content, Owner::User)?;
        }
    }
    if let Some(template) = super::sam::render(view) {
        plan.add("template.yaml", template, Owner::User)?;
    }
    plan.add(
        "README.md",
        render_one("crate/README.md.tera", &ctx)?,
        Owner::Generated,
    )?;
    for (file, content) in snippets {
        plan.add(format!("mcp-config/{file}"), content, Owner::Generated)?;
    }
    for asset in &view.assets {
        let bytes = loaded
            .assets
            .get(&asset.source)
            .ok_or_else(|| RenderError::Asset(asset.source.clone()))?;
        plan.add(
            format!("src/generated/assets/{}", asset.file_name),
            bytes.clone(),
            Owner::Generated,
        )?;
    }
    Ok(plan)
}

/// The Rust files the user owns, rendered: those to format, and those kept as rendered (stubs already in rustfmt's
/// layout, and files that exist already, which are never written again).
struct UserFiles {
    to_format: Vec<(String, String, Owner)>,
    as_rendered: Vec<(String, String, Owner)>,
}

fn render_user_files(
    view: &CrateView,
    ctx: &mut Context,
    snapshot: &CrateSnapshot,
) -> Result<UserFiles, RenderError> {
    let mut rust_files: Vec<(String, String, Owner)> = Vec::new();
    rust_files.push((
        "src/main.rs".into(),
        render_one("crate/main.rs.tera", ctx)?,
        Owner::User,
    ));
    rust_files.push((
        "src/state.rs".into(),
        render_one("crate/state.rs.tera", ctx)?,
        Owner::User,
    ));
    if view.completion_hook {
        rust_files.push((
            "src/completions.rs".into(),
            render_one("crate/completions.rs.tera", ctx)?,
            Owner::User,
        ));
    }
    // Stubs already in rustfmt's layout skip the formatter (`mcpgen new` on a spec of 1,000 tools: most of it).
    let mut preformatted: Vec<(String, String, Owner)> = Vec::new();
    let mut per_item = |file: &str,
                        template: &'static str,
                        item: &dyn erased::Item,
                        is_formatted: bool|
     -> Result<(), RenderError> {
        ctx.insert("item", &item.value());
        let rendered = (
            format!("src/{file}"),
            render_one(template, ctx)?,
            Owner::User,
        );
        if is_formatted {
            preformatted.push(rendered);
        } else {
            rust_files.push(rendered);
        }
        Ok(())
    };
    for t in view.tools.iter().filter(|t| t.implementation.is_none()) {
        per_item(
            &t.item.file,
            "crate/tool.rs.tera",
            t,
            tool_stub_is_formatted(t),
        )?;
    }
    for r in view.resources.iter().filter(|r| r.handler) {
        per_item(&r.item.file, "crate/resource.rs.tera", r, false)?;
    }
    for t in view.templates.iter().filter(|t| t.handler) {
        per_item(&t.item.file, "crate/template.rs.tera", t, false)?;
    }
    for p in view.prompts.iter().filter(|p| !p.messages) {
        per_item(&p.item.file, "crate/prompt.rs.tera", p, false)?;
    }
    // A user file that already exists is never written again, so formatting its stub would be wasted: on
    // regeneration that is every handler stub, most of the formatting work.
    let (to_format, kept): (Vec<_>, Vec<_>) = rust_files
        .into_iter()
        .partition(|(path, _, _)| !snapshot.exists(path));
    Ok(UserFiles {
        to_format,
        as_rendered: kept.into_iter().chain(preformatted).collect(),
    })
}

/// Whether the stub `templates/crate/tool.rs.tera` renders for this tool is exactly what rustfmt would make of
/// it. The template is written in rustfmt's layout; only a long name changes that, through the two code lines
/// holding it: `use crate::generated::tools::<module>::{Input, Output};` (one line up to 100 columns) and
/// `Err(ToolError::not_implemented("<name>"))`, whose argument rustfmt keeps on the line up to 60 columns
/// (`fn_call_width`). Comments are never re-wrapped. Checked against rustfmt for names of every length by
/// `tool_stubs_said_to_be_formatted_are_what_rustfmt_makes`.
fn tool_stub_is_formatted(tool: &super::view::ToolView) -> bool {
    "ToolError::not_implemented()".len() + tool.name_lit.len() <= 60
        && "use crate::generated::tools::::{Input, Output};".len() + tool.item.module.len() <= 100
}

/// Per-item views are different types; templates only need them as JSON.
mod erased {
    pub trait Item {
        fn value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Item for T {
        fn value(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("view models serialise")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lower::lower;
    use super::super::rustfmt::{declares_module_file, rustfmt};
    use super::*;
    use std::path::Path;

    /// Renders a new crate (nothing on disk yet) for `loaded`.
    fn render_in(loaded: &LoadedSpec, format: Format) -> Plan {
        let view = lower(&loaded.spec, "t.yaml").unwrap();
        let empty = CrateSnapshot::from_files(Path::new("t"), Default::default()).unwrap();
        render_crate(loaded, &view, &empty, format, RuntimeSource::Registry).unwrap()
    }

    #[test]
    fn module_files_are_found_in_every_spelling() {
        for (source, declares) in [
            ("mod tools;\n", true),
            ("pub mod generated;\n", true),
            ("pub(crate) mod runtime;\n", true),
            ("  #[path = \"x.rs\"]\n  pub(in crate::a) mod x ;\n", true),
            ("mod tests {\n}\n", false),
            ("mod tests {}\n", false),
            ("// a comment about a mod\nfn f() {}\n", false),
            ("use crate::generated::tools;\n", false),
        ] {
            assert_eq!(declares_module_file(source), declares, "{source:?}");
        }
    }

    fn files(sources: &[(&str, &str)]) -> Vec<(String, String, Owner)> {
        sources
            .iter()
            .map(|(path, source)| ((*path).to_owned(), (*source).to_owned(), Owner::User))
            .collect()
    }

    #[test]
    fn batched_and_single_files_format_like_rustfmt_alone() {
        if Format::detect() != Format::Rustfmt {
            return; // Nothing to compare with; `Format::AsRendered` is covered by the examples test.
        }
        // Enough stub-like files for every worker to get a batch, plus two that declare modules.
        let mut sources: Vec<(String, String)> = (0..9)
            .map(|i| {
                (
                    format!("src/tools/t{i}.rs"),
                    format!("use  std::fmt;\npub fn t{i}( a:u8 )->u8{{a+{i}}}\n"),
                )
            })
            .collect();
        sources.push(("src/main.rs".into(), "mod tools;\nfn main(){ }\n".into()));
        sources.push(("src/lib.rs".into(), "pub  mod a;\n".into()));
        let input: Vec<(&str, &str)> = sources
            .iter()
            .map(|(p, s)| (p.as_str(), s.as_str()))
            .collect();
        let out = rustfmt_all(files(&input), &|_, _| false).unwrap();
        assert_eq!(out.len(), sources.len());
        for ((path, formatted, _), (expected_path, source)) in out.iter().zip(&sources) {
            assert_eq!(path, expected_path, "order kept");
            let scratch = tempfile::tempdir().unwrap();
            let alone = rustfmt(scratch.path(), path, source.clone()).unwrap();
            assert_eq!(formatted, &alone, "{path}");
            assert_ne!(formatted, source, "{path} was formatted");
        }
    }

    #[test]
    fn tool_stubs_said_to_be_formatted_are_what_rustfmt_makes() {
        if Format::detect() != Format::Rustfmt {
            return;
        }
        // Names of every length around both limits, some cursed, in the four shapes of a stub.
        let mut names: Vec<String> = (1..=64)
            .map(|n| format!("t{}", "x".repeat(n - 1)))
            .collect();
        names.extend(["self", "type", "1st-tool", "a.b-c", "Crate"].map(String::from));
        names.push("n".repeat(128));
        let mut yaml =
            String::from("mcpgen: 1\nserver: {name: t}\ntransports: {stdio: {}}\ntools:\n");
        for (i, name) in names.iter().enumerate() {
            yaml += &format!("  - name: {name}\n    description: d\n");
            if i % 2 == 0 {
                yaml += "    inputSchema: {type: object, properties: {a: {type: integer}}}\n";
            }
            if i % 4 < 2 {
                yaml += "    outputSchema: {type: object, properties: {b: {type: string}}}\n";
            }
        }
        let loaded = crate::pipeline::load_spec_str(Path::new("t.yaml"), &yaml).unwrap();
        let view = lower(&loaded.spec, "t.yaml").unwrap();
        let plan = render_in(&loaded, Format::AsRendered);
        let scratch = tempfile::tempdir().unwrap();
        let (mut skipped, mut formatted) = (0, 0);
        for tool in &view.tools {
            let path = format!("src/{}", tool.item.file);
            let rendered = String::from_utf8(plan.get(&path).unwrap().contents.clone()).unwrap();
            let by_rustfmt = rustfmt(scratch.path(), &path, rendered.clone()).unwrap();
            if tool_stub_is_formatted(tool) {
                skipped += 1;
                assert_eq!(
                    rendered, by_rustfmt,
                    "{}: said to be formatted",
                    tool.item.label
                );
            } else {
                formatted += 1;
                // A tool that goes through rustfmt must need it, else the rule is looser than it could be.
                assert_ne!(
                    rendered, by_rustfmt,
                    "{}: formatted for nothing",
                    tool.item.label
                );
            }
        }
        assert!(
            skipped > 20 && formatted > 20,
            "{skipped} skipped, {formatted} formatted"
        );
    }

    #[test]
    fn part_marks_vanish_leaving_a_blank_line() {
        let source = "head\n// @mcpgen:part\naaaaaaaaaa\n// @mcpgen:part\nbbbbbbbbbb\n";
        assert_eq!(without_part_marks(source), "head\naaaaaaaaaa\nbbbbbbbbbb\n");
        assert_eq!(without_part_marks("no marks"), "no marks\n");
    }

    /// A big `generated/tools.rs` whose modules all need rustfmt is formatted in pieces; joined, they are what rustfmt
    /// makes of the whole.
    #[test]
    fn a_big_file_formatted_in_pieces_is_what_rustfmt_makes_of_it_whole() {
        if Format::detect() != Format::Rustfmt {
            return;
        }
        let mut yaml =
            String::from("mcpgen: 1\nserver: {name: t}\ntransports: {stdio: {}}\ntools:\n");
        for i in 0..240 {
            let name = ["add", "self", "1st-tool", "a.b-c", "n"][i % 5];
            let description = "A description long enough. ".repeat(i % 4 + 1);
            yaml += &format!("  - name: {name}_{i}\n    description: '{description}{i}'\n");
            yaml += "    inputSchema: {type: object, properties: {a: {type: integer, description: 'First.'}, \
                     text: {type: string, enum: [x, y]}}, required: [a]}\n";
            // A declarative tool's `IMPLEMENTATION` comes out on one line, so every module goes through rustfmt and
            // is changed.
            yaml += "    implementation: {command: {program: echo, args: ['{a}']}}\n";
            if i % 3 == 0 {
                yaml += "    outputSchema: {type: object, properties: {b: {type: array, items: {type: string}}}}\n";
            }
        }
        let loaded = crate::pipeline::load_spec_str(Path::new("t.yaml"), &yaml).unwrap();
        let tools = |format| {
            let plan = render_in(&loaded, format);
            String::from_utf8(plan.get("src/generated/tools.rs").unwrap().contents.clone()).unwrap()
        };
        let rendered = tools(Format::AsRendered);
        assert!(rendered.len() > PIECE_BYTES, "big enough to be cut");
        assert!(!rendered.contains("@mcpgen:part"));
        let scratch = tempfile::tempdir().unwrap();
        let whole = rustfmt(scratch.path(), "tools.rs", rendered.clone()).unwrap();
        assert_ne!(
            whole, rendered,
            "the check needs rustfmt to change something"
        );
        assert_eq!(tools(Format::Rustfmt), whole);
    }

    /// A small deterministic generator (xorshift64*) for the random tools below.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
        /// Text of about `max` chars at most, from words that exercise escaping; ASCII unless `wide`.
        fn text(&mut self, max: usize, wide: bool) -> String {
            let mut words = vec![
                "lorem",
                "ipsum",
                "x",
                "\"quoted\"",
                "back\\slash",
                "r#\"raw\"#",
                "{braces}",
                "tab\there",
                "new\nline",
                "`code`",
                "#",
                "a-very-long-word-without-any-break-in-it",
            ];
            if wide {
                words.extend(["café", "日本語", "🚀", "naïve"]);
            }
            let len = self.below(max + 1);
            let mut out = String::new();
            while out.chars().count() < len {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(self.pick(&words));
            }
            out
        }
        fn name(&mut self, what: &str, i: usize) -> String {
            let long = "n".repeat(1 + self.below(110));
            let stem = self.pick(&[
                "add",
                "self",
                "type",
                "1st",
                "a.b-c",
                "Crate",
                "get_forecast",
                &long,
            ]);
            format!("{stem}_{what}{i}")
        }
        fn property(&mut self, depth: usize, wide: bool) -> serde_json::Value {
            use serde_json::json;
            let mut schema = match self.below(if depth < 2 { 9 } else { 7 }) {
                0 => json!({"type": "integer"}),
                1 => json!({"type": "number"}),
                2 => json!({"type": "boolean"}),
                3 => json!({"type": "string"}),
                4 => {
                    let mut values: Vec<String> = (0..1 + self.below(4))
                        .map(|v| format!("{}{v}", self.text(70, wide)))
                        .collect();
                    values.dedup();
                    json!({"type": "string", "enum": values})
                }
                5 => json!({"type": ["string", "null"]}),
                6 => json!({"type": "array", "items": {"type": self.pick(&["string", "integer"])}}),
                7 => json!({"type": "array", "items": self.object(depth + 1, wide)}),
                _ => self.object(depth + 1, wide),
            };
            if self.chance(30) {
                let default = match schema["type"].as_str() {
                    Some("integer") => json!(self.next() as i64 / 3),
                    Some("number") => json!(self.below(10_000) as f64 / 7.0),
                    Some("boolean") => json!(self.chance(50)),
                    Some("string") => match schema.get("enum") {
                        Some(values) => values[0].clone(),
                        None => json!(self.text(120, wide)),
                    },
                    _ => serde_json::Value::Null,
                };
                if !default.is_null() {
                    schema["default"] = default;
                }
            }
            if self.chance(40) {
                schema["description"] = json!(self.text(150, wide));
            }
            if self.chance(15) {
                schema["title"] = json!(self.text(60, wide));
            }
            schema
        }
        fn object(&mut self, depth: usize, wide: bool) -> serde_json::Value {
            let mut properties = serde_json::Map::new();
            let mut required = Vec::new();
            for p in 0..self.below(6) {
                let long = "p".repeat(1 + self.below(90));
                let stem =
                    self.pick(&["a", "type", "self", "a-b", "with space", "1st", "Ab", &long]);
                let name = format!("{stem}{p}");
                if self.chance(40) {
                    required.push(name.clone());
                }
                properties.insert(name, self.property(depth, wide));
            }
            let mut schema = serde_json::json!({"type": "object", "properties": properties});
            if !required.is_empty() {
                schema["required"] = required.into();
            }
            match self.below(6) {
                0 => schema["additionalProperties"] = false.into(),
                1 => schema["additionalProperties"] = serde_json::json!({"type": "integer"}),
                _ => {}
            }
            schema
        }
        fn tool(&mut self, i: usize) -> serde_json::Value {
            use serde_json::json;
            // Most tools in ASCII, which skip rustfmt; some with wider characters, which go through it.
            let wide = self.chance(15);
            let mut tool = json!({"name": self.name("t", i), "description": self.text(300, wide)});
            if self.chance(70) {
                tool["inputSchema"] = self.object(0, wide);
            }
            if self.chance(40) {
                tool["outputSchema"] = self.object(0, wide);
            }
            if self.chance(20) {
                tool["title"] = json!(self.text(80, wide));
            }
            if self.chance(20) {
                tool["annotations"] = json!({"title": self.text(60, wide), "readOnlyHint": true});
            }
            if self.chance(10) {
                tool["icons"] =
                    json!([{"src": "https://example.com/icon.png", "mimeType": "image/png"}]);
            }
            if self.chance(10) {
                tool["_meta"] = json!({"note": self.text(100, wide)});
            }
            tool
        }
    }

    /// Random tools, names and text around every width limit: the modules said to be formatted, kept as rendered, and
    /// the others, formatted, make exactly what rustfmt makes of the whole file.
    #[test]
    fn tool_modules_said_to_be_formatted_are_what_rustfmt_makes() {
        if Format::detect() != Format::Rustfmt {
            return;
        }
        let scratch = tempfile::tempdir().unwrap();
        let (mut skipped, mut formatted) = (0, 0);
        for seed in 1..=6u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let tools: Vec<serde_json::Value> = (0..150).map(|i| rng.tool(i)).collect();
            let spec = serde_json::json!({"mcpgen": 1, "server": {"name": "t"},
                "transports": {"stdio": {}}, "tools": tools});
            // JSON is YAML.
            let yaml = serde_json::to_string_pretty(&spec).unwrap();
            let loaded = match crate::pipeline::load_spec_str(Path::new("t.yaml"), &yaml) {
                Ok(loaded) => loaded,
                Err(e) => panic!("seed {seed}: the random spec is invalid: {e:?}"),
            };
            let tools_rs = |format| {
                let plan = render_in(&loaded, format);
                String::from_utf8(plan.get("src/generated/tools.rs").unwrap().contents.clone())
                    .unwrap()
            };
            for tool in lower(&loaded.spec, "t.yaml").unwrap().tools {
                if tool.laid_out {
                    skipped += 1;
                } else {
                    formatted += 1;
                }
            }
            let rendered = tools_rs(Format::AsRendered);
            let whole = rustfmt(scratch.path(), "tools.rs", rendered).unwrap();
            let ours = tools_rs(Format::Rustfmt);
            if ours != whole {
                let (ours, whole): (Vec<&str>, Vec<&str>) =
                    (ours.lines().collect(), whole.lines().collect());
                let at = ours.iter().zip(&whole).take_while(|(a, b)| a == b).count();
                let show = |lines: &[&str]| {
                    format!(
                        "{:?}",
                        &lines[at.saturating_sub(8).min(lines.len())..(at + 4).min(lines.len())]
                    )
                };
                panic!(
                    "seed {seed}, line {}:\n--- mcpgen:\n{}\n--- rustfmt:\n{}",
                    at + 1,
                    show(&ours),
                    show(&whole)
                );
            }
        }
        assert!(
            skipped > 400 && formatted > 100,
            "{skipped} modules skipped rustfmt, {formatted} went through it"
        );
    }

    #[test]
    fn a_file_rustfmt_rejects_is_named_even_inside_a_batch() {
        if Format::detect() != Format::Rustfmt {
            return;
        }
        let out = rustfmt_all(
            files(&[
                ("src/tools/good.rs", "fn  good(){}\n"),
                ("src/tools/bad.rs", "fn bad( {\n"),
                ("src/tools/also_good.rs", "fn also_good(){}\n"),
                ("src/tools/fine.rs", "fn fine(){}\n"),
            ]),
            &|_, _| false,
        );
        match out {
            Err(RustfmtError { path, .. }) => assert_eq!(path, "src/tools/bad.rs"),
            other => panic!("expected a rustfmt error naming bad.rs, got {other:?}"),
        }
    }
}
