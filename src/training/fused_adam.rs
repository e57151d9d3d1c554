//! Adam in one pass per parameter, for the CPU backends (flex, ndarray).
//!
//! burn's `Adam` updates a parameter in a dozen element-wise tensor operations, each a pass over
//! memory into a new buffer, one parameter after the other: natively about 0.5 ms of the 13 ms
//! step of the two-layer d = 20 model at batch 64 on one thread, and none of it split across
//! threads (docs/performance.md). On a CPU device the values are in memory anyway, so this one
//! takes them out, updates the parameter and both moments in a single loop and hands the
//! parameter back. Its arithmetic is burn's, operation for operation: the same f32 products,
//! sums, square root and quotient in the same order, so it gives the same bits (tested against
//! burn's below). A long parameter (the linear layers' weights) is cut into one piece a thread
//! of the kernels' pool, which changes no bit: every value's update reads only that value.
//! A GPU device keeps burn's Adam ([`super::adam`] chooses): reading its tensors
//! back every step would stall it.

use burn::optim::{Optimizer, RecordState, StateSink, StateSource};
use burn::prelude::*;
use burn::tensor::TensorData;

/// Adam's settings as burn's `AdamConfig` takes them (no AMSGrad, no weight decay: the lab
/// uses neither).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FusedAdam {
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
}

/// One parameter's moment estimates and step count, in host memory.
#[derive(Debug, Clone, PartialEq)]
pub struct FusedAdamState<const D: usize> {
    pub time: usize,
    pub shape: [usize; D],
    pub moment_1: Vec<f32>,
    pub moment_2: Vec<f32>,
}

/// Values below which an update runs in one piece: a hand-off to the pool costs about as much
/// as updating this many.
#[cfg_attr(
    all(target_arch = "wasm32", not(feature = "threads")),
    allow(dead_code)
)]
const VALUES_TO_SPLIT: usize = 8 * 1024;

/// `run` over equal-length slices, cut into one piece a thread of the kernels' pool when
/// they are long enough. Every value's update reads only that value, so the cut does not
/// change a bit.
fn split_on_pool(
    param: &mut [f32],
    moment_1: &mut [f32],
    moment_2: &mut [f32],
    grad: &[f32],
    run: impl Fn(&mut [f32], &mut [f32], &mut [f32], &[f32]) + Send + Sync,
) {
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    {
        let threads = rayon::current_num_threads();
        if threads > 1 && param.len() >= VALUES_TO_SPLIT {
            use rayon::prelude::*;
            let piece = param.len().div_ceil(threads);
            param
                .par_chunks_mut(piece)
                .zip(moment_1.par_chunks_mut(piece))
                .zip(moment_2.par_chunks_mut(piece))
                .zip(grad.par_chunks(piece))
                .for_each(|(((p, m1), m2), g)| run(p, m1, m2, g));
            return;
        }
    }
    run(param, moment_1, moment_2, grad)
}

