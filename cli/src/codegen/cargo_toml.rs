//! The generated crate's `Cargo.toml`, built with toml_edit rather than a template (config files are serialised,
//! never templated). The dependency versions generated crates use live here and nowhere else.

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value, value};

use super::view::CrateView;

/// The rmcp minor version every generated crate is built on.
pub const RMCP_VERSION: &str = "3.11";

/// The version of `mcpgen-runtime` a generated crate pins: always the generating mcpgen's own, so an upgrade of
/// mcpgen moves every crate it regenerates to the runtime it was tested with.
pub const RUNTIME_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The oldest Rust a generated crate builds with: the runtime's (a test checks they agree).
pub const RUST_VERSION: &str = "1.88";

/// Where a vendored copy of the runtime lives inside a generated crate.
pub const VENDOR_DIR: &str = "vendor/mcpgen-runtime";

/// Where a generated crate gets `mcpgen-runtime` from.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeSource {
    /// A copy under [`VENDOR_DIR`], written and kept in step by mcpgen (a path dependency with the pinned version):
    /// builds with nothing but mcpgen, while the runtime is not on crates.io.
    #[default]
    Vendored,
    /// crates.io, by the pinned version.
    Registry,
}

/// A dependency: name and its inline-table or version-string form.
pub struct Dep {
    pub name: &'static str,
    pub version: &'static str,
    pub path: Option<&'static str>,
    pub features: &'static [&'static str],
    pub no_default_features: bool,
    pub optional: bool,
}

const fn dep(name: &'static str, version: &'static str) -> Dep {
    Dep {
        name,
        version,
        path: None,
        features: &[],
        no_default_features: false,
        optional: false,
    }
}

/// The exact requirement on the runtime, `=X.Y.Z`.
pub const RUNTIME_REQUIREMENT: &str = concat!("=", env!("CARGO_PKG_VERSION"));

/// Dependencies every generated crate needs, in manifest order. The runtime brings the rest (HTTP, auth, schema
/// checks) behind its features; the others are what generated types and handlers use directly, at the versions
/// the runtime uses.
pub fn dependencies(runtime: RuntimeSource) -> Vec<Dep> {
    vec![
        Dep {
            path: (runtime == RuntimeSource::Vendored).then_some(VENDOR_DIR),
            no_default_features: true,
            ..dep("mcpgen-runtime", RUNTIME_REQUIREMENT)
        },
        Dep {
            features: &["server"],
            no_default_features: true,
            ..dep("rmcp", RMCP_VERSION)
        },
        Dep {
            features: &["rt-multi-thread", "macros", "signal", "sync", "time"],
            ..dep("tokio", "1")
        },
        Dep {
            features: &["derive"],
            ..dep("serde", "1")
        },
        // Without `preserve_order` by default: its IndexMap makes every JSON object rmcp parses or sends larger
        // and slower (BENCHMARKS.md: 9.5 MB more peak memory with 256 HTTP sessions, 13% fewer pipelined stdio
        // calls). The `preserve-order` feature below turns it on.
        dep("serde_json", "1"),
        dep("tracing", "0.1"),
    ]
}

/// What crates generated before the runtime crate existed (mcpgen 0.1.0, the runtime copied into
/// `src/generated/runtime/`) needed directly and the runtime brings now. `mcpgen generate` removes each one that is
/// still exactly as mcpgen wrote it; one the user changed (or uses with other features) stays theirs.
pub fn retired_dependencies() -> Vec<Dep> {
    let optional = |d: Dep| Dep {
        optional: true,
        ..d
    };
    let bare = |d: Dep| Dep {
        no_default_features: true,
        ..d
    };
    vec![
        optional(bare(dep("jsonschema", "0.60"))),
        Dep {
            features: &["env-filter", "json"],
            ..dep("tracing-subscriber", "0.3")
        },
        Dep {
            features: &["derive", "env"],
            ..dep("clap", "4")
        },
        dep("futures", "0.3"),
        dep("base64", "0.22"),
        dep("http", "1"),
        dep("tokio-util", "0.7"),
        optional(bare(Dep {
            features: &["http1", "tokio"],
            ..dep("axum", "0.8")
        })),
        optional(bare(Dep {
            features: &["aws_lc_rs"],
            ..dep("jsonwebtoken", "11")
        })),
        optional(bare(Dep {
            features: &["rustls"],
            ..dep("reqwest", "0.13")
        })),
        optional(dep("async-trait", "0.1")),
        optional(Dep {
            features: &["v4"],
            ..dep("uuid", "1")
        }),
        optional(bare(dep("mimalloc", "0.1"))),
    ]
}

