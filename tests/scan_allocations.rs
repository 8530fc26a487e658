//! Steady-state heap use of `Scanner::scan_frame` (issue 8) and of `ScanSession` (issue 16),
//! measured with a counting global
//! allocator: allocations and bytes per frame after warm-up, and the peak of live heap bytes.
//!
//! Every per-frame buffer is kept from frame to frame: the luma copy, the downscaled image,
//! the binarizer's scratch and bit matrix, the finder-pattern rows and triples, the sampled
//! candidate symbol, its codewords and data blocks (vendored rxing, see
//! third_party/rxing/PATCHES.md) and the handoff to the decoder thread. A frame without a
//! code therefore allocates nothing at all, also when its texture passes for QR finder
//! patterns and candidate symbols are sampled and decoded in vain (a checkerboard), and the
//! test holds both to exactly zero. A frame with a code allocates only while building the
//! result it returns (the decoded text, bytes and corners; 16 allocations for a QR, 10 for a
//! Code 128 when this was written): a ceiling with headroom catches a regression there. Warm-up is 10 frames: the per-thread point lists reach the sizes they
//! need over the first few. Printed: the per-frame counts and the heap the scanner keeps after
//! warm-up (its steady footprint).
use hutong_core::frame::synth::LumaPicture;
use hutong_core::frame::Frame;
use hutong_core::render::{render, RenderOptions, Symbology};
use hutong_core::scan::{ScanOptions, ScanSession};
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