impl FusedAdam {
    /// One Adam step of `param` (f32 values) along `grad`, with the moments in `state` (`None`
    /// before the first step); returns the new state.
    pub fn update(
        &self,
        learning_rate: f32,
        param: &mut [f32],
        grad: &[f32],
        state: Option<(usize, Vec<f32>, Vec<f32>)>,
    ) -> (usize, Vec<f32>, Vec<f32>) {
        assert_eq!(param.len(), grad.len(), "a gradient for every value");
        let (factor_1, factor_2) = (1.0 - self.beta_1, 1.0 - self.beta_2);
        let (time, mut moment_1, mut moment_2, first) = match state {
            Some((time, moment_1, moment_2))
                if moment_1.len() == grad.len() && moment_2.len() == grad.len() =>
            {
                (time + 1, moment_1, moment_2, false)
            }
            // burn starts from the first gradient alone (not from zeros times β).
            _ => (1, vec![0.0; grad.len()], vec![0.0; grad.len()], true),
        };
        let t = time as i32;
        let correction_2 = (1.0 - self.beta_2.powi(t)).sqrt();
        let combined = correction_2 / (1.0 - self.beta_1.powi(t));
        let epsilon = self.epsilon * correction_2;
        let (beta_1, beta_2) = (self.beta_1, self.beta_2);
        let run = |param: &mut [f32], m1: &mut [f32], m2: &mut [f32], grad: &[f32]| {
            for (((p, m1), m2), &g) in param.iter_mut().zip(m1).zip(m2).zip(grad) {
                if first {
                    *m1 = g * factor_1;
                    *m2 = g * g * factor_2;
                } else {
                    *m1 = *m1 * beta_1 + g * factor_1;
                    *m2 = *m2 * beta_2 + g * g * factor_2;
                }
                *p -= (*m1 * combined) / (m2.sqrt() + epsilon) * learning_rate;
            }
        };
        split_on_pool(param, &mut moment_1, &mut moment_2, grad, run);
        (time, moment_1, moment_2)
    }
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = FusedAdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let device = tensor.device();
        let shape: [usize; D] = tensor.dims();
        let mut param = tensor.try_into_vec_as::<f32>().expect("a CPU tensor reads");
        let grad = grad.try_into_vec_as::<f32>().expect("a CPU tensor reads");
        let state = state
            .filter(|s| s.shape == shape)
            .map(|s| (s.time, s.moment_1, s.moment_2));
        // burn's Adam multiplies by the learning rate as an f32 scalar too.
        let (time, moment_1, moment_2) = self.update(lr as f32, &mut param, &grad, state);
        let tensor = Tensor::from_data(TensorData::new(param, shape), &device);
        let state = FusedAdamState {
            time,
            shape,
            moment_1,
            moment_2,
        };
        (tensor, Some(state))
    }

    fn to_device<const D: usize>(state: Self::State<D>, _device: &Device) -> Self::State<D> {
        state
    }
}

