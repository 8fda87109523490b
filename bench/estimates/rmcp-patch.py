"""Applies estimate patches to a copy of rmcp 3.9.0's source: what two fixes inside rmcp would buy.

    python3 bench/estimates/rmcp-patch.py RMCP_COPY PATCH [PATCH...]

Patches (the estimate scripts build the generated bench server against the patched copy; generated crates
never use it):
- calltool-first: `CallToolRequest` first in the untagged `ClientRequest`, the best case a parse by `method`
  would give `tools/call` (parse-estimate.sh).
- stateless-direct: a stateless JSON-mode request is answered by calling the service in the HTTP request's own
  task, with a `Peer` made for it, instead of starting a service over a `OneshotTransport` (4 tasks and 2
  channels per request). An upper bound: notifications a handler sends before its result are dropped, which
  rmcp would have to stream (stateless-estimate.sh).
Each patch checks that the text it replaces is there, so a new rmcp fails loudly instead of measuring nothing.
"""
import sys


def replace_once(text, old, new, what):
    if text.count(old) != 1:
        sys.exit("rmcp's %s is not as expected; the estimate needs updating" % what)
    return text.replace(old, new, 1)


def calltool_first(root):
    path = root + "/src/model.rs"
    text = open(path).read()
    text = replace_once(
        text,
        "    export type ClientRequest =\n    | PingRequest\n",
        "    export type ClientRequest =\n    | CallToolRequest\n    | PingRequest\n",
        "ClientRequest declaration",
    )
    text = replace_once(
        text,
        "    | UnsubscribeRequest\n    | CallToolRequest\n    | ListToolsRequest",
        "    | UnsubscribeRequest\n    | ListToolsRequest",
        "ClientRequest declaration",
    )
    open(path, "w").write(text)


STATELESS_ANCHOR = """\
                    let peer_info = Self::peer_info_for_stateless_request(&request, &part.headers);
                    request.request.extensions_mut().insert(part);
"""

# What the service loop does for one request (service.rs, `RequestContext {`), without the loop.
STATELESS_DIRECT = """\
                    if self.config.json_response {
                        let id = request.id.clone();
                        let mut client_request = request.request;
                        let meta = std::mem::replace(
                            client_request.get_meta_mut(),
                            crate::model::RequestMetaObject::new(),
                        );
                        let extensions = std::mem::take(client_request.extensions_mut());
                        let (peer, _outbound) = crate::service::Peer::<RoleServer>::new(
                            std::sync::Arc::new(
                                crate::service::AtomicU32RequestIdProvider::default(),
                            ),
                            peer_info,
                        );
                        let version = meta.protocol_version();
                        let request_ct = CancellationToken::new();
                        let _cancel_on_disconnect = request_ct.clone().drop_guard();
                        let context = RequestContext {
                            ct: request_ct.child_token(),
                            id: id.clone(),
                            meta,
                            extensions,
                            peer,
                        };
                        let service = NegotiatingStatelessHttpService(service);
                        let result = crate::service::ORIGINATING_REQUEST
                            .scope(
                                id.clone(),
                                crate::service::ORIGINATING_PROTOCOL_VERSION
                                    .scope(version, service.handle_request(client_request, context)),
                            )
                            .await;
                        let message = match result {
                            Ok(result) => ServerJsonRpcMessage::response(result, id),
                            Err(error) => ServerJsonRpcMessage::error(error, Some(id)),
                        };
                        let body = serde_json::to_vec(&message)
                            .map_err(|e| internal_error_response("serialize json response")(e))?;
                        return Ok(Response::builder()
                            .status(http::StatusCode::OK)
                            .header(http::header::CONTENT_TYPE, JSON_MIME_TYPE)
                            .body(Full::new(Bytes::from(body)).boxed())
                            .expect("valid response"));
                    }
"""


def stateless_direct(root):
    path = root + "/src/transport/streamable_http_server/tower.rs"
    text = open(path).read()
    text = replace_once(text, STATELESS_ANCHOR, STATELESS_ANCHOR + STATELESS_DIRECT, "stateless request path")
    open(path, "w").write(text)


PATCHES = {"calltool-first": calltool_first, "stateless-direct": stateless_direct}

root = sys.argv[1]
for name in sys.argv[2:]:
    if name not in PATCHES:
        sys.exit("unknown patch %s (known: %s)" % (name, ", ".join(PATCHES)))
    PATCHES[name](root)
