//! Words: brush's word parser → [`WordPart`]s, keeping quoting so that the
//! expander can apply bash's field-splitting and globbing rules, with
//! `$(…)` and backquotes parsed recursively into corral's tree.

use brush_parser::word as bw;
use brush_parser::ParserOptions;

use super::ast::*;
use super::error::SyntaxError;
use super::lower::{Lower, MAX_DEPTH};

/// Where a word appears, which changes how it is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Context {
    /// A command word, pattern or redirection target.
    Normal,
    /// An assignment value: `~` also expands after `:` (`PATH=~/a:~/b`).
    Assignment,
    /// A here-document body: quotes are literal.
    HereDoc,
}

pub(super) fn options(ctx: Context) -> ParserOptions {
    ParserOptions {
        enable_extended_globbing: true,
        tilde_expansion_after_colon: ctx == Context::Assignment,
        ..ParserOptions::default()
    }
}

/// Lowers the word `text`, which starts at byte `start` of the source.
pub(super) fn lower(
    l: &Lower<'_, '_>,
    text: &str,
    start: usize,
    ctx: Context,
) -> Result<Word, SyntaxError> {
    let span = l.src.span(start, start + text.len());
    let parsed = match ctx {
        Context::HereDoc => bw::parse_heredoc(text, &options(ctx)),
        _ => bw::parse(text, &options(ctx)),
    };
    let parts = match parsed {
        Ok(pieces) => {
            let mut parts = Vec::with_capacity(pieces.len());
            pieces_into(l, &pieces, text, start, false, &mut parts)?;
            match bad_substitution(&parts) {
                Some(_) if count_strip(text).is_some() => count_strip_part(l, text, start)?,
                Some(bad) => vec![WordPart::BadSubstitution(bad)],
                None => parts,
            }
        }
        Err(_) => vec![WordPart::BadSubstitution(text.to_owned())],
    };
    Ok(Word {
        parts,
        raw: text.to_owned(),
        span,
    })
}

/// brush reads a `${…}` it cannot parse (`${x!}`) as the text `$` then
/// `{x!}`; bash rejects it as a bad substitution. Returns the expansion's text.
fn bad_substitution(parts: &[WordPart]) -> Option<String> {
    for pair in parts.windows(2) {
        if let [WordPart::Literal(a), WordPart::Literal(b)] = pair {
            if a.ends_with('$') && b.starts_with('{') {
                let end = b.find('}').map_or(b.len(), |i| i + 1);
                return Some(format!("${}", b.get(..end).unwrap_or(b)));
            }
        }
        if let [_, WordPart::DoubleQuoted(inner)] | [WordPart::DoubleQuoted(inner), _] = pair {
            if let Some(bad) = bad_substitution(inner) {
                return Some(bad);
            }
        }
    }
    match parts {
        [WordPart::DoubleQuoted(inner)] => bad_substitution(inner),
        _ => None,
    }
}

