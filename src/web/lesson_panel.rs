//! The lesson panel beside the view (`?lesson=NAME`, or "Lessons" in the navigation): a
//! built-in lesson from `lessons/NAME.md` or a teacher's own file, drawn as text; its view
//! links are plain links to `#/view?choices`, so a click opens that view with those choices.

use leptos::prelude::*;

use super::read_file_bytes;
use super::reproduction::fetch_text;
use super::view_link::set_search_param;
use crate::ui::lesson::{
    BUILT_IN_LESSONS, Block, Inline, Lesson, MAX_LESSON_BYTES, parse_lesson, parse_lesson_name,
};

/// What the panel shows.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Nothing,
    Loading(String),
    Lesson(Lesson),
    Failed(String),
}

#[component]
pub fn LessonPanel(
    /// The folder of the page (lessons are fetched from `lessons/` under it).
    base: String,
    /// The lesson `?lesson=` named, if any.
    initial: Option<String>,
    /// Closes the panel.
    on_close: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(initial);
    let shown = RwSignal::new(Shown::Nothing);
    // A file loaded from the page is shown until another lesson is chosen.
    let from_file = RwSignal::new(false);
    Effect::new(move |_| {
        let Some(lesson) = name.get() else {
            if !from_file.get_untracked() {
                shown.set(Shown::Nothing);
            }
            return;
        };
        set_search_param("lesson", Some(&lesson));
        let url = format!("{}lessons/{lesson}.md", base);
        shown.set(Shown::Loading(lesson.clone()));
        leptos::task::spawn_local(async move {
            let result = fetch_text(&url)
                .await
                .and_then(|t| parse_lesson(t.as_bytes()));
            // Only the lesson still wanted is shown.
            if name.get_untracked().as_deref() == Some(lesson.as_str()) {
                shown.set(match result {
                    Ok(l) => Shown::Lesson(l),
                    Err(e) => {
                        Shown::Failed(format!("the lesson '{lesson}' could not be loaded: {e}"))
                    }
                });
            }
        });
    });
    let open_lesson = Callback::new(move |lesson: String| {
        from_file.set(false);
        name.set(Some(lesson));
    });
    let on_pick_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let file_name = file.name();
            let result = if file.size() > MAX_LESSON_BYTES as f64 {
                Err(format!(
                    "'{file_name}' is larger than a lesson may be ({} KB)",
                    MAX_LESSON_BYTES / 1024
                ))
            } else {
                read_file_bytes(&file).await.and_then(|bytes| {
                    parse_lesson(&bytes).map_err(|e| format!("'{file_name}': {e}"))
                })
            };
            from_file.set(true);
            name.set(None);
            set_search_param("lesson", None);
            shown.set(match result {
                Ok(l) => Shown::Lesson(l),
                Err(e) => Shown::Failed(e),
            });
        });
    };

    view! {
        <aside class="lesson-panel" data-testid="lesson-panel" aria-label="Lesson"
            data-lesson=move || name.get().unwrap_or_default()
            data-state=move || match shown.get() {
                Shown::Nothing => "none",
                Shown::Loading(_) => "loading",
                Shown::Lesson(_) => "shown",
                Shown::Failed(_) => "failed",
            }>
            <div class="lesson-tools">
                <label>"Lesson "
                    <select data-testid="lesson-select"
                        prop:value=move || name.get().unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Ok(n) = parse_lesson_name(&v) {
                                open_lesson.run(n);
                            }
                        }>
                        <option value="">"choose…"</option>
                        {BUILT_IN_LESSONS.map(|(n, title)| view! { <option value=n>{title}</option> })}
                    </select>
                </label>
                " "
                <label class="file-pick">"Load a lesson file… "
                    <input type="file" accept=".md,.txt,text/markdown,text/plain" data-testid="lesson-load" on:change=on_pick_file/>
                </label>
                " "
                <button class="dismiss" data-testid="lesson-close" title="Close the lesson"
                    on:click=move |_| {
                        set_search_param("lesson", None);
                        on_close.run(());
                    }>"×"</button>
            </div>
            {move || match shown.get() {
                Shown::Nothing => view! {
                    <p class="note">"Choose a lesson, or load one you wrote (the format is in the README)."</p>
                }.into_any(),
                Shown::Loading(n) => view! { <p class="note">{format!("Loading the lesson '{n}'…")}</p> }.into_any(),
                Shown::Failed(e) => view! { <p class="warning" role="alert" data-testid="lesson-error">{e}</p> }.into_any(),
                Shown::Lesson(lesson) => lesson_view(lesson, open_lesson).into_any(),
            }}
        </aside>
    }
}

fn lesson_view(lesson: Lesson, open_lesson: Callback<String>) -> impl IntoView {
    view! {
        <article class="lesson">
            <h2>{lesson.title}</h2>
            {lesson.blocks.into_iter().map(|b| match b {
                Block::Heading(2, text) => view! { <h3>{inline_views(text, open_lesson)}</h3> }.into_any(),
                Block::Heading(_, text) => view! { <h4>{inline_views(text, open_lesson)}</h4> }.into_any(),
                Block::Paragraph(text) => view! { <p>{inline_views(text, open_lesson)}</p> }.into_any(),
                Block::List(items) => view! {
                    <ul>{items.into_iter().map(|i| view! { <li>{inline_views(i, open_lesson)}</li> }).collect_view()}</ul>
                }.into_any(),
            }).collect_view()}
        </article>
    }
}

fn inline_views(inlines: Vec<Inline>, open_lesson: Callback<String>) -> impl IntoView {
    inlines
        .into_iter()
        .map(|i| match i {
            Inline::Text(t) => t.into_any(),
            Inline::Strong(t) => view! { <strong>{t}</strong> }.into_any(),
            Inline::Emphasis(t) => view! { <em>{t}</em> }.into_any(),
            Inline::Code(t) => view! { <code>{t}</code> }.into_any(),
            Inline::ViewLink { text, hash } => {
                view! { <a class="lesson-step" data-testid="lesson-link" href=hash>{text}</a> }
                    .into_any()
            }
            Inline::LessonLink { text, name } => view! {
                <a class="lesson-next" href="#" on:click=move |ev| {
                    ev.prevent_default();
                    open_lesson.run(name.clone());
                }>{text}</a>
            }
            .into_any(),
        })
        .collect_view()
}
