//! Standard base64 (RFC 4648, with padding), for the few large binary fields of the worker
//! protocol: a JSON string decodes in a fraction of the time a JSON array of numbers takes,
//! which keeps the page's main thread free (a 1000 × 1000 correlation matrix as numbers cost
//! the page a 242 ms freeze).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn sextet(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    } as u32)
}

/// The bytes of `text`, or why it is not base64.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(4) {
        return Err(format!(
            "base64 of length {} (not a multiple of 4)",
            text.len()
        ));
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let quads = text.len() / 4;
    for (q, quad) in text.chunks_exact(4).enumerate() {
        let padding = if q + 1 == quads {
            quad.iter().rev().take_while(|&&c| c == b'=').count()
        } else {
            0
        };
        if padding > 2 {
            return Err("base64 with more than two '='".into());
        }
        let mut n = 0u32;
        for &c in &quad[..4 - padding] {
            n = (n << 6) | sextet(c).ok_or_else(|| format!("'{}' is not base64", c as char))?;
        }
        n <<= 6 * padding as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - padding]);
    }
    Ok(out)
}

/// `#[serde(with = "crate::engine::base64::bytes")]`: a `Vec<u8>` field (pixels, a weight file)
/// as one base64 string instead of a JSON array of numbers: a third smaller for MNIST pixels
/// and decoded without parsing a number per byte, on the page's main thread.
pub mod bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        super::decode(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Image {
        #[serde(with = "super::bytes")]
        pixels: Vec<u8>,
    }

    #[test]
    fn byte_fields_travel_as_base64_strings_and_bad_ones_are_refused() {
        let image = Image {
            pixels: vec![0, 255, 7, 128],
        };
        let json = serde_json::to_string(&image).unwrap();
        assert_eq!(json, r#"{"pixels":"AP8HgA=="}"#);
        assert_eq!(serde_json::from_str::<Image>(&json).unwrap(), image);
        assert!(serde_json::from_str::<Image>(r#"{"pixels":"AP8*gA=="}"#).is_err());
        assert!(serde_json::from_str::<Image>(r#"{"pixels":[0,255]}"#).is_err());
    }

    #[test]
    fn rfc_4648_test_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all)).unwrap(), all);
    }

    #[test]
    fn malformed_text_is_an_error() {
        assert!(decode("Zm9").unwrap_err().contains("multiple of 4"));
        assert!(decode("Zm9*").unwrap_err().contains("'*'"));
        assert!(decode("Z===").is_err());
        assert!(decode("Zg==Zm9v").is_err(), "padding only at the end");
    }
}
