/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/cfg-if/82ced4e24b0b591c/out/cfg_if-82ced4e24b0b591c.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/cfg-if/82ced4e24b0b591c/out/libcfg_if-82ced4e24b0b591c.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/cfg-if/82ced4e24b0b591c/out/libcfg_if-82ced4e24b0b591c.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs:
