//! The barcode scanner: configured rxing readers, time budget, panic isolation, multi-code frames.
