//! Code generation: lower the validated spec to a view model, render it with the embedded templates, and plan
//! the files of the generated crate in memory. Only `write` touches disk.

pub mod ident;
pub mod plan;
pub mod rust;
pub mod typegen;
pub mod write;
