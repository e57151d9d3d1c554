//! What this browser's WebAssembly can run beyond the baseline the page is built for, found by
//! asking it to validate a tiny module (as wasm-feature-detect does): a browser that lacks a
//! feature cannot even compile a module that uses it, so the page must know before it loads one.

/// A module of one function, `() -> ()`: three `i8x16.splat`s, `f32x4.relaxed_madd`, `drop`.
/// Valid exactly where relaxed SIMD is (Chromium 114 on, or behind a flag).
pub const RELAXED_SIMD_PROBE: [u8; 40] = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // types: one, () -> ()
    0x03, 0x02, 0x01, 0x00, // functions: one, of type 0
    0x0a, 0x14, 0x01, 0x12, 0x00, // code: one body of 18 bytes, no locals
    0x41, 0x01, 0xfd, 0x0f, // i32.const 1, i8x16.splat
    0x41, 0x02, 0xfd, 0x0f, // i32.const 2, i8x16.splat
    0x41, 0x03, 0xfd, 0x0f, // i32.const 3, i8x16.splat
    0xfd, 0x85, 0x02, // f32x4.relaxed_madd (0xfd 0x105)
    0x1a, 0x0b, // drop, end
];

/// Whether `bytes` is a module this browser's WebAssembly validates.
pub fn validates(bytes: &[u8]) -> bool {
    js_sys::WebAssembly::validate(&js_sys::Uint8Array::from(bytes).into()).unwrap_or(false)
}

/// Whether this browser runs WebAssembly's relaxed SIMD.
pub fn relaxed_simd() -> bool {
    validates(&RELAXED_SIMD_PROBE)
}
