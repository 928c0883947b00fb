/work/main/meerkat-web-runtime/target/mobpack/release/build/wasm-bindgen/bc510704cb3e8f43/out/build_script_build.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wasm-bindgen-0.2.130/build.rs

/work/main/meerkat-web-runtime/target/mobpack/release/build/wasm-bindgen/bc510704cb3e8f43/out/build_script_build: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wasm-bindgen-0.2.130/build.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wasm-bindgen-0.2.130/build.rs:
