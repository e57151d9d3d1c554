//! "Copy link": the page's address, which holds the open view and its choices, to the
//! clipboard. Where the clipboard is refused (no permission, an insecure origin) the link is
//! shown selected, to copy by hand.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[component]
pub fn CopyLink() -> impl IntoView {
    // The link last copied, and whether the clipboard took it.
    let copied = RwSignal::new(None::<(String, bool)>);
    let copy = move |_| {
        let href = window().location().href().unwrap_or_default();
        leptos::task::spawn_local(async move {
            let ok = write_clipboard(&href).await.is_ok();
            copied.set(Some((href, ok)));
        });
    };
    view! {
        <span class="copy-link" data-part="copy-link">
            <button class="small" data-testid="copy-link" on:click=copy
                title="Copy the address of this view with its choices">"Copy link"</button>
            {move || copied.get().map(|(href, ok)| view! {
                <span class="note" role="status">
                    {if ok { " Copied: " } else { " Copy this link: " }}
                    <input type="text" readonly data-testid="copied-link" prop:value=href
                        size="40" on:focus=move |ev| {
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        }/>
                    <button class="dismiss" on:click=move |_| copied.set(None)>"OK"</button>
                </span>
            })}
        </span>
    }
}

/// `navigator.clipboard.writeText(text)`, through `Reflect` (no new web-sys features).
async fn write_clipboard(text: &str) -> Result<(), String> {
    let navigator = js_sys::Reflect::get(&window(), &"navigator".into())
        .map_err(|_| "no navigator".to_string())?;
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined())
        .ok_or("no clipboard")?;
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("no clipboard.writeText")?;
    let promise = write
        .call1(&clipboard, &text.into())
        .map_err(|e| format!("{e:?}"))?
        .dyn_into::<js_sys::Promise>()
        .map_err(|_| "writeText gave no promise".to_string())?;
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}
