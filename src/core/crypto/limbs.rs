//! 256-bit numbers as eight 32-bit limbs, least significant first: the carries, borrows,
//! constant-time selection and byte conversions that [`super::field`] (mod p) and [`super::scalar`]
//! (mod n) share. Nothing here branches on a value.

use k256::elliptic_curve::subtle::{Choice, ConditionallySelectable};

/// A 256-bit number.
pub type Limbs = [u32; 8];

/// `$body` for each limb index `$i` in 0..8, written out: constant indices keep the limbs in wasm
/// locals, where a loop at opt-level "z" keeps them in memory (about twice as slow).
macro_rules! each_limb {
    ($i:ident => $body:block) => {
        each_limb!(@ $i $body; 0 1 2 3 4 5 6 7)
    };
    (@ $i:ident $body:block; $($n:literal)*) => {
        $( { let $i: usize = $n; $body } )*
    };
}
pub(super) use each_limb;

/// `a + b` over 256 bits, and the carry out.
pub fn add(a: &Limbs, b: &Limbs) -> (Limbs, u32) {
    let mut out = [0u32; 8];
    let mut carry = 0u64;
    each_limb!(i => {
        let v = u64::from(a[i]) + u64::from(b[i]) + carry;
        out[i] = v as u32;
        carry = v >> 32;
    });
    (out, carry as u32)
}

/// `a − b` over 256 bits, and the borrow out (1 when `a < b`).
pub fn sub(a: &Limbs, b: &Limbs) -> (Limbs, u32) {
    let mut out = [0u32; 8];
    let mut borrow = 0u64;
    each_limb!(i => {
        let v = u64::from(a[i])
            .wrapping_sub(u64::from(b[i]))
            .wrapping_sub(borrow);
        out[i] = v as u32;
        borrow = v >> 63;
    });
    (out, borrow as u32)
}

/// `b` when `choice` is set, else `a`.
pub fn select(a: &Limbs, b: &Limbs, choice: Choice) -> Limbs {
    let mut out = [0u32; 8];
    each_limb!(i => {
        out[i] = u32::conditional_select(&a[i], &b[i], choice);
    });
    out
}

/// `value + carry · 2^256`, a number below `2 · modulus`, reduced below `modulus` by one
/// conditional subtraction.
pub fn reduce_once(value: &Limbs, carry: u32, modulus: &Limbs) -> Limbs {
    let (less, borrow) = sub(value, modulus);
    // ≥ modulus when the carry is set (the wrapped difference is then the value − modulus) or
    // nothing borrowed.
    select(value, &less, Choice::from((carry | (borrow ^ 1)) as u8 & 1))
}

/// Is `value < modulus`?
pub fn below(value: &Limbs, modulus: &Limbs) -> bool {
    sub(value, modulus).1 == 1
}

/// The number of 32 big-endian bytes.
pub fn from_be_bytes(bytes: &[u8; 32]) -> Limbs {
    let mut limbs = [0u32; 8];
    for (i, chunk) in bytes.rchunks_exact(4).enumerate() {
        limbs[i] = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    limbs
}

/// 32 big-endian bytes.
pub fn to_be_bytes(limbs: &Limbs) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, chunk) in out.rchunks_exact_mut(4).enumerate() {
        chunk.copy_from_slice(&limbs[i].to_be_bytes());
    }
    out
}

/// Test inputs: `count` pseudo-random 32-byte words from a xorshift64 generator seeded with `seed`.
#[cfg(test)]
pub fn test_words(seed: u64, count: usize) -> Vec<[u8; 32]> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            let mut word = [0u8; 32];
            for b in word.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = state as u8;
            }
            word
        })
        .collect()
}
