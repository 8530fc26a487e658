use super::*;
use proptest::prelude::*;

fn gray(w: u32, h: u32, stride: usize) -> Vec<u8> {
    vec![0u8; stride * (h as usize - 1) + w as usize]
}

#[test]
fn accepts_gray8_whose_last_row_is_shorter_than_the_stride() {
    let data = gray(10, 4, 16);
    assert!(Frame::gray8(&data, 10, 4, 16, 0).is_ok());
}

#[test]
fn rejects_zero_width() {
    let err = Frame::gray8(&[0; 10], 0, 10, 1, 0).unwrap_err();
    assert_eq!(
        err,
        FrameError::ZeroSize {
            width: 0,
            height: 10
        }
    );
}

#[test]
fn rejects_frame_above_the_pixel_cap() {
    let err = Frame::gray8(&[0; 16], 10_000, 10_000, 10_000, 0).unwrap_err();
    assert!(matches!(err, FrameError::TooLarge { .. }), "{err}");
}

#[test]
fn rejects_side_above_the_side_cap() {
    let err = Frame::gray8(&[0; 16], MAX_SIDE + 1, 1, MAX_SIDE as usize + 1, 0).unwrap_err();
    assert!(matches!(err, FrameError::TooLarge { .. }), "{err}");
}

#[test]
fn rejects_stride_smaller_than_width() {
    let err = Frame::gray8(&[0; 100], 10, 10, 9, 0).unwrap_err();
    assert_eq!(
        err,
        FrameError::StrideTooSmall {
            plane: PlaneId::Y,
            row_stride: 9,
            min: 10
        }
    );
}

#[test]
fn rejects_gray8_buffer_one_byte_short() {
    let data = vec![0u8; 16 * 3 + 9];
    let err = Frame::gray8(&data, 10, 4, 16, 0).unwrap_err();
    assert_eq!(
        err,
        FrameError::BufferTooShort {
            plane: PlaneId::Y,
            len: 57,
            needed: 58
        }
    );
}

#[test]
fn rejects_rotation_that_is_not_a_right_angle() {
    let err = Frame::gray8(&[0; 4], 2, 2, 2, 45).unwrap_err();
    assert_eq!(err, FrameError::BadRotation { degrees: 45 });
}

#[test]
fn rejects_nv21_buffer_shorter_than_chroma_plane() {
    // 4x4 with stride 4: 16 luma bytes + 2 chroma rows of 4 bytes = 24.
    let err = Frame::nv21(&[0; 23], 4, 4, 4, 0).unwrap_err();
    assert_eq!(
        err,
        FrameError::BufferTooShort {
            plane: PlaneId::Chroma,
            len: 7,
            needed: 8
        }
    );
}

#[test]
fn rejects_nv12_without_any_chroma() {
    let err = Frame::nv12(&[0; 16], 4, 4, 4, 0).unwrap_err();
    assert!(
        matches!(
            err,
            FrameError::BufferTooShort {
                plane: PlaneId::Chroma,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn accepts_nv21_with_odd_size_and_padded_rows() {
    // 5x3, stride 8: chroma is 3x2 samples, 6 bytes per row.
    let data = vec![0u8; 8 * 3 + 8 + 6];
    assert!(Frame::nv21(&data, 5, 3, 8, 90).is_ok());
}

#[test]
fn rejects_i420_missing_its_v_plane() {
    let err = Frame::i420(&[0; 16 + 4], 4, 4, 4, 2, 0).unwrap_err();
    assert!(
        matches!(
            err,
            FrameError::BufferTooShort {
                plane: PlaneId::U | PlaneId::V,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn rejects_i420_chroma_stride_smaller_than_chroma_width() {
    let err = Frame::i420(&[0; 64], 4, 4, 4, 1, 0).unwrap_err();
    assert_eq!(
        err,
        FrameError::StrideTooSmall {
            plane: PlaneId::U,
            row_stride: 1,
            min: 2
        }
    );
}

#[test]
fn accepts_android_chroma_planes_that_end_one_byte_early() {
    // YUV_420_888 over NV21 memory: U and V are views into one VU plane, each one byte short.
    let y = vec![0u8; 8 * 4];
    let vu = [0u8; 8 * 2];
    let v = Plane::new(&vu[..15], 8, 2);
    let u = Plane::new(&vu[1..], 8, 2);
    assert!(Frame::yuv_420_888(Plane::new(&y, 8, 1), u, v, 8, 4, 270).is_ok());
}

#[test]
fn rejects_pixel_stride_three() {
    let y = vec![0u8; 16];
    let c = vec![0u8; 16];
    let err = Frame::yuv_420_888(
        Plane::new(&y, 4, 1),
        Plane::new(&c, 4, 3),
        Plane::new(&c, 4, 2),
        4,
        4,
        0,
    )
    .unwrap_err();
    assert_eq!(
        err,
        FrameError::BadPixelStride {
            plane: PlaneId::U,
            pixel_stride: 3
        }
    );
}

#[test]
fn rejects_luma_pixel_stride_two() {
    let y = vec![0u8; 64];
    let err = Frame::yuv_420_888(
        Plane::new(&y, 8, 2),
        Plane::new(&y, 4, 1),
        Plane::new(&y, 4, 1),
        4,
        4,
        0,
    )
    .unwrap_err();
    assert_eq!(
        err,
        FrameError::BadPixelStride {
            plane: PlaneId::Y,
            pixel_stride: 2
        }
    );
}

#[test]
fn rejects_bgra_stride_smaller_than_four_bytes_per_pixel() {
    let err = Frame::bgra8888(&[0; 64], 4, 4, 15, 0).unwrap_err();
    assert_eq!(
        err,
        FrameError::StrideTooSmall {
            plane: PlaneId::Color,
            row_stride: 15,
            min: 16
        }
    );
}

#[test]
fn rejects_rgba_buffer_short_of_last_pixel() {
    let err = Frame::rgba8888(&[0; 20 * 3 + 15], 4, 4, 20, 0).unwrap_err();
    assert!(
        matches!(
            err,
            FrameError::BufferTooShort {
                plane: PlaneId::Color,
                needed: 76,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn rejects_crop_outside_the_display_frame() {
    let data = gray(40, 20, 40);
    // Rotated 90: the display is 20 wide and 40 tall.
    let frame = Frame::gray8(&data, 40, 20, 40, 90).unwrap();
    let err = frame.with_crop(Rect::new(0, 0, 21, 10)).unwrap_err();
    assert!(
        matches!(
            err,
            FrameError::CropOutside {
                width: 20,
                height: 40,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn rejects_empty_crop() {
    let data = gray(4, 4, 4);
    let frame = Frame::gray8(&data, 4, 4, 4, 0).unwrap();
    assert!(frame.with_crop(Rect::new(1, 1, 0, 2)).is_err());
}

#[test]
fn errors_read_as_sentences() {
    let err = Frame::gray8(&[0; 100], 10, 10, 9, 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Y plane row stride 9 is smaller than the 10 bytes one row needs"
    );
}

#[test]
fn bgra_converts_to_bt601_luma() {
    // One pure red, one pure green, one pure blue, one white pixel.
    let data = [
        0, 0, 255, 255, 0, 255, 0, 255, 255, 0, 0, 255, 255, 255, 255, 255,
    ];
    let frame = Frame::bgra8888(&data, 4, 1, 16, 0).unwrap();
    let mut out = Vec::new();
    frame.copy_roi_luma(&mut out);
    assert_eq!(out, vec![77, 149, 29, 255]);
}

#[test]
fn rgba_and_bgra_differ_only_in_channel_order() {
    let rgba = [255, 0, 0, 255];
    let frame = Frame::rgba8888(&rgba, 1, 1, 4, 0).unwrap();
    let mut out = Vec::new();
    frame.copy_roi_luma(&mut out);
    assert_eq!(out, vec![77]);
}

/// A 4x3 sensor image whose pixel value is its index, so copies reveal which pixels they took.
fn indexed() -> Vec<u8> {
    (0..12).collect()
}

#[test]
fn crop_in_display_space_selects_the_matching_sensor_pixels_at_every_rotation() {
    let data = indexed();
    // Sensor:   0  1  2  3 / 4 5 6 7 / 8 9 10 11. The display pixel (0,0) with a 1x1 crop
    // is the sensor pixel that ends up top-left after rotating clockwise.
    for (deg, expected) in [(0u32, 0u8), (90, 8), (180, 11), (270, 3)] {
        let frame = Frame::gray8(&data, 4, 3, 4, deg)
            .unwrap()
            .with_crop(Rect::new(0, 0, 1, 1))
            .unwrap();
        let mut out = Vec::new();
        frame.copy_roi_luma(&mut out);
        assert_eq!(out, vec![expected], "rotation {deg}");
    }
}

#[test]
fn roi_points_map_to_upright_display_coordinates() {
    let data = indexed();
    let frame = Frame::gray8(&data, 4, 3, 4, 90).unwrap();
    // Sensor pixel (0, 2) centre (bottom-left) becomes display top-left for a 90° rotation.
    let p = frame.roi_point_to_display(Point::new(0.5, 2.5));
    assert_eq!(p, Point::new(0.5, 0.5));
}

#[test]
fn cropped_roi_points_map_back_through_the_crop_offset() {
    let data = vec![0u8; 100 * 50];
    let frame = Frame::gray8(&data, 100, 50, 100, 270)
        .unwrap()
        .with_crop(Rect::new(10, 20, 30, 40))
        .unwrap();
    let roi = frame.sensor_roi();
    assert_eq!((roi.width, roi.height), (40, 30));
    // ROI origin corner maps to a corner of the display crop.
    let p = frame.roi_point_to_display(Point::new(0.0, 0.0));
    let q = frame.roi_point_to_display(Point::new(40.0, 30.0));
    let (xs, ys) = ([p.x, q.x], [p.y, q.y]);
    assert_eq!(xs.iter().cloned().fold(f32::MAX, f32::min), 10.0);
    assert_eq!(ys.iter().cloned().fold(f32::MAX, f32::min), 20.0);
    assert_eq!(xs.iter().cloned().fold(f32::MIN, f32::max), 40.0);
    assert_eq!(ys.iter().cloned().fold(f32::MIN, f32::max), 60.0);
}

#[test]
fn accepts_semi_planar_planes_in_separate_buffers_with_their_own_strides() {
    // 6x4: Y stride 8 (last row bare), chroma 2 rows of 6 interleaved bytes, stride 10.
    let y = vec![9u8; 8 * 3 + 6];
    let vu = vec![128u8; 10 + 6];
    let frame = Frame::semi_planar_planes(&y, &vu, 6, 4, 8, 10, 90).unwrap();
    assert_eq!(frame.display_size(), (4, 6));
    let mut out = Vec::new();
    assert_eq!(frame.copy_roi_luma(&mut out), (6, 4));
    assert!(out.iter().all(|&p| p == 9));
}

#[test]
fn rejects_a_separate_chroma_plane_shorter_than_its_rows() {
    let y = vec![0u8; 6 * 4];
    let err = Frame::semi_planar_planes(&y, &[0u8; 11], 6, 4, 6, 6, 0).unwrap_err();
    assert_eq!(
        err,
        FrameError::BufferTooShort {
            plane: PlaneId::Chroma,
            len: 11,
            needed: 12
        }
    );
}

fn any_rotation() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), Just(90), Just(180), Just(270), 0u32..400]
}

/// After any successful construction, copying the (optionally cropped) luma must neither
/// panic nor come back with the wrong length.
fn exercise(frame: Result<Frame<'_>, FrameError>, crop: (u32, u32, u32, u32)) {
    if let Ok(frame) = frame {
        let frame = frame
            .with_crop(Rect::new(crop.0, crop.1, crop.2, crop.3))
            .unwrap_or(frame);
        let mut out = Vec::new();
        let (w, h) = frame.copy_roi_luma(&mut out);
        assert_eq!(out.len(), w as usize * h as usize);
        let _ = frame.roi_point_to_display(Point::new(w as f32, h as f32));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn gray8_never_panics(w in 0u32..40, h in 0u32..40, stride in 0usize..60, len in 0usize..2000,
                          rot in any_rotation(), crop in (0u32..50, 0u32..50, 0u32..50, 0u32..50)) {
        let data = vec![7u8; len];
        exercise(Frame::gray8(&data, w, h, stride, rot), crop);
    }

    #[test]
    fn nv21_and_nv12_never_panic(w in 0u32..40, h in 0u32..40, stride in 0usize..60, len in 0usize..3000,
                                 rot in any_rotation(), crop in (0u32..50, 0u32..50, 0u32..50, 0u32..50)) {
        let data = vec![7u8; len];
        exercise(Frame::nv21(&data, w, h, stride, rot), crop);
        exercise(Frame::nv12(&data, w, h, stride, rot), crop);
    }

    #[test]
    fn i420_never_panics(w in 0u32..40, h in 0u32..40, ys in 0usize..60, cs in 0usize..40, len in 0usize..3000,
                         rot in any_rotation(), crop in (0u32..50, 0u32..50, 0u32..50, 0u32..50)) {
        let data = vec![7u8; len];
        exercise(Frame::i420(&data, w, h, ys, cs, rot), crop);
    }

    #[test]
    fn yuv_420_888_never_panics(w in 0u32..40, h in 0u32..40,
                                y in (0usize..2000, 0usize..60, 0usize..4),
                                u in (0usize..1000, 0usize..60, 0usize..4),
                                v in (0usize..1000, 0usize..60, 0usize..4),
                                rot in any_rotation(), crop in (0u32..50, 0u32..50, 0u32..50, 0u32..50)) {
        let (yd, ud, vd) = (vec![1u8; y.0], vec![2u8; u.0], vec![3u8; v.0]);
        exercise(Frame::yuv_420_888(Plane::new(&yd, y.1, y.2), Plane::new(&ud, u.1, u.2),
                                    Plane::new(&vd, v.1, v.2), w, h, rot), crop);
    }

    #[test]
    fn bgra_and_rgba_never_panic(w in 0u32..30, h in 0u32..30, stride in 0usize..140, len in 0usize..4000,
                                 rot in any_rotation(), crop in (0u32..40, 0u32..40, 0u32..40, 0u32..40)) {
        let data = vec![7u8; len];
        exercise(Frame::bgra8888(&data, w, h, stride, rot), crop);
        exercise(Frame::rgba8888(&data, w, h, stride, rot), crop);
    }

    #[test]
    fn separate_semi_planar_planes_never_panic(w in 0u32..40, h in 0u32..40,
                                               y in (0usize..2000, 0usize..60),
                                               c in (0usize..1000, 0usize..60),
                                               rot in any_rotation(), crop in (0u32..50, 0u32..50, 0u32..50, 0u32..50)) {
        let (yd, cd) = (vec![1u8; y.0], vec![2u8; c.0]);
        exercise(Frame::semi_planar_planes(&yd, &cd, w, h, y.1, c.1, rot), crop);
    }

    #[test]
    fn huge_claimed_sizes_are_refused_not_allocated(w in 0u32..=u32::MAX, h in 0u32..=u32::MAX,
                                                    stride in 0usize..=usize::MAX) {
        let data = [0u8; 64];
        prop_assert!(Frame::gray8(&data, w, h, stride, 0).is_err() || (w as usize) * (h as usize) <= 64);
        prop_assert!(Frame::nv21(&data, w, h, stride, 0).is_err() || (w as usize) * (h as usize) <= 64);
    }
}
