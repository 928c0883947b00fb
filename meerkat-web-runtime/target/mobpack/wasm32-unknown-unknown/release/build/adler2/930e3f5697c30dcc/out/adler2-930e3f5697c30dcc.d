/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/adler2/930e3f5697c30dcc/out/adler2-930e3f5697c30dcc.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/adler2-2.0.1/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/adler2-2.0.1/src/algo.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/adler2/930e3f5697c30dcc/out/libadler2-930e3f5697c30dcc.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/adler2-2.0.1/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/adler2-2.0.1/src/algo.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/adler2/930e3f5697c30dcc/out/libadler2-930e3f5697c30dcc.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/adler2-2.0.1/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/adler2-2.0.1/src/algo.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/adler2-2.0.1/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/adler2-2.0.1/src/algo.rs:
