//! Content decoding (gzip, deflate, br) into a capped buffer: the cap counts
//! decompressed bytes, so a decompression bomb is cut off at the cap instead
//! of being allocated.

use std::io::Write;

/// A buffer that takes at most `limit` bytes and remembers it overflowed.
pub(crate) struct Capped {
    pub(crate) buf: Vec<u8>,
    limit: usize,
    pub(crate) overflowed: bool,
}

impl Capped {
    pub(crate) fn new(limit: usize) -> Self {
        Capped {
            buf: Vec::new(),
            limit,
            overflowed: false,
        }
    }
}

impl Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = self.limit.saturating_sub(self.buf.len());
        if data.len() > room {
            self.buf.extend_from_slice(&data[..room]);
            self.overflowed = true;
            // Accept (and drop) the rest so the decoder does not fail; the
            // caller stops feeding input once it sees the overflow.
            return Ok(data.len());
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A streaming decoder for one `Content-Encoding`.
pub(crate) enum Decoder {
    Identity(Capped),
    Gzip(Box<flate2::write::GzDecoder<Capped>>),
    Deflate(Box<flate2::write::ZlibDecoder<Capped>>),
    Brotli(Box<brotli_decompressor::DecompressorWriter<Capped>>),
}

impl Decoder {
    /// The decoder for `encoding` (the header's value), capping output at `limit`.
    /// `None` for an encoding this client does not speak.
    pub(crate) fn new(encoding: Option<&str>, limit: usize) -> Option<Decoder> {
        let sink = Capped::new(limit);
        Some(
            match encoding.map(|e| e.trim().to_ascii_lowercase()).as_deref() {
                None | Some("" | "identity") => Decoder::Identity(sink),
                Some("gzip" | "x-gzip") => {
                    Decoder::Gzip(Box::new(flate2::write::GzDecoder::new(sink)))
                }
                Some("deflate") => {
                    Decoder::Deflate(Box::new(flate2::write::ZlibDecoder::new(sink)))
                }
                Some("br") => Decoder::Brotli(Box::new(
                    brotli_decompressor::DecompressorWriter::new(sink, 8192),
                )),
                Some(_) => return None,
            },
        )
    }

    /// Feeds compressed bytes; `Err` on corrupt input.
    pub(crate) fn write(&mut self, data: &[u8]) -> std::io::Result<()> {
        match self {
            Decoder::Identity(c) => c.write_all(data),
            Decoder::Gzip(d) => d.write_all(data),
            Decoder::Deflate(d) => d.write_all(data),
            Decoder::Brotli(d) => d.write_all(data),
        }
    }

    /// Whether the output reached the cap.
    pub(crate) fn overflowed(&self) -> bool {
        match self {
            Decoder::Identity(c) => c.overflowed,
            Decoder::Gzip(d) => d.get_ref().overflowed,
            Decoder::Deflate(d) => d.get_ref().overflowed,
            Decoder::Brotli(d) => d.get_ref().overflowed,
        }
    }

    /// The decoded bytes so far (finishing the stream when it is complete).
    pub(crate) fn finish(self) -> std::io::Result<Vec<u8>> {
        Ok(match self {
            Decoder::Identity(c) => c.buf,
            Decoder::Gzip(d) => d.finish()?.buf,
            Decoder::Deflate(d) => d.finish()?.buf,
            Decoder::Brotli(d) => {
                d.into_inner()
                    .map_err(|_| std::io::Error::other("brotli stream"))?
                    .buf
            }
        })
    }

    /// The decoded bytes so far, without requiring a complete stream (after a cut).
    pub(crate) fn partial(self) -> Vec<u8> {
        match self {
            Decoder::Identity(c) => c.buf,
            Decoder::Gzip(mut d) => {
                let _ = d.flush();
                std::mem::replace(d.get_mut(), Capped::new(0)).buf
            }
            Decoder::Deflate(mut d) => {
                let _ = d.flush();
                std::mem::replace(d.get_mut(), Capped::new(0)).buf
            }
            Decoder::Brotli(mut d) => {
                let _ = d.flush();
                std::mem::replace(d.get_mut(), Capped::new(0)).buf
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_round_trip_and_bomb_is_cut() {
        let page = b"<html>hello</html>".repeat(100);
        let mut d = Decoder::new(Some("gzip"), 1 << 20).unwrap();
        d.write(&gzip(&page)).unwrap();
        assert!(!d.overflowed());
        assert_eq!(d.finish().unwrap(), page);

        // 64 MB of zeros compress to ~64 KB; the cap stops at 1 MB.
        let bomb = gzip(&vec![0u8; 64 << 20]);
        assert!(bomb.len() < 200_000);
        let mut d = Decoder::new(Some("gzip"), 1 << 20).unwrap();
        for chunk in bomb.chunks(16 * 1024) {
            d.write(chunk).unwrap();
            if d.overflowed() {
                break;
            }
        }
        assert!(d.overflowed());
        assert_eq!(d.partial().len(), 1 << 20);
        assert!(Decoder::new(Some("compress"), 10).is_none());
    }
}
