//! `mcpgen breaking`: one row per kind of change, each applied to the same base spec, with the breaking kinds it
//! must report (none for the compatible changes). Then the command itself: exit codes and `--format json`.

use std::path::Path;
use std::process::Command;

use mcpgen::breaking::{Kind, breaking_changes};
use serde_json::{Value, json};

const BASE: &str = r##"
mcpgen: 1
server: {name: shop, description: A shop.}
tools:
  - name: order
    description: Place an order.
    inputSchema:
      type: object
      properties:
        item: {type: string, description: What to buy.}
        count: {type: integer, minimum: 1}
        size: {type: string, enum: [s, m, l]}
        gift: {$ref: "#/definitions/gift"}
        tags: {type: array, items: {type: string, enum: [a, b]}}
      required: [item]
      definitions:
        gift:
          type: object
          properties:
            note: {type: string}
    outputSchema:
      type: object
      properties:
        id: {type: string}
        status: {type: string, enum: [placed, shipped]}
        total: {type: number}
        eta: {type: string}
      required: [id, status, total]
    execution: {taskSupport: optional}
  - name: ping
    description: Check the shop is up.
    execution: {taskSupport: required}
prompts:
  - name: recommend
    description: Recommend a product.
    arguments:
      - {name: budget, required: true}
      - {name: style}
resources:
  - {uri: "shop://catalog", name: catalog, text: "all items"}
resourceTemplates:
  - {uriTemplate: "shop://items/{id}", name: item}
transports:
  stdio: {}
  streamable-http: {}
"##;

fn base() -> Value {
    serde_yaml::from_str(BASE).unwrap()
}

fn load(value: &Value) -> mcpgen::spec::Spec {
    let text = serde_yaml::to_string(value).unwrap();
    mcpgen::pipeline::load_spec_str(Path::new("spec.yaml"), &text)
        .unwrap_or_else(|d| panic!("test spec invalid: {d:?}\n{text}"))
        .spec
}

fn order(v: &mut Value) -> &mut Value {
    &mut v["tools"][0]
}

type Edit = fn(&mut Value);

fn ping(v: &mut Value) -> &mut Value {
    &mut v["tools"][1]
}

