//! Identifiers and randomness from host-supplied entropy.
//!
//! The core never draws randomness itself: the host hands it a seed at
//! construction (crypto.getRandomValues in the browser), so a test that
//! passes a fixed seed replays exactly.

/// SplitMix64: tiny, fast, and plenty for ids and retry jitter.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn from_entropy(bytes: &[u8]) -> Self {
        // Fold every byte in so any seed length works; a zero seed is still fine.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            state ^= u64::from_le_bytes(word);
            state = Rng(state).next_u64();
        }
        Rng(state)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniformly distributed float in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An RFC 4122 version-4 UUID string.
    pub fn uuid_v4(&mut self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&hi.to_be_bytes());
        bytes[8..].copy_from_slice(&lo.to_be_bytes());
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let mut out = String::with_capacity(36);
        for (i, b) in bytes.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0x0f));
        }
        out
    }
}

fn hex_digit(n: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(n & 0x0f)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape_and_determinism() {
        let mut a = Rng::from_entropy(&[1, 2, 3]);
        let mut b = Rng::from_entropy(&[1, 2, 3]);
        let id = a.uuid_v4();
        assert_eq!(id, b.uuid_v4());
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(a.uuid_v4(), id);
        assert_ne!(Rng::from_entropy(&[]).uuid_v4(), Rng::from_entropy(&[0; 32]).uuid_v4());
    }

    #[test]
    fn floats_in_unit_interval() {
        let mut r = Rng::from_entropy(b"seed");
        for _ in 0..1000 {
            let x = r.next_f64();
            assert!((0.0..1.0).contains(&x));
        }
    }
}
