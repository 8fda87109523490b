//! Declarative tools (`implementation:`) and regeneration: such a tool has no handler file; taking it over in Rust
//! is deleting its `implementation`, after which `mcpgen generate` creates the handler stub and keeps every other
//! file; giving it an implementation again leaves the user's handler on disk, reported as orphaned.

mod regen_support;

use regen_support::Crate;

const DECLARATIVE: &str = "mcpgen: 1
server:
  name: wrapper
tools:
  - name: ping
    description: Answers pong.
  - name: echo
    description: Prints its text.
    inputSchema:
      type: object
      properties:
        text: {type: string}
      required: [text]
    implementation:
      command:
        program: printf
        args: ['%s', '{text}']
transports:
  stdio: {}
";

const IMPLEMENTATION: &str = "    implementation:
      command:
        program: printf
        args: ['%s', '{text}']
";

/// A crate made from `spec`, checked to have a handler (its file under `src/<kind>s/` and its `mod <kind>_<name>;`)
/// for `handled` and none for `declarative`, whose definitions (`src/generated/<kind>s.rs`) hold each of
/// `definition`.
fn crate_with_one_handler(
    spec: &str,
    kind: &str,
    handled: &str,
    declarative: &str,
    definition: &[&str],
) -> Crate {
    let c = Crate::new(spec);
    let definitions = c.read(&format!("src/generated/{kind}s.rs"));
    for needle in definition {
        assert!(definitions.contains(needle), "{needle:?}:\n{definitions}");
    }
    assert!(c.dir.join(format!("src/{kind}s/{handled}.rs")).exists());
    assert!(!c.dir.join(format!("src/{kind}s/{declarative}.rs")).exists());
    let mod_rs = c.read("src/generated/mod.rs");
    assert!(
        mod_rs.contains(&format!("mod {kind}_{handled};"))
            && !mod_rs.contains(&format!("mod {kind}_{declarative};")),
        "{mod_rs}"
    );
    c
}

#[test]
fn a_declarative_tool_has_no_handler_until_taken_over() {
    let c = crate_with_one_handler(
        DECLARATIVE,
        "tool",
        "ping",
        "echo",
        &[
            "pub const IMPLEMENTATION: mcpgen_runtime::declarative::CommandDef",
            "program: \"printf\"",
        ],
    );
    let server = c.read("src/generated/server.rs");
    assert!(
        server.contains("echo => command(false),") || server.contains("echo => command(true),"),
        "{server}"
    );
    assert!(
        c.read("Cargo.toml")
            .contains("command-tools = [\"mcpgen-runtime/command-tools\"]")
    );

    let ping = "//! mine\npub async fn handle(ctx: crate::generated::prelude::Ctx) -> mcpgen_runtime::ToolResult { let _ = ctx; todo!() }\n";
    std::fs::write(c.dir.join("src/tools/ping.rs"), ping).unwrap();
    c.write_spec(&DECLARATIVE.replace(IMPLEMENTATION, ""));
    let out = c.mcpgen(&["generate"]);
    assert!(out.ok(), "{out}");
    assert!(out.stdout.contains("src/tools/echo.rs"), "{out}");
    let stub = c.read("src/tools/echo.rs");
    assert!(
        stub.contains("pub async fn handle(ctx: Ctx, input: Input)"),
        "{stub}"
    );
    assert!(c.read("src/generated/mod.rs").contains("mod tool_echo;"));
    assert!(
        c.read("src/generated/tools.rs")
            .contains("pub struct Input")
    );
    assert_eq!(c.read("src/tools/ping.rs"), ping, "other handlers are kept");

    // Declarative again: the handler the user may have written stays, no longer compiled, and is reported.
    c.write_spec(DECLARATIVE);
    let out = c.mcpgen(&["generate"]);
    assert!(out.ok(), "{out}");
    assert!(c.dir.join("src/tools/echo.rs").exists());
    assert!(!c.read("src/generated/mod.rs").contains("mod tool_echo;"));
    assert!(
        out.stdout.contains("orphan") || out.stderr.contains("orphan"),
        "{out}"
    );
}

/// A resource template with `implementation.http` has no handler file and no arm in `read_template` (which is
/// left out when no template has a handler); its definition points at its `IMPLEMENTATION` static.
#[test]
fn an_http_resource_template_has_no_handler() {
    let spec = "mcpgen: 1
server:
  name: wrapper
resourceTemplates:
  - uriTemplate: notes://{id}
    name: note
  - uriTemplate: items://{id}{?view}
    name: item
    implementation:
      http:
        baseUrl: https://api.example.com
        path: /items/{id}
        query: {view: '{view}'}
transports:
  stdio: {}
";
    let c = crate_with_one_handler(
        spec,
        "template",
        "note",
        "item",
        &[
            "pub static IMPLEMENTATION: mcpgen_runtime::declarative::HttpTool",
            "source: TemplateSource::Http(&IMPLEMENTATION)",
        ],
    );
    let templates = c.read("src/generated/templates.rs");
    assert_eq!(
        templates.matches("template_params!").count(),
        1,
        "{templates}"
    );
    let server = c.read("src/generated/server.rs");
    assert!(
        server.contains("note => super::template_note::read,")
            && server.contains("item,")
            && !server.contains("item =>"),
        "{server}"
    );
    assert!(
        c.read("Cargo.toml")
            .contains("http-tools = [\"mcpgen-runtime/http-tools\"]")
    );

    // Without a handler template, no template line names a handler.
    c.write_spec(&spec.replace("  - uriTemplate: notes://{id}\n    name: note\n", ""));
    let out = c.mcpgen(&["generate"]);
    assert!(out.ok(), "{out}");
    let server = c.read("src/generated/server.rs");
    assert!(
        server.contains("templates {") && !server.contains("=> super::template_"),
        "{server}"
    );
}

/// A resource with `implementation.file` has no handler file: its definition points at an `IMPLEMENTATION` that
/// names the path, read by the runtime on every read.
#[test]
fn a_file_resource_has_no_handler() {
    let spec = "mcpgen: 1
server:
  name: wrapper
resources:
  - uri: notes://all
    name: notes
  - uri: report://today
    name: report
    implementation:
      file: {path: reports/today.json, maxBytes: 4096}
transports:
  stdio: {}
";
    crate_with_one_handler(
        spec,
        "resource",
        "notes",
        "report",
        &[
            "pub static IMPLEMENTATION: mcpgen_runtime::declarative::FileDef",
            "path: \"reports/today.json\"",
            "max_bytes: 4096",
            "source: ResourceSource::Path(&IMPLEMENTATION)",
        ],
    );
}
