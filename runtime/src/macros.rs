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

/// The body of a generated [`App::call_tool`](crate::App::call_tool): one line per tool, from its `NAME` to
/// how it is called, and "Unknown tool" for any other name.
///
/// Each tool is `NAME => adapter(args)`: `structured(handler)`, `unstructured(handler)`,
/// `structured_no_input(handler)` or `unstructured_no_input(handler)` for a tool with a handler (the
/// [`tool`](crate::tool) adapter of that name: typed `Input` parsed from the arguments, typed `Output` checked
/// and sent as `structuredContent`), or `command(IMPLEMENTATION, structured)` / `http(IMPLEMENTATION,
/// structured)` for a tool the spec implements ([`declarative`](crate::declarative)).
#[macro_export]
macro_rules! call_tool {
    ($name:expr, $ctx:ident, $arguments:ident, { $($tool:path => $adapter:ident($($arg:expr),*)),* $(,)? }) => {{
        let _ = (&$ctx, &$arguments);
        match $name {
            $($tool => $crate::call_tool!(@ $adapter $ctx $arguments ($($arg),*)),)*
            name => Err($crate::ToolError::invalid_params(format!("Unknown tool: {name}"))),
        }
    }};
    (@ structured $ctx:ident $arguments:ident ($handler:expr)) => {
        $crate::tool::structured($ctx, $arguments, $handler).await
    };
    (@ unstructured $ctx:ident $arguments:ident ($handler:expr)) => {
        $crate::tool::unstructured($ctx, $arguments, $handler).await
    };
    (@ structured_no_input $ctx:ident $arguments:ident ($handler:expr)) => {
        $crate::tool::structured_no_input($ctx, $handler).await
    };
    (@ unstructured_no_input $ctx:ident $arguments:ident ($handler:expr)) => {
        $crate::tool::unstructured_no_input($ctx, $handler).await
    };
    (@ command $ctx:ident $arguments:ident ($def:expr, $structured:expr)) => {
        $crate::declarative::command::call(&$def, $arguments, $structured).await
    };
    (@ http $ctx:ident $arguments:ident ($def:expr, $structured:expr)) => {
        $crate::declarative::http::call(&$def, $arguments, $structured).await
    };
}

/// The body of a generated [`App::read_resource`](crate::App::read_resource): each handler resource's `URI`
/// to its `read(ctx, uri)`, and "Resource not found" for any other URI.
#[macro_export]
macro_rules! read_resource {
    ($uri:expr, $ctx:ident, $requested:ident, { $($key:path => $read:path),* $(,)? }) => {
        match $uri {
            $($key => $read($ctx, $requested).await,)*
            _ => Err($crate::HandlerError::not_found(format!("Resource not found: {}", $requested))),
        }
    };
}

/// The body of a generated [`App::read_template`](crate::App::read_template): each template's `NAME` to its
/// `(read, Params)`: `read(ctx, uri, params)`, the `Params` built from the URI's variables, and "Resource not found" for any other.
#[macro_export]
macro_rules! read_template {
    ($name:expr, $ctx:ident, $uri:ident, $vars:ident, { $($key:path => ($read:path, $params:ty)),* $(,)? }) => {
        match $name {
            $($key => $read($ctx, $uri, <$params>::from_vars($vars)).await,)*
            _ => Err($crate::HandlerError::not_found(format!("Resource not found: {}", $uri))),
        }
    };
}

/// The body of a generated [`App::get_prompt`](crate::App::get_prompt): each handler prompt's `NAME` to its
/// `(get, Args)`: `get(ctx, args)`, the `Args` read from the request's arguments, and "Unknown prompt" for any other name.
#[macro_export]
macro_rules! get_prompt {
    ($name:expr, $ctx:ident, $arguments:ident, { $($key:path => ($get:path, $args:ty)),* $(,)? }) => {
        match $name {
            $($key => $get($ctx, <$args>::from_arguments(&$arguments)).await,)*
            name => Err($crate::HandlerError::invalid_params(format!("Unknown prompt: {name}"))),
        }
    };
}
