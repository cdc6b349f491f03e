//! Arithmetic modulo secp256k1's group order n, for ECDSA signing ([`super::signature`]): the few
//! operations a signature needs, small and constant-time.
//!
//! A scalar is held fully reduced (< n) in eight 32-bit limbs ([`super::limbs`]). Products use
//! Montgomery multiplication (CIOS, R = 2^256): `a · b = mont(mont(a, b), R² mod n)`, and the
//! inverse is Fermat's `a^(n−2)`, computed in Montgomery form; the exponent is public, so its bits
//! may steer the loop.

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

/// A scalar, fully reduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scalar(Limbs);

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
        let mut state = 0x853c_49e6_748f_ea9bu64;
        for _ in 0..60 {
            let mut b = [0u8; 32];
            for x in b.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *x = state as u8;
            }
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
    fn reduction_of_bytes_agrees_with_k256() {
        for raw in [[0xffu8; 32], limbs::to_be_bytes(&N), [0u8; 32], [0x80; 32]] {
            let expected = <Reference as Reduce<U256>>::reduce_bytes(&raw.into());
            assert_eq!(Scalar::reduce(&raw).to_bytes(), bytes(expected));
        }
        assert!(Scalar::from_bytes(&limbs::to_be_bytes(&N)).is_none());
        assert!(Scalar::from_bytes(&[0xff; 32]).is_none());
    }
}
