//! Arithmetic modulo secp256k1's group order n, for ECDSA signing ([`super::signature`]): the few
//! operations a signature needs, small and constant-time.
//!
//! A scalar is held fully reduced (< n) in eight 32-bit limbs ([`super::limbs`]). Products use
//! Montgomery multiplication (CIOS, R = 2^256): `a · b = mont(mont(a, b), R² mod n)`, and the
//! inverse is Fermat's `a^(n−2)`, computed in Montgomery form; the exponent is public, so its bits
//! may steer the loop.

use k256::elliptic_curve::subtle::Choice;

use super::limbs::{self, Limbs};

/// n, little-endian limbs.
const N: Limbs = [
    0xD036_4141,
    0xBFD2_5E8C,
    0xAF48_A03B,
    0xBAAE_DCE6,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
    0xFFFF_FFFF,
    0xFFFF_FFFF,
];

/// (n − 1) / 2: a scalar above it is "high" (its negation is the low-S form).
const HALF_N: Limbs = [
    0x681B_20A0,
    0xDFE9_2F46,
    0x57A4_501D,
    0x5D57_6E73,
    0xFFFF_FFFF,
    0xFFFF_FFFF,
    0xFFFF_FFFF,
    0x7FFF_FFFF,
];

/// −n⁻¹ mod 2^32.
const N0_INV: u32 = 0x5588_B13F;

/// R² mod n, R = 2^256.
const R2: Limbs = [
    0x67D7_D140,
    0x896C_F214,
    0x0E7C_F878,
    0x7414_96C2,
    0x5BCD_07C6,
    0xE697_F5E4,
    0x81C6_9BC5,
    0x9D67_1CD5,
];

/// λ, a cube root of 1 mod n: `λ · (x, y) = (β · x, y)` on the curve ([`super::curve`]).
const MINUS_LAMBDA: Scalar = Scalar([
    0xB512_83CF,
    0xE0CF_C810,
    0x8EC7_39C2,
    0xA880_B9FC,
    0x77ED_9BA4,
    0x5AD9_E3FD,
    0x3FA3_CF1F,
    0xAC9C_52B3,
]);

/// The GLV split's constants (a reduced basis of the lattice of `(a, b)` with `a + b·λ ≡ 0`):
/// `g1 = round(2^384 · b2 / n)`, `g2 = round(2^384 · −b1 / n)`, and `−b1`, `−b2` mod n.
const G1: Limbs = [
    0x45DB_B031,
    0xE893_209A,
    0x71E8_CA7F,
    0x3DAA_8A14,
    0x9284_EB15,
    0xE86C_90E4,
    0xA7D4_6BCD,
    0x3086_D221,
];
const G2: Limbs = [
    0x8AC4_7F71,
    0x1571_B4AE,
    0x9DF5_06C6,
    0x2212_08AC,
    0x0ABF_E4C4,
    0x6F54_7FA9,
    0x010E_8828,
    0xE443_7ED6,
];
const MINUS_B1: Scalar = Scalar([
    0x0ABF_E4C3,
    0x6F54_7FA9,
    0x010E_8828,
    0xE443_7ED6,
    0,
    0,
    0,
    0,
]);
const MINUS_B2: Scalar = Scalar([
    0x3DB1_562C,
    0xD765_CDA8,
    0x0774_346D,
    0x8A28_0AC5,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
    0xFFFF_FFFF,
    0xFFFF_FFFF,
]);

/// A scalar, fully reduced. Those derived from a secret are held in `Zeroizing`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scalar(Limbs);

