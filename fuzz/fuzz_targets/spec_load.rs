//! Spec loading and validation on arbitrary bytes: never a panic, never a hang, always a model or located errors.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../cli/tests/robust_support/spec_harness.rs"]
mod spec_harness;

fuzz_target!(|data: &[u8]| spec_harness::check_bytes(data));
