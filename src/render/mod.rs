//! Render payloads as QR / Code 128 bitmaps (test codes, QA screens, a wallet's own pay code).
