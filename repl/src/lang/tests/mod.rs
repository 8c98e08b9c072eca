//! Front-end tests: trees, positions, errors, printing against bash.

use super::ast::*;
use super::*;

mod print_bash;

/// The job text bash shows for the first command of `src`.
pub(super) fn job(src: &str) -> String {
    let p = parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
    print::job_text(&p.body.items[0].and_or)
}

#[test]
fn scratch() {
    for src in [
        "(sleep 2; exit 4)",
        "for i in 1 2 3; do sleep $i; done",
        "cat <<EOF\nhello $x\nEOF\n",
        "cat <<-'EOF'\n\tlit $x\n\tEOF\n",
        "if true; then sleep 1; elif false; then echo b; else echo c; fi",
    ] {
        eprintln!("{src:?} => {:?}", job(src));
    }
    eprintln!("{:#?}", parse("echo \"a $b ${c:-d e}\" 'q' $'\\n' ~/x $(f g) `h` $((1+2)) {a,b} \\* 2>&1").unwrap());
}
