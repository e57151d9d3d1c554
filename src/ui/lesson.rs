//! Lessons: a teacher's text beside the live page (`?lesson=NAME`), written as a small
//! Markdown file whose links drive the page. The format (README, "Lessons"):
//!
//! - `# Title` on the first heading line; `## Step` and `### Detail` headings;
//! - paragraphs (lines joined until a blank line), `- item` lists, `**bold**`, `*emphasis*`,
//!   `` `code` ``;
//! - `[text](#/view?choices)`: a link that opens a view with those choices, as a view's own
//!   link does (`ui::view_links`), e.g. `[the pair 3 → 5](#/interpolate?from=18&to=8)` or
//!   `[train it](#/train?d=5&epochs=1&start=1)` (`start=1` starts the run);
//! - `[text](lesson:NAME)`: a link to another lesson.
//!
//! Any other link target is shown as text: nothing a lesson says leaves the page's origin.
//! Lesson text is never HTML: it is drawn as text, so a lesson cannot run a script.

/// A lesson file larger than this is refused (the built-in ones are about 2 KB).
pub const MAX_LESSON_BYTES: usize = 64 * 1024;

/// The lessons bundled in `public/lessons/`: one per part of the exercise and the drawing pad.
pub const BUILT_IN_LESSONS: [(&str, &str); 6] = [
    ("a-latent-size", "A · How wide must the code be?"),
    ("b-depth", "B · Does depth help?"),
    ("c-interpolation", "C · Walking between two digits"),
    (
        "d-decorrelation",
        "D · Do the coordinates say different things?",
    ),
    ("e-transfer", "E · An encoder for a classifier"),
    ("draw", "Your own digits"),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// `##` (2) or `###` (3) and deeper.
    Heading(u8, Vec<Inline>),
    Paragraph(Vec<Inline>),
    List(Vec<Vec<Inline>>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Strong(String),
    Emphasis(String),
    Code(String),
    /// Opens a view with its choices: `hash` is a `#/view?…` address.
    ViewLink {
        text: String,
        hash: String,
    },
    /// Opens another lesson.
    LessonLink {
        text: String,
        name: String,
    },
}

/// A lesson's name, as `?lesson=` and `lesson:` links give it: lower-case letters, digits and
/// dashes, 1 to 40 of them (it names a file in `lessons/`).
pub fn parse_lesson_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(name.to_string())
    } else {
        Err(format!(
            "'{name}' is not a lesson name (lower-case letters, digits and dashes, at most 40)"
        ))
    }
}

/// Reads a lesson file. Errors name what is wrong: too large, not text, no content.
pub fn parse_lesson(bytes: &[u8]) -> Result<Lesson, String> {
    if bytes.len() > MAX_LESSON_BYTES {
        return Err(format!(
            "the lesson is {} KB; a lesson file may have at most {} KB",
            bytes.len().div_ceil(1024),
            MAX_LESSON_BYTES / 1024
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "the lesson is not UTF-8 text (byte {} is not)",
            e.valid_up_to()
        )
    })?;
    let mut title = None;
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Vec<Vec<Inline>> = Vec::new();
    let flush =
        |paragraph: &mut Vec<&str>, list: &mut Vec<Vec<Inline>>, blocks: &mut Vec<Block>| {
            if !paragraph.is_empty() {
                blocks.push(Block::Paragraph(inlines(&paragraph.join(" "))));
                paragraph.clear();
            }
            if !list.is_empty() {
                blocks.push(Block::List(std::mem::take(list)));
            }
        };
    for line in text.lines() {
        let line = line.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            flush(&mut paragraph, &mut list, &mut blocks);
        } else if let Some(rest) = heading(trimmed) {
            flush(&mut paragraph, &mut list, &mut blocks);
            let (level, words) = rest;
            if level == 1 && title.is_none() {
                title = Some(words.to_string());
            } else {
                blocks.push(Block::Heading(level.max(2), inlines(words)));
            }
        } else if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            if !paragraph.is_empty() {
                flush(&mut paragraph, &mut list, &mut blocks);
            }
            list.push(inlines(item.trim()));
        } else if !list.is_empty() && line.starts_with(char::is_whitespace) {
            // An indented line goes on the list item above it.
            let last = list.last_mut().expect("not empty");
            last.push(Inline::Text(" ".into()));
            last.extend(inlines(trimmed));
        } else {
            if !list.is_empty() {
                flush(&mut paragraph, &mut list, &mut blocks);
            }
            paragraph.push(trimmed);
        }
    }
    flush(&mut paragraph, &mut list, &mut blocks);
    if title.is_none() && blocks.is_empty() {
        return Err("the lesson is empty".into());
    }
    Ok(Lesson {
        title: title.unwrap_or_else(|| "Lesson".into()),
        blocks,
    })
}

/// `## Words` → (2, "Words"); not a heading → None.
fn heading(line: &str) -> Option<(u8, &str)> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = line[hashes..].strip_prefix(' ')?;
    Some((hashes as u8, rest.trim()))
}