/// The dev-dependency of the copied runtime's tests, retired the same way.
pub fn retired_dev_dependencies() -> Vec<Dep> {
    vec![Dep {
        features: &["util"],
        ..dep("tower", "0.5")
    }]
}

/// The feature entries mcpgen 0.1.0 wrote into its features besides `dep:` ones (which go with their dependency).
pub const RETIRED_FEATURE_ENTRIES: &[&str] = &[
    "rmcp/transport-io",
    "rmcp/transport-streamable-http-server",
    "tokio/net",
    "tokio/io-util",
    "serde_json/preserve_order",
];

pub fn dep_item(d: &Dep) -> Item {
    if d.features.is_empty() && !d.no_default_features && !d.optional && d.path.is_none() {
        return value(d.version);
    }
    let mut t = InlineTable::new();
    t.insert("version", d.version.into());
    if let Some(path) = d.path {
        t.insert("path", path.into());
    }
    if d.no_default_features {
        t.insert("default-features", false.into());
    }
    if !d.features.is_empty() {
        t.insert(
            "features",
            Value::Array(d.features.iter().copied().collect()),
        );
    }
    if d.optional {
        t.insert("optional", true.into());
    }
    Item::Value(Value::InlineTable(t))
}

/// Features that are the user's choice, never the spec's: `mcpgen generate` leaves them in or out of `default`.
pub const USER_SWITCHES: &[&str] = &["preserve-order", "mimalloc"];

/// Cargo features: one per transport, enabling only the dependencies that transport needs.
pub fn features(view: &CrateView) -> Vec<(&'static str, Vec<&'static str>)> {
    // Each feature is the runtime's namesake: the runtime owns the dependencies behind it.
    let mut out: Vec<(&'static str, Vec<&'static str>)> = vec![
        ("stdio", vec!["mcpgen-runtime/stdio"]),
        ("streamable-http", vec!["mcpgen-runtime/streamable-http"]),
        ("sse", vec!["mcpgen-runtime/sse"]),
        // AWS Lambda (`cargo lambda build`): on by default only when the spec declares it.
        ("lambda", vec!["mcpgen-runtime/lambda"]),
        // Enabled by default only when the spec keeps sessions in Redis (`sessionStore`).
        ("redis", vec!["mcpgen-runtime/redis"]),
        // Enabled by default only when the spec serves `/metrics`.
        ("metrics", vec!["mcpgen-runtime/metrics"]),
        // Enabled by default only when the spec configures OAuth.
        ("oauth", vec!["mcpgen-runtime/oauth"]),
        // Off by default: serve schemas and results with the spec's key order instead of sorted keys.
        ("preserve-order", vec!["mcpgen-runtime/preserve-order"]),
        // Enabled by default only when a tool schema needs more than the runtime's keyword subset.
        ("full-json-schema", vec!["mcpgen-runtime/full-json-schema"]),
        // Off by default: mimalloc as the global allocator, for servers that trade memory for throughput.
        ("mimalloc", vec!["mcpgen-runtime/mimalloc"]),
    ];
    let mut defaults: Vec<&'static str> = view
        .transports
        .features
        .iter()
        .filter_map(|f| {
            out.iter()
                .find(|(name, _)| name == f)
                .map(|(name, _)| *name)
        })
        .collect();
    if let Some(http) = &view.transports.http {
        if http.session_store {
            defaults.push("redis");
        }
        if http.metrics {
            defaults.push("metrics");
        }
    }
    if view.auth.oauth {
        defaults.push("oauth");
    }
    if view.full_json_schema {
        defaults.push("full-json-schema");
    }
    // Only crates with declarative tools get these features (a regeneration keeps them once added).
    for (used, name, enables) in [
        (
            view.command_tools,
            "command-tools",
            "mcpgen-runtime/command-tools",
        ),
        (view.http_tools, "http-tools", "mcpgen-runtime/http-tools"),
    ] {
        if used {
            out.push((name, vec![enables]));
            defaults.push(name);
        }
    }
    out.insert(0, ("default", defaults));
    out
}

/// The initial manifest of a new crate.
pub fn render(view: &CrateView, runtime: RuntimeSource) -> String {
    let mut doc = DocumentMut::new();
    let mut package = Table::new();
    package.insert("name", value(&view.server.name));
    package.insert("version", value(&view.server.version));
    package.insert("edition", value("2024"));
    package.insert("rust-version", value(RUST_VERSION));
    if !view.server.description_text.is_empty() {
        package.insert("description", value(&view.server.description_text));
    }
    package.insert("publish", value(false));
    doc.insert("package", Item::Table(package));

    let mut deps = Table::new();
    deps.decor_mut().set_prefix(
        "\n# mcpgen manages the dependencies and features it needs (`mcpgen generate` updates only those entries);\n\
         # add your own dependencies freely.\n",
    );
    for d in dependencies(runtime) {
        deps.insert(d.name, dep_item(&d));
    }
    doc.insert("dependencies", Item::Table(deps));

    let mut feats = Table::new();
    feats.decor_mut().set_prefix("\n");
    for (name, enables) in features(view) {
        let array: Array = enables.into_iter().collect();
        feats.insert(name, value(array));
    }
    doc.insert("features", Item::Table(feats));

    // Written once, like the rest of this file (a regeneration never touches profiles). `--release` is the quick
    // optimised build: no LTO at all, not even cargo's default thin LTO across a crate's codegen units, which cost
    // a quarter of a cold build of the bench crate (BENCHMARKS.md "Build costs"). `dist` (cargo-dist's
    // convention) is the shipping build the Dockerfile makes: fat LTO and one codegen unit, with which the
    // generated server matches a hand-written one on the throughput and latency rows (BENCHMARKS.md).
    let mut release = Table::new();
    release.decor_mut().set_prefix(
        "\n# `cargo build --release` builds fast (no LTO); `cargo build --profile dist` optimises across crates for \
         shipping\n# (slower to build, faster to serve; the Dockerfile uses it). Keep `panic = \"unwind\"`: a panicking \
         handler\n# becomes an error result for that call instead of stopping the server.\n",
    );
    release.insert("lto", value("off"));
    let mut dist = Table::new();
    dist.insert("inherits", value("release"));
    dist.insert("lto", value("fat"));
    dist.insert("codegen-units", value(1));
    let mut profile = Table::new();
    profile.set_implicit(true);
    profile.insert("release", Item::Table(release));
    profile.insert("dist", Item::Table(dist));
    doc.insert("profile", Item::Table(profile));
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn stdio_only() -> CrateView {
        let loaded = crate::pipeline::load_spec_str(
            Path::new("t.yaml"),
            "mcpgen: 1\nserver: {name: t}\ntransports: {stdio: {}}\n",
        )
        .unwrap();
        super::super::lower::lower(&loaded.spec, "t.yaml").unwrap()
    }

    #[test]
    fn new_crates_build_fast_in_release_and_optimised_in_dist_which_regeneration_never_restores() {
        let view = stdio_only();
        let manifest = render(&view, RuntimeSource::Registry);
        let doc: DocumentMut = manifest.parse().unwrap();
        assert_eq!(
            doc["profile"]["release"]["lto"].as_str(),
            Some("off"),
            "{manifest}"
        );
        let dist = &doc["profile"]["dist"];
        assert_eq!(dist["inherits"].as_str(), Some("release"), "{manifest}");
        assert_eq!(dist["lto"].as_str(), Some("fat"), "{manifest}");
        assert_eq!(dist["codegen-units"].as_integer(), Some(1));
        assert!(
            dist.get("panic").is_none(),
            "a panicking handler must unwind into an error result"
        );
        // The profile is the user's from then on: one they deleted stays deleted.
        let cut = manifest
            .find("\n# `cargo build --release` builds fast (no LTO)")
            .expect("the profile's comment");
        let without = format!("{}\n", &manifest[..cut]);
        let merged = super::super::cargo_merge::merge(&without, &manifest).unwrap();
        assert_eq!(merged, without);
    }

    /// jsonschema is linked (`full-json-schema` in `default`) only for a schema beyond the runtime's subset.
    #[test]
    fn full_json_schema_is_on_only_when_a_tool_schema_needs_it() {
        let defaults = |schema: &str| {
            let yaml = format!(
                "mcpgen: 1\nserver: {{name: t}}\ntools:\n  - name: x\n    description: X.\n    \
                 inputSchema: {schema}\ntransports: {{stdio: {{}}}}\n"
            );
            let loaded = crate::pipeline::load_spec_str(Path::new("t.yaml"), &yaml).unwrap();
            let view = super::super::lower::lower(&loaded.spec, "t.yaml").unwrap();
            let doc: DocumentMut = render(&view, RuntimeSource::Registry).parse().unwrap();
            let default = doc["features"]["default"].as_array().unwrap();
            default
                .iter()
                .any(|f| f.as_str() == Some("full-json-schema"))
        };
        let subset = "{type: object, properties: {a: {$ref: '#/$defs/n'}}, $defs: {n: {type: integer, minimum: 1}}}";
        assert!(!defaults(subset));
        // An extension keyword (SEP-2243's `x-mcp-header`) is an annotation, not a reason to link jsonschema.
        assert!(!defaults(
            "{type: object, properties: {a: {type: string, x-mcp-header: A}}}"
        ));
        assert!(defaults(
            "{type: object, properties: {a: {type: string, pattern: '^a'}}}"
        ));
        assert!(defaults(
            "{type: object, properties: {a: {type: string, format: email}}}"
        ));
    }

    /// The Redis client is built (`redis` in `default`) only for a spec that keeps sessions in Redis, and the
    /// Prometheus client (`metrics`) only for one that serves `/metrics`.
    #[test]
    fn redis_and_metrics_are_on_only_when_the_spec_asks() {
        let defaults = |http: &str, feature: &str| {
            let yaml = format!(
                "mcpgen: 1\nserver: {{name: t}}\ntools:\n  - name: x\n    description: X.\n    \
                 inputSchema: {{type: object}}\ntransports: {{streamable-http: {http}}}\n"
            );
            let loaded = crate::pipeline::load_spec_str(Path::new("t.yaml"), &yaml).unwrap();
            let view = super::super::lower::lower(&loaded.spec, "t.yaml").unwrap();
            let doc: DocumentMut = render(&view, RuntimeSource::Registry).parse().unwrap();
            let default = doc["features"]["default"].as_array().unwrap();
            default.iter().any(|f| f.as_str() == Some(feature))
        };
        assert!(!defaults("{}", "redis"));
        assert!(defaults(
            "{sessionStore: {redisUrlEnv: REDIS_URL}}",
            "redis"
        ));
        assert!(!defaults("{}", "metrics"));
        assert!(defaults("{metrics: {}}", "metrics"));
        assert!(defaults("{metrics: {port: 9464}}", "metrics"));
    }

    /// A resource or resource template fetched over HTTP needs the runtime's HTTP client even when no tool is
    /// declarative.
    #[test]
    fn an_http_resource_turns_on_http_tools() {
        let features = |item: &str| {
            let yaml =
                format!("mcpgen: 1\nserver: {{name: t}}\n{item}\ntransports: {{stdio: {{}}}}\n");
            let loaded = crate::pipeline::load_spec_str(Path::new("t.yaml"), &yaml).unwrap();
            let view = super::super::lower::lower(&loaded.spec, "t.yaml").unwrap();
            let doc: DocumentMut = render(&view, RuntimeSource::Registry).parse().unwrap();
            let default = doc["features"]["default"].as_array().unwrap();
            default.iter().any(|f| f.as_str() == Some("http-tools"))
        };
        let resource =
            |fields: &str| format!("resources:\n  - {{uri: 'a://b', name: b, {fields}}}");
        let template = |fields: &str| {
            format!("resourceTemplates:\n  - {{uriTemplate: 'a://b/{{x}}', name: b{fields}}}")
        };
        let http = "implementation: {http: {baseUrl: 'https://x.example', path: /b}}";
        assert!(!features(&resource("text: hi")));
        assert!(features(&resource(http)));
        assert!(!features(&template("")));
        assert!(features(&template(
            ", implementation: {http: {baseUrl: 'https://x.example', path: '/b/{x}'}}"
        )));
    }

    #[test]
    fn key_order_preservation_is_an_opt_in_feature() {
        let view = stdio_only();
        let doc: DocumentMut = render(&view, RuntimeSource::Registry).parse().unwrap();
        // A plain version string: no `preserve_order` unless the user asks for it.
        assert_eq!(doc["dependencies"]["serde_json"].as_str(), Some("1"));
        let feature = doc["features"]["preserve-order"].as_array().unwrap();
        assert_eq!(
            feature
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>(),
            ["mcpgen-runtime/preserve-order"]
        );
        let defaults = doc["features"]["default"].as_array().unwrap();
        assert!(
            !defaults
                .iter()
                .any(|v| v.as_str() == Some("preserve-order"))
        );
    }

    /// mimalloc trades memory for throughput, so it is defined (the runtime's feature) but never on by default,
    /// for any spec: `mcpgen generate` then leaves the user's choice alone (`USER_SWITCHES`).
    #[test]
    fn the_mimalloc_allocator_is_an_opt_in_feature() {
        // A spec that turns on every default mcpgen chooses: two transports and `full-json-schema`.
        let busy = crate::pipeline::load_spec_str(
            Path::new("t.yaml"),
            "mcpgen: 1\nserver: {name: t}\ntools:\n  - name: x\n    description: X.\n    inputSchema: \
             {type: object, properties: {a: {type: string, pattern: '^a'}}}\n\
             transports: {stdio: {}, streamable-http: {}}\n",
        )
        .unwrap();
        for view in [
            stdio_only(),
            super::super::lower::lower(&busy.spec, "t.yaml").unwrap(),
        ] {
            let doc: DocumentMut = render(&view, RuntimeSource::Registry).parse().unwrap();
            let feature: Vec<_> = doc["features"]["mimalloc"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|v| v.as_str())
                .collect();
            assert_eq!(feature, ["mcpgen-runtime/mimalloc"]);
            let defaults = doc["features"]["default"].as_array().unwrap();
            assert!(defaults.iter().all(|v| v.as_str() != Some("mimalloc")));
        }
        assert!(USER_SWITCHES.contains(&"mimalloc"));
    }

    #[test]
    fn the_runtime_is_pinned_to_mcpgens_version_and_vendored_by_path() {
        let view = stdio_only();
        let vendored: DocumentMut = render(&view, RuntimeSource::Vendored).parse().unwrap();
        let runtime = &vendored["dependencies"]["mcpgen-runtime"];
        assert_eq!(
            runtime["version"].as_str(),
            Some(format!("={}", env!("CARGO_PKG_VERSION")).as_str())
        );
        assert_eq!(runtime["path"].as_str(), Some(VENDOR_DIR));
        assert_eq!(runtime["default-features"].as_bool(), Some(false));
        let registry: DocumentMut = render(&view, RuntimeSource::Registry).parse().unwrap();
        let runtime = &registry["dependencies"]["mcpgen-runtime"];
        assert_eq!(runtime["version"].as_str(), Some(RUNTIME_REQUIREMENT));
        assert!(runtime.get("path").is_none());
    }

    /// The runtime crate in this repository is the one generated crates pin.
    #[test]
    fn the_workspace_runtime_has_mcpgens_version() {
        let manifest: DocumentMut = include_str!("../../../runtime/Cargo.toml").parse().unwrap();
        assert_eq!(
            manifest["package"]["version"].as_str(),
            Some(RUNTIME_VERSION)
        );
        assert_eq!(manifest["package"]["name"].as_str(), Some("mcpgen-runtime"));
    }
}
