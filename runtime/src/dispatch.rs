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

type Request = RequestContext<RoleServer>;

/// [`App`]'s methods with the type erased; each builds the handler's [`Ctx`] from the request and the session.
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
        request: Request,
        session: Arc<Session>,
        arguments: JsonObject,
    ) -> BoxFuture<'static, ToolResult>;

    /// [`App::read_resource`].
    fn read_resource<'a>(
        &self,
        uri: &'static str,
        request: Request,
        session: Arc<Session>,
        requested: &'a str,
    ) -> BoxFuture<'a, ResourceResult>;

    /// [`App::read_template`].
    fn read_template<'a>(
        &self,
        name: &'static str,
        request: Request,
        session: Arc<Session>,
        uri: &'a str,
        vars: Vars,
    ) -> BoxFuture<'a, ResourceResult>;

    /// [`App::get_prompt`].
    fn get_prompt(
        &self,
        name: &'static str,
        request: Request,
        session: Arc<Session>,
        arguments: Arguments,
    ) -> BoxFuture<'static, PromptResult>;

    /// [`App::complete`].
    fn complete(
        &self,
        request: Request,
        session: Arc<Session>,
        completion: CompletionRequest,
    ) -> BoxFuture<'static, CompletionResult>;
}

/// The server `A` with its state: the one [`Dispatch`] there is, instantiated once per generated crate.
pub(crate) struct Typed<A: App>(pub(crate) Arc<Shared<A::State>>);

impl<A: App> Typed<A> {
    fn ctx(&self, request: Request, session: Arc<Session>) -> Ctx<A::State> {
        Ctx::new(request, self.0.clone(), session)
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
        request: Request,
        session: Arc<Session>,
        arguments: JsonObject,
    ) -> BoxFuture<'static, ToolResult> {
        Box::pin(A::call_tool(name, self.ctx(request, session), arguments))
    }

    fn read_resource<'a>(
        &self,
        uri: &'static str,
        request: Request,
        session: Arc<Session>,
        requested: &'a str,
    ) -> BoxFuture<'a, ResourceResult> {
        Box::pin(A::read_resource(uri, self.ctx(request, session), requested))
    }

    fn read_template<'a>(
        &self,
        name: &'static str,
        request: Request,
        session: Arc<Session>,
        uri: &'a str,
        vars: Vars,
    ) -> BoxFuture<'a, ResourceResult> {
        Box::pin(A::read_template(
            name,
            self.ctx(request, session),
            uri,
            vars,
        ))
    }

    fn get_prompt(
        &self,
        name: &'static str,
        request: Request,
        session: Arc<Session>,
        arguments: Arguments,
    ) -> BoxFuture<'static, PromptResult> {
        Box::pin(A::get_prompt(name, self.ctx(request, session), arguments))
    }

    fn complete(
        &self,
        request: Request,
        session: Arc<Session>,
        completion: CompletionRequest,
    ) -> BoxFuture<'static, CompletionResult> {
        Box::pin(A::complete(self.ctx(request, session), completion))
    }
}
