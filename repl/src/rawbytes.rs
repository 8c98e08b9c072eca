//! Bytes that are not UTF-8, carried through the shell's `String`s.
//!
//! The shell works on text, but arguments, file names, the environment and
//! program output are bytes. Where bytes come in ([`encode`]) every byte
//! that is not part of valid UTF-8 becomes one reserved character; where
//! text goes out to the OS ([`decode`], [`to_os`], [`path`]) each reserved
//! character becomes its byte again. So `printf %s "$1"` gives back the
//! bytes of `$1`, as bash does, and `${#x}` counts an invalid byte as one
//! character, as bash does in a UTF-8 locale.
//!
//! The reserved characters are U+10FD80..=U+10FDFF in the Supplementary
//! Private Use Area-B: byte `b` (0x80..=0xFF) is U+10FD00 + `b`. They have
//! no case (`${x^^}` leaves them alone) and are one `char` each (slicing
//! never splits one). Bytes below 0x80 are always valid UTF-8 and never
//! escaped. A reserved character that arrives as valid UTF-8 is escaped
//! byte by byte, so [`decode`] ∘ [`encode`] is the identity on all bytes.
//!
//! Limits: text made inside the shell from a code point (`$'\U10FD80'`)
//! decodes to a byte, and an invalid sequence that arrives in two pieces
//! (`a=$'\xc3'; b=$'\xa9'`) stays two escapes after `$a$b`, so it does not
//! compare equal to `é` although it prints the same bytes.
//!
//! Valid UTF-8 without the byte 0xF4 (every character below U+100000)
//! takes the fast path both ways: one validation, or one `memchr`, and no
//! copy.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// The reserved block: byte `b` is `BASE + b`.
const BASE: u32 = 0x10_FD00;
/// The lead byte of every reserved character's UTF-8 (and of all of plane 16).
const LEAD: u8 = 0xF4;

/// The reserved character standing for the byte `b` (0x80..=0xFF).
fn escape(b: u8) -> char {
    // BASE + b is at most U+10FDFF: a scalar value.
    char::from_u32(BASE + u32::from(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The byte a reserved character stands for.
#[must_use]
pub fn escaped_byte(c: char) -> Option<u8> {
    let v = u32::from(c);
    if (BASE + 0x80..=BASE + 0xFF).contains(&v) {
        u8::try_from(v - BASE).ok()
    } else {
        None
    }
}

/// Appends the byte `b` to `s`: itself when ASCII, else escaped (for
/// escapes such as `\xff` that make a byte).
pub fn push_byte(s: &mut String, b: u8) {
    if b.is_ascii() {
        s.push(char::from(b));
    } else {
        s.push(escape(b));
    }
}

/// Bytes from the OS as shell text.
#[must_use]
pub fn encode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) if !bytes.contains(&LEAD) => Cow::Borrowed(s),
        _ => Cow::Owned(encode_slow(bytes)),
    }
}

/// [`encode`] of an owned buffer: no copy on the fast path.
#[must_use]
pub fn encode_vec(bytes: Vec<u8>) -> String {
    if bytes.contains(&LEAD) {
        return encode_slow(&bytes);
    }
    String::from_utf8(bytes).unwrap_or_else(|e| encode_slow(e.as_bytes()))
}

/// An OS string (argument, variable, file name) as shell text.
#[must_use]
pub fn from_os(s: OsString) -> String {
    encode_vec(s.into_vec())
}

/// A path as shell text.
#[must_use]
pub fn from_path(p: &Path) -> Cow<'_, str> {
    encode(p.as_os_str().as_bytes())
}

fn encode_slow(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    loop {
        let (valid, bad) = match std::str::from_utf8(bytes) {
            Ok(s) => (s, 0),
            Err(e) => {
                let up_to = e.valid_up_to();
                let bad = e.error_len().unwrap_or(bytes.len() - up_to);
                // The prefix up to `valid_up_to` is valid UTF-8.
                let valid = std::str::from_utf8(&bytes[..up_to]).unwrap_or("");
                (valid, bad)
            }
        };
        for c in valid.chars() {
            if escaped_byte(c).is_some() {
                // Arrived as valid UTF-8: kept as its own bytes.
                let mut b = [0u8; 4];
                for &byte in c.encode_utf8(&mut b).as_bytes() {
                    out.push(escape(byte));
                }
            } else {
                out.push(c);
            }
        }
        let start = valid.len();
        for &b in &bytes[start..start + bad] {
            out.push(escape(b));
        }
        bytes = &bytes[start + bad..];
        if bytes.is_empty() {
            return out;
        }
    }
}

