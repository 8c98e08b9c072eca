//! Pathname expansion of one field: its `/`-separated components are
//! matched one directory listing at a time. Results are sorted in byte
//! order (bash sorts with the locale's collation; in the C and C.UTF-8
//! locales that is the same order).

use std::path::{Path, PathBuf};

use super::pattern::{Pattern, Quoted};
use super::sys;

/// Options that change matching.
#[derive(Clone, Copy)]
pub(super) struct GlobOpts {
    pub dotglob: bool,
    pub nocase: bool,
    pub extglob: bool,
    /// `shopt -s globstar`: a component `**` matches any depth of directories.
    pub globstar: bool,
    /// `shopt -u globskipdots`: `.*` also matches `.` and `..`.
    pub dots: bool,
}

enum Comp {
    Literal(String),
    Pattern(Pattern),
    /// `**` under globstar.
    Star2,
}

/// The paths the field `text` (quoted at the byte offsets `quoted`) matches, sorted; `None` when it is not a pattern after all
/// (every special character quoted or in an unclosed bracket).
pub(super) fn expand(
    text: &str,
    quoted: &[usize],
    cwd: &Path,
    opts: GlobOpts,
) -> Option<Vec<String>> {
    let mut comps = Vec::new();
    let mut start = 0;
    let mut any_pattern = false;
    for piece in text.split('/') {
        let end = start + piece.len();
        let quoted: Vec<usize> = quoted
            .iter()
            .filter(|&&o| o >= start && o < end)
            .map(|&o| o - start)
            .collect();
        if opts.globstar && piece == "**" && quoted.is_empty() {
            any_pattern = true;
            comps.push(Comp::Star2);
            start = end + 1;
            continue;
        }
        let p = Pattern::compile(piece, Quoted(&quoted), opts.extglob, false);
        if p.is_literal() {
            comps.push(Comp::Literal(p.literal_text().to_owned()));
        } else {
            any_pattern = true;
            comps.push(Comp::Pattern(if opts.nocase {
                Pattern::compile(piece, Quoted(&quoted), opts.extglob, true)
            } else {
                p
            }));
        }
        start = end + 1;
    }
    if !any_pattern {
        return None;
    }
    let absolute = text.starts_with('/');
    let mut cands: Vec<String> = vec![String::new()];
    let last = comps.len() - 1;
    for (idx, comp) in comps.iter().enumerate() {
        let mut next = Vec::new();
        for cand in &cands {
            // An empty candidate past the first component is `/` for an
            // absolute pattern, the cwd after a `**` that matched nothing.
            let join = |name: &str| {
                if idx == 0 || (cand.is_empty() && !absolute) {
                    name.to_owned()
                } else {
                    format!("{cand}/{name}")
                }
            };
            let dir: PathBuf = if cand.is_empty() {
                if absolute && idx > 0 {
                    PathBuf::from("/")
                } else {
                    cwd.to_path_buf()
                }
            } else {
                cwd.join(crate::rawbytes::path(cand))
            };
            match comp {
                // `**/` matches directories, not the cwd itself.
                Comp::Literal(name) if name.is_empty() && cand.is_empty() && !absolute => {}
                Comp::Literal(name) => next.push(join(name)),
                Comp::Star2 => {
                    let last_comp = idx == last;
                    if last_comp && !cand.is_empty() {
                        next.push(format!("{cand}/"));
                    } else if !last_comp {
                        next.push(cand.clone());
                    }
                    descend(&dir, &join, opts, last_comp, &mut next);
                }
                Comp::Pattern(p) => {
                    let hidden_ok = opts.dotglob || p.starts_with_dot();
                    let dots = (opts.dots && p.starts_with_dot()).then_some([".", ".."]);
                    for name in dots.into_iter().flatten().map(str::to_owned) {
                        if p.matches(&name) {
                            next.push(join(&name));
                        }
                    }
                    for name in sys::dir_names(&dir) {
                        if name.starts_with('.') && !hidden_ok {
                            continue;
                        }
                        if p.matches(&name) {
                            next.push(join(&name));
                        }
                    }
                }
            }
        }
        // A literal component after a pattern must exist; only a last one
        // is checked here, earlier ones fail when their listing is empty.
        if idx == last && idx > 0 {
            if let Comp::Literal(name) = comp {
                let want_dir = name.is_empty();
                next.retain(|c| {
                    let path = cwd.join(crate::rawbytes::path(c));
                    if want_dir {
                        sys::is_dir(&path)
                    } else {
                        sys::exists(&path)
                    }
                });
            }
        }
        cands = next;
        if cands.is_empty() {
            break;
        }
    }
    crate::rawbytes::sort(&mut cands);
    // `**/**` reaches a path more than one way.
    cands.dedup();
    Some(cands)
}

/// Everything under `dir` (files too if `files`), depth first; symlinks are
/// listed but not followed (bash 5.2). `join` makes a name a candidate.
fn descend(
    dir: &Path,
    join: &dyn Fn(&str) -> String,
    opts: GlobOpts,
    files: bool,
    out: &mut Vec<String>,
) {
    for name in sys::dir_names(dir) {
        if name.starts_with('.') && !opts.dotglob {
            continue;
        }
        let path = dir.join(crate::rawbytes::path(&name));
        let real_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        let cand = join(&name);
        if real_dir {
            out.push(cand.clone());
            descend(&path, &|n: &str| format!("{cand}/{n}"), opts, files, out);
        } else if files {
            out.push(cand);
        }
    }
}
