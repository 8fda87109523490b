//! A small spec for the runtime's own tests.

use rmcp::model::JsonObject;

use crate::app::App;
use crate::context::Ctx;
use crate::defs::{
    AuthDef, CapabilitiesDef, EnvVarDef, ResourceDef, ResourceSource, ServerDef, Spec, TemplateDef,
    ToolDef, Transport, TransportsDef,
};
use crate::error::{BoxError, ToolError, ToolResult};

pub(crate) static SPEC: Spec = Spec {
    server: ServerDef {
        name: "test-server",
        version: "1.0.0",
        title: None,
        description: Some("A server for tests."),
        instructions: None,
        website_url: None,
        icons: None,
    },
    capabilities: CapabilitiesDef {
        tools_list_changed: false,
        resources_subscribe: true,
        resources_list_changed: false,
        prompts_list_changed: false,
        logging: false,
        completions: false,
    },
    transports: TransportsDef {
        default: Transport::Stdio,
        stdio: true,
        streamable_http: None,
        sse: None,
    },
    auth: AuthDef {
        bearer_token_env: None,
        oauth: None,
        tool_scopes: &[],
    },
    env: &[EnvVarDef {
        name: "TEST_SERVER_GREETING",
        required: false,
        default: Some("hello"),
    }],
    tools: &[ToolDef {
        name: "echo",
        title: None,
        description: Some("Echoes its text."),
        input_schema: Some(r#"{"type":"object","properties":{"text":{"type":"string"}}}"#),
        output_schema: None,
        annotations: None,
        icons: None,
        meta: None,
    }],
    resources: &[ResourceDef {
        uri: "test://readme",
        name: "readme",
        title: None,
        description: None,
        mime_type: Some("text/plain"),
        size: None,
        annotations: None,
        icons: None,
        meta: None,
        source: ResourceSource::Text("Read me."),
    }],
    templates: &[TemplateDef {
        uri_template: "test://items/{id}",
        name: "item",
        title: None,
        description: None,
        mime_type: None,
        annotations: None,
        icons: None,
        meta: None,
        completions: &[],
    }],
    prompts: &[],
};

/// The test spec as an app with no state; its one tool is never called by the tests.
pub(crate) struct TestApp;

impl App for TestApp {
    type State = ();
    const SPEC: &'static Spec = &SPEC;
    const CRATE_NAME: &'static str = "test_server";

    async fn init() -> Result<(), BoxError> {
        Ok(())
    }

    async fn call_tool(name: &str, _ctx: Ctx<()>, _arguments: JsonObject) -> ToolResult {
        Err(ToolError::invalid_params(format!("Unknown tool: {name}")))
    }
}
