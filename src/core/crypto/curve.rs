//! secp256k1 for ECDH and public keys, on bytes: a secret key is 32 big-endian bytes in [1, n), a
//! public key its uncompressed encoding (65 bytes, `04 || x || y`).
//!
//! Two implementations, one chosen per target: natively (session-server, which encrypts every
//! refresh's `session_data`, and the tests) k256's; in the wasm this module's own [`Point`]: Renes,
//! Costello and Batina's complete projective formulas for `y² = x³ + 7` over `field`, and
//! a constant-time 4-bit window, over the GLV split of the scalar in the main entry
//! ([`Point::mul_glv`]), plain in the auth entry ([`Point::mul_window`], smaller). With ECDSA signing
//! on the crate's own scalar arithmetic ([`super::signature`]), neither wasm carries k256,
//! elliptic-curve, sec1, crypto-bigint, ecdsa or rfc6979: the main entry 8.9 KB gzip smaller, the
//! auth entry 3.3 KB, for a multiplication taking about 1.4 times k256's time in the main entry
//! and 1.7 times in the auth entry (~0.2 and ~0.3 ms; one per `authorize()`). The tests check both
//! multiplications against k256.

use k256::elliptic_curve::subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use super::field::Fe;
use super::scalar::Scalar;
use crate::core::error::{Error, Result};

/// Is `bytes` a secret key, in [1, n)? In time independent of its value.
pub fn is_secret(bytes: &[u8; 32]) -> bool {
    Scalar::secret(bytes).is_some()
}

/// The uncompressed public key of `secret` (in [1, n), see [`is_secret`]).
pub fn public_key(secret: &[u8; 32]) -> [u8; 65] {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use k256::elliptic_curve::sec1::ToEncodedPoint;
        let mut out = [0u8; 65];
        if let Ok(key) = k256::SecretKey::from_slice(secret) {
            out.copy_from_slice(key.public_key().to_encoded_point(false).as_bytes());
        }
        out
    }
    #[cfg(target_arch = "wasm32")]
    {
        Point::GENERATOR.mul(secret).to_uncompressed()
    }
}

/// The x-coordinate of `secret · public`, for an uncompressed `public`; `Error::Crypto` when
/// `public` is not a point of the curve.
pub fn shared_x(secret: &[u8; 32], public: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
    let not_a_point = || Error::Crypto("the public key is not a point on secp256k1".to_owned());
    let mut x = Zeroizing::new([0u8; 32]);
    #[cfg(not(target_arch = "wasm32"))]
    {
        let public = k256::PublicKey::from_sec1_bytes(public).map_err(|_| not_a_point())?;
        let secret = k256::SecretKey::from_slice(secret)
            .map_err(|_| Error::Crypto("session key out of range for secp256k1".to_owned()))?;
        let shared = k256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine());
        x.copy_from_slice(shared.raw_secret_bytes());
    }
    #[cfg(target_arch = "wasm32")]
    {
        let point = Point::from_uncompressed(public).ok_or_else(not_a_point)?;
        x.copy_from_slice(&point.mul(secret).to_uncompressed()[1..33]);
    }
    Ok(x)
}

/// A point in projective coordinates `(X : Y : Z)`, `(x, y) = (X/Z, Y/Z)`; the identity is
/// `(0 : 1 : 0)`.
#[derive(Clone, Copy, Debug)]
pub struct Point {
    x: Fe,
    y: Fe,
    z: Fe,
}

/// β, a cube root of 1 mod p: `λ · (x, y) = (β · x, y)`.
const BETA: Fe = Fe::from_limbs([
    0x7195_01EE,
    0xC139_6C28,
    0x12F5_8995,
    0x9CF0_4975,
    0xAC34_34E9,
    0x6E64_479E,
    0x657C_0710,
    0x7AE9_6A2B,
]);

/// 3b, b = 7.
const B3: u32 = 21;

