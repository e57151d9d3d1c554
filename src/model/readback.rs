//! Copying a model's parameters to another device with asynchronous reads.
//!
//! On WebGPU every readback must be awaited: `to_device` onto a CPU device, `into_record` and
//! `save_into` read synchronously and panic there. Saving a model trained on WebGPU therefore
//! goes through [`copy_to_device_async`] first.

use burn::module::{ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::TensorData;

/// A copy of `module` whose parameters and buffers (BatchNorm statistics) live on `device`,
/// read from their current device one by one with `into_data_async`.
pub async fn copy_to_device_async<M: Module>(module: &M, device: &Device) -> Result<M, String> {
    struct Collect(Vec<Tensor<1>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.val().reshape([-1]));
        }
    }
    let mut collect = Collect(Vec::new());
    module.visit(&mut collect);
    let mut values = Vec::with_capacity(collect.0.len());
    for tensor in collect.0 {
        values.push(
            tensor
                .into_data_async()
                .await
                .map_err(|e| format!("could not read a parameter back: {e:?}"))?,
        );
    }

    struct Replace<'a> {
        values: std::vec::IntoIter<TensorData>,
        device: &'a Device,
        missing: bool,
    }
    impl ModuleMapper for Replace<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let Some(data) = self.values.next() else {
                self.missing = true;
                return param;
            };
            let device = self.device;
            param.map(|old| {
                let shape = old.shape();
                Tensor::<1>::from_data(data, device).reshape(shape)
            })
        }
    }
    // The mapper visits the parameters in the same order as the visitor above.
    let mut replace = Replace {
        values: values.into_iter(),
        device,
        missing: false,
    };
    let copy = module.clone().map(&mut replace);
    if replace.missing || replace.values.next().is_some() {
        return Err("the model's parameters changed while they were copied".into());
    }
    Ok(copy)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::model::{Architecture, AutoencoderConfig};

    #[test]
    fn the_copy_has_the_same_parameters_and_outputs_on_the_target_device() {
        let flex = Device::flex();
        let model = AutoencoderConfig::new(Architecture::TwoLayer, 5).init(&flex);
        #[cfg(feature = "ndarray")]
        #[allow(deprecated)]
        let target = Device::ndarray();
        #[cfg(not(feature = "ndarray"))]
        let target = Device::flex();
        let copy = pollster::block_on(copy_to_device_async(&model, &target)).unwrap();
        assert_eq!(copy.devices(), vec![target.clone()]);
        let input = Tensor::<4>::random(
            [3, 1, 28, 28],
            burn::tensor::Distribution::Uniform(0.0, 1.0),
            &flex,
        );
        let expected = model.forward(input.clone()).into_data();
        let got = copy.forward(input.to_device(&target)).into_data();
        expected.assert_approx_eq::<f32>(&got, burn::tensor::Tolerance::absolute(1e-6));
    }
}
