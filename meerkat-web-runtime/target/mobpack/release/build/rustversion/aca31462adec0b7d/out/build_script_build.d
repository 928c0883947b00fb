/work/main/meerkat-web-runtime/target/mobpack/release/build/rustversion/aca31462adec0b7d/out/build_script_build.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustversion-1.0.23/build/build.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustversion-1.0.23/build/rustc.rs

/work/main/meerkat-web-runtime/target/mobpack/release/build/rustversion/aca31462adec0b7d/out/build_script_build: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustversion-1.0.23/build/build.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustversion-1.0.23/build/rustc.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustversion-1.0.23/build/build.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rustversion-1.0.23/build/rustc.rs:
