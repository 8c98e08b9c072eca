//! Word expansion, in bash's order: brace, tilde, parameter, arithmetic and
//! command substitution, field splitting, pathname expansion, quote removal.

mod env;

pub use env::{BoxFuture, ExpandEnv, ExpandOption, SubstError, Value};
