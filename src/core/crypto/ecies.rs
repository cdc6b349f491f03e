//! ECIES compatible with `@toruslabs/eccrypto` (PROTOCOL.md §6): ECDH on secp256k1, SHA-512 of the
//! shared x-coordinate split into an AES-256-CBC key and an HMAC-SHA256 key, encrypt-then-MAC over
//! `iv || ephemPublicKey || ciphertext`.

use zeroize::Zeroizing;

use super::curve::shared_x;
use super::hash;
use super::keys::SessionKey;
use super::symmetric::{self, Mode};
use super::util::{decode_hex, random_bytes};
use crate::core::error::{Error, Result};
use crate::core::json;
use crate::core::text;

/// An eccrypto ciphertext: the four fields of the `session_data` JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EciesPayload {
    /// The AES-CBC iv, 16 bytes.
    pub iv: Vec<u8>,
    /// The ephemeral public key, 65 bytes uncompressed.
    pub ephem_public_key: Vec<u8>,
    /// The AES-256-CBC ciphertext (PKCS#7), a non-empty multiple of 16 bytes.
    pub ciphertext: Vec<u8>,
    /// HMAC-SHA256 over `iv || ephemPublicKey || ciphertext`, 32 bytes.
    pub mac: Vec<u8>,
}

impl EciesPayload {
    /// The JSON the original sends: `{"iv":"…","ephemPublicKey":"…","ciphertext":"…","mac":"…"}`,
    /// lowercase hex, in that order.
    pub fn to_json(&self) -> String {
        text::cat(&[
            r#"{"iv":""#,
            &text::hex(&self.iv),
            r#"","ephemPublicKey":""#,
            &text::hex(&self.ephem_public_key),
            r#"","ciphertext":""#,
            &text::hex(&self.ciphertext),
            r#"","mac":""#,
            &text::hex(&self.mac),
            r#""}"#,
        ])
    }

    /// Parses that JSON (hex in either case) and checks the field lengths.
    pub fn from_json(s: &str) -> Result<Self> {
        let malformed = |e: &str| Error::Crypto(text::cat(&["malformed ECIES payload: ", e]));
        let value = json::parse(s).map_err(|e| malformed(&e.message()))?;
        let names = ["iv", "ephemPublicKey", "ciphertext", "mac"];
        let found = json::fields(&value, names, false).map_err(malformed)?;
        let mut hex = [""; 4];
        for ((slot, field), name) in hex.iter_mut().zip(found).zip(names) {
            *slot = field
                .and_then(json::Value::as_str)
                .ok_or_else(|| malformed(&text::cat(&[name, " must be a string"])))?;
        }
        let payload = EciesPayload {
            iv: decode_hex(hex[0], "iv")?,
            ephem_public_key: decode_hex(hex[1], "ephemPublicKey")?,
            ciphertext: decode_hex(hex[2], "ciphertext")?,
            mac: decode_hex(hex[3], "mac")?,
        };
        payload.validate()?;
        Ok(payload)
    }

    fn validate(&self) -> Result<()> {
        if self.iv.len() != 16 {
            return Err(Error::Crypto("iv must be 16 bytes".to_owned()));
        }
        if self.ephem_public_key.len() != 65 {
            return Err(Error::Crypto(
                "ephemPublicKey must be 65 bytes (uncompressed)".to_owned(),
            ));
        }
        if self.mac.len() != 32 {
            return Err(Error::Crypto("mac must be 32 bytes".to_owned()));
        }
        if self.ciphertext.is_empty() || self.ciphertext.len() % 16 != 0 {
            return Err(Error::Crypto(
                "ciphertext must be a non-empty multiple of 16 bytes".to_owned(),
            ));
        }
        Ok(())
    }
}

/// The two keys derived from a shared secret: `SHA-512(X)` split in halves.
struct DerivedKeys {
    enc: Zeroizing<[u8; 32]>,
    mac: Zeroizing<[u8; 32]>,
}

impl DerivedKeys {
    async fn new(shared_x: &[u8]) -> Result<Self> {
        let hash = hash::sha512(shared_x).await?;
        let mut enc = Zeroizing::new([0u8; 32]);
        let mut mac = Zeroizing::new([0u8; 32]);
        enc.copy_from_slice(&hash[..32]);
        mac.copy_from_slice(&hash[32..]);
        Ok(Self { enc, mac })
    }

    /// The MAC of a message: HMAC-SHA256 over `iv || ephemPublicKey || ciphertext`.
    async fn mac(&self, iv: &[u8], ephem: &[u8], ciphertext: &[u8]) -> Result<[u8; 32]> {
        let mut input = Vec::with_capacity(iv.len() + ephem.len() + ciphertext.len());
        input.extend_from_slice(iv);
        input.extend_from_slice(ephem);
        input.extend_from_slice(ciphertext);
        hash::hmac_sha256(&self.mac, &input).await
    }
}

/// Encrypts `plaintext` to `recipient` (an uncompressed public key, 65 bytes) with a fresh ephemeral
/// key and iv.
pub async fn seal(recipient: &[u8], plaintext: &[u8]) -> Result<EciesPayload> {
    let ephemeral = SessionKey::try_generate()?;
    let mut iv = [0u8; 16];
    random_bytes(&mut iv)?;
    seal_with(recipient, plaintext, &ephemeral, iv).await
}

/// Deterministic encryption with the given ephemeral key and iv (for tests and vectors).
/// Uses the shared secret as 32 bytes, as eccrypto's `encrypt` does.
pub async fn seal_with(
    recipient: &[u8],
    plaintext: &[u8],
    ephemeral: &SessionKey,
    iv: [u8; 16],
) -> Result<EciesPayload> {
    let x = shared_x(ephemeral.bytes(), recipient)?;
    let keys = DerivedKeys::new(x.as_slice()).await?;
    let ephem_public_key = ephemeral.public_key_bytes().to_vec();
    let ciphertext = symmetric::encrypt(&keys.enc, Mode::Cbc(iv), plaintext).await?;
    let mac = keys
        .mac(&iv, &ephem_public_key, &ciphertext)
        .await?
        .to_vec();
    Ok(EciesPayload {
        iv: iv.to_vec(),
        ephem_public_key,
        ciphertext,
        mac,
    })
}

/// Decrypts `payload` with `key`. The MAC is checked, in constant time, before anything is
/// decrypted: first with the shared secret's leading zero bytes stripped, then with all 32 bytes
/// (PROTOCOL.md §6). Neither matches → `Error::Crypto("bad MAC")`.
pub async fn open(key: &SessionKey, payload: &EciesPayload) -> Result<Vec<u8>> {
    payload.validate()?;
    let iv: [u8; 16] = payload
        .iv
        .as_slice()
        .try_into()
        .map_err(|_| Error::Crypto("iv must be 16 bytes".to_owned()))?;
    let x = shared_x(key.bytes(), &payload.ephem_public_key)?;
    let zeros = x.iter().take_while(|b| **b == 0).count();
    let stripped = (zeros > 0).then(|| &x[zeros..]);
    let candidates = (
        stripped.unwrap_or(x.as_slice()),
        stripped.map(|_| x.as_slice()),
    );
    open_with(candidates, iv, payload).await
}

/// The derivation, MAC check and AES-CBC decryption for each candidate shared secret in turn, in
/// one call of the library's JS snippet on Web Crypto (one await in the wasm where the steps took
/// five, and a much smaller future).
#[cfg(target_arch = "wasm32")]
async fn open_with(
    (first, second): (&[u8], Option<&[u8]>),
    iv: [u8; 16],
    payload: &EciesPayload,
) -> Result<Vec<u8>> {
    crate::web::subtle::ecies_open(
        first,
        second,
        &iv,
        &payload.ephem_public_key,
        &payload.ciphertext,
        &payload.mac,
    )
    .await
}