fn pieces_into(
    l: &Lower<'_, '_>,
    pieces: &[bw::WordPieceWithSource],
    text: &str,
    start: usize,
    quoted: bool,
    out: &mut Vec<WordPart>,
) -> Result<(), SyntaxError> {
    for p in pieces {
        let at = start + p.start_index;
        let raw = text.get(p.start_index..p.end_index).unwrap_or("");
        let part = match &p.piece {
            bw::WordPiece::Text(t) => WordPart::Literal(t.clone()),
            bw::WordPiece::SingleQuotedText(t) => WordPart::SingleQuoted(t.clone()),
            bw::WordPiece::AnsiCQuotedText(t) => WordPart::AnsiC(decode_ansi_c(t)),
            bw::WordPiece::DoubleQuotedSequence(inner)
            | bw::WordPiece::GettextDoubleQuotedSequence(inner) => {
                let mut parts = Vec::with_capacity(inner.len());
                pieces_into(l, inner, text, start, true, &mut parts)?;
                WordPart::DoubleQuoted(parts)
            }
            bw::WordPiece::TildeExpansion(t) => WordPart::Tilde(tilde(t)),
            bw::WordPiece::ParameterExpansion(e) => {
                WordPart::Param(param_expansion(l, e, raw, at, quoted)?)
            }
            bw::WordPiece::CommandSubstitution(inner) => WordPart::CommandSubst {
                program: Box::new(nested(l, inner, at + 2)?),
                backquoted: false,
            },
            bw::WordPiece::BackquotedCommandSubstitution(inner) => WordPart::CommandSubst {
                program: Box::new(nested(l, &unescape_backquoted(inner), at + 1)?),
                backquoted: true,
            },
            bw::WordPiece::EscapeSequence(s) => {
                let c = s.strip_prefix('\\').unwrap_or(s);
                if c == "\n" {
                    continue;
                }
                WordPart::Escaped(c.to_owned())
            }
            bw::WordPiece::ArithmeticExpression(e) => WordPart::Arith(Arith {
                text: e.value.clone(),
                span: l.src.span(at, at + raw.len()),
            }),
        };
        out.push(part);
    }
    Ok(())
}

/// Parses the inside of a command substitution found at byte `base`.
fn nested(l: &Lower<'_, '_>, inner: &str, base: usize) -> Result<Program, SyntaxError> {
    if l.depth >= MAX_DEPTH {
        return Err(SyntaxError::TooDeep {
            pos: l.src.pos(base),
        });
    }
    super::parse_nested(l.src, inner, base, l.depth + 1)
}

/// Inside backquotes, `\\`, `` \` `` and `\$` stand for the character.
fn unescape_backquoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                if matches!(next, '\\' | '`' | '$') {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

fn tilde(t: &bw::TildeExpr) -> Tilde {
    match t {
        bw::TildeExpr::Home => Tilde::Home,
        bw::TildeExpr::UserHome(u) => Tilde::User(u.clone()),
        bw::TildeExpr::WorkingDir => Tilde::Pwd,
        bw::TildeExpr::OldWorkingDir => Tilde::OldPwd,
        bw::TildeExpr::NthDirFromTopOfDirStack { n, .. } => Tilde::Dirs {
            n: *n,
            from_bottom: false,
        },
        bw::TildeExpr::NthDirFromBottomOfDirStack { n } => Tilde::Dirs {
            n: *n,
            from_bottom: true,
        },
    }
}

fn param(p: &bw::Parameter) -> Param {
    match p {
        bw::Parameter::Positional(n) => Param::Positional(*n),
        bw::Parameter::Special(s) => match s {
            bw::SpecialParameter::AllPositionalParameters { concatenate } => Param::All {
                concat: *concatenate,
            },
            bw::SpecialParameter::PositionalParameterCount => Param::Count,
            bw::SpecialParameter::LastExitStatus => Param::Status,
            bw::SpecialParameter::CurrentOptionFlags => Param::Flags,
            bw::SpecialParameter::ProcessId => Param::Pid,
            bw::SpecialParameter::LastBackgroundProcessId => Param::LastBackground,
            bw::SpecialParameter::ShellName => Param::Positional(0),
        },
        bw::Parameter::Named(n) => Param::Named(n.clone()),
        bw::Parameter::NamedWithIndex { name, index } => Param::Element {
            name: name.clone(),
            index: index.clone(),
        },
        bw::Parameter::NamedWithAllIndices { name, concatenate } => Param::AllElements {
            name: name.clone(),
            concat: *concatenate,
        },
    }
}

fn param_expansion(
    l: &Lower<'_, '_>,
    e: &bw::ParameterExpr,
    raw: &str,
    at: usize,
    quoted: bool,
) -> Result<ParamExpansion, SyntaxError> {
    // An operand's text is inside `raw`; its last occurrence is where it is.
    let operand = |text: &Option<String>| -> Result<Word, SyntaxError> {
        let text = text.as_deref().unwrap_or("");
        let offset = raw.rfind(text).unwrap_or(0);
        lower(l, text, at + offset, Context::Normal)
    };
    // Inside double quotes, a `\` before a character other than `$ ` " \ }`
    // stays in `${x-word}` (bash); the word is lowered as unquoted text.
    let value = |text: &Option<String>| -> Result<Word, SyntaxError> {
        match text.as_deref() {
            Some(t) if quoted && t.contains('\\') => {
                let offset = raw.rfind(t).unwrap_or(0);
                lower(l, &keep_backslashes(t), at + offset, Context::Normal)
            }
            _ => operand(text),
        }
    };
    let arith = |text: &str| Arith {
        text: text.to_owned(),
        span: l.src.span(at, at + raw.len()),
    };
    let colon = |t: &bw::ParameterTestType| matches!(t, bw::ParameterTestType::UnsetOrNull);
    let (p, indirect, op) = match e {
        bw::ParameterExpr::Parameter {
            parameter,
            indirect,
        } => (parameter, *indirect, ParamOp::Value),
        bw::ParameterExpr::UseDefaultValues {
            parameter,
            indirect,
            test_type,
            default_value,
        } => (
            parameter,
            *indirect,
            ParamOp::Default {
                colon: colon(test_type),
                word: value(default_value)?,
            },
        ),
        bw::ParameterExpr::AssignDefaultValues {
            parameter,
            indirect,
            test_type,
            default_value,
        } => (
            parameter,
            *indirect,
            ParamOp::Assign {
                colon: colon(test_type),
                word: value(default_value)?,
            },
        ),
        bw::ParameterExpr::IndicateErrorIfNullOrUnset {
            parameter,
            indirect,
            test_type,
            error_message,
        } => (
            parameter,
            *indirect,
            ParamOp::Error {
                colon: colon(test_type),
                word: value(error_message)?,
            },
        ),
        bw::ParameterExpr::UseAlternativeValue {
            parameter,
            indirect,
            test_type,
            alternative_value,
        } => (
            parameter,
            *indirect,
            ParamOp::Alternative {
                colon: colon(test_type),
                word: value(alternative_value)?,
            },
        ),
        bw::ParameterExpr::ParameterLength {
            parameter,
            indirect,
        } => (parameter, *indirect, ParamOp::Length),
        bw::ParameterExpr::RemoveSmallestSuffixPattern {
            parameter,
            indirect,
            pattern,
        } => (
            parameter,
            *indirect,
            ParamOp::RemoveSuffix {
                longest: false,
                pattern: operand(pattern)?,
            },
        ),
        bw::ParameterExpr::RemoveLargestSuffixPattern {
            parameter,
            indirect,
            pattern,
        } => (
            parameter,
            *indirect,
            ParamOp::RemoveSuffix {
                longest: true,
                pattern: operand(pattern)?,
            },
        ),
        bw::ParameterExpr::RemoveSmallestPrefixPattern {
            parameter,
            indirect,
            pattern,
        } => (
            parameter,
            *indirect,
            ParamOp::RemovePrefix {
                longest: false,
                pattern: operand(pattern)?,
            },
        ),
        bw::ParameterExpr::RemoveLargestPrefixPattern {
            parameter,
            indirect,
            pattern,
        } => (
            parameter,
            *indirect,
            ParamOp::RemovePrefix {
                longest: true,
                pattern: operand(pattern)?,
            },
        ),
        bw::ParameterExpr::Substring {
            parameter,
            indirect,
            offset,
            length,
        } => (
            parameter,
            *indirect,
            ParamOp::Substring {
                offset: arith(&offset.value),
                length: length.as_ref().map(|len| arith(&len.value)),
            },
        ),
        bw::ParameterExpr::Transform {
            parameter,
            indirect,
            op,
        } => (
            parameter,
            *indirect,
            ParamOp::Transform(transform_letter(op)),
        ),
        bw::ParameterExpr::UppercaseFirstChar {
            parameter,
            indirect,
            pattern,
        } => (
            parameter,
            *indirect,
            case_op(CaseOp::UpperFirst, pattern, &operand)?,
        ),
        bw::ParameterExpr::UppercasePattern {
            parameter,
            indirect,
            pattern,
        } => (
            parameter,
            *indirect,
            case_op(CaseOp::UpperAll, pattern, &operand)?,
        ),
        bw::ParameterExpr::LowercaseFirstChar {
            parameter,
            indirect,
            pattern,
        } => (
            parameter,
            *indirect,
            case_op(CaseOp::LowerFirst, pattern, &operand)?,
        ),
        bw::ParameterExpr::LowercasePattern {
            parameter,
            indirect,
            pattern,
        } => (
            parameter,
            *indirect,
            case_op(CaseOp::LowerAll, pattern, &operand)?,
        ),
        bw::ParameterExpr::ReplaceSubstring {
            parameter,
            indirect,
            pattern,
            replacement,
            match_kind,
        } => {
            let at_kind = match match_kind {
                bw::SubstringMatchKind::Prefix => ReplaceWhere::Prefix,
                bw::SubstringMatchKind::Suffix => ReplaceWhere::Suffix,
                bw::SubstringMatchKind::FirstOccurrence => ReplaceWhere::First,
                bw::SubstringMatchKind::Anywhere => ReplaceWhere::All,
            };
            // bash takes a `/` right after `//` as the pattern's first character
            // (`${x////c}` replaces `/` by `c`); brush reads an empty pattern.
            let (pattern, replacement) = match (&at_kind, replacement) {
                (ReplaceWhere::All, Some(r)) if pattern.is_empty() => {
                    let (p, r) = split_at_slash(r);
                    (format!("/{p}"), r.map(str::to_owned))
                }
                _ => (pattern.clone(), replacement.clone()),
            };
            let replacement = match replacement {
                Some(_) => Some(operand(&replacement)?),
                None => None,
            };
            (
                parameter,
                *indirect,
                ParamOp::Replace {
                    at: at_kind,
                    pattern: operand(&Some(pattern))?,
                    replacement,
                },
            )
        }
        bw::ParameterExpr::VariableNames {
            prefix,
            concatenate,
        } => {
            return Ok(ParamExpansion {
                param: Param::Named(prefix.clone()),
                indirect: true,
                op: ParamOp::Names {
                    prefix: prefix.clone(),
                    concat: *concatenate,
                },
            })
        }
        bw::ParameterExpr::MemberKeys {
            variable_name,
            concatenate,
        } => {
            return Ok(ParamExpansion {
                param: Param::AllElements {
                    name: variable_name.clone(),
                    concat: *concatenate,
                },
                indirect: true,
                op: ParamOp::Keys {
                    name: variable_name.clone(),
                    concat: *concatenate,
                },
            })
        }
    };
    Ok(ParamExpansion {
        param: param(p),
        indirect,
        op,
    })
}

fn case_op(
    op: CaseOp,
    pattern: &Option<String>,
    operand: &dyn Fn(&Option<String>) -> Result<Word, SyntaxError>,
) -> Result<ParamOp, SyntaxError> {
    let pattern = match pattern {
        Some(p) if !p.is_empty() => Some(operand(pattern)?),
        _ => None,
    };
    Ok(ParamOp::Case { op, pattern })
}

fn transform_letter(op: &bw::ParameterTransformOp) -> char {
    match op {
        bw::ParameterTransformOp::CapitalizeInitial => 'u',
        bw::ParameterTransformOp::ExpandEscapeSequences => 'E',
        bw::ParameterTransformOp::PossiblyQuoteWithArraysExpanded { separate_words } => {
            if *separate_words {
                'k'
            } else {
                'K'
            }
        }
        bw::ParameterTransformOp::PromptExpand => 'P',
        bw::ParameterTransformOp::Quoted => 'Q',
        bw::ParameterTransformOp::ToAssignmentLogic => 'A',
        bw::ParameterTransformOp::ToAttributeFlags => 'a',
        bw::ParameterTransformOp::ToLowerCase => 'L',
        bw::ParameterTransformOp::ToUpperCase => 'U',
    }
}

/// Decodes the escapes of `$'…'` as bash does (`\n`, `\x41`, `\u263a`, `\cA`, octal…).
#[must_use]
pub fn decode_ansi_c(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'e' | 'E' => out.push('\u{1b}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' | '\'' | '"' | '?' => out.push(e),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                crate::rawbytes::push_byte(&mut out, (v & 0xff) as u8);
            }
            'x' | 'u' | 'U' => {
                let max = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v = 0u32;
                let mut n = 0;
                while n < max {
                    match chars.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            v = v.wrapping_mul(16).wrapping_add(d);
                            chars.next();
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n == 0 {
                    out.push('\\');
                    out.push(e);
                } else if e == 'x' {
                    crate::rawbytes::push_byte(&mut out, (v & 0xff) as u8);
                } else {
                    match char::from_u32(v) {
                        Some(c) => out.push(c),
                        // A surrogate or a value past U+10FFFF: UTF-8's scheme anyway (bash).
                        None => {
                            for b in crate::builtins::printf::utf8_any(v) {
                                crate::rawbytes::push_byte(&mut out, b);
                            }
                        }
                    }
                }
            }
            'c' => match chars.next() {
                Some(x) => out.push(char::from_u32(u32::from(x) & 0x1f).unwrap_or('\u{fffd}')),
                None => {
                    out.push('\\');
                    out.push('c');
                }
            },
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    // bash's strings end at a NUL (`$'a\0b'` is `a`).
    if let Some(nul) = out.find('\0') {
        out.truncate(nul);
    }
    // `\xc3\xa9` is `é`, as the bytes make it.
    crate::rawbytes::normalize(out)
}

/// `pat/rep` split at its first `/` outside quotes and backslash escapes.
fn split_at_slash(s: &str) -> (&str, Option<&str>) {
    let mut quote = None;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (None, '\\') | (Some('"'), '\\') => {
                chars.next();
            }
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, '/') => return (&s[..i], Some(&s[i + 1..])),
            _ => {}
        }
    }
    (s, None)
}

