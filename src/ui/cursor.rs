//! Picking from a picture by keyboard: the arrow keys move a cursor over the cells of a grid
//! (the digit gallery) or from point to point of a scatter plot (the latent map), and Enter or
//! Space picks what is under it. The mouse picks by clicking; these give the keyboard the same.

/// A direction an arrow key asks for, on screen (y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Left,
    Right,
    Up,
    Down,
}

/// What a key asks of a picture with a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorKey {
    Move(Direction),
    /// Home and End: the first and the last item.
    First,
    Last,
    /// Enter or Space.
    Pick,
}

impl CursorKey {
    /// The key's meaning, from `KeyboardEvent.key`; `None` for keys the picture leaves alone
    /// (Tab above all, so focus moves on).
    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "ArrowLeft" => Self::Move(Direction::Left),
            "ArrowRight" => Self::Move(Direction::Right),
            "ArrowUp" => Self::Move(Direction::Up),
            "ArrowDown" => Self::Move(Direction::Down),
            "Home" => Self::First,
            "End" => Self::Last,
            "Enter" | " " => Self::Pick,
            _ => return None,
        })
    }
}

/// The cell the cursor moves to in a grid of `count` cells laid out `columns` to a row. It
/// stops at the edges (no wrapping: a wrap would jump across the picture). From no cell, any
/// move lands on the first.
pub fn grid_step(
    cell: Option<usize>,
    key: CursorKey,
    columns: usize,
    count: usize,
) -> Option<usize> {
    if count == 0 {
        return None;
    }
    let columns = columns.max(1);
    let last = count - 1;
    let Some(cell) = cell.map(|c| c.min(last)) else {
        return Some(if key == CursorKey::Last { last } else { 0 });
    };
    Some(match key {
        CursorKey::Move(Direction::Left) if cell % columns > 0 => cell - 1,
        CursorKey::Move(Direction::Right) if cell % columns < columns - 1 && cell < last => {
            cell + 1
        }
        CursorKey::Move(Direction::Up) if cell >= columns => cell - columns,
        CursorKey::Move(Direction::Down) if cell + columns <= last => cell + columns,
        CursorKey::First => 0,
        CursorKey::Last => last,
        _ => cell,
    })
}

/// The point the cursor moves to in a scatter plot: the nearest point that lies in the
/// direction asked, within 45° of it (so Right never goes mostly up). `None` where there is
/// none. Ties go to the lower index, so a step is always the same.
pub fn point_step(positions: &[(f64, f64)], from: usize, direction: Direction) -> Option<usize> {
    let &(x0, y0) = positions.get(from)?;
    positions
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != from)
        .filter_map(|(i, &(x, y))| {
            let (dx, dy) = (x - x0, y - y0);
            let (along, across) = match direction {
                Direction::Right => (dx, dy),
                Direction::Left => (-dx, dy),
                Direction::Down => (dy, dx),
                Direction::Up => (-dy, dx),
            };
            (along > 0.0 && across.abs() <= along).then_some((i, dx * dx + dy * dy))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .map(|(i, _)| i)
}

/// The point nearest the middle of the points' bounding box: where the cursor starts.
pub fn central_point(positions: &[(f64, f64)]) -> Option<usize> {
    let (mut lo, mut hi) = (
        (f64::INFINITY, f64::INFINITY),
        (f64::NEG_INFINITY, f64::NEG_INFINITY),
    );
    for &(x, y) in positions {
        lo = (lo.0.min(x), lo.1.min(y));
        hi = (hi.0.max(x), hi.1.max(y));
    }
    let (cx, cy) = ((lo.0 + hi.0) / 2.0, (lo.1 + hi.1) / 2.0);
    positions
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| (i, (x - cx).powi(2) + (y - cy).powi(2)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .map(|(i, _)| i)
}

/// The point the cursor moves to from `from` (none yet: the central point) for `key`. First
/// and Last go to the points furthest left and right.
pub fn map_step(positions: &[(f64, f64)], from: Option<usize>, key: CursorKey) -> Option<usize> {
    let extreme = |sign: f64| {
        positions
            .iter()
            .enumerate()
            .min_by(|a, b| {
                (sign * a.1.0)
                    .total_cmp(&(sign * b.1.0))
                    .then(a.0.cmp(&b.0))
            })
            .map(|(i, _)| i)
    };
    match (from.filter(|&i| i < positions.len()), key) {
        (_, CursorKey::First) => extreme(1.0),
        (_, CursorKey::Last) => extreme(-1.0),
        (None, _) => central_point(positions),
        (Some(i), CursorKey::Move(d)) => Some(point_step(positions, i, d).unwrap_or(i)),
        (Some(i), CursorKey::Pick) => Some(i),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    const RIGHT: CursorKey = CursorKey::Move(Direction::Right);
    const LEFT: CursorKey = CursorKey::Move(Direction::Left);
    const UP: CursorKey = CursorKey::Move(Direction::Up);
    const DOWN: CursorKey = CursorKey::Move(Direction::Down);

    #[test]
    fn keys_are_read_and_tab_is_left_alone() {
        assert_eq!(CursorKey::from_key("ArrowUp"), Some(UP));
        assert_eq!(CursorKey::from_key("Enter"), Some(CursorKey::Pick));
        assert_eq!(CursorKey::from_key(" "), Some(CursorKey::Pick));
        assert_eq!(CursorKey::from_key("End"), Some(CursorKey::Last));
        assert_eq!(CursorKey::from_key("Tab"), None);
        assert_eq!(CursorKey::from_key("a"), None);
    }

    #[test]
    fn the_grid_cursor_moves_by_cell_and_row_and_stops_at_the_edges() {
        // 3 columns, 8 cells: rows 0 1 2 / 3 4 5 / 6 7.
        let step = |c, k| grid_step(Some(c), k, 3, 8);
        assert_eq!(grid_step(None, DOWN, 3, 8), Some(0));
        assert_eq!(grid_step(None, CursorKey::Last, 3, 8), Some(7));
        assert_eq!(step(0, RIGHT), Some(1));
        assert_eq!(step(2, RIGHT), Some(2), "no wrap to the next row");
        assert_eq!(step(3, LEFT), Some(3), "no wrap to the row above");
        assert_eq!(step(4, UP), Some(1));
        assert_eq!(step(1, UP), Some(1));
        assert_eq!(step(4, DOWN), Some(7));
        assert_eq!(
            step(5, DOWN),
            Some(5),
            "no cell below 5 in the short last row"
        );
        assert_eq!(step(7, RIGHT), Some(7), "the last cell");
        assert_eq!(step(5, CursorKey::First), Some(0));
        assert_eq!(step(4, CursorKey::Pick), Some(4));
        assert_eq!(grid_step(Some(0), RIGHT, 3, 0), None);
        assert_eq!(
            step(20, LEFT),
            Some(6),
            "a cursor past the end is brought back first"
        );
    }

    #[test]
    fn the_map_cursor_goes_to_the_nearest_point_in_the_direction_asked() {
        //   1 (0,-10)
        // 2 (-5,0)  0 (0,0)  3 (4,3)  4 (10,0)
        //   5 (1,6)
        let points = [
            (0.0, 0.0),
            (0.0, -10.0),
            (-5.0, 0.0),
            (4.0, 3.0),
            (10.0, 0.0),
            (1.0, 6.0),
        ];
        assert_eq!(
            point_step(&points, 0, Direction::Right),
            Some(3),
            "(4,3) is 37° off, nearer than (10,0)"
        );
        assert_eq!(point_step(&points, 0, Direction::Left), Some(2));
        assert_eq!(point_step(&points, 0, Direction::Up), Some(1));
        assert_eq!(
            point_step(&points, 0, Direction::Down),
            Some(5),
            "(1,6) is down; (4,3) is 53° off down"
        );
        assert_eq!(point_step(&points, 4, Direction::Right), None);
        assert_eq!(point_step(&points, 9, Direction::Right), None);
        assert_eq!(
            map_step(&points, Some(4), RIGHT),
            Some(4),
            "no point further right: stay"
        );
        assert_eq!(map_step(&points, Some(0), CursorKey::Last), Some(4));
        assert_eq!(map_step(&points, Some(0), CursorKey::First), Some(2));
        assert_eq!(map_step(&points, Some(3), CursorKey::Pick), Some(3));
        assert_eq!(map_step(&[], None, RIGHT), None);
    }

    #[test]
    fn the_map_cursor_starts_at_the_point_nearest_the_middle() {
        // Bounding box (0,0)–(10,10): the middle is (5,5).
        let points = [(0.0, 0.0), (10.0, 10.0), (6.0, 5.0), (4.0, 5.0)];
        assert_eq!(
            central_point(&points),
            Some(2),
            "two at distance 1: the lower index"
        );
        assert_eq!(map_step(&points, None, DOWN), Some(2));
        assert_eq!(central_point(&[]), None);
    }
}
