//! Render payloads as QR / Code 128 bitmaps (test codes, QA screens, a wallet's own pay code).
//!
//! Wallets show their payer code as a Code 128 barcode above a QR code holding the same digits;
//! QA needs realistic merchant codes on a second screen. Both come from here, so tests, the QA
//! tool and the sandbox console render codes the same way the SDK decodes them.

use rxing::oned::Code128Writer;
use rxing::qrcode::QRCodeWriter;
use rxing::{BarcodeFormat, EncodeHintValue, EncodeHints, Writer};

/// What to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbology {
    Qr,
    Code128,
}

/// Size of the drawing, in modules (the narrowest bar or QR cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Pixels per module (>= 1).
    pub module_px: u32,
    /// Quiet zone on every side, in modules (QR needs 4, Code 128 needs 10).
    pub quiet_zone_modules: u32,
    /// Height of a Code 128 barcode in pixels, quiet zone excluded (ignored for QR).
    pub bar_height_px: u32,
}

impl RenderOptions {
    /// Defaults a phone screen would use for this symbology.
    pub fn for_symbology(symbology: Symbology, module_px: u32) -> Self {
        match symbology {
            Symbology::Qr => RenderOptions {
                module_px,
                quiet_zone_modules: 4,
                bar_height_px: 0,
            },
            Symbology::Code128 => RenderOptions {
                module_px,
                quiet_zone_modules: 10,
                bar_height_px: module_px.saturating_mul(40),
            },
        }
    }
}

/// An 8-bit grayscale picture: 0 is black ink, 255 is white paper. Rows are tightly packed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// Largest bitmap side we draw; far above any screen, small enough that a typo cannot eat memory.
pub const MAX_BITMAP_SIDE: u32 = 8192;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("cannot encode this text as {symbology:?}: {reason}")]
    Unencodable {
        symbology: Symbology,
        reason: String,
    },
    #[error("module size must be at least 1 pixel")]
    ZeroModule,
    #[error("the bitmap would be {width}x{height}, larger than {MAX_BITMAP_SIDE} on a side")]
    TooLarge { width: u64, height: u64 },
}

/// Draws `text` as the given symbology.
pub fn render(
    text: &str,
    symbology: Symbology,
    opts: RenderOptions,
) -> Result<Bitmap, RenderError> {
    if opts.module_px == 0 {
        return Err(RenderError::ZeroModule);
    }
    let (format, hints) = match symbology {
        // UTF-8 so Chinese merchant names in EMVCo payloads survive; margin 0 because the
        // quiet zone is ours to size.
        Symbology::Qr => (
            BarcodeFormat::QR_CODE,
            EncodeHints::default()
                .with(EncodeHintValue::Margin("0".to_owned()))
                .with(EncodeHintValue::CharacterSet("UTF-8".to_owned()))
                .with(EncodeHintValue::ErrorCorrection("M".to_owned())),
        ),
        Symbology::Code128 => (
            BarcodeFormat::CODE_128,
            EncodeHints::default().with(EncodeHintValue::Margin("0".to_owned())),
        ),
    };
    // rxing's writers can panic on some inputs; a render failure must stay an error. The two
    // writers by name, not `MultiFormatWriter`, so an app library links no other encoder.
    let encoded = std::panic::catch_unwind(|| match symbology {
        Symbology::Qr => QRCodeWriter.encode_with_hints(text, &format, 0, 1, &hints),
        Symbology::Code128 => Code128Writer.encode_with_hints(text, &format, 0, 1, &hints),
    })
    .map_err(|_| RenderError::Unencodable {
        symbology,
        reason: "encoder panicked".to_owned(),
    })?
    .map_err(|e| RenderError::Unencodable {
        symbology,
        reason: e.to_string(),
    })?;

    let cols = u64::from(encoded.width());
    let module_rows = match symbology {
        Symbology::Qr => u64::from(encoded.height()),
        Symbology::Code128 => 1,
    };
    let m = u64::from(opts.module_px);
    let quiet = u64::from(opts.quiet_zone_modules) * m;
    let body_height = match symbology {
        Symbology::Qr => module_rows * m,
        Symbology::Code128 => u64::from(opts.bar_height_px.max(1)),
    };
    let width = cols * m + 2 * quiet;
    let height = body_height + 2 * quiet;
    if width > u64::from(MAX_BITMAP_SIDE) || height > u64::from(MAX_BITMAP_SIDE) {
        return Err(RenderError::TooLarge { width, height });
    }
    // Both fit in u32 now (checked against MAX_BITMAP_SIDE).
    let (w, h) = (width as usize, height as usize);
    let (m, quiet) = (m as usize, quiet as usize);
    let mut pixels = vec![255u8; w * h];
    for y in 0..body_height as usize {
        let module_y = match symbology {
            Symbology::Qr => (y / m) as u32,
            Symbology::Code128 => 0,
        };
        let row = &mut pixels[(quiet + y) * w + quiet..(quiet + y) * w + quiet + cols as usize * m];
        for (module_x, chunk) in row.chunks_exact_mut(m).enumerate() {
            if encoded.get(module_x as u32, module_y) {
                chunk.fill(0);
            }
        }
    }
    Ok(Bitmap {
        width: w as u32,
        height: h as u32,
        pixels,
    })
}

impl Bitmap {
    /// Encodes the bitmap as an 8-bit grayscale PNG file (feature `png-encoding`; without it, as in
    /// the platform profile, the app draws `pixels` with its own graphics stack).
    #[cfg(feature = "png-encoding")]
    pub fn to_png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(out)
    }

    /// Places `other` on top of this bitmap with its top-left corner at (x, y), clipping at the edges.
    pub fn blit(&mut self, other: &Bitmap, x: u32, y: u32) {
        let (sw, dw) = (other.width as usize, self.width as usize);
        for oy in 0..other.height as usize {
            let dy = y as usize + oy;
            if dy >= self.height as usize || x as usize >= dw {
                break;
            }
            let n = sw.min(dw - x as usize);
            let dst = dy * dw + x as usize;
            self.pixels[dst..dst + n].copy_from_slice(&other.pixels[oy * sw..oy * sw + n]);
        }
    }

    /// A blank (white) bitmap.
    pub fn blank(width: u32, height: u32) -> Bitmap {
        Bitmap {
            width,
            height,
            pixels: vec![255; width as usize * height as usize],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_has_quiet_zone_and_square_shape() {
        let bmp = render(
            "wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd",
            Symbology::Qr,
            RenderOptions::for_symbology(Symbology::Qr, 3),
        )
        .unwrap();
        assert_eq!(bmp.width, bmp.height);
        assert_eq!(bmp.pixels.len(), (bmp.width * bmp.height) as usize);
        // The quiet zone (first 4 modules = 12 px) is white; the finder pattern starts right after.
        assert!(bmp.pixels[..bmp.width as usize * 12]
            .iter()
            .all(|&p| p == 255));
        assert_eq!(bmp.pixels[12 * bmp.width as usize + 12], 0);
    }

    #[test]
    fn code128_is_wide_with_requested_bar_height() {
        let opts = RenderOptions::for_symbology(Symbology::Code128, 2);
        let bmp = render("134567890123456789", Symbology::Code128, opts).unwrap();
        assert!(bmp.width > bmp.height);
        assert_eq!(bmp.height, 80 + 2 * 20);
    }

    #[test]
    fn refuses_zero_module_and_huge_bitmaps() {
        let mut opts = RenderOptions::for_symbology(Symbology::Qr, 0);
        assert_eq!(
            render("x", Symbology::Qr, opts),
            Err(RenderError::ZeroModule)
        );
        opts.module_px = 1000;
        assert!(matches!(
            render("x", Symbology::Qr, opts),
            Err(RenderError::TooLarge { .. })
        ));
    }

    #[test]
    fn refuses_text_code128_cannot_hold() {
        let opts = RenderOptions::for_symbology(Symbology::Code128, 2);
        assert!(matches!(
            render("支付", Symbology::Code128, opts),
            Err(RenderError::Unencodable { .. })
        ));
    }

    #[test]
    fn blit_clips_at_the_edges() {
        let mut base = Bitmap::blank(10, 10);
        let ink = Bitmap {
            width: 4,
            height: 4,
            pixels: vec![0; 16],
        };
        base.blit(&ink, 8, 8);
        assert_eq!(base.pixels.iter().filter(|&&p| p == 0).count(), 4);
        base.blit(&ink, 20, 20);
        assert_eq!(base.pixels.iter().filter(|&&p| p == 0).count(), 4);
    }
}