impl<const D: usize> RecordState for FusedAdamState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_scalar(prefix, "time", (self.time as i64).into());
        for (leaf, values) in [("moment_1", &self.moment_1), ("moment_2", &self.moment_2)] {
            out.push_tensor(prefix, leaf, TensorData::new(values.clone(), self.shape));
        }
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, _device: &Device) -> Option<Self> {
        let time = i64::try_from(src.take_scalar(prefix, "time")?).ok()?;
        let moment_1 = src.take_tensor(prefix, "moment_1")?;
        let moment_2 = src.take_tensor(prefix, "moment_2")?;
        let shape: [usize; D] = moment_1.shape().as_slice().try_into().ok()?;
        if moment_2.shape().as_slice() != shape || time < 1 {
            return None;
        }
        Some(Self {
            time: time as usize,
            shape,
            moment_1: moment_1.convert::<f32>().try_into_vec().ok()?,
            moment_2: moment_2.convert::<f32>().try_into_vec().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADAM: FusedAdam = FusedAdam {
        beta_1: 0.9,
        beta_2: 0.999,
        epsilon: 1e-8,
    };

    /// Textbook Adam (Kingma & Ba, PyTorch's form) in f64, for one value.
    fn textbook(param: f64, grads: &[f64], lr: f64) -> f64 {
        let (mut p, mut m, mut v) = (param, 0.0, 0.0);
        for (i, &g) in grads.iter().enumerate() {
            let t = (i + 1) as i32;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            let m_hat = m / (1.0 - 0.9f64.powi(t));
            let v_hat = v / (1.0 - 0.999f64.powi(t));
            p -= lr * m_hat / (v_hat.sqrt() + 1e-8);
        }
        p
    }

    #[test]
    fn two_steps_match_adam_worked_by_hand() {
        // The first step moves each value by the learning rate against its gradient's sign
        // (m̂ / √v̂ = g / |g|); the second by 0.2663 of it here (m̂ = 0.1053, √v̂ = 0.3952).
        let mut param = [1.0f32, -2.0, 0.0];
        let (time, m1, m2) = ADAM.update(0.01, &mut param, &[0.5, -3.0, 1e-3], None);
        assert_eq!(time, 1);
        for (got, want) in param.iter().zip([0.99, -1.99, -0.01]) {
            assert!((got - want).abs() < 1e-6, "{got} against {want}");
        }
        let (time, _, _) = ADAM.update(0.01, &mut param, &[-0.25, 1.0, 1e-3], Some((time, m1, m2)));
        assert_eq!(time, 2);
        let want = [
            textbook(1.0, &[0.5, -0.25], 0.01),
            textbook(-2.0, &[-3.0, 1.0], 0.01),
            textbook(0.0, &[1e-3, 1e-3], 0.01),
        ];
        assert!((want[0] - 0.987_336_6).abs() < 1e-6, "{}", want[0]);
        for (got, want) in param.iter().zip(want) {
            assert!(
                (f64::from(*got) - want).abs() < 1e-6,
                "{got} against {want}"
            );
        }
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn a_long_parameter_split_across_threads_takes_the_same_steps() {
        // Long enough to be cut into one piece a thread: on four threads the same bits as on
        // one, where it runs in one piece, and each value as a lone update of its own.
        let len = 3 * VALUES_TO_SPLIT + 5;
        let grads = |step: usize| -> Vec<f32> {
            (0..len)
                .map(|i| ((i * 7 + step * 13) % 101) as f32 / 50.0 - 1.0)
                .collect()
        };
        let steps = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool");
            pool.install(|| {
                let mut param: Vec<f32> = (0..len).map(|i| (i % 17) as f32 * 0.1).collect();
                let mut state = None;
                for step in 0..3 {
                    state = Some(ADAM.update(0.01, &mut param, &grads(step), state));
                }
                let (_, moment_1, moment_2) = state.expect("three steps");
                (param, moment_1, moment_2)
            })
        };
        let one = steps(1);
        let four = steps(4);
        assert!(one == four, "one thread and four differ");
        // The first and last values, and both sides of the cuts between four pieces.
        let piece = len.div_ceil(4);
        for i in [0, piece - 1, piece, 2 * piece, 3 * piece - 1, len - 1] {
            let mut alone = [(i % 17) as f32 * 0.1];
            let mut state = None;
            for step in 0..3 {
                state = Some(ADAM.update(0.01, &mut alone, &[grads(step)[i]], state));
            }
            assert_eq!(alone[0].to_bits(), four.0[i].to_bits(), "value {i}");
        }
    }

    #[test]
    fn moments_of_another_length_start_afresh() {
        // A state that does not fit the parameter (another model's) is not mixed in: the step
        // is a first step.
        let mut fresh = [1.0f32, 2.0];
        let mut stale = fresh;
        ADAM.update(0.1, &mut fresh, &[1.0, -1.0], None);
        let (time, _, _) = ADAM.update(
            0.1,
            &mut stale,
            &[1.0, -1.0],
            Some((7, vec![5.0; 3], vec![1.0; 3])),
        );
        assert_eq!(time, 1);
        assert_eq!(fresh, stale);
    }

    #[test]
    fn the_state_comes_back_from_a_record() {
        let state = FusedAdamState::<2> {
            time: 3,
            shape: [2, 3],
            moment_1: vec![0.1, -0.2, 0.3, 0.4, 0.5, -0.6],
            moment_2: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        };
        let record = || {
            let mut sink = StateSink::default();
            state.state_flatten("layer.weight", &mut sink);
            let mut source = StateSource::new(sink.scalars.into_iter().collect());
            for (name, data) in sink.tensors {
                source.insert_tensor(name, data);
            }
            source
        };
        let device = Device::flex();
        let back = FusedAdamState::<2>::state_unflatten("layer.weight", &mut record(), &device);
        assert_eq!(back, Some(state.clone()));
        // Not under another name, and not as a parameter of another rank.
        assert_eq!(
            FusedAdamState::<2>::state_unflatten("layer.bias", &mut record(), &device),
            None
        );
        assert_eq!(
            FusedAdamState::<1>::state_unflatten("layer.weight", &mut record(), &device),
            None
        );
    }
}
