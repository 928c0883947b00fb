/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-demangle/2052f94d19ddd034/out/rustc_demangle-2052f94d19ddd034.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/legacy.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/v0.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-demangle/2052f94d19ddd034/out/librustc_demangle-2052f94d19ddd034.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/legacy.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/v0.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-demangle/2052f94d19ddd034/out/librustc_demangle-2052f94d19ddd034.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/legacy.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/v0.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/legacy.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustc-demangle-0.1.28/src/v0.rs:
