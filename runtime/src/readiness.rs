//! Liveness and readiness, outside the guard and auth. `/healthz` answers while the process serves at all, so an
//! orchestrator restarts only a wedged process; `/readyz` answers 503 while the server is starting or draining,
//! or while a dependency the requests need (the shared session store) does not answer, so a load balancer sends
//! new traffic elsewhere without restarting an instance that would recover by itself when Redis returns.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use futures::future::BoxFuture;

/// How long `/readyz` waits for a dependency: under the 3 s probe timeout the generated Kubernetes manifests
/// set, so a store that hangs reads as not ready rather than as a failed probe.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// A dependency's check: `Err` with a short reason when it cannot serve.
pub(crate) type Check = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// What `/readyz` looks at.
#[derive(Clone)]
pub(crate) struct Readiness {
    /// Set once the listener is bound, cleared at the shutdown signal.
    pub(crate) serving: Arc<AtomicBool>,
    /// Named dependency checks, run on each probe (a Redis `PING` is cheap next to a probe's period).
    pub(crate) checks: Vec<(&'static str, Check)>,
}

/// Adds `/healthz` and `/readyz` to `app`.
pub(crate) fn routes(app: Router, readiness: Readiness) -> Router {
    app.route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready).with_state(readiness))
}

async fn ready(State(readiness): State<Readiness>) -> (StatusCode, String) {
    if !readiness.serving.load(Ordering::Acquire) {
        return (StatusCode::SERVICE_UNAVAILABLE, "not ready".into());
    }
    for (name, check) in &readiness.checks {
        let reason = match tokio::time::timeout(CHECK_TIMEOUT, check()).await {
            Ok(Ok(())) => continue,
            Ok(Err(reason)) => reason,
            Err(_) => format!("no answer within {CHECK_TIMEOUT:?}"),
        };
        tracing::debug!(dependency = name, reason, "not ready");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {name} unreachable"),
        );
    }
    (StatusCode::OK, "ready".into())
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    use super::*;

    async fn probe(app: &Router, path: &str) -> (StatusCode, String) {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// Not ready before serving, while a check fails or hangs, and after the shutdown signal; alive throughout.
    #[tokio::test]
    async fn readiness_follows_serving_and_every_check() {
        let up = Arc::new(AtomicBool::new(true));
        let hang = Arc::new(AtomicBool::new(false));
        let (flag, hanging) = (up.clone(), hang.clone());
        let store: Check = Arc::new(move || {
            let (up, hang) = (flag.load(Ordering::SeqCst), hanging.load(Ordering::SeqCst));
            Box::pin(async move {
                if hang {
                    std::future::pending::<()>().await;
                }
                if up { Ok(()) } else { Err("down".into()) }
            })
        });
        let serving = Arc::new(AtomicBool::new(false));
        let app = routes(
            Router::new(),
            Readiness {
                serving: serving.clone(),
                checks: vec![("session store", store)],
            },
        );
        assert_eq!(
            probe(&app, "/readyz").await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        serving.store(true, Ordering::SeqCst);
        assert_eq!(
            probe(&app, "/readyz").await,
            (StatusCode::OK, "ready".into())
        );
        up.store(false, Ordering::SeqCst);
        let (status, body) = probe(&app, "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body, "not ready: session store unreachable");
        assert_eq!(probe(&app, "/healthz").await.0, StatusCode::OK);
        up.store(true, Ordering::SeqCst);
        hang.store(true, Ordering::SeqCst);
        assert_eq!(
            probe(&app, "/readyz").await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        hang.store(false, Ordering::SeqCst);
        assert_eq!(probe(&app, "/readyz").await.0, StatusCode::OK);
        serving.store(false, Ordering::SeqCst);
        assert_eq!(
            probe(&app, "/readyz").await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(probe(&app, "/healthz").await.0, StatusCode::OK);
    }
}
