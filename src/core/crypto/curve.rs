//! Scalar multiplication on secp256k1 for ECDH and public keys.
//!
//! Two implementations, one chosen per build: with the `storage-manager` feature (the main entry,
//! the server, the tests) k256's own multiplication, fast by the GLV endomorphism, whose wide
//! scalar arithmetic ECDSA signing links anyway; without it (the auth entry, which signs nothing)
//! [`mul`], a constant-time 4-bit fixed window over k256's complete point formulas, which needs no
//! scalar arithmetic at all: 4.6 KB less gzip in that wasm, for an ECDH ~1.4x slower.

use k256::elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
use k256::{ProjectivePoint, PublicKey, SecretKey};
use zeroize::Zeroizing;

/// `k · P` for a 32-byte big-endian `k` (any value, reduced or not), in time independent of `k`:
/// 256 doublings and 64 additions of a table entry chosen by a scan of all 16.
pub fn mul(point: &ProjectivePoint, k: &[u8; 32]) -> ProjectivePoint {
    let mut table = [ProjectivePoint::IDENTITY; 16];
    for i in 1..16 {
        table[i] = table[i - 1] + point;
    }
    let mut acc = ProjectivePoint::IDENTITY;
    for byte in k {
        for nibble in [byte >> 4, byte & 15] {
            acc = acc.double().double().double().double();
            let mut term = ProjectivePoint::IDENTITY;
            for (i, entry) in (0u8..).zip(&table) {
                term.conditional_assign(entry, i.ct_eq(&nibble));
            }
            acc += term;
        }
    }
    acc
}

/// The public key of `secret`.
pub fn public_key(secret: &SecretKey) -> PublicKey {
    #[cfg(feature = "storage-manager")]
    return secret.public_key();
    #[cfg(not(feature = "storage-manager"))]
    {
        let k = Zeroizing::new(<[u8; 32]>::from(secret.to_bytes()));
        let point = mul(&ProjectivePoint::GENERATOR, &k).to_affine();
        // The group has prime order n and k is in [1, n): k·G is never the identity, the one
        // point `from_affine` refuses.
        #[allow(clippy::expect_used)]
        PublicKey::from_affine(point).expect("k·G is not the identity for k in [1, n)")
    }
}

/// The x-coordinate of `secret · public`, 32 bytes.
pub fn shared_x(secret: &SecretKey, public: &PublicKey) -> Zeroizing<[u8; 32]> {
    let mut x = Zeroizing::new([0u8; 32]);
    #[cfg(feature = "storage-manager")]
    {
        let shared = k256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine());
        x.copy_from_slice(shared.raw_secret_bytes());
    }
    #[cfg(not(feature = "storage-manager"))]
    {
        use k256::elliptic_curve::sec1::ToEncodedPoint;
        let k = Zeroizing::new(<[u8; 32]>::from(secret.to_bytes()));
        let point = mul(&public.to_projective(), &k)
            .to_affine()
            .to_encoded_point(false);
        // Not the identity either (the same argument, with `public` a point of order n).
        if let Some(bytes) = point.x() {
            x.copy_from_slice(bytes);
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use k256::elliptic_curve::PrimeField;
    use k256::Scalar;

    use super::*;

    /// k256's multiplication, the reference.
    fn reference(point: &ProjectivePoint, k: &[u8; 32]) -> Option<ProjectivePoint> {
        Option::from(Scalar::from_repr((*k).into())).map(|s: Scalar| point * &s)
    }

    fn scalars() -> Vec<[u8; 32]> {
        let mut out = vec![[0u8; 32], [0xff; 32], [0x0f; 32], [0xf0; 32]];
        let mut one = [0u8; 32];
        one[31] = 1;
        out.push(one);
        // n - 1, the largest scalar.
        let n_minus_1 = crate::core::text::unhex(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
        )
        .unwrap_or_default();
        out.push(n_minus_1.try_into().unwrap_or([0u8; 32]));
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..40 {
            let mut k = [0u8; 32];
            for b in k.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = state as u8;
            }
            out.push(k);
        }
        out
    }

    #[test]
    fn the_window_multiplication_agrees_with_k256_on_the_generator_and_other_points() {
        let points = [
            ProjectivePoint::GENERATOR,
            ProjectivePoint::GENERATOR * Scalar::from(12_345u64),
            ProjectivePoint::IDENTITY,
        ];
        for point in &points {
            for k in scalars() {
                if let Some(expected) = reference(point, &k) {
                    assert_eq!(
                        mul(point, &k).to_affine(),
                        expected.to_affine(),
                        "k = {k:02x?}"
                    );
                }
            }
        }
    }

    #[test]
    fn scalars_of_n_and_above_are_reduced_like_any_other() {
        // n itself gives the identity; 0xff..ff (above n) gives (0xff..ff mod n)·G.
        let n = crate::core::text::unhex(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        )
        .unwrap_or_default();
        let n: [u8; 32] = n.try_into().unwrap_or([0u8; 32]);
        assert_eq!(
            mul(&ProjectivePoint::GENERATOR, &n),
            ProjectivePoint::IDENTITY
        );
        let reduced = crate::core::text::unhex(
            "000000000000000000000000000000014551231950b75fc4402da1732fc9bebe",
        )
        .unwrap_or_default();
        let reduced: [u8; 32] = reduced.try_into().unwrap_or([0u8; 32]);
        assert_eq!(
            mul(&ProjectivePoint::GENERATOR, &[0xff; 32]).to_affine(),
            mul(&ProjectivePoint::GENERATOR, &reduced).to_affine()
        );
    }
}