/// Whether this is the process's main thread, where libtest keeps its books: on a slow machine
/// it prints "has been running for over 60 seconds", which allocates, while a case is being
/// counted. The scanning happens on the test's own thread and the scanner's worker, never here.
fn on_libtest_thread() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions and touches no memory.
        let tid = unsafe { libc::gettid() };
        i64::from(tid) == i64::from(std::process::id())
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !on_libtest_thread() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            ALLOCATED_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        grew(layout.size());
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !on_libtest_thread() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            ALLOCATED_BYTES.fetch_add(new_size, Ordering::Relaxed);
        }
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        grew(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What the scene behind the camera shows.
#[derive(Clone, Copy)]
enum Scene {
    Plain,
    /// A tilted checkerboard: its corners pass for QR finder patterns, so the scanner samples
    /// and decodes candidate symbols (and fails) on every frame.
    Checkerboard,
    /// Small concentric squares scattered like print on a box: at 1.5 pixels a module they pass
    /// for small QR finder patterns, so the scanner takes its closer look at twice the size
    /// (`scan/qr.rs`) on every frame, and reads nothing.
    SmallSquares,
    OneQr,
    /// An 18-digit payer code as Code 128, read by Hutong's own 1D reader.
    OneCode128,
}

/// A portrait 720p NV21 frame (sensor turned 90 degrees) of the scene.
fn frame_bytes(scene_kind: Scene) -> (Vec<u8>, u32, u32, usize) {
    let mut scene = LumaPicture::filled(720, 1280, 150);
    if let Scene::Checkerboard = scene_kind {
        let (sin, cos) = 0.3f32.sin_cos();
        let cell = 13.0;
        for y in 0..scene.height {
            for x in 0..scene.width {
                let (xf, yf) = (x as f32, y as f32);
                let u = ((xf * cos + yf * sin) / cell).floor() as i64;
                let v = ((yf * cos - xf * sin) / cell).floor() as i64;
                scene.pixels[(y * scene.width + x) as usize] =
                    if (u + v).rem_euclid(2) == 0 { 40 } else { 200 };
            }
        }
    }
    if let Scene::SmallSquares = scene_kind {
        // A finder pattern's rings (1:1:3:1:1) at 1.5 pixels a module, every 90 pixels.
        for (cy, cx) in (0..13).flat_map(|r| (0..7).map(move |c| (r * 95 + 40, c * 100 + 30))) {
            for dy in 0..11u32 {
                for dx in 0..11u32 {
                    // The ring a pixel lies on, in modules from the pattern's centre.
                    let (mx, my) = ((dx * 2) as i32 / 3 - 3, (dy * 2) as i32 / 3 - 3);
                    let ring = mx.abs().max(my.abs());
                    let dark = ring != 2;
                    let (x, y) = (cx + dx, cy + dy);
                    if x < scene.width && y < scene.height {
                        scene.pixels[(y * scene.width + x) as usize] = if dark { 30 } else { 210 };
                    }
                }
            }
        }
    }
    // (payload, symbology, pixels per module, where)
    let code = match scene_kind {
        Scene::OneQr => Some((
            "wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd",
            Symbology::Qr,
            8,
            (200, 500),
        )),
        Scene::OneCode128 => Some(("283456789012345678", Symbology::Code128, 4, (60, 560))),
        Scene::Plain | Scene::Checkerboard | Scene::SmallSquares => None,
    };
    if let Some((payload, symbology, module_px, (x, y))) = code {
        let options = RenderOptions::for_symbology(symbology, module_px);
        let bmp = render(payload, symbology, options).expect("renders");
        scene.draw(&bmp.pixels, bmp.width, x, y, 30, 220);
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

/// `session`: through a `ScanSession` (tracked crops, coarse pass plus bands) instead of
/// `scan_frame`, for fewer frames (the test takes about 50 s unoptimised; libtest's notice past
/// 60 s is not counted, see `on_libtest_thread`).
fn measure(scene: Scene, session: bool) -> PerFrame {
    let with_code = matches!(scene, Scene::OneQr | Scene::OneCode128);
    let (nv21, w, h, stride) = frame_bytes(scene);
    let frame = Frame::nv21(&nv21, w, h, stride, 90).expect("valid frame");
    let before_scanner = LIVE.load(Ordering::Relaxed);
    let scanner = ScanSession::with_options(ScanOptions {
        time_budget: Duration::from_secs(30),
        ..ScanOptions::default()
    });
    let scan = |frame: &Frame<'_>| {
        if session {
            scanner.scan_frame(frame)
        } else {
            scanner.scanner().scan_frame(frame)
        }
    };
    for _ in 0..10 {
        let found = scan(&frame);
        assert_eq!(found.len(), usize::from(with_code), "warm-up scan");
    }
    let frames: usize = if session { 40 } else { 100 };
    let (a0, b0) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        ALLOCATED_BYTES.load(Ordering::Relaxed),
    );
    let live0 = LIVE.load(Ordering::Relaxed);
    PEAK.store(live0, Ordering::Relaxed);
    for _ in 0..frames {
        let found = scan(&frame);
        assert_eq!(found.len(), usize::from(with_code));
    }
    PerFrame {
        // Rounded up: a single allocation in any of the frames shows as one.
        allocations: (ALLOCATIONS.load(Ordering::Relaxed) - a0).div_ceil(frames),
        bytes: (ALLOCATED_BYTES.load(Ordering::Relaxed) - b0).div_ceil(frames),
        peak_above_start: PEAK.load(Ordering::Relaxed).saturating_sub(live0),
        kept_by_scanner: live0.saturating_sub(before_scanner),
    }
}

/// One test runs every measurement: the counters are process-wide, so concurrent tests in
/// this binary would pollute each other.
#[test]
fn steady_state_heap_use_per_frame_stays_under_its_ceilings() {
    // (case, scene, through a ScanSession, allocation ceiling per frame, byte ceiling per frame)
    for (case, scene, session, max_allocs, max_bytes) in [
        ("720p portrait, no code", Scene::Plain, false, 0, 0),
        (
            "720p portrait, checkerboard",
            Scene::Checkerboard,
            false,
            0,
            0,
        ),
        (
            "720p portrait, small finder-like squares",
            Scene::SmallSquares,
            false,
            0,
            0,
        ),
        ("720p portrait, one QR", Scene::OneQr, false, 30, 4_000),
        (
            "720p portrait, one Code 128",
            Scene::OneCode128,
            false,
            20,
            2_000,
        ),
        // Through a session: a tracked crop, or the coarse pass and a band, per frame.
        ("ScanSession, 720p, no code", Scene::Plain, true, 0, 0),
        (
            "ScanSession, 720p, checkerboard",
            Scene::Checkerboard,
            true,
            0,
            0,
        ),
        (
            "ScanSession, 720p, one QR (tracked)",
            Scene::OneQr,
            true,
            30,
            4_000,
        ),
    ] {
        let m = measure(scene, session);
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
        // The counter is live on the scanning threads (a result is built on them).
        if matches!(scene, Scene::OneQr | Scene::OneCode128) {
            assert!(m.allocations > 0, "{case}: no allocation counted");
        }
    }
}
