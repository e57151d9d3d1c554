//! Files the command writes appear whole or not at all: each is written to a temporary file
//! beside it and renamed over the real name, so a crash, a full disk or Ctrl-C never leaves
//! half a results.json, weight file or figure where a good one was.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A temporary name in the same folder (a rename across folders may not be atomic), hidden,
/// unique to this process, keeping the extension (the PNG writer picks its format from it).
pub fn temporary_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = match path.extension() {
        Some(ext) => format!(
            ".{}.{}.tmp.{}",
            name.trim_end_matches(&format!(".{}", ext.to_string_lossy())),
            std::process::id(),
            ext.to_string_lossy()
        ),
        None => format!(".{name}.{}.tmp", std::process::id()),
    };
    path.with_file_name(tmp)
}

/// Writes `bytes` to `path` atomically: the file is either the old one or the whole new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |tmp| {
        let mut file = std::fs::File::create(tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })
}

/// Lets `write` make the file under a temporary name, then renames it to `path`; on any error
/// the temporary file is removed and `path` is left as it was.
pub fn write_atomic_with<E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), E> {
    let tmp = temporary_sibling(path);
    let outcome = write(&tmp).and_then(|()| std::fs::rename(&tmp, path).map_err(E::from));
    if outcome.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    outcome
}

/// Whether writing into `out` could overwrite files read from `input`: the same folder, or
/// `input` inside `out` (paths compared after resolving `..` and links where they exist).
pub fn overlaps(input: &Path, out: &Path) -> bool {
    let resolve = |p: &Path| {
        std::fs::canonicalize(p).unwrap_or_else(|_| {
            std::env::current_dir()
                .map(|cwd| cwd.join(p))
                .unwrap_or_else(|_| p.to_path_buf())
        })
    };
    let (input, out) = (resolve(input), resolve(out));
    input.starts_with(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("latent-lab-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn temporary_names_stay_beside_and_keep_the_extension() {
        let tmp = temporary_sibling(Path::new("out/figures/sweep.png"));
        assert_eq!(tmp.parent(), Some(Path::new("out/figures")));
        assert_eq!(tmp.extension().unwrap(), "png");
        assert!(
            tmp.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".sweep.")
        );
        assert_ne!(tmp, Path::new("out/figures/sweep.png"));
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_litter() {
        let dir = scratch("fail");
        let path = dir.join("results.json");
        write_atomic(&path, b"old").unwrap();
        let failed: Result<(), std::io::Error> = write_atomic_with(&path, |tmp| {
            std::fs::write(tmp, b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "disk full");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_output_folder_equal_to_or_holding_the_input_overlaps() {
        let dir = scratch("overlap");
        let data = dir.join("data");
        std::fs::create_dir_all(&data).unwrap();
        assert!(overlaps(&data, &data));
        assert!(overlaps(&data, &dir.join("data/../data")));
        assert!(overlaps(&data, &dir));
        assert!(!overlaps(&data, &dir.join("subset")));
        assert!(!overlaps(&data, &data.join("subset")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
