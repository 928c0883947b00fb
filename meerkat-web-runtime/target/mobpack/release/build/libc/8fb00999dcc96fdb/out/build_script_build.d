/work/main/meerkat-web-runtime/target/mobpack/release/build/libc/8fb00999dcc96fdb/out/build_script_build.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/build.rs

/work/main/meerkat-web-runtime/target/mobpack/release/build/libc/8fb00999dcc96fdb/out/build_script_build: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/build.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/libc-0.2.191/build.rs:
