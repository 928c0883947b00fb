/work/main/meerkat-web-runtime/target/mobpack/release/build/wasm-bindgen-macro/c9f039062e89a832/out/wasm_bindgen_macro-c9f039062e89a832.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wasm-bindgen-macro-0.2.130/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/release/build/wasm-bindgen-macro/c9f039062e89a832/out/libwasm_bindgen_macro-c9f039062e89a832.so: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wasm-bindgen-macro-0.2.130/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wasm-bindgen-macro-0.2.130/src/lib.rs:
