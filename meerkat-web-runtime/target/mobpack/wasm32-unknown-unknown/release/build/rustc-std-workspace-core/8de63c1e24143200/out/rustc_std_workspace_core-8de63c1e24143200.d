/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-std-workspace-core/8de63c1e24143200/out/rustc_std_workspace_core-8de63c1e24143200.d: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/rustc-std-workspace-core/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-std-workspace-core/8de63c1e24143200/out/librustc_std_workspace_core-8de63c1e24143200.rlib: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/rustc-std-workspace-core/lib.rs

/work/main/meerkat-web-runtime/target/mobpack/wasm32-unknown-unknown/release/build/rustc-std-workspace-core/8de63c1e24143200/out/librustc_std_workspace_core-8de63c1e24143200.rmeta: /root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/rustc-std-workspace-core/lib.rs

/root/.rustup/toolchains/nightly-2026-10-29-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/rustc-std-workspace-core/lib.rs:
