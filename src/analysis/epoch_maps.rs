//! The latent map through the epochs (issue 20, part 1): a run records, after every epoch,
//! the codes of a fixed sample of test digits; here each epoch's codes become a 2-D map on
//! axes that stay still while the epochs are scrubbed. Two ways are computed and measured:
//!
//! - **projection**: every epoch's codes (centred on their own mean) projected on the last
//!   epoch's first two principal axes;
//! - **Procrustes**: every epoch's own first two principal components, rotated (or
//!   reflected) by orthogonal Procrustes onto the last epoch's map.
//!
//! Both end on the same last map. The view shows the one whose points move less from one
//! epoch to the next (the mean displacement, in units of the last map's spread), and says
//! both figures.

use serde::{Deserialize, Serialize};

use super::pca::principal_axes;
use super::pca::project_on;
use super::procrustes::{align_to, column_means, mean_displacement};

/// How the axes are kept still.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StableAxes {
    Projection,
    Procrustes,
}

/// Every recorded epoch's map, on still axes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochMaps {
    /// The epochs done at each map (0: before the first step, or during the first epoch).
    pub epochs: Vec<usize>,
    /// The optimiser steps done at each map (empty where not known: a watched run also
    /// records between epochs, so one epoch may have several maps).
    #[serde(default)]
    pub steps: Vec<usize>,
    /// Per epoch, `n` points of 2 values (x, y), row-major.
    pub points: Vec<Vec<f32>>,
    /// Per epoch, the share of that epoch's code variance along each of the two shown axes.
    pub explained: Vec<[f64; 2]>,
    /// The way shown.
    pub method: StableAxes,
    /// Mean displacement of a point from one epoch to the next, over the last map's RMS
    /// radius, for each way.
    pub projection_motion: f64,
    /// `None` where the run is too large to compute every epoch's own components
    /// ([`PROCRUSTES_WORK`]): the maps are then projections.
    pub procrustes_motion: Option<f64>,
}

/// The most multiply-adds spent on every epoch's own principal components (epochs × digits ×
/// d²): about a second in a browser.
pub const PROCRUSTES_WORK: usize = 1_000_000_000;

/// The maps of `recorded` (epoch, `n × d` codes), the last one last, on still axes: the way
/// that moves the points less. `None` without a recorded epoch.
pub fn epoch_maps(recorded: &[(usize, Vec<f32>)], n: usize, d: usize) -> Option<EpochMaps> {
    let (_, last) = recorded.last()?;
    if n == 0 || d == 0 || recorded.iter().any(|(_, c)| c.len() != n * d) {
        return None;
    }
    let (_, axes, _) = principal_axes(last, n, d, 2);
    let projected: Vec<Vec<f32>> = recorded
        .iter()
        .map(|(_, codes)| project(codes, d, &axes))
        .collect();
    let final_map = projected.last().expect("one epoch at least").clone();
    let affordable = recorded.len().saturating_mul(n).saturating_mul(d * d) <= PROCRUSTES_WORK;
    let procrustes: Option<Vec<Vec<f32>>> = affordable.then(|| {
        recorded
            .iter()
            .map(|(_, codes)| {
                let (_, own, _) = principal_axes(codes, n, d, 2);
                let map = project(codes, d, &own);
                align_to(&map, &final_map, 2)
            })
            .collect()
    });
    let spread = rms_radius(&final_map);
    let motion = |maps: &[Vec<f32>]| {
        if maps.len() < 2 || spread == 0.0 {
            return 0.0;
        }
        let total: f64 = maps
            .windows(2)
            .map(|w| f64::from(mean_displacement(&w[0], &w[1], 2)))
            .sum();
        total / (maps.len() - 1) as f64 / spread
    };
    let projection_motion = motion(&projected);
    let procrustes_motion = procrustes.as_deref().map(motion);
    let (method, points) = match procrustes {
        Some(aligned) if procrustes_motion < Some(projection_motion) => {
            (StableAxes::Procrustes, aligned)
        }
        _ => (StableAxes::Projection, projected),
    };
    let explained = recorded
        .iter()
        .zip(&points)
        .map(|((_, codes), map)| shares_of_variance(codes, d, map))
        .collect();
    Some(EpochMaps {
        epochs: recorded.iter().map(|(e, _)| *e).collect(),
        steps: Vec::new(),
        points,
        explained,
        method,
        projection_motion,
        procrustes_motion,
    })
}

/// `codes` centred on their own mean and projected on `axes`, as (x, y) pairs: a missing
/// second axis (d = 1) gives y = 0.
fn project(codes: &[f32], d: usize, axes: &[Vec<f64>]) -> Vec<f32> {
    let mean = column_means(codes, d);
    let projected = project_on(codes, d, &mean, axes);
    if axes.len() >= 2 {
        projected
    } else {
        projected.into_iter().flat_map(|x| [x, 0.0]).collect()
    }
}

