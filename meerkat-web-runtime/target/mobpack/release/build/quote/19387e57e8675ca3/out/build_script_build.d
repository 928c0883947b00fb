/work/main/meerkat-web-runtime/target/mobpack/release/build/quote/19387e57e8675ca3/out/build_script_build.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/quote-1.0.47/build.rs

/work/main/meerkat-web-runtime/target/mobpack/release/build/quote/19387e57e8675ca3/out/build_script_build: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/quote-1.0.47/build.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/quote-1.0.47/build.rs:
