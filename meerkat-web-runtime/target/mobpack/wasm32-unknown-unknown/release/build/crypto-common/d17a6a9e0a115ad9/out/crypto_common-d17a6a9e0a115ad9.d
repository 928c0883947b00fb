/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/crypto-common/d17a6a9e0a115ad9/out/crypto_common-d17a6a9e0a115ad9.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.7/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/crypto-common/d17a6a9e0a115ad9/out/libcrypto_common-d17a6a9e0a115ad9.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.7/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/crypto-common/d17a6a9e0a115ad9/out/libcrypto_common-d17a6a9e0a115ad9.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.7/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.7/src/lib.rs:
