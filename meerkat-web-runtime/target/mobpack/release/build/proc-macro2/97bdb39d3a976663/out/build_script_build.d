/work/main/meerkat-web-runtime/target/mobpack/release/build/proc-macro2/97bdb39d3a976663/out/build_script_build.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/proc-macro2-1.0.107/build.rs

/work/main/meerkat-web-runtime/target/mobpack/release/build/proc-macro2/97bdb39d3a976663/out/build_script_build: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/proc-macro2-1.0.107/build.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/proc-macro2-1.0.107/build.rs:
