//! Steady-state heap use of `Scanner::scan_frame` (issue 8), measured with a counting global
//! allocator: allocations and bytes per frame after warm-up, and the peak of live heap bytes.
//!
//! Every per-frame buffer is kept from frame to frame: the luma copy, the downscaled image,
//! the binarizer's scratch and bit matrix, the finder-pattern rows (vendored rxing, see
//! third_party/rxing/PATCHES.md) and the handoff to the decoder thread. A frame without a code
//! therefore allocates nothing at all, and the test holds it to exactly zero. A frame with a
//! code allocates while decoding the symbol found and building its result (bit arrays,
//! text, points, metadata): a ceiling with headroom catches a regression there. Printed: the
//! per-frame counts and the heap the scanner keeps after warm-up (its steady footprint).
use hutong::frame::synth::LumaPicture;
use hutong::frame::Frame;
use hutong::render::{render, RenderOptions, Symbology};
use hutong::scan::{ScanOptions, Scanner};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static ALLOCATED_BYTES: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        grew(layout.size());
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED_BYTES.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        grew(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A portrait 720p NV21 frame (sensor turned 90 degrees), with or without a payment QR.
fn frame_bytes(with_code: bool) -> (Vec<u8>, u32, u32, usize) {
    let mut scene = LumaPicture::filled(720, 1280, 150);
    if with_code {
        let bmp = render(
            "wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd",
            Symbology::Qr,
            RenderOptions::for_symbology(Symbology::Qr, 8),
        )
        .expect("renders");
        scene.draw(&bmp.pixels, bmp.width, 200, 500, 30, 220);
    }
    scene.add_noise(6, 7);
    let sensor = scene.to_sensor(90);
    let stride = sensor.width as usize + 32;
    (
        sensor.to_semi_planar(stride),
        sensor.width,
        sensor.height,
        stride,
    )
}

struct PerFrame {
    allocations: usize,
    bytes: usize,
    peak_above_start: usize,
    /// Live heap after warm-up minus before the scanner existed (frame bytes excluded).
    kept_by_scanner: usize,
}

fn measure(with_code: bool) -> PerFrame {
    let (nv21, w, h, stride) = frame_bytes(with_code);
    let frame = Frame::nv21(&nv21, w, h, stride, 90).expect("valid frame");
    let before_scanner = LIVE.load(Ordering::Relaxed);
    let scanner = Scanner::new(ScanOptions {
        time_budget: Duration::from_secs(30),
        ..ScanOptions::default()
    });
    for _ in 0..3 {
        let found = scanner.scan_frame(&frame);
        assert_eq!(found.len(), usize::from(with_code), "warm-up scan");
    }
    const FRAMES: usize = 100;
    let (a0, b0) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        ALLOCATED_BYTES.load(Ordering::Relaxed),
    );
    let live0 = LIVE.load(Ordering::Relaxed);
    PEAK.store(live0, Ordering::Relaxed);
    for _ in 0..FRAMES {
        let found = scanner.scan_frame(&frame);
        assert_eq!(found.len(), usize::from(with_code));
    }
    PerFrame {
        // Rounded up: a single allocation in any of the frames shows as one.
        allocations: (ALLOCATIONS.load(Ordering::Relaxed) - a0).div_ceil(FRAMES),
        bytes: (ALLOCATED_BYTES.load(Ordering::Relaxed) - b0).div_ceil(FRAMES),
        peak_above_start: PEAK.load(Ordering::Relaxed).saturating_sub(live0),
        kept_by_scanner: live0.saturating_sub(before_scanner),
    }
}

/// One test runs both measurements: the counters are process-wide, so concurrent tests in
/// this binary would pollute each other.
#[test]
fn steady_state_heap_use_per_frame_stays_under_its_ceilings() {
    // (case, with a code, allocation ceiling per frame, byte ceiling per frame)
    for (case, with_code, max_allocs, max_bytes) in [
        ("720p portrait, no code", false, 0, 0),
        ("720p portrait, one QR", true, 60, 10_000),
    ] {
        let m = measure(with_code);
        println!(
            "{case}: {} allocations, {} bytes allocated per frame after warm-up; \
             peak live heap during scanning {} bytes above the warmed-up baseline; \
             {} bytes kept by the scanner between frames",
            m.allocations, m.bytes, m.peak_above_start, m.kept_by_scanner
        );
        assert!(
            m.allocations <= max_allocs,
            "{case}: {} allocations per frame",
            m.allocations
        );
        assert!(m.bytes <= max_bytes, "{case}: {} bytes per frame", m.bytes);
    }
}