fn cases() -> Vec<(&'static str, Edit, Vec<Kind>)> {
    use Kind::*;
    vec![
        // Task support: a change breaks when it takes away a way of calling the tool.
        (
            "taskSupport optional -> required",
            |v| order(v)["execution"]["taskSupport"] = json!("required"),
            vec![ChangedTaskSupport],
        ),
        (
            "taskSupport optional -> forbidden",
            |v| order(v)["execution"]["taskSupport"] = json!("forbidden"),
            vec![ChangedTaskSupport],
        ),
        (
            "taskSupport optional -> absent (forbidden)",
            |v| {
                order(v).as_object_mut().unwrap().remove("execution");
            },
            vec![ChangedTaskSupport],
        ),
        (
            "taskSupport required -> forbidden",
            |v| ping(v)["execution"]["taskSupport"] = json!("forbidden"),
            vec![ChangedTaskSupport],
        ),
        (
            "taskSupport required -> optional (compatible)",
            |v| ping(v)["execution"]["taskSupport"] = json!("optional"),
            vec![],
        ),
        (
            "added tool that allows tasks",
            |v| {
                v["tools"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"name": "later", "description": "Later.", "execution": {"taskSupport": "optional"}}));
            },
            vec![],
        ),
        // Compatible changes: never flagged.
        (
            "description edits",
            |v| {
                order(v)["description"] = json!("Place an order now.");
                order(v)["inputSchema"]["properties"]["item"]["description"] = json!("The item.");
                v["prompts"][0]["description"] = json!("Suggest something.");
                v["server"]["description"] = json!("A better shop.");
            },
            vec![],
        ),
        (
            "added tool",
            |v| {
                v["tools"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"name": "cancel", "description": "Cancel."}));
            },
            vec![],
        ),
        (
            "added optional property",
            |v| {
                order(v)["inputSchema"]["properties"]["coupon"] = json!({"type": "string"});
            },
            vec![],
        ),
        (
            "widened input enum",
            |v| {
                order(v)["inputSchema"]["properties"]["size"]["enum"] =
                    json!(["s", "m", "l", "xl"]);
            },
            vec![],
        ),
        (
            "input integer widened to number",
            |v| {
                order(v)["inputSchema"]["properties"]["count"]["type"] = json!("number");
            },
            vec![],
        ),
        (
            "required input made optional",
            |v| {
                order(v)["inputSchema"]["required"] = json!([]);
            },
            vec![],
        ),
        (
            "added output property, narrowed output enum",
            |v| {
                order(v)["outputSchema"]["properties"]["currency"] = json!({"type": "string"});
                order(v)["outputSchema"]["properties"]["status"]["enum"] = json!(["placed"]);
            },
            vec![],
        ),
        (
            "removed optional output property",
            |v| {
                order(v)["outputSchema"]["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("eta");
            },
            vec![],
        ),
        (
            "added optional prompt argument, added resource",
            |v| {
                v["prompts"][0]["arguments"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"name": "color"}));
                v["resources"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"uri": "shop://news", "name": "news", "text": "x"}));
            },
            vec![],
        ),
        (
            "added output schema",
            |v| {
                v["tools"][1]["outputSchema"] =
                    json!({"type": "object", "properties": {"ok": {"type": "boolean"}}});
            },
            vec![],
        ),
        // Breaking changes.
        (
            "removed tool",
            |v| {
                v["tools"].as_array_mut().unwrap().remove(1);
            },
            vec![RemovedTool],
        ),
        (
            "renamed tool",
            |v| v["tools"][1]["name"] = json!("health"),
            vec![RemovedTool],
        ),
        (
            "removed prompt",
            |v| v["prompts"] = json!([]),
            vec![RemovedPrompt],
        ),
        (
            "removed resource",
            |v| v["resources"] = json!([]),
            vec![RemovedResource],
        ),
        (
            "resource moved to another URI",
            |v| v["resources"][0]["uri"] = json!("shop://all"),
            vec![RemovedResource],
        ),
        (
            "removed template",
            |v| v["resourceTemplates"] = json!([]),
            vec![RemovedTemplate],
        ),
        (
            "template URI changed",
            |v| {
                v["resourceTemplates"][0]["uriTemplate"] = json!("shop://item/{id}");
            },
            vec![ChangedTemplateUri],
        ),
        (
            "removed transport",
            |v| {
                v["transports"]
                    .as_object_mut()
                    .unwrap()
                    .remove("streamable-http");
            },
            vec![RemovedTransport],
        ),
        (
            "new required property",
            |v| {
                order(v)["inputSchema"]["properties"]["address"] = json!({"type": "string"});
                order(v)["inputSchema"]["required"] = json!(["item", "address"]);
            },
            vec![NewRequiredProperty],
        ),
        (
            "optional property became required",
            |v| {
                order(v)["inputSchema"]["required"] = json!(["item", "count"]);
            },
            vec![NewRequiredProperty],
        ),
        (
            "required property added to a tool without arguments",
            |v| {
                v["tools"][1]["inputSchema"] = json!({"type": "object", "properties": {"verbose": {"type": "boolean"}}, "required": ["verbose"]});
            },
            vec![NewRequiredProperty],
        ),
        (
            "removed input property",
            |v| {
                order(v)["inputSchema"]["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("count");
            },
            vec![RemovedProperty],
        ),
        (
            "retyped input property",
            |v| {
                order(v)["inputSchema"]["properties"]["count"]["type"] = json!("string");
            },
            vec![RetypedProperty],
        ),
        (
            "input type widened to a union",
            |v| {
                order(v)["inputSchema"]["properties"]["item"]["type"] = json!(["string", "null"]);
            },
            vec![],
        ),
        (
            "retyped property behind a $ref",
            |v| {
                order(v)["inputSchema"]["definitions"]["gift"]["properties"]["note"] =
                    json!({"type": "integer"});
            },
            vec![RetypedProperty],
        ),
        (
            "narrowed input enum",
            |v| {
                order(v)["inputSchema"]["properties"]["size"]["enum"] = json!(["s", "m"]);
            },
            vec![NarrowedEnum],
        ),
        (
            "narrowed enum of array items",
            |v| {
                order(v)["inputSchema"]["properties"]["tags"]["items"]["enum"] = json!(["a"]);
            },
            vec![NarrowedEnum],
        ),
        (
            "free string became an enum",
            |v| {
                order(v)["inputSchema"]["properties"]["item"]["enum"] = json!(["pen"]);
            },
            vec![NarrowedEnum],
        ),
        (
            "required output property removed",
            |v| {
                order(v)["outputSchema"]["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("total");
                order(v)["outputSchema"]["required"] = json!(["id", "status"]);
            },
            vec![RemovedProperty],
        ),
        (
            "output property no longer required",
            |v| {
                order(v)["outputSchema"]["required"] = json!(["id", "status"]);
            },
            vec![ChangedOutputSchema],
        ),
        (
            "widened output enum",
            |v| {
                order(v)["outputSchema"]["properties"]["status"]["enum"] =
                    json!(["placed", "shipped", "lost"]);
            },
            vec![ChangedOutputSchema],
        ),
        (
            "retyped output property",
            |v| {
                order(v)["outputSchema"]["properties"]["total"]["type"] = json!("string");
            },
            vec![RetypedProperty],
        ),
        (
            "removed output schema",
            |v| {
                order(v).as_object_mut().unwrap().remove("outputSchema");
            },
            vec![ChangedOutputSchema],
        ),
        // SEP-2243: a client holding the old tool list sends no Mcp-Param header, or the old one.
        (
            "property newly mirrored into a header",
            |v| order(v)["inputSchema"]["properties"]["item"]["x-mcp-header"] = json!("Item"),
            vec![ChangedParamHeader],
        ),
        (
            "new required prompt argument",
            |v| {
                v["prompts"][0]["arguments"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"name": "region", "required": true}));
            },
            vec![NewRequiredArgument],
        ),
        (
            "prompt argument became required",
            |v| {
                v["prompts"][0]["arguments"][1]["required"] = json!(true);
            },
            vec![NewRequiredArgument],
        ),
        (
            "removed prompt argument",
            |v| {
                v["prompts"][0]["arguments"]
                    .as_array_mut()
                    .unwrap()
                    .remove(1);
            },
            vec![RemovedArgument],
        ),
    ]
}

