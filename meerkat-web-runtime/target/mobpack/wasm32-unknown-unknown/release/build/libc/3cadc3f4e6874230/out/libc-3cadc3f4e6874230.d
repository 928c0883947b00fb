/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/libc/3cadc3f4e6874230/out/libc-3cadc3f4e6874230.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/macros.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/new/mod.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/new/common/mod.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/libc/3cadc3f4e6874230/out/liblibc-3cadc3f4e6874230.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/macros.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/new/mod.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/new/common/mod.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/libc/3cadc3f4e6874230/out/liblibc-3cadc3f4e6874230.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/macros.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/new/mod.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/new/common/mod.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/macros.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/new/mod.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/src/new/common/mod.rs:
