// SPDX-License-Identifier: Apache-2.0

//! hutong patch: point lists reused per thread.
//!
//! Locating a QR candidate traces rings and edges into point lists (`CollectRingPoints`,
//! `RegressionLine`), a few per candidate and dozens of candidates on a camera frame full of
//! finder-like texture. Taking the lists from a small per-thread stock and giving them back
//! when done makes that allocation-free after the first frames.

use std::cell::RefCell;

use crate::Point;

/// Lists kept per thread; a candidate holds a handful at a time.
const MAX_SPARE: usize = 16;

thread_local! {
    static SPARE: RefCell<Vec<Vec<Point>>> = const { RefCell::new(Vec::new()) };
}

/// An empty list, with the capacity of one given back earlier when there is one.
pub(crate) fn take_points() -> Vec<Point> {
    SPARE
        .try_with(|spare| spare.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Keeps `points`' allocation for a later `take_points` (dropped when the stock is full or the
/// thread is ending).
pub(crate) fn give_points(mut points: Vec<Point>) {
    if points.capacity() == 0 {
        return;
    }
    points.clear();
    let _ = SPARE.try_with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < MAX_SPARE {
            spare.push(points);
        }
    });
}

/// A list from the stock that goes back to it when dropped.
pub(crate) struct PooledPoints(Vec<Point>);

impl PooledPoints {
    pub(crate) fn take() -> Self {
        Self(take_points())
    }
}

impl std::ops::Deref for PooledPoints {
    type Target = Vec<Point>;

    fn deref(&self) -> &Vec<Point> {
        &self.0
    }
}

impl std::ops::DerefMut for PooledPoints {
    fn deref_mut(&mut self) -> &mut Vec<Point> {
        &mut self.0
    }
}

impl Drop for PooledPoints {
    fn drop(&mut self) {
        give_points(std::mem::take(&mut self.0));
    }
}
