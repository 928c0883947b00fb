/work/main/meerkat-web-runtime/target/mobpack/release/build/generic-array/1f58376824791271/out/build_script_build.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/generic-array-0.14.7/build.rs

/work/main/meerkat-web-runtime/target/mobpack/release/build/generic-array/1f58376824791271/out/build_script_build: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/generic-array-0.14.7/build.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/generic-array-0.14.7/build.rs:
