//! Why an arithmetic expression does not parse, in bash's words.
//!
//! brush-parser tells only that an expression is wrong; bash names the
//! reason (`syntax error: operand expected`, `value too great for base`…)
//! and an "error token": the text from the start of the last token its
//! evaluator read. [`diagnose`] walks the expression with bash's grammar
//! (the recursive descent of its `expr.c`: tokens, precedence levels, number
//! bases) without evaluating anything, and stops at the first error, as bash
//! does. It runs only on text the parser already refused.

/// bash's reason for refusing an expression and the error token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// `syntax error: operand expected`, `invalid arithmetic base`…
    pub reason: &'static str,
    /// The text from where bash's evaluator stopped (for a bad constant,
    /// the constant alone).
    pub token: String,
    /// For a bad constant, where it ends: bash shows the expression up to
    /// there.
    pub constant_end: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    End,
    Num,
    Str,
    /// One of `+-*/%<>=!&|^~?:,()` alone.
    Op(u8),
    /// `==`, `!=`, `<=`, `>=`, `<<`, `>>`, `&&`, `||`, `**`.
    Multi(&'static str),
    /// `+=`, `<<=`…
    OpAssign,
    PreInc,
    PostInc,
}

type Check<T> = Result<T, &'static str>;

struct Checker<'t> {
    text: &'t str,
    /// Where the next token starts (before blanks).
    pos: usize,
    /// The start of the last token read (bash's `lasttp`).
    last_start: usize,
    /// The end of a constant that failed to convert.
    constant_end: Option<usize>,
    cur: Tok,
    /// The token before `cur`.
    prev: Tok,
}

/// Why `text` is not an arithmetic expression bash accepts; `None` when
/// bash's grammar finds nothing wrong.
#[must_use]
pub fn diagnose(text: &str) -> Option<Diagnosis> {
    let mut c = Checker {
        text,
        pos: 0,
        last_start: 0,
        constant_end: None,
        cur: Tok::End,
        prev: Tok::End,
    };
    let r = c.next().and_then(|()| {
        if c.cur == Tok::End {
            return Ok(());
        }
        c.comma()?;
        if c.cur == Tok::End {
            Ok(())
        } else {
            Err("syntax error in expression")
        }
    });
    r.err().map(|reason| Diagnosis {
        reason,
        token: text[c.last_start..c.constant_end.unwrap_or(text.len())].to_owned(),
        constant_end: c.constant_end,
    })
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n')
}

const SINGLE: &[u8] = b"+-*/%<>=!&|^~?:,()";

