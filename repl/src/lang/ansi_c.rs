//! bash's `$'…'` quoting: its escapes decoded to the text they stand for.

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
