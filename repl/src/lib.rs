//! corral-repl
