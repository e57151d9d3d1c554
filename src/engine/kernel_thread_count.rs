//! How many threads the CPU engine's kernels run on in the browser: all the browser reports
//! (`navigator.hardwareConcurrency`), or fewer where the address asks (`?threads=1`), so that
//! one build can be timed on 1 and on 2 threads, and a class can watch training speed up
//! with each thread it is given. `?copies=N` trains N copies of the model at once instead,
//! each on its part of the batch and a thread of its own (data-parallel training,
//! `training::data_parallel`), to compare with the pool that splits each kernel.

use crate::engine::protocol::query_value;

/// What the address asks of the CPU engine's threads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThreadRequest {
    /// `?threads=`: the pool's threads; `None`: all the browser reports.
    pub threads: Option<usize>,
    /// `?copies=`: copies of the model trained at once, a thread each, instead of the pool.
    pub copies: Option<usize>,
}

/// The thread count the address asks for: `None` for all of them (no `threads=`, or
/// `threads=all`), else a count of at least 1.
pub fn requested_threads(query: &str) -> Result<Option<usize>, String> {
    let Some(value) = query_value(query, "threads") else {
        return Ok(None);
    };
    if value.is_empty() || value.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    match value.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(format!(
            "'threads={value}' in the address is not a number of threads (use 1, 2, … or all); \
             the engine uses all the browser reports"
        )),
    }
}

/// The copies of the model the address asks to train at once (`?copies=N`): `None` where
/// it asks for none (no `copies=`, or `copies=1`), else a count of at least 2.
pub fn requested_copies(query: &str) -> Result<Option<usize>, String> {
    let Some(value) = query_value(query, "copies") else {
        return Ok(None);
    };
    match value.parse::<usize>() {
        Ok(1) => Ok(None),
        Ok(n) if n >= 2 => Ok(Some(n)),
        _ => Err(format!(
            "'copies={value}' in the address is not a number of copies of the model (use 2, \
             3, …); the engine trains one copy on its pool of threads"
        )),
    }
}

/// What the backend's description says of copies on `copies` threads (at most the browser's
/// count, [`pool_size`]): ", 2 copies of the model, a thread each (copies= in the address)".
pub fn copies_description(copies: usize) -> String {
    format!(", {copies} copies of the model, a thread each (copies= in the address)")
}

/// The pool's size: what was asked for, never more than the browser reports (more threads
/// than cores only take turns), and at least one.
pub fn pool_size(requested: Option<usize>, hardware: usize) -> usize {
    let hardware = hardware.max(1);
    requested.map_or(hardware, |n| n.clamp(1, hardware))
}

/// What the backend's description says of the kernels' threads: ", 2 threads", ", one thread",
/// and, where the address asked for fewer than the browser reports, how many it reports.
pub fn threads_description(requested: Option<usize>, hardware: usize) -> String {
    let threads = pool_size(requested, hardware);
    let count = match threads {
        1 => "one thread".to_string(),
        n => format!("{n} threads"),
    };
    if threads < hardware.max(1) {
        format!(", {count} of the {hardware} the browser reports (threads= in the address)")
    } else {
        format!(", {count}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_asks_for_a_count_or_for_all_of_them() {
        assert_eq!(requested_threads(""), Ok(None));
        assert_eq!(requested_threads("?backend=cpu"), Ok(None));
        assert_eq!(requested_threads("?threads=all"), Ok(None));
        assert_eq!(requested_threads("?threads="), Ok(None));
        assert_eq!(requested_threads("?threads=1"), Ok(Some(1)));
        assert_eq!(requested_threads("?backend=cpu&threads=3"), Ok(Some(3)));
    }

    #[test]
    fn a_value_that_is_no_count_is_refused_and_named() {
        for bad in ["?threads=0", "?threads=-1", "?threads=two", "?threads=1.5"] {
            let error = requested_threads(bad).unwrap_err();
            let value = bad.strip_prefix("?threads=").unwrap();
            assert!(error.contains(&format!("'threads={value}'")), "{error}");
        }
    }

    #[test]
    fn the_address_asks_for_copies_of_the_model() {
        assert_eq!(requested_copies(""), Ok(None));
        assert_eq!(requested_copies("?threads=2"), Ok(None));
        assert_eq!(requested_copies("?copies=1"), Ok(None));
        assert_eq!(requested_copies("?backend=cpu&copies=2"), Ok(Some(2)));
        assert_eq!(requested_copies("?copies=3&threads=1"), Ok(Some(3)));
        for bad in ["?copies=", "?copies=0", "?copies=two", "?copies=-2"] {
            let error = requested_copies(bad).unwrap_err();
            let value = bad.strip_prefix("?copies=").unwrap();
            assert!(error.contains(&format!("'copies={value}'")), "{error}");
        }
        assert_eq!(
            copies_description(2),
            ", 2 copies of the model, a thread each (copies= in the address)"
        );
    }

    #[test]
    fn the_pool_never_outgrows_the_browser_and_never_empties() {
        assert_eq!(pool_size(None, 8), 8);
        assert_eq!(pool_size(Some(1), 8), 1);
        assert_eq!(pool_size(Some(3), 8), 3);
        assert_eq!(pool_size(Some(16), 8), 8);
        assert_eq!(pool_size(None, 0), 1);
        assert_eq!(pool_size(Some(4), 0), 1);
    }

    #[test]
    fn the_description_names_the_threads_and_what_was_left_out() {
        assert_eq!(threads_description(None, 2), ", 2 threads");
        assert_eq!(threads_description(Some(2), 2), ", 2 threads");
        assert_eq!(threads_description(Some(5), 2), ", 2 threads");
        assert_eq!(threads_description(None, 1), ", one thread");
        assert_eq!(
            threads_description(Some(1), 2),
            ", one thread of the 2 the browser reports (threads= in the address)"
        );
        assert_eq!(
            threads_description(Some(3), 8),
            ", 3 threads of the 8 the browser reports (threads= in the address)"
        );
    }
}