/// The share of the codes' total variance along each of the map's two coordinates.
fn shares_of_variance(codes: &[f32], d: usize, map: &[f32]) -> [f64; 2] {
    let mean = column_means(codes, d);
    let total: f64 = codes
        .chunks_exact(d)
        .map(|row| {
            row.iter()
                .zip(&mean)
                .map(|(&x, m)| (f64::from(x) - m).powi(2))
                .sum::<f64>()
        })
        .sum();
    let along = |k: usize| -> f64 {
        let values: Vec<f64> = map.chunks_exact(2).map(|p| f64::from(p[k])).collect();
        let m = values.iter().sum::<f64>() / values.len().max(1) as f64;
        values.iter().map(|v| (v - m).powi(2)).sum()
    };
    if total > 0.0 {
        [along(0) / total, along(1) / total]
    } else {
        [0.0, 0.0]
    }
}

/// The root-mean-square distance of a 2-D map's points from their mean.
fn rms_radius(map: &[f32]) -> f64 {
    let n = map.len() / 2;
    if n == 0 {
        return 0.0;
    }
    let (mx, my) = map.chunks_exact(2).fold((0.0f64, 0.0f64), |(x, y), p| {
        (x + f64::from(p[0]), y + f64::from(p[1]))
    });
    let (mx, my) = (mx / n as f64, my / n as f64);
    let sum: f64 = map
        .chunks_exact(2)
        .map(|p| (f64::from(p[0]) - mx).powi(2) + (f64::from(p[1]) - my).powi(2))
        .sum();
    (sum / n as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cloud of `n` points in 3-D, stretched so its principal axes are clear.
    fn cloud(n: usize) -> Vec<f32> {
        (0..n)
            .flat_map(|i| {
                let t = i as f32;
                [
                    5.0 * (t * 0.37).sin(),
                    2.0 * (t * 1.13).cos(),
                    0.3 * (t * 2.71).sin(),
                ]
            })
            .collect()
    }

    /// `codes` rotated about the third axis by `angle`, and shifted.
    fn rotated(codes: &[f32], angle: f32, shift: f32) -> Vec<f32> {
        let (s, c) = angle.sin_cos();
        codes
            .chunks_exact(3)
            .flat_map(|p| {
                [
                    c * p[0] - s * p[1] + shift,
                    s * p[0] + c * p[1] - shift,
                    p[2],
                ]
            })
            .collect()
    }

    #[test]
    fn a_rotated_copy_of_the_last_epoch_lands_on_it_either_way() {
        let n = 200;
        let last = cloud(n);
        let earlier = rotated(&last, 0.7, 3.0);
        let maps = epoch_maps(&[(0, earlier), (1, last.clone())], n, 3).unwrap();
        assert_eq!(maps.epochs, vec![0, 1]);
        // Procrustes undoes the rotation: the earlier map is the last one.
        let diff: f32 = maps.points[0]
            .iter()
            .zip(&maps.points[1])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert_eq!(maps.method, StableAxes::Procrustes, "{maps:?}");
        assert!(
            diff < 1e-3,
            "the rotated copy lands on the original (off by {diff})"
        );
        assert!(
            maps.procrustes_motion.unwrap() < 1e-3 && maps.projection_motion > 0.1,
            "{maps:?}"
        );
        // The two shown axes hold most of the variance, the first the most.
        let [x, y] = maps.explained[1];
        assert!(x > y && x + y > 0.95 && x + y <= 1.0 + 1e-9, "{x} {y}");
    }

    #[test]
    fn the_last_map_is_the_last_epochs_principal_components() {
        let n = 100;
        let last = cloud(n);
        let maps = epoch_maps(&[(3, last.clone())], n, 3).unwrap();
        let (_, axes, _) = principal_axes(&last, n, 3, 2);
        assert_eq!(maps.points[0], project(&last, 3, &axes));
        assert_eq!(
            (maps.projection_motion, maps.procrustes_motion),
            (0.0, Some(0.0))
        );
        assert!(epoch_maps(&[], n, 3).is_none());
        assert!(
            epoch_maps(&[(0, vec![0.0; 5])], n, 3).is_none(),
            "wrong size"
        );
    }

    #[test]
    fn the_rms_radius_of_a_square() {
        // Corners of a 2 × 2 square around the origin: each √2 from the centre.
        let r = rms_radius(&[1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0]);
        assert!((r - 2f64.sqrt()).abs() < 1e-12);
    }
}
