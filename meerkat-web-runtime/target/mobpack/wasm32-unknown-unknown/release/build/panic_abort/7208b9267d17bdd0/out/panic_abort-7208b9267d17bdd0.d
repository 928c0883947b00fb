/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/panic_abort/7208b9267d17bdd0/out/panic_abort-7208b9267d17bdd0.d: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_abort/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/panic_abort/7208b9267d17bdd0/out/libpanic_abort-7208b9267d17bdd0.rlib: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_abort/src/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/panic_abort/7208b9267d17bdd0/out/libpanic_abort-7208b9267d17bdd0.rmeta: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_abort/src/lib.rs

/root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_abort/src/lib.rs:
