/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/dlmalloc/ca83551abfdeb887/out/dlmalloc-ca83551abfdeb887.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/dlmalloc.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/wasm.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/dlmalloc/ca83551abfdeb887/out/libdlmalloc-ca83551abfdeb887.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/dlmalloc.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/wasm.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/dlmalloc/ca83551abfdeb887/out/libdlmalloc-ca83551abfdeb887.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/dlmalloc.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/wasm.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/dlmalloc.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dlmalloc-0.2.14/src/wasm.rs:
