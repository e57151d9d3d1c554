//! The built-in lessons (`public/lessons/`) read without error, carry the titles the page
//! lists, and every link in them works: view links read back without a notice and name only
//! bundled models, lesson links name built-in lessons; what a lesson says of the runs it starts
//! holds for them.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use latent_lab::engine::TrainRequest;
use latent_lab::ui::lesson::{BUILT_IN_LESSONS, Block, Inline, parse_lesson};
use latent_lab::ui::link::LinkQuery;
use latent_lab::ui::loss_axis::{LossAxis, RunShape};
use latent_lab::ui::train_form::TrainForm;
use latent_lab::ui::view_links::{BUNDLED_TRAIN_IMAGES, link_notices, train_from_link};

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

/// The words of `inlines`, links' included, one space apart.
fn words(inlines: &[Inline]) -> String {
    let text: Vec<&str> = inlines
        .iter()
        .map(|i| match i {
            Inline::Text(t) | Inline::Strong(t) | Inline::Emphasis(t) | Inline::Code(t) => t,
            Inline::ViewLink { text, .. } | Inline::LessonLink { text, .. } => text,
        })
        .map(String::as_str)
        .collect();
    text.concat()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lesson A's part 4 sets 500 digits seen four times against 2,000 seen once, "in the same
/// number of steps", and says how many steps each has taken after one epoch: both claims hold
/// for the runs its links start, at the form's batch size, as the trainer counts steps.
#[test]
fn lesson_a_compares_runs_that_see_as_many_images_in_as_many_steps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(root.join("public/lessons/a-latent-size.md")).unwrap();
    let lesson = parse_lesson(&bytes).unwrap();
    let part = lesson
        .blocks
        .iter()
        .skip_while(|b| !matches!(b, Block::Heading(_, h) if words(h).starts_with("4.")))
        .skip(1)
        .take_while(|b| !matches!(b, Block::Heading(..)))
        .cloned()
        .collect::<Vec<_>>();
    let runs: Vec<(TrainForm, TrainRequest)> = links(&part)
        .into_iter()
        .filter_map(|l| match l {
            Inline::ViewLink { hash, .. } if hash.starts_with("#/train") => Some(hash),
            _ => None,
        })
        .map(|hash| {
            let base = TrainForm::defaults(BUNDLED_TRAIN_IMAGES);
            let (form, start, notices) = train_from_link(&LinkQuery::from_hash(&hash), &base);
            assert!(start && notices.is_empty(), "{hash}: {notices:?}");
            let request = form.parse(BUNDLED_TRAIN_IMAGES).unwrap();
            (form, request)
        })
        .collect();
    assert_eq!(runs.len(), 2, "part 4 starts two runs");
    let shape = |r: &TrainRequest| RunShape::of(r);
    let seen = |r: &TrainRequest| r.train_images * r.training.epochs;
    let steps = |r: &TrainRequest| shape(r).steps_per_epoch() * r.training.epochs;
    let [(_, few), (second_form, many)] = [runs[0].clone(), runs[1].clone()];
    assert!(few.train_images < many.train_images && few.training.epochs > many.training.epochs);
    assert_eq!(seen(&few), seen(&many), "both runs see as many digits");
    assert_eq!(steps(&few), steps(&many), "in as many steps");
    assert_eq!(
        second_form.chart_x,
        LossAxis::Images,
        "the second link shows images seen"
    );
    let text: String = part
        .iter()
        .map(|b| match b {
            Block::List(items) => items.iter().map(|i| words(i)).collect::<Vec<_>>().join(" "),
            Block::Heading(_, i) | Block::Paragraph(i) => words(i),
        })
        .collect();
    let claim = format!(
        "after one epoch it has taken {} steps, the first run only {}",
        shape(&many).steps_per_epoch(),
        shape(&few).steps_per_epoch()
    );
    assert!(text.contains(&claim), "part 4 should say: {claim}\n{text}");
}
