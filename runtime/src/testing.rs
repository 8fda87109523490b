//! A small spec for the runtime's own tests.

use crate::defs::{
    AuthDef, CapabilitiesDef, EnvVarDef, ServerDef, Spec, ToolDef, Transport, TransportsDef,
};

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
        resources_subscribe: false,
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
    resources: &[],
    templates: &[],
    prompts: &[],
};
