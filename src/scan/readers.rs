//! The rxing readers for the formats the scanner offers, and nothing else.
//!
//! rxing's `MultiUseMultiFormatReader` chooses its readers at run time, so an app linking it
//! carries every reader rxing has (RSS-14 and RSS Expanded with their GS1 parsers, Codabar,
//! Code 93, ITF, Telepen, DX film edge) although the scanner never asks for them. Naming the
//! readers here lets the linker drop the rest (issue 18, README "Library size"). The order and
//! hints are the multi-format reader's: linear formats in one row scan (UPC/EAN, then Code 39,
//! then Code 128), a quarter turn under `TryHarder`, and an inverted retry under `AlsoInverted`.

use super::options::CodeFormat;
use rxing::aztec::AztecReader;
use rxing::common::{BitArray, Result};
use rxing::datamatrix::DataMatrixReader;
use rxing::oned::{Code128Reader, Code39Reader, MultiFormatUPCEANReader, OneDReader};
use rxing::pdf417::PDF417Reader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::qrcode::QRCodeReader;
use rxing::{
    Binarizer, BinaryBitmap, DecodeHints, Exceptions, RXingResult, RXingResultMetadataType,
    RXingResultMetadataValue, Reader,
};

/// One matrix format, or every linear format asked for, with the hints they were built for
/// (`PossibleFormats` matters inside readers too: UPC/EAN picks its sub-readers by it, and the
/// QR reader whether to look for Micro QR).
pub(crate) struct FormatReader {
    kind: Kind,
    hints: DecodeHints,
}

enum Kind {
    /// zxing-cpp's detector first, the classic one on a miss (as rxing's multi-format reader).
    Qr(Box<(QrReader, QRCodeReader)>),
    /// The classic detector alone: still images' second look after `QrSearch` (`engine.rs`).
    ClassicQr(QRCodeReader),
    MicroQr(QrReader),
    DataMatrix(DataMatrixReader),
    Aztec(AztecReader),
    Pdf417(PDF417Reader),
    Linear(LinearReader),
}

impl FormatReader {
    /// `formats` is one matrix format or any set of linear ones (`engine::ReaderGroup` splits
    /// them so); `None` for an empty set.
    pub(crate) fn new(formats: &[CodeFormat], hints: DecodeHints) -> Option<Self> {
        let kind = match formats {
            [CodeFormat::QrCode] => Kind::Qr(Box::default()),
            [CodeFormat::MicroQrCode] => Kind::MicroQr(QrReader),
            [CodeFormat::DataMatrix] => Kind::DataMatrix(DataMatrixReader),
            [CodeFormat::Aztec] => Kind::Aztec(AztecReader),
            [CodeFormat::Pdf417] => Kind::Pdf417(PDF417Reader),
            linear => Kind::Linear(LinearReader::new(linear, &hints)?),
        };
        Some(FormatReader { kind, hints })
    }

    /// zxing's classic QR detector alone. It finds some symbols zxing-cpp's misses: a damaged
    /// code filling the whole picture with no quiet zone (qrcode-2/#1086.png).
    pub(crate) fn classic_qr(also_inverted: bool) -> Self {
        FormatReader {
            kind: Kind::ClassicQr(QRCodeReader),
            hints: DecodeHints {
                PossibleFormats: Some([rxing::BarcodeFormat::QR_CODE].into_iter().collect()),
                AlsoInverted: Some(also_inverted),
                ..DecodeHints::default()
            },
        }
    }

    fn decode_once<B: Binarizer>(&mut self, image: &mut BinaryBitmap<B>) -> Result<RXingResult> {
        let hints = &self.hints;
        match &mut self.kind {
            Kind::Qr(readers) => {
                let (cpp, classic) = &mut **readers;
                cpp.decode_with_hints(image, hints)
                    .or_else(|_| classic.decode_with_hints(image, hints))
            }
            Kind::ClassicQr(r) => r.decode_with_hints(image, hints),
            Kind::MicroQr(r) => r.decode_with_hints(image, hints),
            Kind::DataMatrix(r) => r.decode_with_hints(image, hints),
            Kind::Aztec(r) => r.decode_with_hints(image, hints),
            Kind::Pdf417(r) => r.decode_with_hints(image, hints),
            Kind::Linear(r) => r.decode_with_hints(image, hints),
        }
    }

