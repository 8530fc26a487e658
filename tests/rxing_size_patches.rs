//! Two rxing changes that only shrink the app library (third_party/rxing/PATCHES.md, 14 and 15)
//! and must not change a result.
//!
//! PDF417's numeric compaction packs up to 44 digits into 15 base-900 codewords. rxing turned
//! them back into digits with num-bigint; the vendored rxing does it in nine-digit limbs
//! (third_party/rxing/PATCHES.md, 14), which took num-bigint out of the app library. rxing's
//! PDF417 encoder still uses num-bigint, so encoding with it and decoding with the patch checks
//! one arithmetic against the other.
use proptest::prelude::*;
use rxing::common::HybridBinarizer;
use rxing::oned::EANManufacturerOrgSupport;
use rxing::pdf417::PDF417Reader;
use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, Reader, Writer};

/// `text` as PDF417, drawn with a quiet zone, decoded again.
fn round_trip(text: &str) -> String {
    let m = rxing::MultiFormatWriter
        .encode(text, &BarcodeFormat::PDF_417, 0, 0)
        .expect("encodes");
    let scale = 2;
    let (w, h) = (m.width() * scale + 40, m.height() * scale + 40);
    let mut luma = vec![255u8; (w * h) as usize];
    for y in 0..m.height() * scale {
        for x in 0..m.width() * scale {
            if m.get(x / scale, y / scale) {
                luma[((y + 20) * w + x + 20) as usize] = 0;
            }
        }
    }
    let source = Luma8Source::new(luma, w, h).expect("a valid picture");
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    PDF417Reader
        .decode_with_hints(&mut bitmap, &DecodeHints::default())
        .expect("decodes")
        .getText()
        .to_owned()
}

#[test]
fn digit_runs_at_every_group_boundary_round_trip() {
    // 44 digits fill a group of 15 codewords; leading zeros are what the prefix digit keeps.
    for len in [1, 13, 14, 15, 43, 44, 45, 88, 89, 100] {
        for text in ["9".repeat(len), "0".repeat(len), format!("{:0>len$}", "1")] {
            assert_eq!(round_trip(&text), text, "{len} digits");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_digit_strings_round_trip(text in "[0-9]{13,120}") {
        prop_assert_eq!(round_trip(&text), text);
    }

    #[test]
    fn digits_between_words_round_trip(text in "[a-z]{1,5}[0-9]{13,60}[a-z]{1,5}") {
        prop_assert_eq!(round_trip(&text), text);
    }
}

/// The GS1 prefix table is now data instead of pushes at first use: lookups as before, at the
/// edges of ranges and single prefixes and in the gaps between them.
#[test]
fn ean_country_lookups_are_unchanged() {
    let support = EANManufacturerOrgSupport;
    for (code, country) in [
        ("000000", Some("US/CA")),
        ("019000", Some("US/CA")),
        ("020000", None),
        ("139000", Some("US/CA")),
        ("380000", Some("BG")),
        ("381000", None),
        ("472000", None),
        ("500000", Some("GB")),
        ("509000", Some("GB")),
        ("690000", Some("CN")),
        ("695000", Some("CN")),
        ("696000", None),
        ("958000", Some("MO")),
        ("999000", None),
        ("12", None),
    ] {
        assert_eq!(support.lookupCountryIdentifier(code), country, "{code}");
    }
}
