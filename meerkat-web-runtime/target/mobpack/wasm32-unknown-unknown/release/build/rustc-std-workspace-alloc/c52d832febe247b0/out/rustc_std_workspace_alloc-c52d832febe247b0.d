/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-std-workspace-alloc/c52d832febe247b0/out/rustc_std_workspace_alloc-c52d832febe247b0.d: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/rustc-std-workspace-alloc/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-std-workspace-alloc/c52d832febe247b0/out/librustc_std_workspace_alloc-c52d832febe247b0.rlib: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/rustc-std-workspace-alloc/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-std-workspace-alloc/c52d832febe247b0/out/librustc_std_workspace_alloc-c52d832febe247b0.rmeta: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/rustc-std-workspace-alloc/lib.rs

/root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/rustc-std-workspace-alloc/lib.rs:
