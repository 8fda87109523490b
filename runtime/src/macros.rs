//! Macros for generated code: what every generated crate would otherwise write out the same way.

/// Declares a generated crate's `prelude` module: the runtime's [`prelude`](crate::prelude), `Ctx` with
/// the crate's state type, and `env_var` with the defaults of its app's spec.
///
/// `generated/mod.rs` calls it as `mcpgen_runtime::prelude_module!(crate::state::State,
/// crate::generated::server::Server);` (paths from the crate root, since they are used inside the module).
#[macro_export]
macro_rules! prelude_module {
    ($state:ty, $app:ty) => {
        /// Everything a handler usually needs: `use crate::generated::prelude::*;`.
        pub mod prelude {
            pub use $crate::prelude::*;

            /// The context every handler receives, with your `State` (see `mcpgen_runtime::Ctx`).
            pub type Ctx = $crate::Ctx<$state>;

            /// The value of environment variable `name`, or its default from the spec's `env` section.
            #[allow(dead_code)] // for handlers that read the spec's variables
            pub fn env_var(name: &str) -> Option<String> {
                $crate::env_var(<$app as $crate::App>::SPEC.env, name)
            }
        }
    };
}

/// Declares a generated crate's app: a unit struct implementing [`App`](crate::App) with the spec's
/// definitions and the dispatch from each tool, resource, template and prompt to its handler, one line each.
///
/// It is written for `generated/server.rs`: item `x` is the module `super::tools::x` (`super::resources::x`,
/// ...) with its `NAME` (`URI` for a resource) and `DEF`; `state` is the handlers' state and the function that
/// builds it, and `spec` holds everything but the four lists, which the macro fills in from the sections.
///
/// ```ignore
/// mcpgen_runtime::app! {
///     pub(crate) struct Server { state: crate::state::State = crate::state::init, spec: SPEC }
///     tools {
///         get_forecast => structured(super::tool_get_forecast::handle),
///         echo => command(true),
///     }
///     resources { about, status => super::resource_status::read }
///     templates { city_forecast => super::template_city_forecast::read, alerts }
///     prompts { summarize, packing_list => super::prompt_packing_list::get }
///     complete super::completions::complete;
/// }
/// ```
///
/// A tool's adapter is `structured`, `unstructured`, `structured_no_input` or `unstructured_no_input` with the
/// handler (the [`tool`](mod@crate::tool) function of that name: typed `Input` parsed from the arguments, typed
/// `Output` checked and sent as `structuredContent`), or `command` / `http` with whether its output is
/// structured, for a tool the spec implements (its module's `IMPLEMENTATION`, [`declarative`](crate::declarative)).
/// A resource, template or prompt without a handler is served from its definition.
#[macro_export]
macro_rules! app {
    (@tool structured $tool:ident $ctx:ident $arguments:ident ($handler:expr)) => {
        $crate::tool::structured($ctx, $arguments, $handler).await
    };
    (@tool unstructured $tool:ident $ctx:ident $arguments:ident ($handler:expr)) => {
        $crate::tool::unstructured($ctx, $arguments, $handler).await
    };
    (@tool structured_no_input $tool:ident $ctx:ident $arguments:ident ($handler:expr)) => {
        $crate::tool::structured_no_input($ctx, $handler).await
    };
    (@tool unstructured_no_input $tool:ident $ctx:ident $arguments:ident ($handler:expr)) => {
        $crate::tool::unstructured_no_input($ctx, $handler).await
    };
    (@tool command $tool:ident $ctx:ident $arguments:ident ($structured:literal)) => {
        $crate::declarative::command::call(&super::tools::$tool::IMPLEMENTATION, $arguments, $structured)
            .await
    };
    (@tool http $tool:ident $ctx:ident $arguments:ident ($structured:literal)) => {
        $crate::declarative::http::call(&super::tools::$tool::IMPLEMENTATION, $arguments, $structured)
            .await
    };
    (
        $(#[$attr:meta])*
        $vis:vis struct $app:ident { state: $state:ty = $init:path, spec: $spec:expr $(,)? }
        $(tools { $($tool:ident => $adapter:ident $args:tt),* $(,)? })?
        $(resources { $($resource:ident $(=> $read:path)?),* $(,)? })?
        $(templates { $($template:ident $(=> $read_template:path)?),* $(,)? })?
        $(prompts { $($prompt:ident $(=> $get:path)?),* $(,)? })?
        $(complete $complete:path;)?
    ) => {
        $(#[$attr])*
        $vis struct $app;

        impl $crate::App for $app {
            type State = $state;

            const CRATE_NAME: &'static str = env!("CARGO_CRATE_NAME");

            const SPEC: &'static $crate::defs::Spec = &$crate::defs::Spec {
                $(tools: &[$(super::tools::$tool::DEF),*],)?
                $(resources: &[$(super::resources::$resource::DEF),*],)?
                $(templates: &[$(super::templates::$template::DEF),*],)?
                $(prompts: &[$(super::prompts::$prompt::DEF),*],)?
                ..$spec
            };

            async fn init() -> Result<$state, $crate::BoxError> {
                $init().await
            }

            async fn call_tool(
                name: &str,
                ctx: $crate::Ctx<$state>,
                arguments: $crate::rmcp::model::JsonObject,
            ) -> $crate::ToolResult {
                let _ = (&ctx, &arguments);
                match name {
                    $($(super::tools::$tool::NAME => {
                        $crate::app!(@tool $adapter $tool ctx arguments $args)
                    })*)?
                    _ => Err($crate::ToolError::invalid_params(format!("Unknown tool: {name}"))),
                }
            }

            $(async fn read_resource(
                uri: &str,
                ctx: $crate::Ctx<$state>,
                requested: &str,
            ) -> $crate::ResourceResult {
                let _ = &ctx;
                match uri {
                    $($(super::resources::$resource::URI => $read(ctx, requested).await,)?)*
                    _ => Err($crate::HandlerError::not_found(format!(
                        "Resource not found: {requested}"
                    ))),
                }
            })?

            $(async fn read_template(
                name: &str,
                ctx: $crate::Ctx<$state>,
                uri: &str,
                vars: $crate::uri_template::Vars,
            ) -> $crate::ResourceResult {
                let _ = (&ctx, &vars);
                match name {
                    $($(super::templates::$template::NAME => {
                        let params = super::templates::$template::Params::from_vars(vars);
                        $read_template(ctx, uri, params).await
                    })?)*
                    _ => Err($crate::HandlerError::not_found(format!("Resource not found: {uri}"))),
                }
            })?

            $(async fn get_prompt(
                name: &str,
                ctx: $crate::Ctx<$state>,
                arguments: $crate::prompt::Arguments,
            ) -> $crate::PromptResult {
                let _ = (&ctx, &arguments);
                match name {
                    $($(super::prompts::$prompt::NAME => {
                        let args = super::prompts::$prompt::Args::from_arguments(&arguments);
                        $get(ctx, args).await
                    })?)*
                    _ => Err($crate::HandlerError::invalid_params(format!("Unknown prompt: {name}"))),
                }
            })?

            $(async fn complete(
                ctx: $crate::Ctx<$state>,
                request: $crate::completion::CompletionRequest,
            ) -> $crate::CompletionResult {
                $complete(ctx, request).await
            })?
        }
    };
}

/// Declares a tool's `NAME` (its name on the wire) and `DEF` (its [`ToolDef`](crate::defs::ToolDef)) inside
/// the tool's module of `generated/tools.rs`: the name, then each optional field the spec sets, without its `Some`;
/// the others keep [`ToolDef::DEFAULT`](crate::defs::ToolDef::DEFAULT)'s `None`.
///
/// ```
/// pub mod get_forecast {
///     mcpgen_runtime::tool! {
///         name: "get-forecast",
///         title: "Get forecast",
///         input_schema: r#"{"type":"object"}"#,
///         execution: mcpgen_runtime::defs::ExecutionDef::OPTIONAL,
///     }
/// }
///
/// assert_eq!(get_forecast::NAME, "get-forecast");
/// assert_eq!(get_forecast::DEF.name, get_forecast::NAME);
/// assert_eq!(get_forecast::DEF.title, Some("Get forecast"));
/// assert_eq!(get_forecast::DEF.description, None);
/// assert_eq!(get_forecast::DEF.task_support(), mcpgen_runtime::defs::TaskSupport::Optional);
/// ```
#[macro_export]
macro_rules! tool {
    (name: $name:expr $(, $field:ident: $value:expr)* $(,)?) => {
        $crate::__named_def!("tool", ToolDef, name: $name $(, $field: $value)*);
    };
}

/// Declares a fixed resource's `URI` and `DEF` (its [`ResourceDef`](crate::defs::ResourceDef)) inside its
/// module of `generated/resources.rs`: the URI, the name, then each field the spec sets, the optional ones without
/// their `Some` and `source` as a whole [`ResourceSource`](crate::defs::ResourceSource).
///
/// ```
/// pub mod welcome {
///     use mcpgen_runtime::defs::ResourceSource;
///
///     pub const TEXT: &str = "Welcome.";
///
///     mcpgen_runtime::resource! {
///         uri: "note://welcome",
///         name: "welcome",
///         size: 8,
///         source: ResourceSource::Text(TEXT),
///     }
/// }
///
/// assert_eq!(welcome::DEF.uri, welcome::URI);
/// assert_eq!(welcome::DEF.size, Some(8));
/// assert!(matches!(welcome::DEF.source, mcpgen_runtime::defs::ResourceSource::Text("Welcome.")));
/// ```
#[macro_export]
macro_rules! resource {
    (uri: $uri:expr, name: $name:expr $(, $field:ident: $value:expr)* $(,)?) => {
        /// The resource's URI.
        pub const URI: &str = $uri;

        /// The resource's definition, as the spec gives it.
        pub const DEF: $crate::defs::ResourceDef =
            $crate::__def!($crate::defs::ResourceDef, uri: URI, name: $name $(, $field: $value)*);
    };
}

/// Declares a resource template's `NAME` and `DEF` (its [`TemplateDef`](crate::defs::TemplateDef)) inside its
/// module of `generated/templates.rs`: the name, the URI template, then each field the spec sets, the optional ones
/// without their `Some`, `completions` and `source` as they are.
///
/// ```
/// pub mod note {
///     mcpgen_runtime::template! {
///         name: "note",
///         uri_template: "note://notes/{id}",
///         description: "One note.",
///         completions: &[("id", &["first", "second"])],
///     }
/// }
///
/// assert_eq!(note::DEF.name, note::NAME);
/// assert_eq!(note::DEF.description, Some("One note."));
/// assert_eq!(note::DEF.completions.len(), 1);
/// ```
#[macro_export]
macro_rules! template {
    (name: $name:expr, uri_template: $uri_template:expr $(, $field:ident: $value:expr)* $(,)?) => {
        $crate::__named_def!(
            "template", TemplateDef, name: $name, uri_template: $uri_template $(, $field: $value)*
        );
    };
}

/// Declares a prompt's `NAME` and `DEF` (its [`PromptDef`](crate::defs::PromptDef)) inside its module of
/// `generated/prompts.rs`: the name, then each field the spec sets, the optional ones without their `Some` and
/// `arguments` as it is.
///
/// ```
/// pub mod summarize {
///     use mcpgen_runtime::defs::{MessageDef, MessageRole, PromptArgDef};
///
///     mcpgen_runtime::prompt! {
///         name: "summarize",
///         arguments: &[
///             PromptArgDef { name: "city", required: true, ..PromptArgDef::DEFAULT },
///         ],
///         messages: &[
///             MessageDef { role: MessageRole::User, text: "Summarize {{city}}." },
///         ],
///     }
/// }
///
/// assert_eq!(summarize::DEF.name, summarize::NAME);
/// assert_eq!(summarize::DEF.arguments.len(), 1);
/// assert_eq!(summarize::DEF.messages.map(<[_]>::len), Some(1));
/// ```
#[macro_export]
macro_rules! prompt {
    (name: $name:expr $(, $field:ident: $value:expr)* $(,)?) => {
        $crate::__named_def!("prompt", PromptDef, name: $name $(, $field: $value)*);
    };
}

/// The `NAME` and `DEF` of a tool, template or prompt (`$what`, for their docs), `DEF` being a `defs::$ty`.
#[doc(hidden)]
#[macro_export]
macro_rules! __named_def {
    ($what:literal, $ty:ident, name: $name:expr $(, $field:ident: $value:expr)*) => {
        #[doc = concat!("The ", $what, "'s name on the wire.")]
        pub const NAME: &str = $name;

        #[doc = concat!("The ", $what, "'s definition, as the spec gives it.")]
        pub const DEF: $crate::defs::$ty =
            $crate::__def!($crate::defs::$ty, name: NAME $(, $field: $value)*);
    };
}

/// A definition: `$ty::DEFAULT` with the named fields set; every field of the `defs` types is an `Option`
/// (written here without its `Some`) but the names, lists and sources below.
#[doc(hidden)]
#[macro_export]
macro_rules! __def {
    (@set $def:ident.name = $value:expr) => { $def.name = $value };
    (@set $def:ident.uri = $value:expr) => { $def.uri = $value };
    (@set $def:ident.uri_template = $value:expr) => { $def.uri_template = $value };
    (@set $def:ident.completions = $value:expr) => { $def.completions = $value };
    (@set $def:ident.arguments = $value:expr) => { $def.arguments = $value };
    (@set $def:ident.source = $value:expr) => { $def.source = $value };
    (@set $def:ident.$field:ident = $value:expr) => { $def.$field = Some($value) };
    ($ty:path, $($field:ident: $value:expr),*) => {{
        let mut def = <$ty>::DEFAULT;
        $($crate::__def!(@set def.$field = $value);)*
        def
    }};
}

/// Declares a resource template's `Params`: one `String` field per URI variable (`field: "wire name"`), and
/// `Params::from_vars`, which [`app!`] calls with the variables of a matching URI.
#[macro_export]
macro_rules! template_params {
    ($($(#[$attr:meta])* $field:ident: $wire:literal),* $(,)?) => {
        /// The variables of a URI matching the template (percent-decoded; `""` when the URI leaves one out).
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub struct Params {
            $($(#[$attr])* #[serde(rename = $wire)] pub $field: String,)*
        }

        impl Params {
            pub(crate) fn from_vars(vars: $crate::uri_template::Vars) -> Self {
                #[allow(unused_mut)]
                let mut vars = vars;
                let _ = &mut vars;
                Params {
                    $($field: vars.take($wire),)*
                }
            }
        }
    };
}

/// Declares a prompt's `Args`: one field per argument (`field: required "wire name"` is a `String`,
/// `field: optional "wire name"` an `Option<String>`), and `Args::from_arguments`, which [`app!`] calls with
/// the request's arguments (required ones already checked).
#[macro_export]
macro_rules! prompt_args {
    (@type required) => { String };
    (@type optional) => { Option<String> };
    ($($(#[$attr:meta])* $field:ident: $kind:ident $wire:literal),* $(,)?) => {
        /// The prompt's arguments (required ones are checked before your handler runs).
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub struct Args {
            $($(#[$attr])* #[serde(rename = $wire)] pub $field: $crate::prompt_args!(@type $kind),)*
        }

        impl Args {
            pub(crate) fn from_arguments(arguments: &$crate::prompt::Arguments) -> Self {
                let _ = arguments;
                Args {
                    $($field: arguments.$kind($wire),)*
                }
            }
        }
    };
}
