//! MNIST data: the IDX file format, the image sets, and batches as tensors.

mod batch;
mod idx;
mod mnist;
mod preprocess;

pub use batch::{
    bytes_to_tensor, bytes_to_values, images_to_tensor, labels_to_tensor, pixels_to_bytes,
    values_to_tensor,
};
pub use idx::{IdxError, IdxKind, encode_idx_images, encode_idx_labels, parse_idx};
pub use mnist::{
    DataError, IMAGE_PIXELS, IMAGE_SIDE, MnistSet, Split, TEST_IMAGES_FILE, TEST_LABELS_FILE,
    TRAIN_IMAGES_FILE, TRAIN_LABELS_FILE,
};
pub use preprocess::{INK_BOX, PreprocessError, centre_of_mass, mnist_style};
