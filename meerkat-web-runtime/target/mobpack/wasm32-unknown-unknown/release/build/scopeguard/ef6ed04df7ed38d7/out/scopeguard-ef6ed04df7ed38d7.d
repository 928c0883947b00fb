/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/scopeguard/ef6ed04df7ed38d7/out/scopeguard-ef6ed04df7ed38d7.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/scopeguard-1.2.0/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/scopeguard/ef6ed04df7ed38d7/out/libscopeguard-ef6ed04df7ed38d7.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/scopeguard-1.2.0/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/scopeguard/ef6ed04df7ed38d7/out/libscopeguard-ef6ed04df7ed38d7.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/scopeguard-1.2.0/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/scopeguard-1.2.0/src/lib.rs:
