/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/block-buffer/1071eb02aaef2179/out/block_buffer-1071eb02aaef2179.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-buffer-0.10.4/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-buffer-0.10.4/src/sealed.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/block-buffer/1071eb02aaef2179/out/libblock_buffer-1071eb02aaef2179.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-buffer-0.10.4/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-buffer-0.10.4/src/sealed.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/block-buffer/1071eb02aaef2179/out/libblock_buffer-1071eb02aaef2179.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-buffer-0.10.4/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-buffer-0.10.4/src/sealed.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-buffer-0.10.4/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-buffer-0.10.4/src/sealed.rs:
