//! The `corral` binary: everything lives in corral-repl.

fn main() {
    std::process::exit(corral_repl::main());
}