/// The inline marks of one paragraph, list item or heading.
pub fn inlines(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let parsed = match c {
            '[' => link(rest),
            '*' if rest.starts_with("**") => {
                delimited(rest, "**").map(|(t, n)| (Inline::Strong(t), n))
            }
            '*' | '_' => delimited(rest, &rest[..1]).map(|(t, n)| (Inline::Emphasis(t), n)),
            '`' => delimited(rest, "`").map(|(t, n)| (Inline::Code(t), n)),
            _ => None,
        };
        match parsed {
            Some((inline, used)) => {
                if !plain.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut plain)));
                }
                out.push(inline);
                rest = &rest[used..];
            }
            None => {
                plain.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

/// `**text**` → ("text", bytes used), when the closing mark follows on the same line and
/// the text is not empty.
fn delimited(text: &str, mark: &str) -> Option<(String, usize)> {
    let inner = &text[mark.len()..];
    let end = inner.find(mark)?;
    (end > 0).then(|| (inner[..end].to_string(), mark.len() * 2 + end))
}

/// `[text](target)` → a view link, a lesson link, or the text and its target as plain text.
fn link(text: &str) -> Option<(Inline, usize)> {
    let close = text.find("](")?;
    let label = &text[1..close];
    let target_start = close + 2;
    let target_len = text[target_start..].find(')')?;
    let target = text[target_start..target_start + target_len].trim();
    let used = target_start + target_len + 1;
    let label = label.to_string();
    let inline = if target.starts_with("#/") {
        Inline::ViewLink {
            text: label,
            hash: target.to_string(),
        }
    } else if let Some(name) = target
        .strip_prefix("lesson:")
        .and_then(|n| parse_lesson_name(n).ok())
    {
        Inline::LessonLink { text: label, name }
    } else {
        // Never a way off the page's origin.
        Inline::Text(format!("{label} ({target})"))
    };
    Some((inline, used))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn a_lesson_reads_into_title_headings_paragraphs_lists_and_links() {
        let source = "# Walking between two digits\n\nEncode two digits,\nthen mix their codes.\n\n## Step 1\n- Open [the pair 3 → 5](#/interpolate?from=18&to=8) and **look**.\n- Move *α* to `0.5`:\n  see the middle frame.\n\n### Then\nGo on with [lesson B](lesson:b-depth); [a paper](https://example.org) is text.\n";
        let lesson = parse_lesson(source.as_bytes()).unwrap();
        assert_eq!(lesson.title, "Walking between two digits");
        assert_eq!(
            lesson.blocks,
            vec![
                Block::Paragraph(vec![text("Encode two digits, then mix their codes.")]),
                Block::Heading(2, vec![text("Step 1")]),
                Block::List(vec![
                    vec![
                        text("Open "),
                        Inline::ViewLink {
                            text: "the pair 3 → 5".into(),
                            hash: "#/interpolate?from=18&to=8".into()
                        },
                        text(" and "),
                        Inline::Strong("look".into()),
                        text("."),
                    ],
                    vec![
                        text("Move "),
                        Inline::Emphasis("α".into()),
                        text(" to "),
                        Inline::Code("0.5".into()),
                        text(":"),
                        text(" "),
                        text("see the middle frame."),
                    ],
                ]),
                Block::Heading(3, vec![text("Then")]),
                Block::Paragraph(vec![
                    text("Go on with "),
                    Inline::LessonLink {
                        text: "lesson B".into(),
                        name: "b-depth".into()
                    },
                    text("; "),
                    text("a paper (https://example.org)"),
                    text(" is text."),
                ]),
            ]
        );
    }

    #[test]
    fn unmatched_marks_stay_text_and_html_is_only_text() {
        assert_eq!(
            inlines("2 * 3 = 6, a_b, [no link, `tick"),
            vec![text("2 * 3 = 6, a_b, [no link, `tick")]
        );
        assert_eq!(
            inlines("<script>alert(1)</script>"),
            vec![text("<script>alert(1)</script>")]
        );
        assert_eq!(
            inlines("[x](lesson:../../etc)"),
            vec![text("x (lesson:../../etc)")]
        );
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        assert!(parse_lesson(b"").unwrap_err().contains("empty"));
        assert!(parse_lesson(b"\n \n").unwrap_err().contains("empty"));
        assert!(
            parse_lesson(&[0x23, 0x20, 0xff])
                .unwrap_err()
                .contains("UTF-8")
        );
        let big = vec![b'a'; MAX_LESSON_BYTES + 1];
        assert!(parse_lesson(&big).unwrap_err().contains("at most 64 KB"));
        // Without a title line the lesson is still read.
        assert_eq!(parse_lesson(b"Just text.").unwrap().title, "Lesson");
    }

    #[test]
    fn lesson_names_are_file_names_without_paths() {
        assert_eq!(
            parse_lesson_name(" c-interpolation "),
            Ok("c-interpolation".into())
        );
        for bad in ["", "../x", "A", "a/b", "a.md", &"x".repeat(41)] {
            assert!(parse_lesson_name(bad).is_err(), "{bad}");
        }
        for (name, _) in BUILT_IN_LESSONS {
            assert_eq!(parse_lesson_name(name), Ok(name.to_string()));
        }
    }
}