impl Point {
    /// The point at infinity.
    pub const IDENTITY: Point = Point {
        x: Fe::ZERO,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    /// The generator G.
    pub const GENERATOR: Point = Point {
        x: Fe::from_limbs([
            0x16F8_1798,
            0x59F2_815B,
            0x2DCE_28D9,
            0x029B_FCDB,
            0xCE87_0B07,
            0x55A0_6295,
            0xF9DC_BBAC,
            0x79BE_667E,
        ]),
        y: Fe::from_limbs([
            0xFB10_D4B8,
            0x9C47_D08F,
            0xA685_5419,
            0xFD17_B448,
            0x0E11_08A8,
            0x5DA4_FBFC,
            0x26A3_C465,
            0x483A_DA77,
        ]),
        z: Fe::ONE,
    };

    /// The point of an uncompressed encoding, if it is one on the curve.
    pub fn from_uncompressed(bytes: &[u8]) -> Option<Point> {
        let (&tag, rest) = bytes.split_first()?;
        if tag != 4 || rest.len() != 64 {
            return None;
        }
        let (x, y) = rest.split_at(32);
        let x = Fe::from_bytes(x.try_into().ok()?)?;
        let y = Fe::from_bytes(y.try_into().ok()?)?;
        let on_curve = y.square() == x.square().mul(&x).add(&Fe::small(7));
        on_curve.then_some(Point { x, y, z: Fe::ONE })
    }

    /// The uncompressed encoding; all zeros for the identity (which has none).
    pub fn to_uncompressed(self) -> [u8; 65] {
        let mut out = [0u8; 65];
        let zinv = self.z.invert();
        if !bool::from(self.z.is_zero()) {
            out[0] = 4;
            out[1..33].copy_from_slice(&self.x.mul(&zinv).to_bytes());
            out[33..].copy_from_slice(&self.y.mul(&zinv).to_bytes());
        }
        out
    }

    /// `self + q`, complete (any two points, equal or the identity included).
    pub fn add(&self, q: &Point) -> Point {
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let (x2, y2, z2) = (&q.x, &q.y, &q.z);
        let mut t0 = x1.mul(x2);
        let mut t1 = y1.mul(y2);
        let mut t2 = z1.mul(z2);
        let mut t3 = x1.add(y1).mul(&x2.add(y2));
        let mut t4 = t0.add(&t1);
        t3 = t3.sub(&t4);
        t4 = y1.add(z1).mul(&y2.add(z2));
        let mut x3 = t1.add(&t2);
        t4 = t4.sub(&x3);
        x3 = x1.add(z1).mul(&x2.add(z2));
        let mut y3 = t0.add(&t2);
        y3 = x3.sub(&y3);
        x3 = t0.add(&t0);
        t0 = x3.add(&t0);
        t2 = t2.mul_small(B3);
        let mut z3 = t1.add(&t2);
        t1 = t1.sub(&t2);
        y3 = y3.mul_small(B3);
        x3 = t4.mul(&y3);
        t2 = t3.mul(&t1);
        x3 = t2.sub(&x3);
        y3 = y3.mul(&t0);
        t1 = t1.mul(&z3);
        y3 = t1.add(&y3);
        t0 = t0.mul(&t3);
        z3 = z3.mul(&t4);
        z3 = z3.add(&t0);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `2 · self`.
    pub fn double(&self) -> Point {
        let (x, y, z) = (&self.x, &self.y, &self.z);
        let mut t0 = y.square();
        let mut z3 = t0.add(&t0);
        z3 = z3.add(&z3);
        z3 = z3.add(&z3);
        let mut t1 = y.mul(z);
        let mut t2 = z.square().mul_small(B3);
        let mut x3 = t2.mul(&z3);
        let mut y3 = t0.add(&t2);
        z3 = t1.mul(&z3);
        t1 = t2.add(&t2);
        t2 = t1.add(&t2);
        t0 = t0.sub(&t2);
        y3 = t0.mul(&y3);
        y3 = x3.add(&y3);
        t1 = x.mul(y);
        x3 = t0.mul(&t1);
        x3 = x3.add(&x3);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `k · self` for a 32-byte big-endian `k` (any value), in time independent of `k`: the
    /// main entry's [`Point::mul_glv`] (fast), the auth entry's [`Point::mul_window`] (small).
    pub fn mul(&self, k: &[u8; 32]) -> Point {
        #[cfg(feature = "storage-manager")]
        return self.mul_glv(k);
        #[cfg(not(feature = "storage-manager"))]
        return self.mul_window(k);
    }

    /// `k · self` by a 4-bit fixed window: 256 doublings and 64 additions of a table entry
    /// chosen by a scan of all 16.
    pub fn mul_window(&self, k: &[u8; 32]) -> Point {
        let mut table = [Point::IDENTITY; 16];
        for i in 1..16 {
            table[i] = table[i - 1].add(self);
        }
        let mut acc = Point::IDENTITY;
        for byte in k {
            for nibble in [byte >> 4, byte & 15] {
                acc = acc.double().double().double().double();
                acc = acc.add(&pick(&table, nibble));
            }
        }
        acc
    }

    /// `k · self` (k reduced mod n) by the GLV endomorphism: `k = k1 + k2 · λ` with both halves
    /// below 2^128 in magnitude (`Scalar::split_lambda`), and `k1 · P + k2 · λP` in one pass of
    /// 4-bit windows: 132 doublings and 66 additions, about 1.4 times as fast as
    /// [`Point::mul_window`] for 1.2 KB more gzip (the split's scalar arithmetic).
    pub fn mul_glv(&self, k: &[u8; 32]) -> Point {
        let whole = Zeroizing::new(Scalar::reduce(k));
        let (k1, k2) = whole.split_lambda();
        let (k1, k2) = (Zeroizing::new(k1), Zeroizing::new(k2));
        let ((k1, negative1), (k2, negative2)) = (k1.magnitude(), k2.magnitude());
        let (k1, k2) = (Zeroizing::new(k1), Zeroizing::new(k2));
        // i · (±P) and i · (±λP) for i in 0..16.
        let mut first = [Point::IDENTITY; 16];
        let mut second = [Point::IDENTITY; 16];
        let p = self.negate_if(negative1);
        for i in 1..16 {
            first[i] = first[i - 1].add(&p);
            second[i] = first[i].endomorphism().negate_if(negative1 ^ negative2);
        }
        let mut acc = Point::IDENTITY;
        // 33 digits: one more than 128 bits need, at the cost of 4 doublings.
        for i in (0..33).rev() {
            acc = acc.double().double().double().double();
            acc = acc
                .add(&pick(&first, k1.nibble(i)))
                .add(&pick(&second, k2.nibble(i)));
        }
        acc
    }

    /// `−self` when `choice` is set.
    fn negate_if(&self, choice: Choice) -> Point {
        Point {
            y: Fe::conditional_select(&self.y, &Fe::ZERO.sub(&self.y), choice),
            ..*self
        }
    }

    /// `λ · self = (β · X : Y : Z)`.
    fn endomorphism(&self) -> Point {
        Point {
            x: self.x.mul(&BETA),
            ..*self
        }
    }
}

/// `table[index]`, read by a scan of every entry.
fn pick(table: &[Point; 16], index: u8) -> Point {
    let mut out = Point::IDENTITY;
    for (i, entry) in (0u8..).zip(table) {
        out.conditional_assign(entry, i.ct_eq(&index));
    }
    out
}

impl ConditionallySelectable for Point {
    fn conditional_select(a: &Point, b: &Point, choice: Choice) -> Point {
        Point {
            x: Fe::conditional_select(&a.x, &b.x, choice),
            y: Fe::conditional_select(&a.y, &b.y, choice),
            z: Fe::conditional_select(&a.z, &b.z, choice),
        }
    }
}

#[cfg(test)]
mod tests {
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    use k256::elliptic_curve::PrimeField;
    use k256::{ProjectivePoint, Scalar};

    use super::*;

    /// The group order n, big-endian.
    const N: [u8; 32] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFE, 0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36,
        0x41, 0x41,
    ];

    fn unhex32(hex: &str) -> [u8; 32] {
        crate::core::text::unhex(hex)
            .and_then(|v| v.try_into().ok())
            .unwrap()
    }

    /// k256's `k · point`, uncompressed (all zeros for the identity, as ours).
    fn reference(point: &ProjectivePoint, k: &[u8; 32]) -> Option<[u8; 65]> {
        let s: Scalar = Option::from(Scalar::from_repr((*k).into()))?;
        let encoded = (point * &s).to_affine().to_encoded_point(false);
        let mut out = [0u8; 65];
        if encoded.len() == 65 {
            out.copy_from_slice(encoded.as_bytes());
        }
        Some(out)
    }

    fn ours(point: &ProjectivePoint) -> Point {
        let encoded = point.to_affine().to_encoded_point(false);
        if encoded.len() == 1 {
            return Point::IDENTITY;
        }
        Point::from_uncompressed(encoded.as_bytes()).unwrap()
    }

    /// Both multiplications, whichever this build's `mul` is.
    const MULS: [fn(&Point, &[u8; 32]) -> Point; 2] = [Point::mul_window, Point::mul_glv];

    fn scalars() -> Vec<[u8; 32]> {
        let mut out = vec![[0u8; 32], [0x0f; 32], [0xf0; 32]];
        let mut one = [0u8; 32];
        one[31] = 1;
        out.push(one);
        out.push(unhex32(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
        ));
        out.extend(crate::core::crypto::limbs::test_words(
            0x9e37_79b9_7f4a_7c15,
            40,
        ));
        out
    }

    #[test]
    fn the_generator_is_secp256k1s() {
        assert_eq!(
            Point::GENERATOR.to_uncompressed().as_slice(),
            ProjectivePoint::GENERATOR
                .to_affine()
                .to_encoded_point(false)
                .as_bytes()
        );
    }

    #[test]
    fn multiplication_agrees_with_k256_on_the_generator_and_other_points() {
        let points = [
            ProjectivePoint::GENERATOR,
            ProjectivePoint::GENERATOR * Scalar::from(12_345u64),
            ProjectivePoint::IDENTITY,
        ];
        for point in &points {
            for k in scalars() {
                if let Some(expected) = reference(point, &k) {
                    for mul in MULS {
                        assert_eq!(
                            mul(&ours(point), &k).to_uncompressed(),
                            expected,
                            "k = {k:02x?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn addition_is_complete_doubling_and_the_identity_included() {
        let g = Point::GENERATOR;
        let two_g = reference(&ProjectivePoint::GENERATOR, &scalar(2)).unwrap();
        assert_eq!(g.add(&g).to_uncompressed(), two_g);
        assert_eq!(g.double().to_uncompressed(), two_g);
        assert_eq!(
            g.add(&Point::IDENTITY).to_uncompressed(),
            g.to_uncompressed()
        );
        assert_eq!(Point::IDENTITY.double().to_uncompressed(), [0u8; 65]);
        // G + (n − 1)·G is the identity.
        let minus_g = g.mul(&unhex32(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
        ));
        assert_eq!(g.add(&minus_g).to_uncompressed(), [0u8; 65]);
    }

    fn scalar(v: u8) -> [u8; 32] {
        let mut k = [0u8; 32];
        k[31] = v;
        k
    }

    #[test]
    fn scalars_of_n_and_above_are_reduced_like_any_other() {
        let reduced = unhex32("000000000000000000000000000000014551231950b75fc4402da1732fc9bebe");
        for mul in MULS {
            assert_eq!(mul(&Point::GENERATOR, &N).to_uncompressed(), [0u8; 65]);
            assert_eq!(
                mul(&Point::GENERATOR, &[0xff; 32]).to_uncompressed(),
                mul(&Point::GENERATOR, &reduced).to_uncompressed()
            );
        }
    }

    #[test]
    fn encodings_that_are_not_points_are_refused() {
        let mut g = Point::GENERATOR.to_uncompressed();
        assert!(Point::from_uncompressed(&g).is_some());
        assert!(Point::from_uncompressed(&g[..64]).is_none());
        g[64] ^= 1;
        assert!(Point::from_uncompressed(&g).is_none(), "off the curve");
        g[64] ^= 1;
        g[0] = 2;
        assert!(
            Point::from_uncompressed(&g).is_none(),
            "not the uncompressed tag"
        );
        let mut big = [0xffu8; 65];
        big[0] = 4;
        assert!(Point::from_uncompressed(&big).is_none(), "coordinates ≥ p");
        assert!(Point::from_uncompressed(&[0u8; 65]).is_none());
    }

    #[test]
    fn secrets_are_exactly_1_to_n_minus_1() {
        assert!(!is_secret(&[0u8; 32]));
        assert!(is_secret(&scalar(1)));
        assert!(!is_secret(&N));
        assert!(!is_secret(&[0xff; 32]));
        let mut below = N;
        below[31] -= 1;
        assert!(is_secret(&below));
        let mut above = N;
        above[15] = 0xff;
        assert!(!is_secret(&above));
        for k in scalars() {
            let k256_says = bool::from(k256::NonZeroScalar::from_repr(k.into()).is_some());
            assert_eq!(is_secret(&k), k256_says, "{k:02x?}");
        }
    }

    #[test]
    fn both_builds_agree_on_public_keys_and_shared_secrets() {
        // The k256 path (this build's `public_key`/`shared_x` with `storage-manager`) against ours.
        for k in scalars().into_iter().filter(is_secret) {
            let public = Point::GENERATOR.mul(&k).to_uncompressed();
            assert_eq!(public_key(&k), public);
            let other = Point::GENERATOR.mul(&scalar(7)).to_uncompressed();
            let expected = Point::from_uncompressed(&other)
                .unwrap()
                .mul(&k)
                .to_uncompressed();
            assert_eq!(shared_x(&k, &other).unwrap().as_slice(), &expected[1..33]);
        }
        assert!(shared_x(&scalar(1), &[4u8; 65]).is_err());
    }
}