impl zeroize::Zeroize for Scalar {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// `round(k · g / 2^384)`: bits 384 and up of the 512-bit product, plus bit 383.
fn mul_shift_384(k: &Limbs, g: &Limbs) -> Scalar {
    let mut wide = [0u32; 16];
    for i in 0..8 {
        let mut carry = 0u64;
        for j in 0..8 {
            let v = u64::from(wide[i + j]) + u64::from(k[i]) * u64::from(g[j]) + carry;
            wide[i + j] = v as u32;
            carry = v >> 32;
        }
        wide[i + 8] = carry as u32;
    }
    let mut out = [0u32; 8];
    out[..4].copy_from_slice(&wide[12..]);
    // The product is below 2^512, so the rounded quotient is below 2^128 + 1: no overflow.
    Scalar(limbs::add(&out, &[wide[11] >> 31, 0, 0, 0, 0, 0, 0, 0]).0)
}

/// `a · b · R⁻¹ mod n` for `a, b < n`.
fn mont_mul(a: &Limbs, b: &Limbs) -> Limbs {
    let mut t = [0u32; 10];
    for &bi in b {
        let mut carry = 0u64;
        for j in 0..8 {
            let v = u64::from(t[j]) + u64::from(a[j]) * u64::from(bi) + carry;
            t[j] = v as u32;
            carry = v >> 32;
        }
        let v = u64::from(t[8]) + carry;
        t[8] = v as u32;
        t[9] = (v >> 32) as u32;
        // Add m·n, with m chosen so that the lowest limb becomes 0, and shift down one limb.
        let m = t[0].wrapping_mul(N0_INV);
        let mut carry = (u64::from(t[0]) + u64::from(m) * u64::from(N[0])) >> 32;
        for j in 1..8 {
            let v = u64::from(t[j]) + u64::from(m) * u64::from(N[j]) + carry;
            t[j - 1] = v as u32;
            carry = v >> 32;
        }
        let v = u64::from(t[8]) + carry;
        t[7] = v as u32;
        t[8] = t[9] + (v >> 32) as u32;
    }
    let mut low = [0u32; 8];
    low.copy_from_slice(&t[..8]);
    // Below 2n.
    limbs::reduce_once(&low, t[8], &N)
}

impl Scalar {
    /// The scalar of 32 big-endian bytes, if their value is below n.
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Scalar> {
        let value = limbs::from_be_bytes(bytes);
        limbs::below(&value, &N).then_some(Scalar(value))
    }

    /// The scalar of 32 big-endian bytes in [1, n): a secret key (or a nonce).
    pub fn secret(bytes: &[u8; 32]) -> Option<Scalar> {
        Scalar::from_bytes(bytes).filter(|s| !s.is_zero())
    }

    /// The value of 32 big-endian bytes mod n (one subtraction: 2^256 < 2n).
    pub fn reduce(bytes: &[u8; 32]) -> Scalar {
        Scalar(limbs::reduce_once(&limbs::from_be_bytes(bytes), 0, &N))
    }

    /// 32 big-endian bytes.
    pub fn to_bytes(self) -> [u8; 32] {
        limbs::to_be_bytes(&self.0)
    }

    /// `self + other`.
    pub fn add(&self, other: &Scalar) -> Scalar {
        let (sum, carry) = limbs::add(&self.0, &other.0);
        Scalar(limbs::reduce_once(&sum, carry, &N))
    }

    /// `self · other`.
    pub fn mul(&self, other: &Scalar) -> Scalar {
        Scalar(mont_mul(&mont_mul(&self.0, &other.0), &R2))
    }

    /// `self⁻¹`, and 0 for 0.
    pub fn invert(&self) -> Scalar {
        let base = mont_mul(&self.0, &R2);
        // 1 in Montgomery form: R mod n.
        let mut acc = mont_mul(&[1, 0, 0, 0, 0, 0, 0, 0], &R2);
        let mut exponent = N;
        exponent[0] -= 2;
        for bit in (0..256).rev() {
            acc = mont_mul(&acc, &acc);
            if (exponent[bit / 32] >> (bit % 32)) & 1 == 1 {
                acc = mont_mul(&acc, &base);
            }
        }
        Scalar(mont_mul(&acc, &[1, 0, 0, 0, 0, 0, 0, 0]))
    }

    /// `−self`.
    pub fn negate(&self) -> Scalar {
        Scalar(limbs::reduce_once(&limbs::sub(&N, &self.0).0, 0, &N))
    }

    /// Is this above (n − 1) / 2?
    pub fn is_high(&self) -> bool {
        limbs::below(&HALF_N, &self.0)
    }

    /// The GLV split: `(k1, k2)` with `self = k1 + k2 · λ` mod n, each of them or its negation
    /// below 2^128 (see [`Scalar::magnitude`]).
    pub fn split_lambda(&self) -> (Scalar, Scalar) {
        let c1 = mul_shift_384(&self.0, &G1);
        let c2 = mul_shift_384(&self.0, &G2);
        let k2 = c1.mul(&MINUS_B1).add(&c2.mul(&MINUS_B2));
        let k1 = self.add(&k2.mul(&MINUS_LAMBDA));
        (k1, k2)
    }

    /// The smaller of `self` and `−self`, and whether it is the negation, in constant time.
    pub fn magnitude(&self) -> (Scalar, Choice) {
        let high = Choice::from(u8::from(self.is_high()));
        (Scalar(limbs::select(&self.0, &self.negate().0, high)), high)
    }

