//! Arithmetic modulo secp256k1's field prime p = 2^256 − 2^32 − 977, small and constant-time: the
//! field under [`super::curve`]'s own point arithmetic (the auth entry's ECDH and public keys).
//!
//! An element is eight 32-bit limbs, least significant first, always fully reduced (< p), so
//! equality is equality of limbs. Products are 64-bit (one wasm `i64.mul` each) and reduced with
//! 2^256 ≡ 2^32 + 977. No operation branches on an element's value; only [`Fe::invert`] loops over
//! the bits of the public exponent p − 2. Written for size: loops over limbs, one multiplication
//! routine for products and squares.

use k256::elliptic_curve::subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::limbs::{self, each_limb};

/// p, little-endian limbs.
const P: [u32; 8] = [
    0xFFFF_FC2F,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
    0xFFFF_FFFF,
    0xFFFF_FFFF,
    0xFFFF_FFFF,
    0xFFFF_FFFF,
    0xFFFF_FFFF,
];

/// An element of the field, fully reduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fe([u32; 8]);

/// The element of `limbs + carry · 2^256`, a value below 2p.
fn reduce_once(value: [u32; 8], carry: u32) -> Fe {
    Fe(limbs::reduce_once(&value, carry, &P))
}

/// One row of the schoolbook product per `i`: `wide[i..=i + 8] += a[i] · b`. Each step is at most
/// (2^32 − 1)^2 + 2 (2^32 − 1) = 2^64 − 1: no overflow.
macro_rules! rows {
    ($a:ident, $b:ident, $wide:ident; $($i:literal)*) => {
        $( row!($a, $b, $wide, $i; 0 1 2 3 4 5 6 7); )*
    };
}

macro_rules! row {
    ($a:ident, $b:ident, $wide:ident, $i:literal; $($j:literal)*) => {{
        let mut carry = 0u64;
        $(
            let v = u64::from($wide[$i + $j]) + u64::from($a[$i]) * u64::from($b[$j]) + carry;
            $wide[$i + $j] = v as u32;
            carry = v >> 32;
        )*
        $wide[$i + 8] = carry as u32;
    }};
}

/// The element of `r + top · 2^256` for `top < 2^34`: `top · 2^256 ≡ top · 977 + top · 2^32`.
fn fold(mut r: [u32; 8], top: u64) -> Fe {
    let v = u64::from(r[0]) + top * 977;
    r[0] = v as u32;
    let mut carry = (v >> 32) + top;
    each_limb!(i => {
        if i > 0 {
            let v = u64::from(r[i]) + carry;
            r[i] = v as u32;
            carry = v >> 32;
        }
    });
    // With a carry out, the limbs are small and the value − p is limbs + 2^32 + 977 (< p).
    reduce_once(r, carry as u32)
}

impl Fe {
    /// 0.
    pub const ZERO: Fe = Fe([0; 8]);
    /// 1.
    pub const ONE: Fe = Fe([1, 0, 0, 0, 0, 0, 0, 0]);

    /// A small constant.
    pub const fn small(v: u32) -> Fe {
        Fe([v, 0, 0, 0, 0, 0, 0, 0])
    }

    /// A constant from its limbs, least significant first; they must be below p.
    pub const fn from_limbs(limbs: [u32; 8]) -> Fe {
        Fe(limbs)
    }

    /// The element of 32 big-endian bytes, if their value is below p.
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Fe> {
        let value = limbs::from_be_bytes(bytes);
        limbs::below(&value, &P).then_some(Fe(value))
    }

    /// 32 big-endian bytes.
    pub fn to_bytes(self) -> [u8; 32] {
        limbs::to_be_bytes(&self.0)
    }

    /// `self + other`.
    pub fn add(&self, other: &Fe) -> Fe {
        let (sum, carry) = limbs::add(&self.0, &other.0);
        reduce_once(sum, carry)
    }

    /// `self − other`.
    pub fn sub(&self, other: &Fe) -> Fe {
        let (diff, borrow) = limbs::sub(&self.0, &other.0);
        // Below zero: add p back (the carry out of that addition cancels the borrow).
        let mask = 0u32.wrapping_sub(borrow);
        let mut p = P;
        each_limb!(i => {
            p[i] &= mask;
        });
        Fe(limbs::add(&diff, &p).0)
    }

    /// `self · other`.
    pub fn mul(&self, other: &Fe) -> Fe {
        let (a, b) = (&self.0, &other.0);
        let mut wide = [0u32; 16];
        // Written out (no loops): every index is a constant, so the 16 words live in wasm locals
        // instead of linear memory, for ~2x the speed of the loop form at opt-level "z".
        rows!(a, b, wide; 0 1 2 3 4 5 6 7);
        // lo + hi · 2^256 ≡ lo + hi · 977 + hi · 2^32.
        let mut r = [0u32; 8];
        let mut carry = 0u64;
        each_limb!(i => {
            let shifted = if i > 0 { u64::from(wide[7 + i]) } else { 0 };
            let v = u64::from(wide[i]) + u64::from(wide[8 + i]) * 977 + shifted + carry;
            r[i] = v as u32;
            carry = v >> 32;
        });
        // What is left above 2^256 (< 2^34) folds in the same way.
        fold(r, carry + u64::from(wide[15]))
    }

