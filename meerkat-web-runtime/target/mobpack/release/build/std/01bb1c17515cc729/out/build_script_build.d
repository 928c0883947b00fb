/work/main/meerkat-web-runtime/target/mobpack/release/build/std/01bb1c17515cc729/out/build_script_build.d: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/std/build.rs

/work/main/meerkat-web-runtime/target/mobpack/release/build/std/01bb1c17515cc729/out/build_script_build: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/std/build.rs

/root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/std/build.rs:
