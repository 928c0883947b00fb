/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/unicode-ident/c9745896c684adbc/out/unicode_ident-c9745896c684adbc.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/unicode-ident-1.0.27/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/unicode-ident-1.0.27/src/tables.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/unicode-ident/c9745896c684adbc/out/libunicode_ident-c9745896c684adbc.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/unicode-ident-1.0.27/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/unicode-ident-1.0.27/src/tables.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/unicode-ident/c9745896c684adbc/out/libunicode_ident-c9745896c684adbc.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/unicode-ident-1.0.27/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/unicode-ident-1.0.27/src/tables.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/unicode-ident-1.0.27/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/unicode-ident-1.0.27/src/tables.rs:
