//! The numbers of the exercise's report (`shared/seed/report.txt`), shown beside ours.

/// Latent sweep of the report: (latent size, parameters, train loss, test loss).
pub const REPORT_LATENT_SWEEP: [(usize, usize, f32, f32); 6] = [
    (1, 15_482, 0.062, 0.062),
    (5, 22_686, 0.044, 0.044),
    (10, 31_691, 0.040, 0.038),
    (20, 49_701, 0.029, 0.028),
    (50, 103_731, 0.021, 0.021),
    (100, 193_781, 0.019, 0.019),
];

/// Parameter counts the report gives for the one- and three-layer models at latent size 20.
pub const REPORT_DEPTH_PARAMS: [(usize, usize); 3] = [(1, 27_543), (2, 49_701), (3, 28_317)];

/// Transfer learning in the report: (scenario, train loss, test loss). Both are ln 10 ≈ 2.303,
/// the cross-entropy of a uniform guess over ten classes: those models learned nothing.
pub const REPORT_TRANSFER: [(&str, f32, f32); 2] =
    [("frozen", 2.303, 2.304), ("finetune", 2.300, 2.300)];

/// The digit pairs the report interpolates between.
pub const INTERPOLATION_PAIRS: [(u8, u8); 4] = [(3, 5), (5, 8), (0, 4), (2, 9)];
