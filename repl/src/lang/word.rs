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
    let last_bg = last_background_ops(text);
    let brush_text = indirect_all_elements(&last_bg);
    let parsed = match ctx {
        Context::HereDoc => bw::parse_heredoc(&brush_text, &options(ctx)),
        _ => bw::parse(&brush_text, &options(ctx)),
    };
    let parts = match parsed {
        Ok(pieces) => {
            let mut parts = Vec::with_capacity(pieces.len());
            // Piece indexes count in the text brush saw.
            let seen = if matches!(last_bg, std::borrow::Cow::Owned(_)) {
                &*last_bg
            } else {
                text
            };
            pieces_into(l, &pieces, seen, start, false, ctx, &mut parts)?;
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

/// Stand-ins for the `@` and `*` of `${!name[@]OP}`, which brush cannot
/// parse: it takes `${!name[@]` for the list of keys and then fails at the
/// operator. One byte each, so offsets into the text stay the same.
const ALL_AT: &str = "\u{1}";
const ALL_STAR: &str = "\u{2}";

/// `text` with `${!name[@]` and `${!name[*]` followed by an operator other
/// than `}` rewritten to a subscript brush parses ([`ALL_AT`], [`ALL_STAR`]);
/// [`param`] turns it back into all the elements (bash: the indirection of
/// `${name[@]}`, then the operator).
fn indirect_all_elements(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("${!") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    for (i, _) in text.match_indices("${!") {
        let rest = &text[i + 3..];
        let name_len = rest
            .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
            .unwrap_or(rest.len());
        let after = &rest[name_len..];
        let all = [("[@]", ALL_AT), ("[*]", ALL_STAR)]
            .into_iter()
            .find(|(sub, _)| after.starts_with(sub));
        let Some((_, stand_in)) = all else { continue };
        if name_len == 0 || after[3..].starts_with('}') || after.len() == 3 {
            continue;
        }
        let at = i + 3 + name_len + 1;
        out.push_str(&text[copied..at]);
        out.push_str(stand_in);
        copied = at + 1;
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// The name brush is given for the `!` of `${!OP…}` (see
/// [`last_background_ops`]).
const LAST_BG: &str = "__corral_last_background__";

/// `text` with the `!` of every `${!` that bash reads as `$!` with an
/// operator (`${!}`, `${!//x/y}`, `${!:-d}`: the `!` is followed by
/// something that starts no name, digit or `# ? @ *`) replaced by
/// [`LAST_BG`]; brush takes every `${!` for an indirection. Single-quoted
/// text is left alone.
fn last_background_ops(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("${!") {
        return std::borrow::Cow::Borrowed(text);
    }
    let b = text.as_bytes();
    let mut at = Vec::new();
    let (mut i, mut double) = (0, false);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'\'' if !double => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            b'"' => double = !double,
            b'$' if b.get(i + 1) == Some(&b'{') && b.get(i + 2) == Some(&b'!') => {
                let next = b.get(i + 3).copied().unwrap_or(b'}');
                if !(next.is_ascii_alphanumeric() || b"_#?@*".contains(&next)) {
                    at.push(i + 2);
                }
            }
            _ => {}
        }
        i += 1;
    }
    if at.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + at.len() * LAST_BG.len());
    let mut copied = 0;
    for k in at {
        out.push_str(text.get(copied..k).unwrap_or(""));
        out.push_str(LAST_BG);
        copied = k + 1;
    }
    out.push_str(text.get(copied..).unwrap_or(""));
    std::borrow::Cow::Owned(out)
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
    ctx: Context,
    out: &mut Vec<WordPart>,
) -> Result<(), SyntaxError> {
    for p in pieces {
        let at = start + p.start_index;
        let raw = text.get(p.start_index..p.end_index).unwrap_or("");
        let part = match &p.piece {
            bw::WordPiece::Text(t) => WordPart::Literal(t.clone()),
            bw::WordPiece::SingleQuotedText(t) => WordPart::SingleQuoted(t.clone()),
            bw::WordPiece::AnsiCQuotedText(t) => WordPart::AnsiC(super::decode_ansi_c(t)),
            bw::WordPiece::DoubleQuotedSequence(inner)
            | bw::WordPiece::GettextDoubleQuotedSequence(inner) => {
                let mut parts = Vec::with_capacity(inner.len());
                pieces_into(l, inner, text, start, true, ctx, &mut parts)?;
                WordPart::DoubleQuoted(parts)
            }
            bw::WordPiece::TildeExpansion(t) => WordPart::Tilde(tilde(t)),
            bw::WordPiece::ParameterExpansion(e) => {
                WordPart::Param(param_expansion(l, e, raw, at, quoted, ctx)?)
            }
            bw::WordPiece::CommandSubstitution(inner) => WordPart::CommandSubst {
                program: Box::new(nested(l, inner, at + 2)?),
                backquoted: false,
            },
            bw::WordPiece::BackquotedCommandSubstitution(inner) => WordPart::CommandSubst {
                program: Box::new(nested(l, &unescape_backquoted(inner, quoted), at + 1)?),
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
fn unescape_backquoted(s: &str, in_double_quotes: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                // Inside double quotes `\"` is a quote too (bash).
                if matches!(next, '\\' | '`' | '$') || (in_double_quotes && next == '"') {
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
        bw::Parameter::Named(n) if n == LAST_BG => Param::LastBackground,
        bw::Parameter::Named(n) => Param::Named(n.clone()),
        bw::Parameter::NamedWithIndex { name, index } if index == ALL_AT || index == ALL_STAR => {
            Param::AllElements {
                name: name.clone(),
                concat: index == ALL_STAR,
            }
        }
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
    ctx: Context,
) -> Result<ParamExpansion, SyntaxError> {
    // An operand's text is inside `raw`; its last occurrence is where it is.
    // In an assignment's unquoted value, a `~` after `:` expands there too.
    let inner_ctx = if ctx == Context::Assignment && !quoted {
        Context::Assignment
    } else {
        Context::Normal
    };
    let operand = |text: &Option<String>| -> Result<Word, SyntaxError> {
        let text = text.as_deref().unwrap_or("");
        let offset = raw.rfind(text).unwrap_or(0);
        lower(l, text, at + offset, inner_ctx)
    };
    // Inside double quotes, a `'` in `${x-word}` is a plain character and a
    // `\` before a character other than `$ ` " \ }` stays (bash); the word
    // is lowered as unquoted text (see `dquote_operand`).
    let value = |text: &Option<String>| -> Result<Word, SyntaxError> {
        match text.as_deref() {
            Some(t) if quoted && t.contains(['\\', '\'']) => {
                let offset = raw.rfind(t).unwrap_or(0);
                lower(l, &dquote_operand(t), at + offset, Context::Normal)
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

/// The operand `t` of `"${x-t}"` (also `+ = ?`) rewritten to be lowered as
/// unquoted text with double quotes' meaning: a `'` is a plain character,
/// and each `\c` that double quotes keep (c not `$ ` " \ }` or a newline)
/// keeps its `\`. Nested `"…"`, `$(…)`, `${…}` and backquotes are copied.
fn dquote_operand(t: &str) -> String {
    let mut out = String::with_capacity(t.len() + 4);
    let mut chars = t.chars().peekable();
    let mut nested = 0usize;
    let mut in_dq = false;
    let mut in_bq = false;
    while let Some(c) = chars.next() {
        let top = nested == 0 && !in_dq && !in_bq;
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    if top && !matches!(n, '$' | '`' | '"' | '\\' | '}' | '\n') {
                        out.push('\\');
                    }
                    out.push(n);
                }
                continue;
            }
            '\'' if top => {
                out.push_str("\\'");
                continue;
            }
            '$' if !in_bq && matches!(chars.peek(), Some('(' | '{')) => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
                nested += 1;
                continue;
            }
            '(' | '{' if nested > 0 => nested += 1,
            ')' | '}' if nested > 0 => nested -= 1,
            '"' if nested == 0 && !in_bq => in_dq = !in_dq,
            '`' if nested == 0 => in_bq = !in_bq,
            _ => {}
        }
        out.push(c);
    }
    out
}
