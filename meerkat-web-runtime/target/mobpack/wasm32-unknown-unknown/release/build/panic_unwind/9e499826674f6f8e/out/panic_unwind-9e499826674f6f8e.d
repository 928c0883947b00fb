/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/panic_unwind/9e499826674f6f8e/out/panic_unwind-9e499826674f6f8e.d: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_unwind/src/lib.rs /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_unwind/src/gcc.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/panic_unwind/9e499826674f6f8e/out/libpanic_unwind-9e499826674f6f8e.rlib: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_unwind/src/lib.rs /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_unwind/src/gcc.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/panic_unwind/9e499826674f6f8e/out/libpanic_unwind-9e499826674f6f8e.rmeta: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_unwind/src/lib.rs /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_unwind/src/gcc.rs

/root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_unwind/src/lib.rs:
/root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/panic_unwind/src/gcc.rs:
