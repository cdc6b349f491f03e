//! The two hashes of ECIES (PROTOCOL.md §6) behind one seam, as [`super::symmetric`] holds its
//! ciphers: SHA-512 (the key derivation) and HMAC-SHA256 (the MAC).
//!
//! Natively they are RustCrypto's (the tests, the fuzz targets, session-server); in the wasm they are
//! the browser's Web Crypto (`crypto.subtle.digest` and an HMAC `sign`, `crate::web::subtle`), as the
//! original's eccrypto computes them. There they serve encryption only: decryption after the ECDH is
//! one Web Crypto call (`ecies::open`). So the auth entry ships no SHA-2 or HMAC code at all (the
//! main entry keeps SHA-256 for ECDSA's RFC 6979 nonces and the metadata cache's name).

use zeroize::Zeroizing;

use crate::core::error::Result;

/// SHA-512 of `data`.
pub async fn sha512(data: &[u8]) -> Result<Zeroizing<[u8; 64]>> {
    let mut out = Zeroizing::new([0u8; 64]);
    #[cfg(target_arch = "wasm32")]
    {
        let digest = Zeroizing::new(crate::web::subtle::digest(None, data).await?);
        fill(out.as_mut_slice(), &digest)?;
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use sha2::{Digest, Sha512};
        out.copy_from_slice(&Sha512::digest(data));
    }
    Ok(out)
}

/// HMAC-SHA256 of `data` under `key`.
pub async fn hmac_sha256(key: &[u8; 32], data: &[u8]) -> Result<[u8; 32]> {
    let mut out = [0u8; 32];
    #[cfg(target_arch = "wasm32")]
    fill(
        &mut out,
        &crate::web::subtle::digest(Some(key), data).await?,
    )?;
    #[cfg(not(target_arch = "wasm32"))]
    {
        use hmac::{Mac, SimpleHmac};
        // SimpleHmac, as ecdsa's RFC 6979 uses: one HMAC implementation in the binary, not two.
        let mut mac = <SimpleHmac<sha2::Sha256> as Mac>::new_from_slice(key)
            .map_err(|_| crate::core::error::Error::Crypto("invalid HMAC key".to_owned()))?;
        mac.update(data);
        out.copy_from_slice(&mac.finalize().into_bytes());
    }
    Ok(out)
}

/// Whether `a` and `b` are equal, in time that depends only on their lengths.
pub fn equal_in_constant_time(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Copies a digest the browser computed into `out`, whose length it must have.
#[cfg(target_arch = "wasm32")]
fn fill(out: &mut [u8], digest: &[u8]) -> Result<()> {
    if digest.len() != out.len() {
        return Err(crate::core::error::Error::Crypto(
            "Web Crypto returned a digest of the wrong length".to_owned(),
        ));
    }
    out.copy_from_slice(digest);
    Ok(())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::crypto::symmetric::now;

    fn unhex(s: &str) -> Vec<u8> {
        crate::core::text::unhex(s).unwrap_or_default()
    }

    #[test]
    fn sha512_of_abc_is_the_fips_180_vector() {
        let expected = unhex(
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        );
        assert_eq!(now(sha512(b"abc")).map(|d| d.to_vec()).ok(), Some(expected));
    }

    #[test]
    fn hmac_sha256_is_the_rfc_4231_vector_for_a_32_byte_key() {
        // RFC 4231 test case 2's message under a 32-byte key of 0x0b bytes, as computed by
        // node: crypto.createHmac("sha256", Buffer.alloc(32, 0x0b)).update("Hi There").digest("hex").
        let expected = unhex("198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7");
        assert_eq!(
            now(hmac_sha256(&[0x0b; 32], b"Hi There"))
                .ok()
                .map(|d| d.to_vec()),
            Some(expected)
        );
    }

    #[test]
    fn equal_in_constant_time_compares_every_byte_and_the_length() {
        assert!(equal_in_constant_time(b"abcd", b"abcd"));
        assert!(!equal_in_constant_time(b"abcd", b"abce"));
        assert!(!equal_in_constant_time(b"abcd", b"xbcd"));
        assert!(!equal_in_constant_time(b"abc", b"abcd"));
        assert!(equal_in_constant_time(b"", b""));
    }
}