    /// Reads the image, and inverted as well when the hints ask for it.
    pub(crate) fn decode<B: Binarizer>(
        &mut self,
        image: &mut BinaryBitmap<B>,
    ) -> Result<RXingResult> {
        if let Ok(found) = self.decode_once(image) {
            return Ok(found);
        }
        if self.hints.AlsoInverted != Some(true) {
            return Err(Exceptions::NOT_FOUND);
        }
        image.invert();
        let found = self.decode_once(image);
        image.invert();
        let mut found = found.map_err(|_| Exceptions::NOT_FOUND)?;
        found.putMetadata(
            RXingResultMetadataType::IS_INVERTED,
            RXingResultMetadataValue::IsInverted(true),
        );
        Ok(found)
    }
}

/// The linear formats asked for, tried in turn on each scanned row.
pub(crate) struct LinearReader {
    upc_ean: Option<MultiFormatUPCEANReader>,
    code39: Option<Code39Reader>,
    code128: Option<Code128Reader>,
}

impl LinearReader {
    fn new(formats: &[CodeFormat], hints: &DecodeHints) -> Option<Self> {
        let has = |f: CodeFormat| formats.contains(&f);
        let reader = LinearReader {
            upc_ean: [CodeFormat::Ean13, CodeFormat::Ean8, CodeFormat::UpcE]
                .into_iter()
                .any(has)
                .then(|| MultiFormatUPCEANReader::new(hints)),
            code39: has(CodeFormat::Code39).then(|| Code39Reader::with_use_check_digit(false)),
            code128: has(CodeFormat::Code128).then_some(Code128Reader),
        };
        let any = reader.upc_ean.is_some() || reader.code39.is_some() || reader.code128.is_some();
        any.then_some(reader)
    }
}

impl OneDReader for LinearReader {
    fn decode_row(
        &mut self,
        row_number: u32,
        row: &BitArray,
        hints: &DecodeHints,
    ) -> Result<RXingResult> {
        if let Some(r) = &mut self.upc_ean {
            if let Ok(found) = r.decode_row(row_number, row, hints) {
                return Ok(found);
            }
        }
        if let Some(r) = &mut self.code39 {
            if let Ok(found) = r.decode_row(row_number, row, hints) {
                return Ok(found);
            }
        }
        if let Some(r) = &mut self.code128 {
            if let Ok(found) = r.decode_row(row_number, row, hints) {
                return Ok(found);
            }
        }
        Err(Exceptions::NOT_FOUND)
    }
}

impl Reader for LinearReader {
    fn decode<B: Binarizer>(&mut self, image: &mut BinaryBitmap<B>) -> Result<RXingResult> {
        self.decode_with_hints(image, &DecodeHints::default())
    }

