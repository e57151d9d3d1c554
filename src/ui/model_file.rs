//! Checks on a weight file the person picks, before its bytes travel to the engine.

/// The largest file the page accepts. Latent Lab's models are under 1 MB; anything far larger
/// is not one of them, and would only cost memory to refuse later.
pub const MAX_MODEL_FILE_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// Refuses empty and oversized files with a message that says what to pick instead.
pub fn check_model_file(file_name: &str, size_bytes: f64) -> Result<(), String> {
    if size_bytes <= 0.0 {
        return Err(format!(
            "'{file_name}' is empty: pick a .safetensors file saved by Latent Lab"
        ));
    }
    if size_bytes > MAX_MODEL_FILE_BYTES {
        return Err(format!(
            "'{file_name}' is {:.0} MB: Latent Lab's weight files are under 1 MB, so this is not one",
            size_bytes / (1024.0 * 1024.0)
        ));
    }
    Ok(())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn empty_and_huge_files_are_refused_before_loading() {
        assert!(
            check_model_file("a.safetensors", 0.0)
                .unwrap_err()
                .contains("empty")
        );
        let err = check_model_file("movie.mp4", 700.0 * 1024.0 * 1024.0).unwrap_err();
        assert!(err.contains("700 MB"), "{err}");
        assert!(check_model_file("two-layer-d20.safetensors", 201_000.0).is_ok());
        assert!(check_model_file("edge", MAX_MODEL_FILE_BYTES).is_ok());
    }
}
