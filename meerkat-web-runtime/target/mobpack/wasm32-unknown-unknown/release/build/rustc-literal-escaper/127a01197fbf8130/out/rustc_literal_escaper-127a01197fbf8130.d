/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-literal-escaper/127a01197fbf8130/out/rustc_literal_escaper-127a01197fbf8130.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-literal-escaper-0.0.8/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-literal-escaper/127a01197fbf8130/out/librustc_literal_escaper-127a01197fbf8130.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-literal-escaper-0.0.8/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-literal-escaper/127a01197fbf8130/out/librustc_literal_escaper-127a01197fbf8130.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-literal-escaper-0.0.8/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-literal-escaper-0.0.8/src/lib.rs:
