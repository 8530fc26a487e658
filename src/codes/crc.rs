//! CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR), as EMVCo tag 63 uses.

const fn table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 0x8000 != 0 {
                (c << 1) ^ 0x1021
            } else {
                c << 1
            };
            bit += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static TABLE: [u16; 256] = table();

/// CRC of `data`; the EMV payload passes its UTF-8 bytes up to and including `6304`.
pub fn crc16_ccitt_false(data: &[u8]) -> u16 {
    data.iter().fold(0xFFFF_u16, |crc, &b| {
        (crc << 8) ^ TABLE[usize::from((crc >> 8) as u8 ^ b)]
    })
}

/// Four upper-case hex digits, zero padded, as written in tag 63.
pub fn crc16_hex(data: &[u8]) -> String {
    format!("{:04X}", crc16_ccitt_false(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_check_value_for_123456789() {
        assert_eq!(crc16_hex(b"123456789"), "29B1");
    }

    #[test]
    fn empty_input_yields_the_initial_value() {
        assert_eq!(crc16_hex(b""), "FFFF");
    }

    #[test]
    fn pads_small_values_to_four_digits() {
        let payload = "00020101021138580010A000000727012800069704070114190304136010180208QRIBFTTA53037045802VN6304";
        assert_eq!(crc16_hex(payload.as_bytes()), "0283");
    }
}
