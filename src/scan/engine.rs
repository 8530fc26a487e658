//! The decoding strategy: configured rxing readers and the passes run over one luma image.
//!
//! Runs on the scanner's worker thread (see `worker.rs`); knows nothing about threads or time
//! limits beyond checking the deadline between passes.
use super::averaged::AveragedRows;
use super::binarize::FastHybridBinarizer;
use super::code128::{Code128, Code128Reader};
use super::confirm::{needs_confirmation, Confirmer};
use super::dm_timing::resample_by_timing;
use super::options::{CodeFormat, ScanOptions};
use super::qr::{QrSearch, LIVE_MAX_SETS};
use super::readers::FormatReader;
use super::still::Picture;
use super::transposed::TransposedLuma;
use crate::frame::Point;
use rxing::common::DetectorRXingResult;
use rxing::common::GlobalHistogramBinarizer;
use rxing::datamatrix::decoder::Decoder as DataMatrixDecoder;
use rxing::datamatrix::detector::zxing_cpp_detector::detect as detect_data_matrix;
use rxing::multi::{GenericMultipleBarcodeReader, MultipleBarcodeReader};
use rxing::{
    BarcodeFormat, Binarizer, BinaryBitmap, DecodeHints, Luma8Source, LuminanceSource,
    Point as RxPoint, RXingResult, Reader,
};
use std::time::Instant;

/// Still images (`try_harder`) at least this short side get a 2x-downscaled pass first.
const DOWNSCALE_MIN_SHORT_SIDE: u32 = 480;

/// Live frames get a coarse, matrix-only pass first when downscaling by an integer factor of
/// at least 2 still leaves this short side (720p: 2x, 1080p: 3x). Most codes a user aims at
/// are read there for a quarter or a ninth of a full pass; the full-size pass then reads small
/// and distant codes and linear codes (under a pixel per module at the coarse scale).
pub(crate) const COARSE_SHORT_SIDE: u32 = 360;

/// Which passes of a camera frame's plan to run. A `ScanSession` (`session.rs`) spreads them
/// over consecutive frames: the coarse pass on the whole frame, the full-size pass on part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Passes {
    #[default]
    All,
    /// Only the coarse, matrix-only pass (nothing on frames too small to have one).
    CoarseOnly,
    /// Only the full-size pass.
    FullOnly,
    /// Only the full-size pass's linear readers (the coarse pass already read a matrix code).
    FullLinearOnly,
}

/// Tests make the engine panic on an image this wide, to exercise the isolation around it.
#[cfg(test)]
pub(crate) const PANIC_PROBE_WIDTH: u32 = 7919;

/// A reader configured once, for the formats asked for (`readers.rs`).
enum Held {
    Formats(Box<FormatReader>),
    /// QR alone, zxing-cpp's detector (`qr.rs`; see `read_qr`). On camera frames nothing
    /// else: every further look on a miss would cost each frame without a code a second
    /// detection. Still images (gallery picks) have no frame rate to keep and get two more.
    Qr {
        reader: Box<QrSearch>,
        also_inverted: bool,
        /// Still images: the search again on a global-threshold binarization.
        global_look: bool,
        /// Still images: rxing's classic detector (reads 1-2 more of the 56 qrcode-2 photos).
        classic: Option<Box<FormatReader>>,
    },
}

/// QR's looks at one binarized image, cheapest first, until one reads: zxing-cpp's detector,
/// the closer look at small finder patterns, the inverted image (on request), then for still
/// images one threshold for the whole picture and rxing's classic detector. A local threshold
/// breaks up the modules of a code on rough paper where one global threshold keeps them
/// (qrcode-2/28.webp, which zxing-cpp reads with its global binarizer at two turns of four).
fn read_qr<B: Binarizer>(
    reader: &mut QrSearch,
    also_inverted: bool,
    global_look: bool,
    classic: Option<&mut FormatReader>,
    bitmap: &mut BinaryBitmap<B>,
    max_codes: usize,
) -> Vec<RXingResult> {
    let mut found = reader.decode(bitmap, max_codes);
    if found.is_empty() {
        found = reader.look_closer(bitmap.get_source(), max_codes);
    }
    if found.is_empty() && also_inverted {
        bitmap.invert();
        found = reader.decode(bitmap, max_codes);
        bitmap.invert();
    }
    if found.is_empty() && global_look {
        let source = bitmap.get_source();
        let (w, h) = (source.get_width() as u32, source.get_height() as u32);
        if let Ok(luma) = Luma8Source::new_with_slice(&source.get_matrix(), w, h) {
            let mut global = BinaryBitmap::new(GlobalHistogramBinarizer::new(luma));
            found = reader.decode(&mut global, max_codes);
        }
    }
    if found.is_empty() {
        if let Some(classic) = classic {
            found.extend(classic.decode(bitmap).ok());
        }
    }
    found
}

impl Held {
    fn read<B: Binarizer>(
        &mut self,
        image: &mut BinaryBitmap<B>,
    ) -> rxing::common::Result<RXingResult> {
        match self {
            Held::Formats(r) => r.decode(image),
            Held::Qr {
                reader,
                also_inverted,
                global_look,
                classic,
            } => read_qr(
                reader,
                *also_inverted,
                *global_look,
                classic.as_deref_mut(),
                image,
                1,
            )
            .pop()
            .ok_or(rxing::Exceptions::NOT_FOUND),
        }
    }
}

impl Reader for Held {
    fn decode<B: Binarizer>(
        &mut self,
        image: &mut BinaryBitmap<B>,
    ) -> rxing::common::Result<RXingResult> {
        self.read(image)
    }

    fn decode_with_hints<B: Binarizer>(
        &mut self,
        image: &mut BinaryBitmap<B>,
        _hints: &DecodeHints,
    ) -> rxing::common::Result<RXingResult> {
        self.read(image)
    }
}

/// One reader for a set of formats, in single- and multi-code form.
struct ReaderSet {
    single: Held,
    multi: GenericMultipleBarcodeReader<Held>,
    /// Data Matrix alone: every symbol rxing's zxing-cpp-derived detector finds, decoded, joins
    /// the multi-code results (the generic multi reader recurses into crops around the first
    /// symbol and misses most of a sheet of labels: 2 of the 5 in multi-1/multi-dm.png).
    every_data_matrix: Option<(DataMatrixDecoder, bool)>,
}

impl ReaderSet {
    /// `None` for no format (`FormatReader::new`). `picture`: what the readers scan (still
    /// images get more QR looks, see `Held::Qr`).
    fn new(formats: &[CodeFormat], options: &ScanOptions, picture: Picture) -> Option<Self> {
        let hints = DecodeHints {
            PossibleFormats: Some(formats.iter().map(|f| f.to_rxing()).collect()),
            TryHarder: Some(options.try_harder),
            AlsoInverted: Some(options.also_inverted),
            ..DecodeHints::default()
        };
        let qr_only = formats == [CodeFormat::QrCode] && !options.try_harder;
        let make = || {
            if qr_only {
                return Some(Held::Qr {
                    reader: Box::new(QrSearch::new(LIVE_MAX_SETS)),
                    also_inverted: options.also_inverted,
                    global_look: picture.is_still(),
                    // Its finder search does not depend on the turn: the first pass only.
                    classic: (picture == Picture::StillFirst)
                        .then(|| Box::new(FormatReader::classic_qr(options.also_inverted))),
                });
            }
            let reader = FormatReader::new(formats, hints.clone())?;
            Some(Held::Formats(Box::new(reader)))
        };
        Some(ReaderSet {
            single: make()?,
            multi: GenericMultipleBarcodeReader::new(make()?),
            every_data_matrix: (formats == [CodeFormat::DataMatrix])
                .then(|| (DataMatrixDecoder::new(), options.try_harder)),
        })
    }

    fn decode<B: Binarizer>(
        &mut self,
        bitmap: &mut BinaryBitmap<B>,
        max_codes: usize,
    ) -> Vec<RXingResult> {
        if max_codes > 1 {
            if let Held::Qr {
                reader,
                also_inverted,
                global_look,
                classic,
            } = &mut self.single
            {
                // One detection finds every QR symbol; the generic multi reader would
                // re-binarize and re-detect four crops around each code it finds.
                return read_qr(
                    reader,
                    *also_inverted,
                    *global_look,
                    classic.as_deref_mut(),
                    bitmap,
                    max_codes,
                );
            }
            let mut found = self.multi.decode_multiple(bitmap).unwrap_or_default();
            if let Some((decoder, try_harder)) = &self.every_data_matrix {
                found.extend(every_data_matrix(bitmap, decoder, *try_harder));
            }
            found
        } else {
            self.single
                .decode(bitmap)
                .map(|r| vec![r])
                .unwrap_or_default()
        }
    }
}

/// Every Data Matrix symbol rxing's zxing-cpp-derived detector finds that decodes, as sampled
/// or, failing that, resampled by its timing patterns (`dm_timing.rs`). Results may repeat the
/// generic multi reader's; `collect` keeps one per place.
fn every_data_matrix<B: Binarizer>(
    bitmap: &mut BinaryBitmap<B>,
    decoder: &DataMatrixDecoder,
    try_harder: bool,
) -> Vec<RXingResult> {
    let image = bitmap.get_black_matrix();
    let Ok(symbols) = detect_data_matrix(image, try_harder, true) else {
        return Vec::new();
    };
    symbols
        .iter()
        .filter_map(|s| {
            let decoded = decoder.decode(s.getBits()).or_else(|e| {
                let bits = s.getBits();
                let resampled =
                    resample_by_timing(image, s.getPoints(), bits.width(), bits.height())
                        .ok_or(e)?;
                decoder.decode(&resampled)
            });
            let decoded = decoded.ok()?;
            Some(RXingResult::new(
                decoded.getText(),
                decoded.getRawBytes().clone(),
                s.getPoints().to_vec(),
                BarcodeFormat::DATA_MATRIX,
            ))
        })
        .collect()
}

/// Reader sets run in a fixed order over one binarized image: all linear formats together
/// (rxing reads them in one row scan), then each matrix format on its own. One rxing reader
/// over several formats visits them in hash-set order, which differs from run to run and made
/// multi-code results vary; a fixed order makes every scan reproducible.
struct ReaderGroup(Vec<ReaderSet>);

impl ReaderGroup {
    fn new(formats: &[CodeFormat], options: &ScanOptions, picture: Picture) -> Option<Self> {
        let linear: Vec<CodeFormat> = formats.iter().copied().filter(|f| f.is_linear()).collect();
        let mut sets = Vec::new();
        sets.extend(ReaderSet::new(&linear, options, picture));
        for f in formats.iter().filter(|f| !f.is_linear()) {
            sets.extend(ReaderSet::new(&[*f], options, picture));
        }
        (!sets.is_empty()).then_some(ReaderGroup(sets))
    }

    fn decode(
        &mut self,
        luma: &[u8],
        width: u32,
        height: u32,
        max_codes: usize,
    ) -> Vec<RXingResult> {
        match Luma8Source::new_with_slice(luma, width, height) {
            Ok(source) => self.decode_source(source, max_codes),
            Err(_) => Vec::new(),
        }
    }

    fn decode_source<S: LuminanceSource + Clone>(
        &mut self,
        source: S,
        max_codes: usize,
    ) -> Vec<RXingResult> {
        self.decode_bitmap(
            BinaryBitmap::new(FastHybridBinarizer::new(source)),
            max_codes,
        )
    }

    fn decode_bitmap<B: Binarizer>(
        &mut self,
        mut bitmap: BinaryBitmap<B>,
        max_codes: usize,
    ) -> Vec<RXingResult> {
        let mut found = Vec::new();
        for set in &mut self.0 {
            if found.len() >= max_codes {
                break;
            }
            let more = set.decode(&mut bitmap, max_codes);
            if found.is_empty() {
                found = more; // usually the only reader group that finds anything: no copy
            } else {
                found.extend(more);
            }
        }
        found
    }
}

/// A luma image handed to the engine: tightly packed rows in sensor orientation.
pub(crate) struct LumaImage<'a> {
    pub pixels: &'a [u8],
    pub width: u32,
    pub height: u32,
    /// True when the display is the sensor turned by 90 or 270 degrees: linear codes the user
    /// sees horizontally run along sensor columns, so the 1D readers scan a transposed copy.
    pub axes_swapped: bool,
    /// A still image (a gallery pick): rxing's Code 128 reader follows ours (see `Engine`); its
    /// first pass gets the classic QR detector too.
    pub still: Picture,
    /// The passes of the plan to run (camera frames; still images always run all).
    pub passes: Passes,
}

/// A decoded code in ROI pixel coordinates (sensor orientation), before display mapping.
#[derive(Debug, Clone)]
pub(crate) struct FoundCode {
    pub text: String,
    pub raw_bytes: Vec<u8>,
    pub format: CodeFormat,
    pub corners: [Point; 4],
    pub decode_ms: f64,
}

pub(crate) struct Outcome {
    pub codes: Vec<FoundCode>,
    /// The deadline passed before every pass had run.
    pub out_of_time: bool,
}

pub(crate) struct Engine {
    /// Every format: used when linear codes read along sensor rows.
    all: Option<ReaderGroup>,
    matrix: Option<ReaderGroup>,
    /// The matrix readers for a still image's first pass, and for its turned and inverted
    /// passes: QR gets more looks (`Held::Qr`, `read_qr`).
    matrix_still: Option<ReaderGroup>,
    matrix_turned: Option<ReaderGroup>,
    linear: Option<ReaderGroup>,
    /// The linear readers for still images: rxing's Code 128 reader too, after ours, on
    /// plain rows. A still image has no frame rate to keep, and rxing's single threshold per
    /// row reads a thermal print whose uneven bars our edge distances misread
    /// (code128-2/06.webp, which zxing-cpp reads too); on a camera frame it would be a second
    /// Code 128 scan on every frame.
    linear_still: Option<ReaderGroup>,
    max_codes: usize,
    /// Our Code 128 reader (`code128.rs`), when Code 128 is asked for: the only Code 128
    /// reader on camera frames, the first one on still images (rxing's follows there).
    code128: Option<Code128Reader>,
    /// A second look for EAN-8 and UPC-E reads (`confirm.rs`), when those are asked for.
    confirmer: Option<Confirmer>,
    /// Reused buffers: the downscaled image, its column sums and the quarter-turned image.
    small: Vec<u8>,
    column_sums: Vec<u16>,
    rotated: Vec<u8>,
    rotate_retry: bool,
}

/// How a pass image relates to the ROI, to map result points back.
#[derive(Clone, Copy)]
enum PassGeometry {
    /// Scaled down by this factor.
    Scaled(f32),
    /// Scaled, then x and y swapped.
    Transposed(f32),
    /// Turned 90 degrees clockwise at full size; holds the ROI height.
    RotatedCw(f32),
}

impl PassGeometry {
    fn to_roi(self, x: f32, y: f32) -> Point {
        match self {
            PassGeometry::Scaled(s) => Point::new(x * s, y * s),
            PassGeometry::Transposed(s) => Point::new(y * s, x * s),
            PassGeometry::RotatedCw(roi_height) => Point::new(y, roi_height - x),
        }
    }
}

impl Engine {
    pub fn new(options: &ScanOptions) -> Self {
        let mut formats = options.formats.clone();
        formats.sort();
        formats.dedup();
        let (linear, matrix): (Vec<CodeFormat>, Vec<CodeFormat>) =
            formats.iter().partition(|f| f.is_linear());
        let code128 = formats.contains(&CodeFormat::Code128);
        // Camera frames leave Code 128 to our reader alone; rxing reads the other linear formats.
        let rxing_linear: Vec<CodeFormat> = linear
            .iter()
            .copied()
            .filter(|f| options.try_harder || *f != CodeFormat::Code128)
            .collect();
        Engine {
            all: ReaderGroup::new(&formats, options, Picture::Frame),
            matrix: ReaderGroup::new(&matrix, options, Picture::Frame),
            matrix_still: ReaderGroup::new(&matrix, options, Picture::StillFirst),
            matrix_turned: ReaderGroup::new(&matrix, options, Picture::StillRetry),
            linear: ReaderGroup::new(&rxing_linear, options, Picture::Frame),
            linear_still: ReaderGroup::new(&linear, options, Picture::Frame),
            code128: code128.then(|| Code128Reader::new(options.also_inverted)),
            confirmer: Confirmer::new(&formats, options.also_inverted),
            max_codes: options.max_codes.max(1),
            small: Vec::new(),
            column_sums: Vec::new(),
            rotated: Vec::new(),
            rotate_retry: options.try_harder,
        }
    }

    /// The passes for an image of this size, in order (at most two; an array, so that a
    /// camera frame's scan allocates nothing for its plan), keeping those `passes` asks for.
    fn plan(&self, width: u32, height: u32, passes: Passes) -> [Option<Step>; 2] {
        let steps = self.full_plan(width, height);
        if self.rotate_retry {
            return steps;
        }
        steps.map(|s| {
            s.filter(|s| match passes {
                Passes::All => true,
                Passes::CoarseOnly => s.factor > 1,
                Passes::FullOnly | Passes::FullLinearOnly => s.factor == 1,
            })
        })
    }

    /// Every pass for an image of this size.
    fn full_plan(&self, width: u32, height: u32) -> [Option<Step>; 2] {
        let short = width.min(height);
        let full = Step {
            factor: 1,
            matrix_only: false,
        };
        if self.rotate_retry {
            // Still images: a 2x pass for everything, then full size (the corpus floors).
            if short >= DOWNSCALE_MIN_SHORT_SIDE {
                let half = Step {
                    factor: 2,
                    matrix_only: false,
                };
                return [Some(half), Some(full)];
            }
            return [Some(full), None];
        }
        let factor = short / COARSE_SHORT_SIDE;
        if factor >= 2 && self.matrix.is_some() {
            // Linear codes would be under a pixel per module at this scale: matrix only.
            let coarse = Step {
                factor,
                matrix_only: true,
            };
            return [Some(coarse), Some(full)];
        }
        [Some(full), None]
    }

    /// Runs the passes (`plan`) and stops after the first pass that finds anything or when
    /// the deadline has passed.
    pub fn scan(&mut self, image: &LumaImage<'_>, started: Instant, deadline: Instant) -> Outcome {
        let mut outcome = self.scan_passes(image, started, deadline);
        if let Some(confirmer) = self.confirmer.as_mut() {
            outcome.codes.retain(|c| {
                !needs_confirmation(c.format)
                    || confirmer.confirms(image.pixels, image.width, image.height, c)
            });
        }
        outcome
    }

    fn scan_passes(
        &mut self,
        image: &LumaImage<'_>,
        started: Instant,
        deadline: Instant,
    ) -> Outcome {
        #[cfg(test)]
        if image.width == PANIC_PROBE_WIDTH {
            panic!("simulated decoder panic (test probe)");
        }
        let mut codes = Vec::new();
        // Live frames always read linear codes on their own view (averaged rows); still
        // images keep one combined pass unless the display is sideways.
        let has_linear = self.linear.is_some() || self.code128.is_some();
        // Still images without linear formats take the split path too, for `matrix_still`.
        let split = (has_linear && (image.axes_swapped || !self.rotate_retry))
            || (image.still.is_still() && !self.rotate_retry);
        let mut pending = Pending {
            matrix: self.matrix.is_some() && image.passes != Passes::FullLinearOnly,
            linear: has_linear,
        };
        // Still images: our Code 128 reader first, densely, along rows and then columns.
        if self.rotate_retry {
            if let Some(reader) = self.code128.as_mut() {
                let (w, h) = (image.width as usize, image.height as usize);
                let found = reader
                    .read(image.pixels, w, h, image.axes_swapped, true)
                    .or_else(|| reader.read(image.pixels, w, h, !image.axes_swapped, true));
                if let Some(code) = found {
                    collect(
                        vec![code128_result(&code)],
                        PassGeometry::Scaled(1.0),
                        started,
                        &mut codes,
                    );
                    pending.linear = self.max_codes > 1;
                }
            }
        }
        for step in self
            .plan(image.width, image.height, image.passes)
            .into_iter()
            .flatten()
        {
            if codes.len() >= self.max_codes {
                break;
            }
            if Instant::now() >= deadline {
                return Outcome {
                    codes,
                    out_of_time: true,
                };
            }
            if step.factor > 1 {
                let mut small = std::mem::take(&mut self.small);
                let (w, h) = downscale(
                    image.pixels,
                    image.width,
                    image.height,
                    step.factor,
                    &mut small,
                    &mut self.column_sums,
                );
                let pass = Pass {
                    luma: &small,
                    width: w,
                    height: h,
                    scale: step.factor as f32,
                    split,
                    matrix_only: step.matrix_only,
                    transposed: image.axes_swapped,
                    still: image.still,
                };
                self.run_pass(pass, &mut pending, started, &mut codes);
                self.small = small;
            } else {
                let pass = Pass {
                    luma: image.pixels,
                    width: image.width,
                    height: image.height,
                    scale: 1.0,
                    split,
                    matrix_only: false,
                    transposed: image.axes_swapped,
                    still: image.still,
                };
                self.run_pass(pass, &mut pending, started, &mut codes);
            }
            if codes.len() >= self.max_codes || (!pending.matrix && !pending.linear) {
                break;
            }
        }
        // Some rxing detectors miss a symbol at one orientation and find it at the next; on
        // request, pay one more pass on the image turned a quarter.
        if codes.is_empty() && self.rotate_retry {
            if Instant::now() >= deadline {
                return Outcome {
                    codes,
                    out_of_time: true,
                };
            }
            let mut r = std::mem::take(&mut self.rotated);
            rotate_cw(image.pixels, image.width, image.height, &mut r);
            if let Some(set) = self.all.as_mut() {
                let found = set.decode(&r, image.height, image.width, self.max_codes);
                collect(
                    found,
                    PassGeometry::RotatedCw(image.height as f32),
                    started,
                    &mut codes,
                );
            }
            self.rotated = r;
        }
        codes.truncate(self.max_codes);
        Outcome {
            codes,
            out_of_time: false,
        }
    }

    /// Runs the reader groups still pending on one pass image; a group that finds something
    /// is done. Combined readers settle both groups at once.
    fn run_pass(
        &mut self,
        pass: Pass<'_>,
        pending: &mut Pending,
        started: Instant,
        codes: &mut Vec<FoundCode>,
    ) {
        let max = self.max_codes;
        let straight = PassGeometry::Scaled(pass.scale);
        let before = codes.len();
        // Still images' further QR looks (`read_qr`), on full-size passes.
        let matrix = match pass.still {
            _ if self.rotate_retry || pass.matrix_only => &mut self.matrix,
            Picture::Frame => &mut self.matrix,
            Picture::StillFirst => &mut self.matrix_still,
            Picture::StillRetry => &mut self.matrix_turned,
        };
        if pass.matrix_only {
            if pending.matrix {
                if let Some(set) = matrix.as_mut() {
                    collect(
                        set.decode(pass.luma, pass.width, pass.height, max),
                        straight,
                        started,
                        codes,
                    );
                }
                pending.matrix = codes.len() == before;
            }
        } else if pass.split {
            if pending.matrix {
                if let Some(set) = matrix.as_mut() {
                    collect(
                        set.decode(pass.luma, pass.width, pass.height, max),
                        straight,
                        started,
                        codes,
                    );
                }
                pending.matrix = codes.len() == before;
            }
            if pending.linear {
                let before = codes.len();
                if let (Some(reader), false) = (self.code128.as_mut(), self.rotate_retry) {
                    let (w, h) = (pass.width as usize, pass.height as usize);
                    if let Some(code) = reader.read(pass.luma, w, h, pass.transposed, false) {
                        collect(vec![code128_result(&code)], straight, started, codes);
                    }
                }
                let geo = if pass.transposed {
                    PassGeometry::Transposed(pass.scale)
                } else {
                    straight
                };
                let still = pass.still.is_still() && !self.rotate_retry;
                let averaged = !self.rotate_retry && !still;
                let rxing_linear = if still {
                    self.linear_still.as_mut()
                } else {
                    self.linear.as_mut()
                };
                let rxing_linear = rxing_linear.filter(|_| codes.len() == before);
                if let Some(set) = rxing_linear {
                    // Live frames read averaged rows (see `averaged.rs`).
                    let found = match (pass.transposed, averaged) {
                        (true, true) => TransposedLuma::new(pass.luma, pass.width, pass.height)
                            .map(|v| set.decode_source(AveragedRows::new(v), max)),
                        (true, false) => TransposedLuma::new(pass.luma, pass.width, pass.height)
                            .map(|v| set.decode_source(v, max)),
                        (false, _) => {
                            Luma8Source::new_with_slice(pass.luma, pass.width, pass.height)
                                .ok()
                                .map(|v| set.decode_source(AveragedRows::new(v), max))
                        }
                    };
                    collect(found.unwrap_or_default(), geo, started, codes);
                }
                pending.linear = codes.len() == before;
            }
        } else if let Some(set) = self.all.as_mut() {
            collect(
                set.decode(pass.luma, pass.width, pass.height, max),
                straight,
                started,
                codes,
            );
            if codes.len() > before {
                *pending = Pending {
                    matrix: false,
                    linear: false,
                };
            }
        }
    }
}

/// One pass of a scan: the downscale factor, and whether only matrix readers run.
#[derive(Clone, Copy)]
struct Step {
    factor: u32,
    matrix_only: bool,
}

/// Reader groups that have not found anything yet in this scan.
#[derive(Clone, Copy)]
struct Pending {
    matrix: bool,
    linear: bool,
}

/// One image a pass scans, and how it relates to the ROI.
#[derive(Clone, Copy)]
struct Pass<'a> {
    luma: &'a [u8],
    width: u32,
    height: u32,
    scale: f32,
    /// Matrix readers on the image, linear readers on its transpose (display is sideways).
    split: bool,
    /// Only the matrix readers run (a coarse pass).
    matrix_only: bool,
    /// The display is the image turned a quarter: linear codes run along its columns.
    transposed: bool,
    /// From a still image.
    still: Picture,
}

/// Our Code 128 read as an rxing result, so every reader's output goes through `collect`.
/// The corners are where the two agreeing scan lines entered and left the symbol.
fn code128_result(code: &Code128) -> RXingResult {
    RXingResult::new(
        &code.text,
        code.values.clone(),
        code.corners
            .iter()
            .map(|&(x, y)| RxPoint::new(x, y))
            .collect(),
        BarcodeFormat::CODE_128,
    )
}

fn collect(
    results: Vec<RXingResult>,
    geo: PassGeometry,
    started: Instant,
    out: &mut Vec<FoundCode>,
) {
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    for r in results {
        let Some(format) = CodeFormat::from_rxing(r.getBarcodeFormat()) else {
            continue;
        };
        let points: Vec<Point> = r
            .getPoints()
            .iter()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .map(|p| geo.to_roi(p.x, p.y))
            .collect();
        let corners = corners_from(&points, format);
        // The same symbol read twice (by two passes or two readers) is one code; two symbols
        // with the same text in different places (a sheet of labels) are two. PDF417 goes by
        // text alone: rxing's multi reader can report a PDF417 found in a crop at a wrongly
        // translated position (seen on multi-1/#360.png), which would count it twice.
        let duplicate = out.iter().any(|c| {
            c.format == format
                && c.text == r.getText()
                && (format == CodeFormat::Pdf417 || overlapping(&c.corners, &corners))
        });
        if duplicate {
            continue;
        }
        out.push(FoundCode {
            text: r.getText().to_owned(),
            raw_bytes: r.getRawBytes().to_vec(),
            format,
            corners,
            decode_ms: ms,
        });
    }
}

/// Whether two outlines are one symbol read twice: the centre of either lies in the other's
/// bounding box, grown by a quarter of how much longer than wide it is (a linear code's
/// outline can be a single scan line, a matrix code's is its area) plus 2 pixels. Centres, not
/// box overlap: the boxes of a turned symbol and of a label printed beside it can touch
/// (multi-1/multi-dm.png).
pub(crate) fn overlapping(a: &[Point; 4], b: &[Point; 4]) -> bool {
    let bounds = |q: &[Point; 4]| {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for p in q {
            (x0, y0, x1, y1) = (x0.min(p.x), y0.min(p.y), x1.max(p.x), y1.max(p.y));
        }
        let (w, h) = (x1 - x0, y1 - y0);
        let grow = (w - h).abs() / 4.0 + 2.0;
        (x0 - grow, y0 - grow, x1 + grow, y1 + grow)
    };
    let centre = |q: &[Point; 4]| {
        let (x, y) = q.iter().fold((0.0, 0.0), |(x, y), p| (x + p.x, y + p.y));
        (x / 4.0, y / 4.0)
    };
    let inside = |(x, y): (f32, f32), (x0, y0, x1, y1): (f32, f32, f32, f32)| {
        x0 <= x && x <= x1 && y0 <= y && y <= y1
    };
    inside(centre(a), bounds(b)) || inside(centre(b), bounds(a))
}

