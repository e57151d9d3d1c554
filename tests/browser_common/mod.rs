//! What the browser tests share: the page's bundled MNIST subset, compiled into the test.

use latent_lab::data::MnistSet;

/// The bundled 10,000 training and 2,000 test images (`public/data/`).
pub fn subset() -> (MnistSet, MnistSet) {
    let train = MnistSet::from_idx(
        "train-images",
        include_bytes!("../../public/data/train-images-idx3-ubyte.gz"),
        "train-labels",
        include_bytes!("../../public/data/train-labels-idx1-ubyte.gz"),
    )
    .expect("the bundled training subset parses");
    let test = MnistSet::from_idx(
        "test-images",
        include_bytes!("../../public/data/t10k-images-idx3-ubyte.gz"),
        "test-labels",
        include_bytes!("../../public/data/t10k-labels-idx1-ubyte.gz"),
    )
    .expect("the bundled test subset parses");
    (train, test)
}
