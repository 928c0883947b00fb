/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/cfg-if/c8950081345e9861/out/cfg_if-c8950081345e9861.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.4/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/cfg-if/c8950081345e9861/out/libcfg_if-c8950081345e9861.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.4/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/cfg-if/c8950081345e9861/out/libcfg_if-c8950081345e9861.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.4/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.4/src/lib.rs:
