//! Bech32 / bech32m (BIP-173, BIP-350): decoding with checksum, and segwit address encoding.

const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_CONST: u32 = 1;
const BECH32M_CONST: u32 = 0x2bc8_30a3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Bech32Error {
    #[error("malformed bech32 string (no separator `1`)")]
    NoSeparator,
    #[error("malformed bech32 string (mixed case)")]
    MixedCase,
    #[error("character `{0}` is not in the bech32 alphabet")]
    InvalidChar(char),
    #[error("the checksum is wrong")]
    BadChecksum,
    #[error("the string is too short for a checksum")]
    TooShort,
}

/// Which checksum constant matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Bech32,
    Bech32m,
}

fn polymod(values: impl Iterator<Item = u8>) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for v in values {
        let top = chk >> 25;
        chk = (chk & 0x1ff_ffff) << 5 ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

fn hrp_expand(hrp: &[u8]) -> impl Iterator<Item = u8> + '_ {
    hrp.iter()
        .map(|b| b >> 5)
        .chain(std::iter::once(0))
        .chain(hrp.iter().map(|b| b & 31))
}

/// Decodes to (lower-case hrp, 5-bit data without checksum, variant). No length limit: BOLT11
/// invoices are longer than the 90 characters BIP-173 allows for addresses.
pub fn decode(s: &str) -> Result<(String, Vec<u8>, Variant), Bech32Error> {
    let has_lower = s.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = s.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper {
        return Err(Bech32Error::MixedCase);
    }
    let lower = s.to_ascii_lowercase();
    let sep = lower.rfind('1').ok_or(Bech32Error::NoSeparator)?;
    if sep == 0 {
        return Err(Bech32Error::NoSeparator);
    }
    let (hrp, rest) = (&lower[..sep], &lower[sep + 1..]);
    if rest.len() < 6 {
        return Err(Bech32Error::TooShort);
    }
    if let Some(c) = hrp.chars().find(|c| !(33..=126).contains(&(*c as u32))) {
        return Err(Bech32Error::InvalidChar(c));
    }
    let mut data = Vec::with_capacity(rest.len());
    for c in rest.chars() {
        let v = CHARSET
            .iter()
            .position(|&x| char::from(x) == c)
            .ok_or(Bech32Error::InvalidChar(c))?;
        data.push(v as u8);
    }
    let check = polymod(hrp_expand(hrp.as_bytes()).chain(data.iter().copied()));
    let variant = match check {
        BECH32_CONST => Variant::Bech32,
        BECH32M_CONST => Variant::Bech32m,
        _ => return Err(Bech32Error::BadChecksum),
    };
    data.truncate(data.len() - 6);
    Ok((hrp.to_string(), data, variant))
}

/// Encodes 5-bit `data` under `hrp` with the given checksum variant.
pub fn encode(hrp: &str, data: &[u8], variant: Variant) -> String {
    let constant = match variant {
        Variant::Bech32 => BECH32_CONST,
        Variant::Bech32m => BECH32M_CONST,
    };
    let pm = polymod(
        hrp_expand(hrp.as_bytes())
            .chain(data.iter().copied())
            .chain([0u8; 6]),
    ) ^ constant;
    let mut s = String::with_capacity(hrp.len() + 1 + data.len() + 6);
    s.push_str(hrp);
    s.push('1');
    for &d in data {
        s.push(char::from(CHARSET[usize::from(d & 31)]));
    }
    for i in 0..6 {
        s.push(char::from(CHARSET[((pm >> (5 * (5 - i))) & 31) as usize]));
    }
    s
}

/// Regroups bits (8 -> 5 or 5 -> 8). With `pad` false, leftover bits must be zero padding.
pub fn convert_bits(data: &[u8], from: u32, to: u32, pad: bool) -> Option<Vec<u8>> {
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    let maxv: u32 = (1 << to) - 1;
    let mut out = Vec::with_capacity(data.len() * from as usize / to as usize + 1);
    for &v in data {
        if u32::from(v) >> from != 0 {
            return None;
        }
        acc = (acc << from | u32::from(v)) & 0xffff;
        bits += from;
        while bits >= to {
            bits -= to;
            out.push(((acc >> bits) & maxv) as u8);
        }
    }
    if pad {
        if bits > 0 {
            out.push(((acc << (to - bits)) & maxv) as u8);
        }
    } else if bits >= from || (acc << (to - bits)) & maxv != 0 {
        return None;
    }
    Some(out)
}

/// A segwit address (`bc1...`) from witness version and program.
pub fn segwit_address(hrp: &str, version: u8, program: &[u8]) -> Option<String> {
    let mut data = vec![version];
    data.extend(convert_bits(program, 8, 5, true)?);
    let variant = if version == 0 {
        Variant::Bech32
    } else {
        Variant::Bech32m
    };
    Some(encode(hrp, &data, variant))
}

/// Validates a segwit address; returns (version, program).
pub fn decode_segwit(hrp_expected: &str, addr: &str) -> Option<(u8, Vec<u8>)> {
    let (hrp, data, variant) = decode(addr).ok()?;
    if hrp != hrp_expected || addr.len() > 90 {
        return None;
    }
    let (&version, prog5) = data.split_first()?;
    let program = convert_bits(prog5, 5, 8, false)?;
    let ok_variant = (version == 0) == (variant == Variant::Bech32);
    let ok_len = (2..=40).contains(&program.len())
        && (version != 0 || program.len() == 20 || program.len() == 32);
    (version <= 16 && ok_variant && ok_len).then_some((version, program))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_bip173_segwit_address() {
        let (v, prog) = decode_segwit("bc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4").unwrap();
        assert_eq!(v, 0);
        assert_eq!(prog.len(), 20);
    }

    #[test]
    fn re_encodes_the_same_address() {
        let (v, prog) = decode_segwit("bc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4").unwrap();
        assert_eq!(
            segwit_address("bc", v, &prog).unwrap(),
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
        );
    }

    #[test]
    fn rejects_mixed_case() {
        assert_eq!(
            decode("bC1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
            Err(Bech32Error::MixedCase)
        );
    }

    #[test]
    fn rejects_a_flipped_character() {
        assert_eq!(
            decode("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"),
            Err(Bech32Error::BadChecksum)
        );
    }
}
