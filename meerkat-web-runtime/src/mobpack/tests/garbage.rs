//! Hostile and broken input never panics: random bytes, packs cut at
//! every offset, flipped bits. Each must end in a typed error (or, where
//! the flip lands in bytes no check covers, a pack).

use super::support::{example, example_files, gzip, noise, tar_of};
use crate::mobpack::{read, read_reply};

fn reads_without_panic(bytes: &[u8]) -> bool {
    let reply = read_reply(bytes);
    assert!(reply.starts_with("{\"ok\":") || reply.starts_with("{\"error\":{\"code\":\""), "{reply}");
    reply.starts_with("{\"ok\":")
}

#[test]
fn random_bytes() {
    for seed in 1..200u32 {
        let len = (seed as usize * 37) % 3000;
        let mut bytes = noise(len, seed);
        assert!(!reads_without_panic(&bytes));
        // With a gzip header in front, so that the deflate and tar paths run too.
        if bytes.len() > 10 {
            bytes[..10].copy_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
            assert!(!reads_without_panic(&bytes));
        }
        // A valid gzip of random data: the tar reader gets garbage.
        assert!(!reads_without_panic(&gzip(&noise(len, seed + 1), 1)));
    }
}

#[test]
fn packs_cut_at_every_offset() {
    let pack = example();
    for cut in 0..pack.len() {
        assert!(!reads_without_panic(&pack[..cut]), "cut at {cut}");
    }
    // The tar cut at many offsets (inside headers, data, padding), regzipped.
    let tar = tar_of(&example_files()).finish();
    for cut in (0..tar.len()).step_by(7) {
        assert!(!reads_without_panic(&gzip(&tar[..cut], 1)), "tar cut at {cut}");
    }
}

#[test]
fn flipped_bytes() {
    let pack = example();
    let original = read(&pack).unwrap();
    for at in 0..pack.len() {
        for bit in [0x01, 0x10, 0x80] {
            let mut bytes = pack.clone();
            bytes[at] ^= bit;
            // A flip either is refused or lands in bits no check covers
            // (the gzip MTIME/XFL/OS bytes, the FTEXT flag, the unused bits
            // after the last deflate block) and changes nothing read.
            if reads_without_panic(&bytes) {
                assert_eq!(read(&bytes).unwrap(), original, "a flip at {at} changed the pack");
            }
        }
    }
    // In the tar (regzipped): the header checksums catch flips in headers.
    let tar = tar_of(&example_files()).finish();
    for at in (0..tar.len()).step_by(3) {
        let mut bytes = tar.clone();
        bytes[at] ^= 0x04;
        reads_without_panic(&gzip(&bytes, 1));
    }
}
