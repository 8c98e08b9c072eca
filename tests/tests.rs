//! Integration tests of the `corral` binary: non-interactive (`-c`, scripts,
//! stdin) and interactive in a real pseudo-terminal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod bg_anchor;
mod build_weight;
mod builtins_core;
mod bytes;
mod difftest;
mod examples;
mod fuzz_corpus;
mod interactive;
mod interactive_complete;
mod interactive_piped;
mod jobctl_lang;
mod jobspec_paths;
mod lang_messages;
mod noninteractive;
mod reliability;
mod run_builtin;
mod terminal;
mod vmount;