/// Shell text as the bytes it stands for.
#[must_use]
pub fn decode(s: &str) -> Cow<'_, [u8]> {
    if !s.as_bytes().contains(&LEAD) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match escaped_byte(c) {
            Some(b) => out.push(b),
            None => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    Cow::Owned(out)
}

/// `s` with escaped bytes that together are valid UTF-8 made characters
/// again (after text was built from single bytes, as `$'\xc3\xa9'` is).
#[must_use]
pub fn normalize(s: String) -> String {
    if !s.as_bytes().contains(&LEAD) {
        return s;
    }
    let bytes = decode(&s).into_owned();
    encode_vec(bytes)
}

/// Shell text as an OS string (an argument or a variable for a child).
#[must_use]
pub fn to_os(s: &str) -> OsString {
    OsString::from_vec(decode(s).into_owned())
}

/// [`to_os`] of an owned string: no copy on the fast path.
#[must_use]
pub fn into_os(s: String) -> OsString {
    if s.as_bytes().contains(&LEAD) {
        return to_os(&s);
    }
    OsString::from(s)
}

/// Shell text as a path, borrowed when nothing is escaped.
#[must_use]
pub fn path(s: &str) -> Cow<'_, Path> {
    match decode(s) {
        Cow::Borrowed(b) => Cow::Borrowed(Path::new(OsStr::from_bytes(b))),
        Cow::Owned(v) => Cow::Owned(PathBuf::from(OsString::from_vec(v))),
    }
}

/// Sorts shell text by the bytes it stands for (the order of `ls` and of
/// bash's globs in the C and C.UTF-8 locales).
pub fn sort(items: &mut [String]) {
    if items.iter().any(|s| s.as_bytes().contains(&LEAD)) {
        items.sort_unstable_by(|a, b| decode(a).cmp(&decode(b)));
    } else {
        items.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_bytes_round_trip(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let e = encode(&b);
            let d = decode(&e);
            prop_assert_eq!(d.as_ref(), b.as_slice());
            prop_assert_eq!(encode_vec(b.clone()), e.clone().into_owned());
            let os = to_os(&e);
            prop_assert_eq!(os.as_bytes(), b.as_slice());
            let owned = into_os(e.into_owned());
            prop_assert_eq!(owned.as_bytes(), b.as_slice());
        }

        #[test]
        fn valid_utf8_is_untouched(s in "\\PC*") {
            let reserved = s.chars().any(|c| escaped_byte(c).is_some());
            prop_assume!(!reserved);
            let e = encode(s.as_bytes());
            prop_assert_eq!(e.as_ref(), s.as_str());
            prop_assert!(matches!(decode(&s), Cow::Borrowed(_)));
        }

        #[test]
        fn each_stray_byte_is_one_char(b in proptest::collection::vec(0x80u8..=0xBF, 0..16)) {
            // Continuation bytes without a lead are never valid.
            let e = encode(&b);
            prop_assert_eq!(e.chars().count(), b.len());
            let back: Vec<u8> = e.chars().filter_map(escaped_byte).collect();
            prop_assert_eq!(back, b);
        }

        #[test]
        fn order_is_byte_order(mut v in proptest::collection::vec(
            proptest::collection::vec(any::<u8>(), 0..8), 0..8)) {
            let mut texts: Vec<String> = v.iter().map(|b| encode(b).into_owned()).collect();
            sort(&mut texts);
            v.sort();
            let back: Vec<Vec<u8>> = texts.iter().map(|t| decode(t).into_owned()).collect();
            prop_assert_eq!(back, v);
        }
    }

    #[test]
    fn invalid_bytes_become_one_char_each() {
        let e = encode(b"a\xffb\xc3");
        assert_eq!(e.chars().count(), 4);
        assert_eq!(e.to_uppercase(), "A\u{10FDFF}B\u{10FDC3}");
        assert_eq!(decode(&e.to_uppercase()).as_ref(), b"A\xffB\xc3");
    }

    #[test]
    fn reserved_chars_arriving_as_utf8_are_kept() {
        let s = "x\u{10FD80}y";
        let e = encode(s.as_bytes());
        assert_eq!(e.chars().count(), 6);
        assert_eq!(decode(&e).as_ref(), s.as_bytes());
        // Other plane-16 characters are ordinary text.
        assert_eq!(encode("\u{100000}".as_bytes()), "\u{100000}");
    }

    #[test]
    fn push_byte_makes_the_byte() {
        let mut s = String::new();
        push_byte(&mut s, b'a');
        push_byte(&mut s, 0xff);
        assert_eq!(decode(&s).as_ref(), b"a\xff");
        assert_eq!(path(&s).as_os_str().as_bytes(), b"a\xff");
    }
}