    /// The `i`-th 4-bit digit, least significant first (`i < 64`).
    pub fn nibble(&self, i: usize) -> u8 {
        ((self.0[i / 8] >> (4 * (i % 8))) & 15) as u8
    }

    /// Is this 0?
    pub fn is_zero(&self) -> bool {
        self.0.iter().fold(0, |acc, limb| acc | limb) == 0
    }
}

#[cfg(test)]
mod tests {
    use k256::elliptic_curve::ops::Reduce;
    use k256::elliptic_curve::scalar::IsHigh;
    use k256::elliptic_curve::PrimeField;
    use k256::U256;

    use super::*;

    type Reference = k256::Scalar;

    fn bytes(s: Reference) -> [u8; 32] {
        s.to_bytes().into()
    }

    fn scalars() -> Vec<Reference> {
        let mut out = vec![
            Reference::ZERO,
            Reference::ONE,
            -Reference::ONE,
            Reference::from(2u64),
            -Reference::from(1u64 << 32),
        ];
        for b in limbs::test_words(0x853c_49e6_748f_ea9b, 60) {
            out.push(<Reference as Reduce<U256>>::reduce_bytes(&b.into()));
        }
        out
    }

    #[test]
    fn the_constants_are_those_of_n() {
        let n = limbs::to_be_bytes(&N);
        assert!(
            bool::from(Reference::from_repr(n.into()).is_none()),
            "n is not a scalar"
        );
        let mut below = n;
        below[31] -= 1;
        assert_eq!(bytes(-Reference::ONE), below);
        // N0_INV · n ≡ −1 mod 2^32.
        assert_eq!(N0_INV.wrapping_mul(N[0]), u32::MAX);
        // R2 · R⁻¹ = R mod n = 2^256 − n.
        assert_eq!(
            mont_mul(&R2, &[1, 0, 0, 0, 0, 0, 0, 0]),
            limbs::sub(&[0; 8], &N).0
        );
        assert_eq!(
            Scalar(HALF_N).add(&Scalar(HALF_N)).to_bytes(),
            bytes(-Reference::ONE)
        );
    }

    #[test]
    fn every_operation_agrees_with_k256() {
        let all = scalars();
        for a in &all {
            let x = Scalar::from_bytes(&bytes(*a)).unwrap();
            assert_eq!(x.to_bytes(), bytes(*a));
            assert_eq!(x.negate().to_bytes(), bytes(-*a), "-{a:?}");
            assert_eq!(x.is_high(), bool::from(a.is_high()), "high {a:?}");
            assert_eq!(x.is_zero(), bool::from(a.is_zero()));
            let inverse = Option::<Reference>::from(a.invert()).map_or([0; 32], bytes);
            assert_eq!(x.invert().to_bytes(), inverse, "invert {a:?}");
            for b in &all {
                let y = Scalar::from_bytes(&bytes(*b)).unwrap();
                assert_eq!(x.add(&y).to_bytes(), bytes(*a + b), "{a:?} + {b:?}");
                assert_eq!(x.mul(&y).to_bytes(), bytes(*a * b), "{a:?} * {b:?}");
            }
        }
    }

    #[test]
    fn the_glv_split_recombines_and_is_short() {
        let lambda = MINUS_LAMBDA.negate();
        // λ³ = 1 and λ ≠ 1.
        assert_eq!(
            lambda.mul(&lambda).mul(&lambda).to_bytes(),
            bytes(Reference::ONE)
        );
        for k in scalars() {
            let k = Scalar::from_bytes(&bytes(k)).unwrap();
            let (k1, k2) = k.split_lambda();
            assert_eq!(k1.add(&k2.mul(&lambda)), k, "{k:?}");
            for half in [k1, k2] {
                let (small, _) = half.magnitude();
                assert!(small.0[4..].iter().all(|l| *l == 0), "{half:?} of {k:?}");
            }
        }
    }

    #[test]
    fn reduction_of_bytes_agrees_with_k256() {
        for raw in [[0xffu8; 32], limbs::to_be_bytes(&N), [0u8; 32], [0x80; 32]] {
            let expected = <Reference as Reduce<U256>>::reduce_bytes(&raw.into());
            assert_eq!(Scalar::reduce(&raw).to_bytes(), bytes(expected));
        }
        assert!(Scalar::from_bytes(&limbs::to_be_bytes(&N)).is_none());
        assert!(Scalar::from_bytes(&[0xff; 32]).is_none());
    }
}