#[test]
fn each_kind_of_change_is_classified() {
    let old = load(&base());
    assert!(breaking_changes(&old, &old).is_empty());
    let mut failures = Vec::new();
    for (name, edit, expected) in cases() {
        let mut value = base();
        edit(&mut value);
        let new = load(&value);
        let found = breaking_changes(&old, &new);
        let kinds: Vec<Kind> = found.iter().map(|b| b.kind).collect();
        if kinds != expected {
            let text: Vec<String> = found.iter().map(ToString::to_string).collect();
            failures.push(format!("{name}: expected {expected:?}, found {text:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Header names ignore case, and a header the server no longer expects is one it ignores.
#[test]
fn a_renamed_param_header_breaks_and_a_change_of_case_or_its_removal_does_not() {
    let with = |header: Option<&str>| {
        let mut v = base();
        if let Some(header) = header {
            order(&mut v)["inputSchema"]["properties"]["item"]["x-mcp-header"] = json!(header);
        }
        load(&v)
    };
    let kinds = |old, new| -> Vec<Kind> {
        let found = breaking_changes(&with(old), &with(new));
        found.iter().map(|b| b.kind).collect()
    };
    assert_eq!(
        kinds(Some("Item"), Some("Thing")),
        [Kind::ChangedParamHeader]
    );
    assert_eq!(kinds(Some("Item"), Some("ITEM")), []);
    assert_eq!(kinds(Some("Item"), None), []);
}

#[test]
fn findings_name_the_item_and_the_place() {
    let old = load(&base());
    let mut value = base();
    order(&mut value)["inputSchema"]["properties"]["tags"]["items"]["enum"] = json!(["a"]);
    order(&mut value)["outputSchema"]["required"] = json!(["id", "total"]);
    ping(&mut value)["execution"]["taskSupport"] = json!("forbidden");
    let found = breaking_changes(&old, &load(&value));
    let text: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "tool order inputSchema.tags[]: no longer accepts \"b\" [narrowed-enum]",
            "tool order outputSchema.status: no longer required: clients may not find it [changed-output-schema]",
            "tool ping execution.taskSupport: required -> forbidden: calls as a task are now refused [changed-task-support]",
        ]
    );
}

fn mcpgen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn command_exits_1_on_breaking_changes_and_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.yaml");
    let new = dir.path().join("new.yaml");
    let compatible = dir.path().join("compatible.yaml");
    std::fs::write(&old, BASE).unwrap();
    let mut value = base();
    v_remove_ping(&mut value);
    std::fs::write(&new, serde_yaml::to_string(&value).unwrap()).unwrap();
    std::fs::write(
        &compatible,
        BASE.replace("Place an order.", "Order things."),
    )
    .unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_owned();

    let out = mcpgen(&["breaking", &s(&old), &s(&compatible)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("No breaking changes"));

    let out = mcpgen(&["breaking", &s(&old), &s(&new)]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 breaking change from"), "{stdout}");
    assert!(
        stdout.contains("tool ping: removed [removed-tool]"),
        "{stdout}"
    );

    let out = mcpgen(&["breaking", &s(&old), &s(&new), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report,
        json!({"breaking": [{"kind": "removed-tool", "item": "tool ping", "location": "", "message": "removed"}]})
    );

    let out = mcpgen(&["breaking", &s(&old), &s(&compatible), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report, json!({"breaking": []}));

    // An invalid spec is reported, not compared.
    std::fs::write(&new, "mcpgen: 1\nserver: {}\n").unwrap();
    let out = mcpgen(&["breaking", &s(&old), &s(&new)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "{out:?}");
}

fn v_remove_ping(v: &mut Value) {
    v["tools"].as_array_mut().unwrap().remove(1);
}
