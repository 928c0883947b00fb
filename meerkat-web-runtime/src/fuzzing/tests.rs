//! The fuzz targets' seed inputs, run deterministically: every seed whole,
//! at several chunk sizes, cut at many points and with bytes flipped.

use super::{SEED_DIRS, entry};
use crate::ids::Rng;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read seed dir {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() { files_under(&path, out) } else { out.push(path) }
    }
}

/// The inputs made from one seed: itself, behind each chunk-size byte the
/// stream targets read first, cut at up to 64 points, and 32 random flips.
fn variants(seed: &[u8], rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut out = vec![seed.to_vec()];
    for step in [1u8, 3, 64, 255] {
        let mut v = vec![step];
        v.extend_from_slice(seed);
        out.push(v);
    }
    let cuts = seed.len().clamp(1, 64);
    for i in 0..cuts {
        out.push(seed[..seed.len() * i / cuts].to_vec());
    }
    for _ in 0..32 {
        let mut v = seed.to_vec();
        if v.is_empty() {
            break;
        }
        let at = (rng.next_u64() % v.len() as u64) as usize;
        v[at] ^= 1 << (rng.next_u64() % 8);
        out.push(v);
    }
    out
}

#[test]
fn every_target_survives_its_seeds_and_their_cuts_and_flips() {
    let mut rng = Rng::from_entropy(b"fuzz seeds");
    for (target, dir) in SEED_DIRS {
        let run = entry(target).unwrap();
        let mut seeds = Vec::new();
        files_under(&repo_root().join(dir), &mut seeds);
        assert!(!seeds.is_empty(), "no seeds for {target} in {dir}");
        for seed in seeds {
            let bytes = std::fs::read(&seed).unwrap();
            for input in variants(&bytes, &mut rng) {
                run(&input);
            }
        }
    }
}

#[test]
fn the_fuzz_script_seeds_each_target_from_the_same_directories() {
    let script = std::fs::read_to_string(repo_root().join("fuzz/run.sh")).unwrap();
    let targets = std::fs::read_dir(repo_root().join("fuzz/fuzz_targets")).unwrap().count();
    assert_eq!(targets, SEED_DIRS.len(), "one fuzz target per SEED_DIRS entry");
    for (target, dir) in SEED_DIRS {
        assert!(script.contains(&format!("{target}) seeds={dir}")), "fuzz/run.sh lacks {target} -> {dir}");
        assert!(entry(target).is_some());
    }
    assert!(entry("nope").is_none());
}

#[test]
fn json_round_trips_what_it_parses() {
    for text in [r#"{"a":[1,2.5e3,-0,true,null,"\u00e9\ud83d\ude00"]}"#, "\"\\n\"", "[]", "{}"] {
        super::json(text.as_bytes());
    }
}

#[test]
fn the_mobpack_seeds_are_valid_packs_so_the_fuzzer_starts_past_the_checks() {
    let dir = repo_root().join("fuzz/seeds/mobpack");
    let gz = std::fs::read(dir.join("research-team.mobpack.seed")).unwrap();
    let tar = std::fs::read(dir.join("research-team.tar.seed")).unwrap();
    assert_eq!((gz[0], tar[0]), (0, 1), "the first byte says what follows");
    crate::mobpack::read(&gz[1..]).unwrap();
    crate::mobpack::read(&super::gzip(&tar[1..])).unwrap();
}
