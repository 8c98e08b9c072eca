//! Lowering redirections and here-documents.

use brush_parser::ast as b;

use super::Lower;
use super::Result;
use crate::lang::ast::*;
use crate::lang::source::Frame;
use crate::lang::word;

impl Lower<'_, '_> {
    pub(super) fn redirects(
        &self,
        frame: &Frame<'_>,
        list: Option<&b::RedirectList>,
    ) -> Result<Vec<Redirect>> {
        let mut out = Vec::new();
        for r in list.iter().flat_map(|l| l.0.iter()) {
            out.push(self.redirect(frame, r)?);
        }
        Ok(out)
    }

    pub(super) fn redirect(&self, frame: &Frame<'_>, r: &b::IoRedirect) -> Result<Redirect> {
        let (fd, kind) = match r {
            b::IoRedirect::File(fd, kind, target) => {
                let target = match target {
                    b::IoFileRedirectTarget::Filename(w)
                    | b::IoFileRedirectTarget::Duplicate(w) => {
                        self.word(frame, w, word::Context::Normal)?
                    }
                    b::IoFileRedirectTarget::Fd(n) => {
                        let span = self.fallback();
                        Word {
                            parts: vec![WordPart::Literal(n.to_string())],
                            raw: n.to_string(),
                            span,
                        }
                    }
                    b::IoFileRedirectTarget::ProcessSubstitution(k, sub) => {
                        self.process_subst(frame, k, sub)?
                    }
                };
                let kind = match kind {
                    b::IoFileRedirectKind::Read => RedirectKind::Read(target),
                    b::IoFileRedirectKind::Write => RedirectKind::Write(target),
                    b::IoFileRedirectKind::Append => RedirectKind::Append(target),
                    b::IoFileRedirectKind::ReadAndWrite => RedirectKind::ReadWrite(target),
                    b::IoFileRedirectKind::Clobber => RedirectKind::Clobber(target),
                    b::IoFileRedirectKind::DuplicateInput => RedirectKind::DupIn(target),
                    b::IoFileRedirectKind::DuplicateOutput => RedirectKind::DupOut(target),
                };
                (*fd, kind)
            }
            b::IoRedirect::HereDocument(fd, h) => {
                (*fd, RedirectKind::HereDoc(self.here_doc(frame, h)?))
            }
            b::IoRedirect::HereString(fd, w) => (
                *fd,
                RedirectKind::HereString(self.word(frame, w, word::Context::Normal)?),
            ),
            b::IoRedirect::OutputAndError(w, append) => {
                let w = self.word(frame, w, word::Context::Normal)?;
                let kind = if *append {
                    RedirectKind::AppendOutErr(w)
                } else {
                    RedirectKind::OutErr(w)
                };
                (None, kind)
            }
        };
        let target_span = match &kind {
            RedirectKind::HereDoc(_) => self.fallback(),
            RedirectKind::Read(w)
            | RedirectKind::Write(w)
            | RedirectKind::Append(w)
            | RedirectKind::ReadWrite(w)
            | RedirectKind::Clobber(w)
            | RedirectKind::DupIn(w)
            | RedirectKind::DupOut(w)
            | RedirectKind::OutErr(w)
            | RedirectKind::AppendOutErr(w)
            | RedirectKind::HereString(w) => w.span,
        };
        let span = self.back_over_operator(target_span, fd.is_some());
        let fd_var = if fd.is_none() {
            self.named_fd.take()
        } else {
            None
        };
        Ok(Redirect {
            fd,
            fd_var,
            kind,
            span,
        })
    }

    /// Extends a redirection target's span back over its operator and fd.
    pub(super) fn back_over_operator(&self, span: Span, has_fd: bool) -> Span {
        let before = self.src.text.get(..span.start.offset).unwrap_or("");
        let no_blank = before.trim_end_matches([' ', '\t']);
        let no_op = no_blank.trim_end_matches(['<', '>', '&', '|', '-']);
        if no_op.len() == no_blank.len() {
            return span;
        }
        let start = if has_fd {
            no_op.trim_end_matches(|c: char| c.is_ascii_digit()).len()
        } else {
            no_op.len()
        };
        Span {
            start: self.src.pos(start),
            end: span.end,
        }
    }

    pub(super) fn here_doc(&self, frame: &Frame<'_>, h: &b::IoHereDocument) -> Result<HereDoc> {
        let span = self.span_of(frame, h.doc.loc.as_ref());
        if h.doc.loc.is_some() {
            self.note_here_body(span);
        }
        let body = if h.requires_expansion {
            HereDocBody::Expand(self.word_at(
                &h.doc.value,
                span.start.offset,
                word::Context::HereDoc,
            )?)
        } else {
            HereDocBody::Literal(h.doc.value.clone())
        };
        Ok(HereDoc {
            delimiter: h.here_end.value.clone(),
            strip_tabs: h.remove_tabs,
            body,
        })
    }
}