impl Checker<'_> {
    fn byte(&self, i: usize) -> u8 {
        self.text.as_bytes().get(i).copied().unwrap_or(0)
    }

    /// Reads the next token into `cur` (bash's `readtok`).
    fn next(&mut self) -> Check<()> {
        let mut i = self.pos;
        while is_blank(self.byte(i)) {
            i += 1;
        }
        let c = self.byte(i);
        let before = self.cur;
        self.prev = before;
        if c == 0 {
            self.pos = i;
            self.cur = Tok::End;
            return Ok(());
        }
        self.last_start = i;
        if c.is_ascii_alphabetic() || c == b'_' {
            i += 1;
            while self.byte(i).is_ascii_alphanumeric() || self.byte(i) == b'_' {
                i += 1;
            }
            if self.byte(i) == b'[' {
                i = self.subscript_end(i).ok_or("bad array subscript")? + 1;
            }
            self.pos = i;
            self.cur = Tok::Str;
            return Ok(());
        }
        if c.is_ascii_digit() {
            let start = i;
            while matches!(self.byte(i), b'#' | b'@' | b'_') || self.byte(i).is_ascii_alphanumeric()
            {
                i += 1;
            }
            self.pos = i;
            if let Err(e) = number(&self.text[start..i]) {
                self.constant_end = Some(i);
                return Err(e);
            }
            self.cur = Tok::Num;
            return Ok(());
        }
        let c1 = self.byte(i + 1);
        let c2 = self.byte(i + 2);
        let (tok, len) = match (c, c1) {
            (b'=', b'=') => (Tok::Multi("=="), 2),
            (b'!', b'=') => (Tok::Multi("!="), 2),
            (b'>', b'=') => (Tok::Multi(">="), 2),
            (b'<', b'=') => (Tok::Multi("<="), 2),
            (b'<', b'<') | (b'>', b'>') if c2 == b'=' => (Tok::OpAssign, 3),
            (b'<', b'<') => (Tok::Multi("<<"), 2),
            (b'>', b'>') => (Tok::Multi(">>"), 2),
            (b'&', b'&') => (Tok::Multi("&&"), 2),
            (b'|', b'|') => (Tok::Multi("||"), 2),
            (b'*', b'*') => (Tok::Multi("**"), 2),
            (b'+', b'+') | (b'-', b'-') if before == Tok::Str => (Tok::PostInc, 2),
            (b'+', b'+') | (b'-', b'-') if before != Tok::Num && self.ident_follows(i + 2) => {
                (Tok::PreInc, 2)
            }
            (b'*' | b'/' | b'%' | b'+' | b'-' | b'&' | b'^' | b'|', b'=') => (Tok::OpAssign, 2),
            _ if SINGLE.contains(&c) => (Tok::Op(c), 1),
            _ => {
                let operand_expected = match before {
                    Tok::End | Tok::Op(_) | Tok::Multi(_) | Tok::OpAssign | Tok::PreInc => true,
                    Tok::PostInc => true,
                    Tok::Num | Tok::Str => false,
                };
                return Err(if operand_expected {
                    "syntax error: operand expected"
                } else {
                    "syntax error: invalid arithmetic operator"
                });
            }
        };
        self.pos = i + len;
        self.cur = tok;
        Ok(())
    }

    fn ident_follows(&self, mut i: usize) -> bool {
        while is_blank(self.byte(i)) {
            i += 1;
        }
        let b = self.byte(i);
        b.is_ascii_alphabetic() || b == b'_'
    }

    /// The index of the `]` closing the subscript opened at `open`.
    fn subscript_end(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (k, b) in self.text.bytes().enumerate().skip(open) {
            match b {
                b'[' => depth += 1,
                b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(k);
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn comma(&mut self) -> Check<()> {
        self.assign()?;
        while self.cur == Tok::Op(b',') {
            self.next()?;
            self.assign()?;
        }
        Ok(())
    }

    fn assign(&mut self) -> Check<()> {
        self.cond()?;
        if matches!(self.cur, Tok::Op(b'=') | Tok::OpAssign) {
            if self.prev != Tok::Str {
                return Err("attempted assignment to non-variable");
            }
            self.next()?;
            self.assign()?;
        }
        Ok(())
    }

    fn cond(&mut self) -> Check<()> {
        self.binary(0)?;
        if self.cur == Tok::Op(b'?') {
            self.next()?;
            if matches!(self.cur, Tok::End | Tok::Op(b':')) {
                return Err("expression expected");
            }
            self.comma()?;
            if self.cur != Tok::Op(b':') {
                return Err("`:' expected for conditional expression");
            }
            self.next()?;
            if self.cur == Tok::End {
                return Err("expression expected");
            }
            self.cond()?;
        }
        Ok(())
    }

    /// The left-associative binary levels, loosest first.
    fn binary(&mut self, level: usize) -> Check<()> {
        const LEVELS: &[&[Tok]] = &[
            &[Tok::Multi("||")],
            &[Tok::Multi("&&")],
            &[Tok::Op(b'|')],
            &[Tok::Op(b'^')],
            &[Tok::Op(b'&')],
            &[Tok::Multi("=="), Tok::Multi("!=")],
            &[
                Tok::Multi("<="),
                Tok::Multi(">="),
                Tok::Op(b'<'),
                Tok::Op(b'>'),
            ],
            &[Tok::Multi("<<"), Tok::Multi(">>")],
            &[Tok::Op(b'+'), Tok::Op(b'-')],
            &[Tok::Op(b'*'), Tok::Op(b'/'), Tok::Op(b'%')],
        ];
        let Some(ops) = LEVELS.get(level) else {
            return self.power();
        };
        self.binary(level + 1)?;
        while ops.contains(&self.cur) {
            self.next()?;
            self.binary(level + 1)?;
        }
        Ok(())
    }

    fn power(&mut self) -> Check<()> {
        self.unary()?;
        while self.cur == Tok::Multi("**") {
            self.next()?;
            self.power()?;
        }
        Ok(())
    }

    fn unary(&mut self) -> Check<()> {
        if matches!(
            self.cur,
            Tok::Op(b'!') | Tok::Op(b'~') | Tok::Op(b'-') | Tok::Op(b'+')
        ) {
            self.next()?;
            return self.unary();
        }
        self.operand()
    }

    fn operand(&mut self) -> Check<()> {
        match self.cur {
            Tok::PreInc => {
                self.next()?;
                if self.cur != Tok::Str {
                    return Err("identifier expected after pre-increment or pre-decrement");
                }
                self.next()
            }
            Tok::Op(b'(') => {
                self.next()?;
                self.comma()?;
                if self.cur != Tok::Op(b')') {
                    return Err("missing `)'");
                }
                self.next()
            }
            Tok::Num => self.next(),
            Tok::Str => {
                self.next()?;
                if self.cur == Tok::PostInc {
                    self.next()?;
                }
                Ok(())
            }
            _ => Err("syntax error: operand expected"),
        }
    }
}

/// Checks an integer constant as bash's `strlong` reads it: `0x1f`, `017`,
/// `BASE#DIGITS` with bases 2 to 64.
fn number(s: &str) -> Check<()> {
    let mut bytes = s.bytes().peekable();
    let mut base: i64 = 10;
    let mut found_base = false;
    if s.starts_with('0') {
        bytes.next();
        if bytes.peek().is_none() {
            return Ok(());
        }
        if matches!(bytes.peek(), Some(b'x' | b'X')) {
            bytes.next();
            base = 16;
        } else {
            base = 8;
        }
        found_base = true;
    }
    let mut val: i64 = 0;
    while let Some(c) = bytes.next() {
        if c == b'#' {
            if found_base {
                return Err("invalid number");
            }
            if !(2..=64).contains(&val) {
                return Err("invalid arithmetic base");
            }
            base = val;
            val = 0;
            found_base = true;
            if !bytes
                .peek()
                .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'@'))
            {
                return Err("invalid integer constant");
            }
            continue;
        }
        let digit = match c {
            b'0'..=b'9' => i64::from(c - b'0'),
            b'a'..=b'z' => i64::from(c - b'a') + 10,
            b'A'..=b'Z' => i64::from(c - b'A') + if base <= 36 { 10 } else { 36 },
            b'@' => 62,
            b'_' => 63,
            _ => break,
        };
        if digit >= base {
            return Err("value too great for base");
        }
        val = val.wrapping_mul(base).wrapping_add(digit);
    }
    Ok(())
}
