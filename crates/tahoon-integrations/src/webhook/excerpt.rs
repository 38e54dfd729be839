//! The excerpt of a receiver's answer kept with an outcome: a bounded head of the body, as safe
//! text. The body is streamed and reading stops at the limit, so a receiver cannot make us buffer
//! an unbounded answer.

use reqwest::Response;

/// The most of an answer's body that is read and kept, in bytes.
pub const MAX_EXCERPT_BYTES: usize = 1024;

/// At most [`MAX_EXCERPT_BYTES`] of `response`'s body. A failure part-way keeps what was read
/// (the status is the answer; the body is only an excerpt), except a timeout, which is returned.
pub(crate) async fn read_head(response: &mut Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut head = Vec::new();
    while head.len() < MAX_EXCERPT_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let take = chunk.len().min(MAX_EXCERPT_BYTES - head.len());
                head.extend_from_slice(&chunk[..take]);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => return Err(e),
            Err(_) => break,
        }
    }
    Ok(head)
}

/// `head` as text: invalid UTF-8 replaced (a character cut by the limit is dropped), control
/// characters other than `\n` and `\t` replaced by spaces, and never more than
/// [`MAX_EXCERPT_BYTES`] bytes.
pub(crate) fn excerpt_text(head: &[u8]) -> String {
    let head = &head[..head.len().min(MAX_EXCERPT_BYTES)];
    // An incomplete sequence at the very end is the limit's cut, not the receiver's error.
    let head = match std::str::from_utf8(head) {
        Err(e) if e.error_len().is_none() => &head[..e.valid_up_to()],
        _ => head,
    };
    let mut text: String = String::from_utf8_lossy(head)
        .chars()
        .map(|c| if c.is_control() && c != '\n' && c != '\t' { ' ' } else { c })
        .collect();
    if text.len() > MAX_EXCERPT_BYTES {
        let mut cut = MAX_EXCERPT_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_but_newline_and_tab_become_spaces() {
        assert_eq!(excerpt_text(b"a\r\nb\tc\x1b[31md\x00\x7f"), "a \nb\tc [31md  ");
        assert_eq!(excerpt_text("é\u{85}".as_bytes()), "é ");
    }

    #[test]
    fn a_character_cut_by_the_limit_is_dropped_and_invalid_bytes_replaced() {
        let mut body = vec![b'x'; MAX_EXCERPT_BYTES - 1];
        body.extend_from_slice("é".as_bytes());
        let text = excerpt_text(&body);
        assert_eq!(text.len(), MAX_EXCERPT_BYTES - 1);
        assert!(text.bytes().all(|b| b == b'x'));
        assert_eq!(excerpt_text(b"ok\xffok"), "ok\u{fffd}ok");
    }

    #[test]
    fn the_excerpt_never_exceeds_the_limit_even_when_replacements_grow_it() {
        let text = excerpt_text(&[0xff; MAX_EXCERPT_BYTES]);
        assert!(text.len() <= MAX_EXCERPT_BYTES);
        assert!(text.chars().all(|c| c == '\u{fffd}'));
    }
}