    /// Rows as the image lies, then (trying harder) rows of the image turned a quarter
    /// counter-clockwise, with the result's points turned back and its orientation noted.
    fn decode_with_hints<B: Binarizer>(
        &mut self,
        image: &mut BinaryBitmap<B>,
        hints: &DecodeHints,
    ) -> Result<RXingResult> {
        if let Ok(found) = self._do_decode(image, hints) {
            return Ok(found);
        }
        if hints.TryHarder != Some(true) || !image.is_rotate_supported() {
            return Err(Exceptions::NOT_FOUND);
        }
        let mut turned = image.rotate_counter_clockwise();
        let mut found = self._do_decode(&mut turned, hints)?;
        let row_orientation = match found
            .getRXingResultMetadata()
            .get(&RXingResultMetadataType::ORIENTATION)
        {
            Some(RXingResultMetadataValue::Orientation(o)) => *o,
            _ => 0,
        };
        found.putMetadata(
            RXingResultMetadataType::ORIENTATION,
            RXingResultMetadataValue::Orientation((270 + row_orientation) % 360),
        );
        // (x, y) in the turned image is (width - 1 - y, x) in this one; `turned`'s height is
        // this image's width.
        let width = turned.get_height() as f32;
        for p in found.getPointsMut().iter_mut() {
            let (x, y) = (p.x, p.y);
            p.x = width - y - 1.0;
            p.y = x;
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::common::HybridBinarizer;
    use rxing::{BarcodeFormat, Luma8Source, Writer};

    fn bitmap(
        luma: Vec<u8>,
        w: u32,
        h: u32,
    ) -> BinaryBitmap<HybridBinarizer<Luma8Source<'static>>> {
        BinaryBitmap::new(HybridBinarizer::new(Luma8Source::new(luma, w, h).unwrap()))
    }

    /// `text` drawn as `format`, with a quiet zone, as a luma image; `turn` a quarter clockwise.
    fn drawn(format: BarcodeFormat, text: &str, turn: bool, invert: bool) -> (Vec<u8>, u32, u32) {
        let m = rxing::MultiFormatWriter
            .encode(text, &format, 240, 120)
            .expect("encodes");
        let (w, h) = (m.width() + 40, m.height() + 40);
        let mut luma = vec![255u8; (w * h) as usize];
        for y in 0..m.height() {
            for x in 0..m.width() {
                if m.get(x, y) {
                    luma[((y + 20) * w + x + 20) as usize] = 0;
                }
            }
        }
        if invert {
            luma.iter_mut().for_each(|p| *p = 255 - *p);
        }
        if !turn {
            return (luma, w, h);
        }
        let mut turned = vec![0u8; luma.len()];
        for y in 0..h {
            for x in 0..w {
                turned[(x * h + (h - 1 - y)) as usize] = luma[(y * w + x) as usize];
            }
        }
        (turned, h, w)
    }

    fn hints(formats: &[CodeFormat], try_harder: bool, also_inverted: bool) -> DecodeHints {
        DecodeHints {
            PossibleFormats: Some(formats.iter().map(|f| f.to_rxing()).collect()),
            TryHarder: Some(try_harder),
            AlsoInverted: Some(also_inverted),
            ..DecodeHints::default()
        }
    }

    #[test]
    fn reads_each_offered_format_and_only_those_asked_for() {
        for (format, rx, text) in [
            (
                CodeFormat::QrCode,
                BarcodeFormat::QR_CODE,
                "https://qr.alipay.com/x",
            ),
            (CodeFormat::DataMatrix, BarcodeFormat::DATA_MATRIX, "DM-123"),
            (CodeFormat::Aztec, BarcodeFormat::AZTEC, "AZTEC-123"),
            (CodeFormat::Pdf417, BarcodeFormat::PDF_417, "PDF417-123"),
            (
                CodeFormat::Code128,
                BarcodeFormat::CODE_128,
                "283912345678901234",
            ),
            (CodeFormat::Code39, BarcodeFormat::CODE_39, "HUTONG39"),
            (CodeFormat::Ean13, BarcodeFormat::EAN_13, "6901234567892"),
        ] {
            let (luma, w, h) = drawn(rx, text, false, false);
            let mut reader = FormatReader::new(&[format], hints(&[format], false, false)).unwrap();
            let found = reader.decode(&mut bitmap(luma.clone(), w, h)).unwrap();
            assert_eq!((found.getText(), found.getBarcodeFormat()), (text, &rx));
            let other = if format == CodeFormat::QrCode {
                CodeFormat::Aztec
            } else {
                CodeFormat::QrCode
            };
            let mut wrong = FormatReader::new(&[other], hints(&[other], false, false)).unwrap();
            assert!(wrong.decode(&mut bitmap(luma, w, h)).is_err(), "{format:?}");
        }
    }

    #[test]
    fn turns_a_vertical_linear_code_back_when_trying_harder() {
        let (luma, w, h) = drawn(BarcodeFormat::CODE_128, "283912345678901234", true, false);
        let linear = [CodeFormat::Code128, CodeFormat::Ean13];
        let mut plain = FormatReader::new(&linear, hints(&linear, false, false)).unwrap();
        assert!(plain.decode(&mut bitmap(luma.clone(), w, h)).is_err());
        let mut harder = FormatReader::new(&linear, hints(&linear, true, false)).unwrap();
        let found = harder.decode(&mut bitmap(luma, w, h)).unwrap();
        assert_eq!(found.getText(), "283912345678901234");
        // The points are in this image: on the symbol's vertical axis, inside the image.
        for p in found.getPoints() {
            assert!(
                p.x >= 0.0 && p.x < w as f32 && p.y >= 0.0 && p.y < h as f32,
                "{p:?}"
            );
        }
    }

    #[test]
    fn reads_light_on_dark_only_when_asked() {
        let (luma, w, h) = drawn(BarcodeFormat::QR_CODE, "inverted", false, true);
        let mut plain = FormatReader::new(
            &[CodeFormat::QrCode],
            hints(&[CodeFormat::QrCode], false, false),
        )
        .unwrap();
        assert!(plain.decode(&mut bitmap(luma.clone(), w, h)).is_err());
        let mut both = FormatReader::new(
            &[CodeFormat::QrCode],
            hints(&[CodeFormat::QrCode], false, true),
        )
        .unwrap();
        let found = both.decode(&mut bitmap(luma, w, h)).unwrap();
        assert_eq!(found.getText(), "inverted");
    }
}
