//! `mcpgen import openapi` on the documents in tests/openapi/ (sources in its README): how many tools, their names,
//! the requests they make, and the warnings, each at its place in the document. `tests/e2e/test_openapi.py` calls
//! the same servers through Prism.

use std::path::{Path, PathBuf};
use std::process::Command;

use mcpgen::openapi::{self, Import, ImportError, Options};
use mcpgen::spec::{ApiKeyLocation, HttpImpl, Tool};
use serde_json::{Map, Value, json};

fn doc(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/openapi")
        .join(name)
}

fn import_with(name: &str, options: Options) -> Result<Import, ImportError> {
    openapi::import(&openapi::read(&doc(name)).unwrap(), &options)
}

fn import(name: &str) -> Import {
    import_with(
        name,
        Options {
            max_operations: 300,
            ..Options::default()
        },
    )
    .unwrap()
}

fn tool<'a>(import: &'a Import, name: &str) -> &'a Tool {
    import
        .spec
        .tools
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no tool {name}"))
}

fn http<'a>(import: &'a Import, name: &str) -> &'a HttpImpl {
    tool(import, name)
        .implementation
        .as_ref()
        .unwrap()
        .http
        .as_ref()
        .unwrap()
}

/// The tool's `inputSchema` or `outputSchema` (`which`), which must be there.
fn schema<'a>(import: &'a Import, name: &str, which: &str) -> &'a Map<String, Value> {
    let tool = tool(import, name);
    let schema = match which {
        "inputSchema" => &tool.input_schema,
        "outputSchema" => &tool.output_schema,
        _ => panic!("no schema {which}"),
    };
    schema
        .as_ref()
        .unwrap_or_else(|| panic!("{name} has no {which}"))
}

fn warned(import: &Import, pointer: &str, words: &str) -> bool {
    import
        .warnings
        .iter()
        .any(|w| w.pointer == pointer && w.message.contains(words))
}

#[test]
fn petstore_30() {
    let import = import("petstore-3.0.yaml");
    let names: Vec<&str> = import.spec.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "update_pet",
            "add_pet",
            "find_pets_by_status",
            "find_pets_by_tags",
            "get_pet_by_id",
            "update_pet_with_form",
            "delete_pet",
            "upload_file",
            "get_inventory",
            "place_order",
            "get_order_by_id",
            "delete_order",
            "create_user",
            "create_users_with_list_input",
            "login_user",
            "logout_user",
            "get_user_by_name",
            "update_user",
            "delete_user"
        ]
    );
    assert_eq!(import.spec.server.name, "swagger-petstore-openapi");
    let env: Vec<&str> = import.spec.env.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        env,
        [
            "SWAGGER_PETSTORE_OPENAPI_BASE_URL",
            "SWAGGER_PETSTORE_OPENAPI_PETSTORE_AUTH_TOKEN",
            "SWAGGER_PETSTORE_OPENAPI_API_KEY"
        ]
    );

    // Path parameter, alternatives of security (the first that can be sent), output schema from the 200 JSON.
    let get = http(&import, "get_pet_by_id");
    assert_eq!(
        (get.base_url.as_str(), get.path.as_str()),
        ("https://petstore3.swagger.io/api/v3", "/pet/{petId}")
    );
    let key = get.auth.as_ref().unwrap().api_key.as_ref().unwrap();
    assert_eq!(
        (key.name.as_str(), key.location),
        ("api_key", ApiKeyLocation::Header)
    );
    let output = schema(&import, "get_pet_by_id", "outputSchema");
    assert_eq!(output["type"], "object");
    assert_eq!(
        output["properties"]["category"],
        json!({"$ref": "#/$defs/Category"})
    );
    // Query and header parameters keep their schemas; the JSON body is one `body` argument, verbatim.
    let input = schema(&import, "find_pets_by_status", "inputSchema");
    assert_eq!(
        input["properties"]["status"]["enum"],
        json!(["available", "pending", "sold"])
    );
    assert_eq!(http(&import, "find_pets_by_tags").query["tags"], "{tags}");
    assert_eq!(http(&import, "delete_pet").headers["api_key"], "{api_key}");
    let add = schema(&import, "add_pet", "inputSchema");
    assert_eq!(add["properties"]["body"]["$ref"], "#/$defs/Pet");
    assert_eq!(add["required"], json!(["body"]));
    assert_eq!(http(&import, "add_pet").body, Some(json!("{body}")));
    // An array response has no outputSchema (MCP's must be an object): the result is the JSON text.
    assert!(tool(&import, "find_pets_by_status").output_schema.is_none());

    assert!(warned(
        &import,
        "/components/securitySchemes/petstore_auth",
        "oauth2 flows are not run"
    ));
    assert!(warned(
        &import,
        "/paths/~1pet~1{petId}~1uploadImage/post/requestBody/content/application~1octet-stream",
        "not sent"
    ));
    assert_eq!(import.warnings.len(), 2, "{:#?}", import.warnings);
}

#[test]
fn petstore_31_features() {
    let import = import("petstore-3.1.yaml");
    assert_eq!(import.spec.tools.len(), 19);
    // A path item behind `$ref` (components/pathItems).
    assert_eq!(http(&import, "get_user_by_name").path, "/user/{username}");
    let order = schema(&import, "get_order_by_id", "outputSchema");
    assert_eq!(
        order["properties"]["shipDate"]["type"],
        json!(["string", "null"])
    );
    let pet = &schema(&import, "get_pet_by_id", "outputSchema")["properties"]["category"];
    assert_eq!(
        pet,
        &json!({"$ref": "#/$defs/Category", "description": "The pet's category."})
    );
    assert!(warned(&import, "/webhooks", "not imported"));
}