/// Four corners from rxing's result points, which differ by reader: the zxing-cpp-style QR
/// reader gives the four symbol corners, the classic one three finder centres (bottom-left,
/// top-left, top-right) and maybe an alignment pattern, matrix codes four corners, linear
/// codes the two ends of the scan line. The result goes clockwise (on screen) from the
/// code's own first corner, so an overlay can be drawn as a polygon.
fn corners_from(points: &[Point], format: CodeFormat) -> [Point; 4] {
    let quad = match (format, points) {
        (CodeFormat::QrCode | CodeFormat::MicroQrCode, [bl, tl, tr]) => {
            let br = Point::new(tr.x + bl.x - tl.x, tr.y + bl.y - tl.y);
            [*tl, *tr, br, *bl]
        }
        (_, [a, b, c, d, ..]) => [*a, *b, *c, *d],
        (_, [a, b, c]) => [*a, *b, *c, *c],
        (_, [a, b]) => return [*a, *b, *b, *a],
        (_, [a]) => return [*a; 4],
        (_, []) => return [Point::default(); 4],
    };
    clockwise_from_first(quad)
}

/// Orders four points clockwise on screen (y grows downwards) around their centroid,
/// starting with the first.
fn clockwise_from_first(quad: [Point; 4]) -> [Point; 4] {
    let cx = quad.iter().map(|p| p.x).sum::<f32>() / 4.0;
    let cy = quad.iter().map(|p| p.y).sum::<f32>() / 4.0;
    let angle = |p: &Point| (p.y - cy).atan2(p.x - cx);
    let start = angle(&quad[0]);
    let mut sorted = quad;
    // Angles measured from the first point, in [0, 2pi): increasing atan2 is clockwise on screen.
    sorted.sort_by(|a, b| {
        let ra = (angle(a) - start).rem_euclid(std::f32::consts::TAU);
        let rb = (angle(b) - start).rem_euclid(std::f32::consts::TAU);
        ra.total_cmp(&rb)
    });
    sorted
}

/// Box filter over `factor` x `factor` blocks; leftover edge rows and columns are dropped.
/// Returns the new size. Rows are summed column-wise first (a loop the compiler vectorizes)
/// into `column_sums`, a buffer the caller keeps from frame to frame.
pub(crate) fn downscale(
    src: &[u8],
    width: u32,
    height: u32,
    factor: u32,
    out: &mut Vec<u8>,
    column_sums: &mut Vec<u16>,
) -> (u32, u32) {
    let (w, h, f) = (width as usize, height as usize, factor.max(1) as usize);
    let (ow, oh) = (w / f, h / f);
    out.clear();
    out.reserve(ow * oh);
    column_sums.clear();
    column_sums.resize(ow * f, 0);
    for y in 0..oh {
        column_sums.fill(0);
        for r in 0..f {
            let row = &src[(y * f + r) * w..(y * f + r) * w + ow * f];
            for (a, &p) in column_sums.iter_mut().zip(row) {
                *a += u16::from(p);
            }
        }
        // With the factor a constant, the division by its area becomes a multiply; a runtime
        // divisor is a hardware division per output pixel, which was most of this function's
        // time. The live plan uses 2 (720p) and 3 (1080p).
        match f {
            2 => average_blocks(column_sums, 2, out),
            3 => average_blocks(column_sums, 3, out),
            _ => average_blocks(column_sums, f, out),
        }
    }
    (ow as u32, oh as u32)
}

/// Appends the rounded mean of each run of `f` column sums (each of `f` pixels).
#[inline(always)]
fn average_blocks(column_sums: &[u16], f: usize, out: &mut Vec<u8>) {
    let area = (f * f) as u32;
    // Written in place rather than through `extend`: the same instructions (callgrind), but
    // 720p frames without a code scanned 5% faster in the shipped build (1.61 -> 1.53 ms) and
    // 20% in a thin-LTO build, where the `extend` loop compiled worse.
    let from = out.len();
    out.resize(from + column_sums.len() / f, 0);
    for (o, c) in out[from..].iter_mut().zip(column_sums.chunks_exact(f)) {
        let sum: u32 = c.iter().map(|&v| u32::from(v)).sum();
        *o = ((sum + area / 2) / area) as u8;
    }
}

/// Writes the image turned 90 degrees clockwise (so it is `height` wide).
pub(crate) fn rotate_cw(src: &[u8], width: u32, height: u32, out: &mut Vec<u8>) {
    let (w, h) = (width as usize, height as usize);
    out.clear();
    out.resize(w * h, 0);
    for y in 0..h {
        for x in 0..w {
            // Source (x, y) lands at column h-1-y of row x.
            out[x * h + (h - 1 - y)] = src[y * w + x];
        }
    }
}