/// `${##p}` / `${###p}`: `$#` with a prefix removed, which brush cannot
/// parse. The pattern's text and whether it is `##`.
fn count_strip(text: &str) -> Option<(&str, bool)> {
    let inner = text.strip_prefix("${##")?.strip_suffix('}')?;
    if inner.is_empty() || inner.contains(['}', '{', '$']) {
        return None;
    }
    Some(match inner.strip_prefix('#') {
        Some(p) => (p, true),
        None => (inner, false),
    })
}

fn count_strip_part(
    l: &Lower<'_, '_>,
    text: &str,
    start: usize,
) -> Result<Vec<WordPart>, SyntaxError> {
    let Some((pattern, longest)) = count_strip(text) else {
        return Ok(Vec::new());
    };
    let at = start + text.len() - 1 - pattern.len();
    let pattern = lower(l, pattern, at, Context::Normal)?;
    Ok(vec![WordPart::Param(ParamExpansion {
        param: Param::Count,
        indirect: false,
        op: ParamOp::RemovePrefix { longest, pattern },
    })])
}

/// `t` with each `\c` that double quotes keep (c not `$ ` " \ }` or a
/// newline) doubled, so that lowering it as unquoted text keeps the `\`.
fn keep_backslashes(t: &str) -> String {
    let mut out = String::with_capacity(t.len() + 4);
    let mut chars = t.chars();
    let mut single = false;
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            '\'' => single = !single,
            '\\' if !single => {
                if let Some(n) = chars.next() {
                    if !matches!(n, '$' | '`' | '"' | '\\' | '}' | '\n') {
                        out.push('\\');
                    }
                    out.push(n);
                }
            }
            _ => {}
        }
    }
    out
}
