//! The spec's definitions as rmcp values, built once at start-up: tool, resource, template and
//! prompt lists, compiled schema validators and URI templates, and the `initialize` result.

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::model::{
    Icon, Implementation, JsonObject, MetaObject, Prompt, PromptArgument, PromptsCapability,
    Resource, ResourceTemplate, ResourcesCapability, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations, ToolsCapability,
};
use serde::de::DeserializeOwned;

use super::defs::{ResourceSource, Spec, TaskSupport, ToolDef};
use super::uri_template::UriTemplate;
use super::validation::LazyValidator;

/// The input schema of a tool whose spec omits `inputSchema`: it takes no arguments.
const NO_ARGUMENTS_SCHEMA: &str = r#"{"type":"object","properties":{}}"#;

/// Everything the handler serves, built once.
pub(crate) struct Registry {
    pub(crate) info: ServerConfig,
    pub(crate) tools: Vec<Tool>,
    tool_index: HashMap<&'static str, usize>,
    pub(crate) tool_checks: Vec<ToolChecks>,
    pub(crate) resources: Vec<Resource>,
    pub(crate) templates: Vec<ResourceTemplate>,
    pub(crate) template_matchers: Vec<UriTemplate>,
    pub(crate) prompts: Vec<Prompt>,
}

/// A tool's schemas, compiled on the tool's first call.
pub(crate) struct ToolChecks {
    pub(crate) def: &'static ToolDef,
    pub(crate) input: LazyValidator,
    pub(crate) output: Option<LazyValidator>,
}

impl Registry {
    /// Builds every definition; fails with a message naming the item whose JSON or schema is invalid
    /// (mcpgen validates the spec, so this only fires after hand edits).
    pub(crate) fn build(spec: &'static Spec) -> Result<Self, String> {
        let mut tools = Vec::with_capacity(spec.tools.len());
        let mut tool_checks = Vec::with_capacity(spec.tools.len());
        let mut tool_index = HashMap::new();
        for def in spec.tools {
            let what = format!("tool '{}'", def.name);
            let input: JsonObject = parse(
                &what,
                "inputSchema",
                def.input_schema.unwrap_or(NO_ARGUMENTS_SCHEMA),
            )?;
            let input = Arc::new(input);
            let input_validator = LazyValidator::new(input.clone());
            let mut tool = Tool::new_with_raw(def.name, def.description.map(Into::into), input);
            let mut output_validator = None;
            if let Some(schema) = def.output_schema {
                let output = Arc::new(parse::<JsonObject>(&what, "outputSchema", schema)?);
                output_validator = Some(LazyValidator::new(output.clone()));
                tool = tool.with_raw_output_schema(output);
            }
            if let Some(title) = def.title {
                tool = tool.with_title(title);
            }
            if let Some(annotations) = def.annotations {
                tool = tool.with_annotations(parse::<ToolAnnotations>(
                    &what,
                    "annotations",
                    annotations,
                )?);
            }
            if let Some(icons) = def.icons {
                tool = tool.with_icons(parse::<Vec<Icon>>(&what, "icons", icons)?);
            }
            if let Some(meta) = def.meta {
                tool = tool.with_meta(parse::<MetaObject>(&what, "_meta", meta)?);
            }
            tool_index.insert(def.name, tools.len());
            tools.push(tool);
            tool_checks.push(ToolChecks {
                def,
                input: input_validator,
                output: output_validator,
            });
        }

        let mut resources = Vec::with_capacity(spec.resources.len());
        for def in spec.resources {
            let what = format!("resource '{}'", def.uri);
            let mut resource = Resource::new(def.uri, def.name);
            resource.title = def.title.map(Into::into);
            resource.description = def.description.map(Into::into);
            resource.mime_type = def.mime_type.map(Into::into);
            resource.size = match def.source {
                ResourceSource::Text(text) => Some(text.len() as u64),
                ResourceSource::File(bytes) => Some(bytes.len() as u64),
                ResourceSource::Http(_) | ResourceSource::Path(_) | ResourceSource::Handler => {
                    def.size
                }
            };
            resource.annotations = parse_some(&what, "annotations", def.annotations)?;
            resource.icons = parse_some(&what, "icons", def.icons)?;
            resource.meta = parse_some(&what, "_meta", def.meta)?;
            resources.push(resource);
        }

        let mut templates = Vec::with_capacity(spec.templates.len());
        let mut template_matchers = Vec::with_capacity(spec.templates.len());
        for def in spec.templates {
            let what = format!("resource template '{}'", def.name);
            template_matchers
                .push(UriTemplate::parse(def.uri_template).map_err(|e| format!("{what}: {e}"))?);
            let mut template = ResourceTemplate::new(def.uri_template, def.name);
            template.title = def.title.map(Into::into);
            template.description = def.description.map(Into::into);
            template.mime_type = def.mime_type.map(Into::into);
            template.annotations = parse_some(&what, "annotations", def.annotations)?;
            template.icons = parse_some(&what, "icons", def.icons)?;
            template.meta = parse_some(&what, "_meta", def.meta)?;
            templates.push(template);
        }

        let mut prompts = Vec::with_capacity(spec.prompts.len());
        for def in spec.prompts {
            let what = format!("prompt '{}'", def.name);
            let arguments = def
                .arguments
                .iter()
                .map(|a| {
                    let mut argument = PromptArgument::new(a.name).with_required(a.required);
                    argument.title = a.title.map(Into::into);
                    argument.description = a.description.map(Into::into);
                    argument
                })
                .collect::<Vec<_>>();
            let mut prompt = Prompt::new(
                def.name,
                def.description,
                (!arguments.is_empty()).then_some(arguments),
            );
            prompt.title = def.title.map(Into::into);
            prompt.icons = parse_some(&what, "icons", def.icons)?;
            prompt.meta = parse_some(&what, "_meta", def.meta)?;
            prompts.push(prompt);
        }

        let info = server_info(
            spec,
            !tools.is_empty(),
            !resources.is_empty() || !templates.is_empty(),
            !prompts.is_empty(),
        )?;
        Ok(Registry {
            info,
            tools,
            tool_index,
            tool_checks,
            resources,
            templates,
            template_matchers,
            prompts,
        })
    }

    /// The index of the tool named `name`.
    pub(crate) fn tool(&self, name: &str) -> Option<usize> {
        self.tool_index.get(name).copied()
    }

    /// How the tool named `name` may run as a task: `None` for an unknown tool, `Forbidden` when its spec
    /// writes no `taskSupport` (the protocol's default).
    pub(crate) fn task_support(&self, name: &str) -> Option<TaskSupport> {
        Some(self.tool_checks[self.tool(name)?].def.task_support())
    }
}

fn server_info(
    spec: &Spec,
    tools: bool,
    resources: bool,
    prompts: bool,
) -> Result<ServerConfig, String> {
    let caps = &spec.capabilities;
    let mut capabilities = ServerCapabilities::default();
    if tools {
        let mut tools = ToolsCapability::default();
        tools.list_changed = caps.tools_list_changed.then_some(true);
        capabilities.tools = Some(tools);
    }
    if resources {
        let mut resources = ResourcesCapability::default();
        resources.subscribe = caps.resources_subscribe.then_some(true);
        resources.list_changed = caps.resources_list_changed.then_some(true);
        capabilities.resources = Some(resources);
    }
    if prompts {
        let mut prompts = PromptsCapability::default();
        prompts.list_changed = caps.prompts_list_changed.then_some(true);
        capabilities.prompts = Some(prompts);
    }
    if caps.logging {
        capabilities.logging = Some(JsonObject::new());
    }
    if caps.completions {
        capabilities.completions = Some(JsonObject::new());
    }

    let server = &spec.server;
    let mut implementation = Implementation::new(server.name, server.version);
    implementation.title = server.title.map(Into::into);
    implementation.description = server.description.map(Into::into);
    implementation.website_url = server.website_url.map(Into::into);
    implementation.icons = parse_some("server", "icons", server.icons)?;
    let info = ServerConfig::new(capabilities).with_server_info(implementation);
    Ok(match server.instructions {
        Some(instructions) => info.with_instructions(instructions),
        None => info,
    })
}

fn parse<T: DeserializeOwned>(what: &str, field: &str, json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| format!("{what}: invalid {field}: {e}"))
}

/// `parse` for a field the spec may leave out.
fn parse_some<T: DeserializeOwned>(
    what: &str,
    field: &str,
    json: Option<&str>,
) -> Result<Option<T>, String> {
    json.map(|json| parse(what, field, json)).transpose()
}
