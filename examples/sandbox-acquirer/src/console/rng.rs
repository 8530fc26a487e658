//! Random parts of generated codes: seeded for reproducible tests and screenshots, otherwise
//! seeded from the system's secure generator so two QA screens never show the same code.

use ring::rand::{SecureRandom as _, SystemRandom};

/// SplitMix64: small, fast and good enough for test identifiers (never for keys).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: Option<u64>) -> Rng {
        let seed = seed.unwrap_or_else(|| {
            let mut b = [0u8; 8];
            // The system generator failing is not worth refusing a test code over.
            let _ = SystemRandom::new().fill(&mut b);
            u64::from_le_bytes(b)
        });
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick_from(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len())]))
            .collect()
    }

    pub fn digits(&mut self, n: usize) -> String {
        self.pick_from(b"0123456789", n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_reproduces_the_sequence_and_digits_are_digits() {
        let a = Rng::new(Some(5)).digits(40);
        assert_eq!(a, Rng::new(Some(5)).digits(40));
        assert_ne!(a, Rng::new(Some(6)).digits(40));
        assert!(a.bytes().all(|b| b.is_ascii_digit()));
    }
}
