//! [`Dispatch`]: the generated [`App`] and the user's state behind one object-safe trait.
//!
//! [`Handler`](super::handler::Handler) calls the user's handlers only through it, so the handler and all that
//! serves it (rmcp's service loop and request dispatch, `StreamableHttpService`, the transports, tasks) are
//! compiled once, in this crate. Were they generic over `App`, each generated crate would compile them again
//! (release builds share no generic code between crates), and a one-line handler edit would rebuild them all.
//! What a generated crate compiles is its own: the dispatch `match`, the handlers, and the impl below.

use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::model::JsonObject;
use rmcp::service::{RequestContext, RoleServer};

use super::app::App;
use super::completion::CompletionRequest;
use super::context::{Ctx, Session, Shared, Subscriptions};
use super::defs::Spec;
use super::error::{CompletionResult, PromptResult, ResourceResult, ToolResult};
use super::prompt::Arguments;
use super::uri_template::Vars;

/// A request for a handler, and the session it came in: what the handler's [`Ctx`] is made of.
pub(crate) struct Call {
    pub(crate) request: RequestContext<RoleServer>,
    pub(crate) session: Arc<Session>,
}

/// [`App`]'s methods with the type erased; each builds the handler's [`Ctx`] from its [`Call`].
///
/// Each future is boxed, once: the handler boxes a handler's future anyway, so that a request's future stays
/// small (see `guarded` in `handler.rs`).
pub(crate) trait Dispatch: Send + Sync + 'static {
    /// The spec's definitions ([`App::SPEC`]).
    fn spec(&self) -> &'static Spec;

    /// The resource subscriptions every session of this server shares.
    fn subscriptions(&self) -> &Arc<Subscriptions>;

    /// [`App::call_tool`].
    fn call_tool(
        &self,
        name: &'static str,
        call: Call,
        arguments: JsonObject,
    ) -> BoxFuture<'static, ToolResult>;

    /// [`App::read_resource`].
    fn read_resource<'a>(
        &self,
        uri: &'static str,
        call: Call,
        requested: &'a str,
    ) -> BoxFuture<'a, ResourceResult>;

    /// [`App::read_template`].
    fn read_template<'a>(
        &self,
        name: &'static str,
        call: Call,
        uri: &'a str,
        vars: Vars,
    ) -> BoxFuture<'a, ResourceResult>;

    /// [`App::get_prompt`].
    fn get_prompt(
        &self,
        name: &'static str,
        call: Call,
        arguments: Arguments,
    ) -> BoxFuture<'static, PromptResult>;

    /// [`App::complete`].
    fn complete(
        &self,
        call: Call,
        completion: CompletionRequest,
    ) -> BoxFuture<'static, CompletionResult>;
}

/// The server `A` with its state: the one [`Dispatch`] there is, instantiated once per generated crate.
pub(crate) struct Typed<A: App>(pub(crate) Arc<Shared<A::State>>);

impl<A: App> Typed<A> {
    fn ctx(&self, call: Call) -> Ctx<A::State> {
        Ctx::new(call.request, self.0.clone(), call.session)
    }
}

impl<A: App> Dispatch for Typed<A> {
    fn spec(&self) -> &'static Spec {
        A::SPEC
    }

    fn subscriptions(&self) -> &Arc<Subscriptions> {
        &self.0.subscriptions
    }

    fn call_tool(
        &self,
        name: &'static str,
        call: Call,
        arguments: JsonObject,
    ) -> BoxFuture<'static, ToolResult> {
        Box::pin(A::call_tool(name, self.ctx(call), arguments))
    }

    fn read_resource<'a>(
        &self,
        uri: &'static str,
        call: Call,
        requested: &'a str,
    ) -> BoxFuture<'a, ResourceResult> {
        Box::pin(A::read_resource(uri, self.ctx(call), requested))
    }

    fn read_template<'a>(
        &self,
        name: &'static str,
        call: Call,
        uri: &'a str,
        vars: Vars,
    ) -> BoxFuture<'a, ResourceResult> {
        Box::pin(A::read_template(name, self.ctx(call), uri, vars))
    }

    fn get_prompt(
        &self,
        name: &'static str,
        call: Call,
        arguments: Arguments,
    ) -> BoxFuture<'static, PromptResult> {
        Box::pin(A::get_prompt(name, self.ctx(call), arguments))
    }

    fn complete(
        &self,
        call: Call,
        completion: CompletionRequest,
    ) -> BoxFuture<'static, CompletionResult> {
        Box::pin(A::complete(self.ctx(call), completion))
    }
}
