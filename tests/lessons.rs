//! The built-in lessons (`public/lessons/`) read without error, carry the titles the page
//! lists, and every link in them works: view links read back without a notice and name only
//! bundled models, lesson links name built-in lessons.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use latent_lab::ui::lesson::{BUILT_IN_LESSONS, Block, Inline, parse_lesson};
use latent_lab::ui::link::LinkQuery;
use latent_lab::ui::view_links::link_notices;

fn links(blocks: &[Block]) -> Vec<Inline> {
    blocks
        .iter()
        .flat_map(|b| match b {
            Block::Heading(_, i) | Block::Paragraph(i) => i.clone(),
            Block::List(items) => items.concat(),
        })
        .filter(|i| matches!(i, Inline::ViewLink { .. } | Inline::LessonLink { .. }))
        .collect()
}

#[test]
fn every_built_in_lesson_reads_and_its_links_work() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, title) in BUILT_IN_LESSONS {
        let bytes = std::fs::read(root.join(format!("public/lessons/{name}.md"))).unwrap();
        let lesson = parse_lesson(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            lesson.title, title,
            "{name}: the page's list says '{title}'"
        );
        let links = links(&lesson.blocks);
        assert!(
            links
                .iter()
                .filter(|l| matches!(l, Inline::ViewLink { .. }))
                .count()
                >= 3,
            "{name}: a lesson drives the page through at least three links"
        );
        for link in links {
            match link {
                Inline::ViewLink { hash, .. } => {
                    let notices = link_notices(&hash);
                    assert!(notices.is_empty(), "{name}: {hash}: {notices:?}");
                    let query = LinkQuery::from_hash(&hash);
                    for key in ["model", "a", "b", "classifier"] {
                        if let Some(model) = query.get(key).filter(|m| *m != "none") {
                            let file = root.join(format!("public/weights/{model}.safetensors"));
                            assert!(file.exists(), "{name}: {hash} names {model}, not bundled");
                        }
                    }
                }
                Inline::LessonLink { name: next, .. } => assert!(
                    BUILT_IN_LESSONS.iter().any(|(n, _)| *n == next),
                    "{name}: links to the unknown lesson {next}"
                ),
                _ => unreachable!(),
            }
        }
    }
}
