#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| meerkat_web_runtime::fuzzing::mobpack(data));