/// The same steps as Rust code ([`super::hash`], [`super::symmetric`]).
#[cfg(not(target_arch = "wasm32"))]
async fn open_with(
    (first, second): (&[u8], Option<&[u8]>),
    iv: [u8; 16],
    payload: &EciesPayload,
) -> Result<Vec<u8>> {
    for candidate in std::iter::once(first).chain(second) {
        let keys = DerivedKeys::new(candidate).await?;
        let mac = keys
            .mac(&payload.iv, &payload.ephem_public_key, &payload.ciphertext)
            .await?;
        if super::hash::equal_in_constant_time(&mac, &payload.mac) {
            return symmetric::decrypt(&keys.enc, Mode::Cbc(iv), &payload.ciphertext).await;
        }
    }
    Err(Error::Crypto("bad MAC".to_owned()))
}

/// Parses a `session_data` JSON string, decrypts it, and returns the UTF-8 plaintext. A plaintext
/// that is a JSON object with a truthy `error` field is a failure, as in the original.
pub async fn open_json_str(key: &SessionKey, session_data: &str) -> Result<String> {
    let payload = EciesPayload::from_json(session_data)?;
    let plain = open(key, &payload).await?;
    let text = String::from_utf8(plain)
        .map_err(|_| Error::Crypto("decrypted data is not UTF-8".to_owned()))?;
    if let Ok(value) = json::parse(&text) {
        if let Some(err) = value.get("error").filter(|e| e.is_truthy()) {
            return Err(Error::Crypto(text::cat(&[
                "decrypted data carries an error: ",
                &err.to_json(),
            ])));
        }
    }
    Ok(text)
}

/// The synchronous forms (native only: Web Crypto is asynchronous).
#[cfg(not(target_arch = "wasm32"))]
mod blocking {
    use k256::elliptic_curve::sec1::{EncodedPoint, ToEncodedPoint};
    use k256::{PublicKey, Secp256k1};

    use super::{EciesPayload, SessionKey};

    fn uncompressed(key: &PublicKey) -> EncodedPoint<Secp256k1> {
        key.to_encoded_point(false)
    }
    use crate::core::crypto::symmetric::now;
    use crate::core::error::Result;

    /// Encrypts `plaintext` to `recipient` with a fresh ephemeral key and iv ([`super::seal`]).
    ///
    /// # Panics
    /// Only if the platform CSPRNG is unavailable; [`try_encrypt`] reports that as an error.
    #[allow(clippy::expect_used)]
    pub fn encrypt(recipient: &PublicKey, plaintext: &[u8]) -> EciesPayload {
        try_encrypt(recipient, plaintext).expect("the platform CSPRNG failed")
    }

    /// [`encrypt`], with a CSPRNG failure as `Error::Crypto`.
    pub fn try_encrypt(recipient: &PublicKey, plaintext: &[u8]) -> Result<EciesPayload> {
        now(super::seal(uncompressed(recipient).as_bytes(), plaintext))
    }

    /// [`super::seal_with`]: deterministic encryption (for tests and vectors).
    ///
    /// # Panics
    /// Never natively (a `PublicKey` and a `SessionKey` are valid by construction, the cipher
    /// completes at once and HMAC takes any key).
    #[allow(clippy::expect_used)]
    pub fn encrypt_with(
        recipient: &PublicKey,
        plaintext: &[u8],
        ephemeral: &SessionKey,
        iv: [u8; 16],
    ) -> EciesPayload {
        now(super::seal_with(
            uncompressed(recipient).as_bytes(),
            plaintext,
            ephemeral,
            iv,
        ))
        .expect("valid keys, and AES-CBC encrypts any input")
    }

    /// [`super::open`].
    pub fn decrypt(key: &SessionKey, payload: &EciesPayload) -> Result<Vec<u8>> {
        now(super::open(key, payload))
    }

    /// [`super::open_json_str`].
    pub fn decrypt_json_str(key: &SessionKey, session_data: &str) -> Result<String> {
        now(super::open_json_str(key, session_data))
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use blocking::{decrypt, decrypt_json_str, encrypt, encrypt_with, try_encrypt};
