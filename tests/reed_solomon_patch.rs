//! The vendored rxing decodes Reed-Solomon blocks of up to 128 error-correction codewords in
//! fixed arrays (third_party/rxing/PATCHES.md). It must correct exactly what the original
//! Euclidean decoder corrects and fail where that one fails, with one deliberate exception: on
//! some blocks beyond its correction capacity the original reports success but hands back a
//! block that is not a codeword (nothing corrected though the syndromes are not zero, or a
//! "correction" that leaves them non-zero, seen with an odd number of error-correction
//! codewords); ours reports the failure. Checked here on every field the readers use, with 0 to
//! t + 3 random errors (t = half the error-correction codewords), and on blocks of pure noise.
use rxing::common::reedsolomon::{
    GenericGFRef, PredefinedGenericGF, ReedSolomonDecoder, ReedSolomonEncoder,
};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// (field, name, data codewords, error-correction codewords)
fn cases() -> Vec<(GenericGFRef, &'static str, usize, usize)> {
    use PredefinedGenericGF as F;
    vec![
        (F::QrCodeField256.into(), "QR", 19, 7),
        (F::QrCodeField256.into(), "QR", 97, 30),
        (F::DataMatrixField256.into(), "Data Matrix", 3, 5),
        (F::DataMatrixField256.into(), "Data Matrix", 156, 68),
        (F::AztecData6.into(), "Aztec 6-bit", 20, 13),
        (F::AztecData10.into(), "Aztec 10-bit", 60, 40),
        (F::AztecParam.into(), "Aztec mode message", 2, 5),
    ]
}

fn outcome(result: rxing::common::Result<usize>, block: &[i32]) -> Option<(usize, Vec<i32>)> {
    result.ok().map(|n| (n, block.to_vec()))
}

/// Ours and the original agree, or the original "succeeded" with a block that is not a
/// codeword (the exception above) and ours failed. Returns whether that happened.
fn agree(
    decoder: &ReedSolomonDecoder,
    ec: usize,
    ours: &Option<(usize, Vec<i32>)>,
    theirs: &Option<(usize, Vec<i32>)>,
    what: &str,
) -> bool {
    if ours == theirs {
        return false;
    }
    let not_a_codeword = |block: &Vec<i32>| {
        // A codeword's syndromes are all zero: the original would then say "no errors" and
        // leave it alone; any other answer shows they are not.
        let mut copy = block.clone();
        let euclid = decoder.decode_euclidean(&mut copy, ec as i32);
        let mut again = block.clone();
        !(euclid.is_ok_and(|n| n == 0) && decoder.decode(&mut again, ec as i32) == Ok(0))
    };
    assert!(
        ours.is_none() && theirs.as_ref().is_some_and(|(_, b)| not_a_codeword(b)),
        "{what}: ours {ours:?}, original {theirs:?}"
    );
    true
}

#[test]
fn stack_decoder_matches_the_euclidean_decoder() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for (field, name, data, ec) in cases() {
        let symbols = field.getSize();
        let decoder = ReedSolomonDecoder::new(field);
        let mut encoder = ReedSolomonEncoder::new(field).expect("encoder");
        let mut corrected_somewhere = 0;
        for round in 0..300 {
            let mut block: Vec<i32> = (0..data + ec).map(|_| rng.below(symbols) as i32).collect();
            encoder.encode(&mut block, ec).expect("encodes");
            let original = block.clone();
            let errors = round % (ec / 2 + 4);
            for _ in 0..errors {
                let at = rng.below(block.len());
                block[at] ^= 1 + rng.below(symbols - 1) as i32;
            }
            let (mut ours, mut theirs) = (block.clone(), block.clone());
            let a = outcome(decoder.decode(&mut ours, ec as i32), &ours);
            let b = outcome(decoder.decode_euclidean(&mut theirs, ec as i32), &theirs);
            let what = format!("{name} {data}+{ec}, {errors} errors, round {round}");
            let flagged = agree(&decoder, ec, &a, &b, &what);
            assert!(!flagged || errors > ec / 2, "{what}: a correctable block");
            if errors > 0 && errors <= ec / 2 {
                assert_eq!(ours, original, "{name}: {errors} errors are corrected");
                corrected_somewhere += 1;
            }
        }
        assert!(
            corrected_somewhere > 0,
            "{name}: the test corrected nothing"
        );
        // Pure noise: both fail, or both agree on the same (mis)correction.
        for _ in 0..200 {
            let noise: Vec<i32> = (0..data + ec).map(|_| rng.below(symbols) as i32).collect();
            let (mut ours, mut theirs) = (noise.clone(), noise);
            let a = outcome(decoder.decode(&mut ours, ec as i32), &ours);
            let b = outcome(decoder.decode_euclidean(&mut theirs, ec as i32), &theirs);
            agree(&decoder, ec, &a, &b, &format!("{name}: noise block"));
        }
    }
}

#[test]
fn byte_blocks_and_edge_sizes_behave_as_before() {
    let decoder = ReedSolomonDecoder::new(PredefinedGenericGF::QrCodeField256.into());
    // No error-correction codewords, an empty block, and u8 codewords as the QR reader passes.
    for (block, ec) in [(vec![1u8, 2, 3], 0), (vec![], 4), (vec![0u8; 10], 4)] {
        let (mut ours, mut theirs) = (block.clone(), block);
        let a = decoder.decode(&mut ours, ec).ok();
        let b = decoder.decode_euclidean(&mut theirs, ec).ok();
        assert_eq!(a, b, "ec {ec}");
        assert_eq!(ours, theirs);
    }
}