    /// `self²`.
    pub fn square(&self) -> Fe {
        self.mul(self)
    }

    /// `self · k` for a small `k`.
    pub fn mul_small(&self, k: u32) -> Fe {
        let mut r = [0u32; 8];
        let mut carry = 0u64;
        each_limb!(i => {
            let v = u64::from(self.0[i]) * u64::from(k) + carry;
            r[i] = v as u32;
            carry = v >> 32;
        });
        fold(r, carry)
    }

    /// `self` squared `n` times.
    fn square_times(&self, n: u32) -> Fe {
        let mut acc = *self;
        for _ in 0..n {
            acc = acc.square();
        }
        acc
    }

    /// `self^(p−2)`: the inverse, and 0 for 0 (Fermat), by an addition chain of 255 squarings and
    /// 15 multiplications: each `xk` is `self^(2^k − 1)`.
    pub fn invert(&self) -> Fe {
        let x2 = self.square().mul(self);
        let x3 = x2.square().mul(self);
        let x6 = x3.square_times(3).mul(&x3);
        let x9 = x6.square_times(3).mul(&x3);
        let x11 = x9.square_times(2).mul(&x2);
        let x22 = x11.square_times(11).mul(&x11);
        let x44 = x22.square_times(22).mul(&x22);
        let x88 = x44.square_times(44).mul(&x44);
        let x176 = x88.square_times(88).mul(&x88);
        let x220 = x176.square_times(44).mul(&x44);
        let x223 = x220.square_times(3).mul(&x3);
        // p − 2 in binary: 223 ones, 0, 22 ones, 0000 1 0 11 0 1.
        x223.square_times(23)
            .mul(&x22)
            .square_times(5)
            .mul(self)
            .square_times(3)
            .mul(&x2)
            .square_times(2)
            .mul(self)
    }

    /// Is this 0?
    pub fn is_zero(&self) -> Choice {
        self.ct_eq(&Fe::ZERO)
    }
}

impl ConstantTimeEq for Fe {
    fn ct_eq(&self, other: &Fe) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl ConditionallySelectable for Fe {
    fn conditional_select(a: &Fe, b: &Fe, choice: Choice) -> Fe {
        Fe(limbs::select(&a.0, &b.0, choice))
    }
}

#[cfg(test)]
mod tests {
    use k256::elliptic_curve::ff::PrimeField;
    use k256::FieldElement;

    use super::*;

    fn bytes(fe: FieldElement) -> [u8; 32] {
        fe.to_bytes().into()
    }

    fn ours(fe: &FieldElement) -> Fe {
        Fe::from_bytes(&bytes(*fe)).unwrap()
    }

    /// Elements with every limb pattern that stresses the carries: 0, 1, p − 1, p − 2^32, 2^255,
    /// all-ones below p, and pseudo-random ones.
    fn elements() -> Vec<FieldElement> {
        let mut out = vec![
            FieldElement::ZERO,
            FieldElement::ONE,
            -FieldElement::ONE,
            -FieldElement::from(1u64 << 32),
            FieldElement::from(977u64),
            -FieldElement::from(977u64),
        ];
        let mut top = [0u8; 32];
        top[0] = 0x80;
        out.push(Option::from(FieldElement::from_bytes(&top.into())).unwrap());
        for bytes in limbs::test_words(0x2545_f491_4f6c_dd1d, 60) {
            if let Some(fe) = Option::from(FieldElement::from_bytes(&bytes.into())) {
                out.push(fe);
            }
        }
        out.iter().map(FieldElement::normalize).collect()
    }

    #[test]
    fn every_operation_agrees_with_k256() {
        let all = elements();
        for a in &all {
            let x = ours(a);
            assert_eq!(x.to_bytes(), bytes(*a));
            assert_eq!(x.square().to_bytes(), bytes(a.square()), "square {a:?}");
            let inverse = Option::<FieldElement>::from(a.invert()).map_or([0; 32], bytes);
            assert_eq!(x.invert().to_bytes(), inverse, "invert {a:?}");
            for b in &all {
                let y = ours(b);
                assert_eq!(x.add(&y).to_bytes(), bytes(*a + b), "{a:?} + {b:?}");
                assert_eq!(x.sub(&y).to_bytes(), bytes(*a - b), "{a:?} - {b:?}");
                assert_eq!(x.mul(&y).to_bytes(), bytes(*a * b), "{a:?} * {b:?}");
            }
            for k in [0u32, 1, 21, 977, u32::MAX] {
                let expected = bytes(*a * FieldElement::from(u64::from(k)));
                assert_eq!(x.mul_small(k).to_bytes(), expected, "{a:?} * {k}");
            }
        }
    }

    #[test]
    fn bytes_at_or_above_p_are_not_elements() {
        let p = Fe(P).to_bytes();
        assert!(Fe::from_bytes(&p).is_none());
        assert!(Fe::from_bytes(&[0xff; 32]).is_none());
        let mut below = p;
        below[31] -= 1;
        assert_eq!(Fe::from_bytes(&below).map(|f| f.to_bytes()), Some(below));
        assert_eq!(
            FieldElement::from_repr(below.into()).is_some().unwrap_u8(),
            1
        );
    }
}
