//! The license files the workspace's `license = "MIT OR Apache-2.0"` promises are at the repository root.

use std::path::Path;

fn root_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The root file `name`, checked to hold each of `needles`.
fn root_file_holding(name: &str, needles: &[&str]) -> String {
    let text = root_file(name);
    for needle in needles {
        assert!(text.contains(needle), "{name} lacks {needle:?}");
    }
    text
}

#[test]
fn cargo_toml_license_names_both_licenses() {
    let manifest = root_file("Cargo.toml");
    assert!(
        manifest.contains(r#"license = "MIT OR Apache-2.0""#),
        "the workspace license changed; update LICENSE-* and this test"
    );
}

#[test]
fn mit_license_text_names_the_copyright_holder() {
    let text = root_file_holding(
        "LICENSE-MIT",
        &[
            "Permission is hereby granted, free of charge",
            "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF",
        ],
    );
    assert!(text.starts_with("Copyright (c) The mcpgen developers\n"));
}

#[test]
fn apache_license_is_the_full_version_2_text() {
    root_file_holding(
        "LICENSE-APACHE",
        &[
            "Apache License\n                           Version 2.0, January 2004",
            "9. Accepting Warranty or Additional Liability.",
            "END OF TERMS AND CONDITIONS",
        ],
    );
}
