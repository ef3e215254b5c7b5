//! `Digest.crc32`: the CRC32 of the whole stored Data.db (compressed bytes when compressed),
//! written as unsigned decimal text (`ChecksumWriter.writeFullChecksum`,
//! <https://github.com/apache/cassandra/blob/cassandra-5.0/src/java/org/apache/cassandra/io/util/ChecksumWriter.java>).

use crate::io::ByteSource;
use crate::{ErrorKind, Result};

/// How much of Data.db is read at a time while computing its CRC.
const READ_SIZE: usize = 1 << 20;

/// Parses the decimal CRC32 stored in a Digest.crc32.
///
/// # Errors
/// [`ErrorKind::Malformed`] when the file is not a decimal number that fits in 32 bits.
pub fn read_digest(digest: &dyn ByteSource) -> Result<u32> {
    let bytes = digest.read_all()?;
    let text = std::str::from_utf8(&bytes).ok().map(str::trim);
    text.and_then(|t| t.parse::<u32>().ok())
        .ok_or_else(|| digest.error(0, ErrorKind::Malformed(format!("Digest is not a decimal CRC32: {:?}", String::from_utf8_lossy(&bytes[..bytes.len().min(40)])))))
}

/// The CRC32 of every byte of `src`, read in 1 MiB pieces.
///
/// # Errors
/// Read errors.
pub fn crc32_of(src: &dyn ByteSource) -> Result<u32> {
    let mut hasher = crc32fast::Hasher::new();
    let len = src.len();
    let mut at = 0u64;
    while at < len {
        let n = (len - at).min(READ_SIZE as u64) as usize;
        hasher.update(&src.read_at(at, n)?);
        at += n as u64;
    }
    Ok(hasher.finalize())
}

/// Checks Data.db (`data`) against its Digest.crc32 (`digest`).
///
/// # Errors
/// [`ErrorKind::ChecksumMismatch`] located in the Digest file (offset 0) with the stored and
/// computed values; read and parse errors.
pub fn verify_digest(data: &dyn ByteSource, digest: &dyn ByteSource) -> Result<()> {
    let expected = read_digest(digest)?;
    let got = crc32_of(data)?;
    if expected != got {
        return Err(digest.error(0, ErrorKind::ChecksumMismatch { expected, got }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::BytesSource;
    use crate::Component;

    #[test]
    fn checks_a_decimal_crc32() {
        // CRC32("123456789") is the standard check value 0xCBF43926 = 3421780262.
        let data = BytesSource::new(&b"123456789"[..], "d", Component::Data);
        let good = BytesSource::new(&b"3421780262"[..], "g", Component::Digest);
        verify_digest(&data, &good).unwrap();
        let bad = BytesSource::new(&b"3421780263\n"[..], "b", Component::Digest);
        let err = verify_digest(&data, &bad).unwrap_err();
        assert_eq!(err.to_string(), "b: Digest.crc32 at byte 0: checksum mismatch: stored 0xcbf43927, computed 0xcbf43926");
        let junk = BytesSource::new(&b"-1"[..], "j", Component::Digest);
        assert!(matches!(verify_digest(&data, &junk).unwrap_err().kind, ErrorKind::Malformed(_)));
    }
}
