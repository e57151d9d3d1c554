//! Batch norm whose statistics are those of the whole batch while each copy of the model holds
//! only part of it (synchronised batch norm, as in PyTorch's `SyncBatchNorm`).
//!
//! Each copy's layer sums its own part per channel; the copies add their sums through their
//! [`ReplicaLink`] (forward: the mean, then the centred squares; backward: Σ dy and Σ dy·x̂), so
//! every copy normalises with, and differentiates through, the batch's statistics: the step is
//! the one-copy step's up to float rounding. γ's and β's gradients stay each copy's share; the
//! data-parallel step adds them with every other parameter's.
//!
//! burn has no such operation, so it is a backend extension: flex's kernels (the patched
//! `batch_norm_train_synced`, vendor/README.md) and a backward pass of its own for autodiff.
//! Only flex: data-parallel training is for the CPU engine.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::{Autodiff, NodeId};
use burn::backend::tensor::FloatTensor;
use burn::backend::{AutodiffBackend, Backend, Dispatch, Flex, backend_extension};
use burn::nn::BatchNorm;
use burn::prelude::*;

use super::replica_group::ReplicaLink;

#[backend_extension(Flex, Autodiff)]
pub trait SyncBatchNormBackend: Backend {
    /// Batch norm in training over this copy's part of the batch, with the whole batch's
    /// statistics: the output, and the batch's per-channel mean and (biased) variance.
    fn sync_batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        link: ReplicaLink,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

impl SyncBatchNormBackend for Flex {
    fn sync_batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        link: ReplicaLink,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let reduce = |sums: &mut [f64]| link.all_reduce(sums);
        let result =
            burn_flex::ops::batch_norm::batch_norm_train_synced(x, gamma, beta, epsilon, &reduce);
        (result.output, result.mean, result.variance)
    }
}

impl<C: CheckpointStrategy> SyncBatchNormBackend for Autodiff<Flex, C> {
    fn sync_batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        link: ReplicaLink,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        /// burn-autodiff's batch-norm backward, with the input gradient's sums exchanged.
        #[derive(Debug)]
        struct SyncBatchNormBackward;

        impl Backward<Flex, 3> for SyncBatchNormBackward {
            type State = (
                NodeId,
                NodeId,
                FloatTensor<Flex>,
                FloatTensor<Flex>,
                f64,
                ReplicaLink,
            );

            fn backward(
                self,
                ops: Ops<Self::State, 3>,
                grads: &mut Gradients,
                checkpointer: &mut Checkpointer,
            ) {
                let [node_x, node_gamma, node_beta] = ops.parents;
                let grad = grads.consume::<Flex>(&ops.node);
                let (x_state, gamma_state, mean, variance, epsilon, link) = ops.state;
                let x = checkpointer.retrieve_node_output::<FloatTensor<Flex>>(x_state);
                let gamma = checkpointer.retrieve_node_output::<FloatTensor<Flex>>(gamma_state);
                let reduce = |sums: &mut [f64]| link.all_reduce(sums);
                let backward = burn_flex::ops::batch_norm::batch_norm_train_backward_synced(
                    x, gamma, mean, variance, epsilon, grad, &reduce,
                );
                if let Some(node) = node_x {
                    grads.register::<Flex>(node.id, backward.x_grad);
                }
                if let Some(node) = node_gamma {
                    grads.register::<Flex>(node.id, backward.gamma_grad);
                }
                if let Some(node) = node_beta {
                    grads.register::<Flex>(node.id, backward.beta_grad);
                }
            }
        }

        let forward = |x, gamma, beta, link: &ReplicaLink| {
            <Flex as SyncBatchNormBackend>::sync_batch_norm_train(
                x,
                gamma,
                beta,
                epsilon,
                link.clone(),
            )
        };
        let untracked = |tensor| <Autodiff<Flex, C> as AutodiffBackend>::from_inner(tensor);
        match SyncBatchNormBackward
            .prepare::<C>([x.node(), gamma.node(), beta.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let x_state = prep.checkpoint(&x);
                let gamma_state = prep.checkpoint(&gamma);
                let (output, mean, variance) = forward(
                    x.into_primitive(),
                    gamma.into_primitive(),
                    beta.into_primitive(),
                    &link,
                );
                let state = (
                    x_state,
                    gamma_state,
                    mean.clone(),
                    variance.clone(),
                    epsilon,
                    link,
                );
                (
                    prep.finish(state, output),
                    untracked(mean),
                    untracked(variance),
                )
            }
            OpsKind::UnTracked(prep) => {
                let (output, mean, variance) = forward(
                    x.into_primitive(),
                    gamma.into_primitive(),
                    beta.into_primitive(),
                    &link,
                );
                (prep.finish(output), untracked(mean), untracked(variance))
            }
        }
    }
}

/// `norm` applied to this copy's part of a batch in training, with the whole batch's
/// statistics (exchanged through `link`), updating the running statistics as burn's
/// `BatchNorm::forward` does with the batch's.
pub fn sync_batch_norm<const D: usize>(
    norm: &BatchNorm,
    input: Tensor<D>,
    link: &ReplicaLink,
) -> Tensor<D> {
    let device = input.device();
    let (output, mean, variance) = <Dispatch as SyncBatchNormBackend>::sync_batch_norm_train(
        input.into_dispatch(),
        norm.gamma.val().into_dispatch(),
        norm.beta.val().into_dispatch(),
        norm.epsilon,
        link.clone(),
    );
    let (mean, variance) = (
        Tensor::<1>::from_dispatch(mean),
        Tensor::<1>::from_dispatch(variance),
    );
    // burn's update, operation for operation, so the running statistics come out the same.
    let momentum = norm.momentum;
    let running_mean = norm.running_mean.value_sync().to_device(&device);
    let running_var = norm.running_var.value_sync().to_device(&device);
    let running_mean = running_mean
        .mul_scalar(1.0 - momentum)
        .add(mean.detach().mul_scalar(momentum));
    let running_var = running_var
        .mul_scalar(1.0 - momentum)
        .add(variance.detach().mul_scalar(momentum));
    norm.running_mean.update(running_mean.detach());
    norm.running_var.update(running_var.detach());
    Tensor::from_dispatch(output)
}
