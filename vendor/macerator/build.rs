use cfg_aliases::cfg_aliases;

fn main() {
    // [Latent Lab patch] Without a rerun-if-changed, cargo reruns a path crate's build script
    // whenever the newest file of the crate has another time or path than at its last run: in
    // every fresh clone (CI's), and macerator and all of burn above it were rebuilt each time.
    println!("cargo:rerun-if-changed=build.rs");
    cfg_aliases! {
        x86: { any(target_arch = "x86", target_arch = "x86_64") },
        aarch64: { target_arch = "aarch64" },
        wasm32: { all(target_arch = "wasm32", target_feature = "simd128") },
        loong64: { all(target_arch = "loongarch64", feature = "nightly") },
        avx512: { all(target_arch = "x86_64", feature = "avx512") },
        avx512_fp16: { all(avx512, feature = "fp16", feature = "nightly") },

        // Workaround for Safari
        relaxed_simd: { all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd") },

        x86_v3: { feature = "miri-x86_v3" },
        x86_v4: { feature = "miri-x86_v4" },
    }
}