#[test]
fn spotify_query_heavy() {
    let import = import_with(
        "spotify.yaml",
        Options {
            name: Some("spotify".into()),
            max_operations: 100,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(import.spec.tools.len(), 96);
    assert_eq!(import.filtered_out, 0);
    assert!(import.spec.tools.iter().all(|t| {
        t.implementation
            .as_ref()
            .unwrap()
            .http
            .as_ref()
            .unwrap()
            .auth
            .as_ref()
            .unwrap()
            .bearer
            .as_ref()
            .unwrap()
            .env
            == "SPOTIFY_OAUTH_2_0_TOKEN"
    }));
    assert!(warned(
        &import,
        "/paths/~1playlists~1{playlist_id}~1images/put/requestBody/content/image~1jpeg",
        "the operation is skipped"
    ));
    assert!(warned(
        &import,
        "/paths/~1search/get/parameters/1",
        "explode false"
    ));
    // A required list parameter needs an item: an empty one would send no parameter.
    let search = schema(&import, "search", "inputSchema");
    assert_eq!(search["properties"]["type"]["minItems"], 1);
}

#[test]
fn openai_hundreds_of_operations() {
    let capped = import_with(
        "openai.yaml",
        Options {
            max_operations: 100,
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(
        capped
            .to_string()
            .starts_with("288 operations selected, more than the cap of 100"),
        "{capped}"
    );

    let import = import("openai.yaml");
    // 8 operations take only multipart bodies and are skipped, each with a warning.
    assert_eq!(import.spec.tools.len(), 280);
    let skipped = import
        .warnings
        .iter()
        .filter(|w| w.message.contains("the operation is skipped"))
        .count();
    assert_eq!(skipped, 8);
    // A query written into the path (`?beta=true`) is sent as a fixed query parameter.
    let beta = http(&import, "beta_get_response");
    assert_eq!(
        (beta.path.as_str(), beta.query["beta"].as_str()),
        ("/responses/{response_id}", "true")
    );
    // Draft 2019-09 recursion (`$recursiveAnchor`/`$recursiveRef`) becomes a `$ref` to its own definition.
    let text = serde_json::to_string(&import.spec.tools).unwrap();
    assert!(!text.contains("$recursive"));
    assert!(warned(&import, "/webhooks", "not imported"));
    // Defaults the document gets wrong are left out, reported at their operation.
    assert!(warned(&import, "/paths/~1responses/post", "does not fit"));
}

#[test]
fn filters_pick_operations() {
    let by = |options: Options| -> Vec<String> {
        import_with(
            "petstore-3.0.yaml",
            Options {
                max_operations: 100,
                ..options
            },
        )
        .unwrap()
        .spec
        .tools
        .into_iter()
        .map(|t| t.name)
        .collect()
    };
    assert_eq!(
        by(Options {
            include_tags: vec!["store".into()],
            ..Options::default()
        })
        .len(),
        4
    );
    assert_eq!(
        by(Options {
            include_paths: vec!["/user/*".into()],
            exclude_operations: vec!["*User".into()],
            ..Options::default()
        }),
        ["create_users_with_list_input", "get_user_by_name"]
    );
    assert_eq!(
        by(Options {
            exclude_tags: vec!["pet".into(), "user".into()],
            ..Options::default()
        })
        .len(),
        4
    );
}

#[test]
fn cli_writes_a_spec_that_validates_and_dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pets.yaml");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mcpgen"))
            .args(args)
            .output()
            .unwrap()
    };
    let docp = doc("petstore-3.0.yaml");
    let doc = docp.to_str().unwrap();
    let dry = run(&[
        "import",
        "openapi",
        doc,
        "--dry-run",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(dry.status.success());
    assert!(!out.exists());
    let listing = String::from_utf8(dry.stdout).unwrap();
    assert_eq!(listing.lines().count(), 19);
    assert!(
        listing.contains("get_pet_by_id") && listing.contains("/pet/{petId}"),
        "{listing}"
    );
    let stderr = String::from_utf8(dry.stderr).unwrap();
    assert!(
        stderr.contains("#/components/securitySchemes/petstore_auth: oauth2"),
        "{stderr}"
    );

    let written = run(&[
        "import",
        "openapi",
        doc,
        "-o",
        out.to_str().unwrap(),
        "--name",
        "pets",
    ]);
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let valid = run(&["validate", out.to_str().unwrap()]);
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stdout)
    );
    let again = run(&["import", "openapi", doc, "-o", out.to_str().unwrap()]);
    assert!(
        !again.status.success(),
        "an existing file is kept without --force"
    );

    let json = run(&["import", "openapi", doc, "--dry-run", "--format", "json"]);
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["tools"].as_array().unwrap().len(), 19);
    assert_eq!(
        report["warnings"][0]["pointer"],
        "/components/securitySchemes/petstore_auth"
    );

    let swagger = dir.path().join("swagger.json");
    std::fs::write(
        &swagger,
        r#"{"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}"#,
    )
    .unwrap();
    let refused = run(&["import", "openapi", swagger.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("Swagger 2.0"));
}
