/work/main/meerkat-web-runtime/target/mobpack/release/build/wasm-bindgen-shared/0083f3e7036d8d92/out/build_script_build.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wasm-bindgen-shared-0.2.130/build.rs

/work/main/meerkat-web-runtime/target/mobpack/release/build/wasm-bindgen-shared/0083f3e7036d8d92/out/build_script_build: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wasm-bindgen-shared-0.2.130/build.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wasm-bindgen-shared-0.2.130/build.rs:
