//! §1 Numbers (CertifiedMath) with pin P1.1 for error reasons and check order.
//!
//! Operands are `I256` so that a value outside the range (a negative amount, `2^127`) can be
//! handed in and refused instead of wrapping; results are range-checked `i128`. `a * b` of two
//! operands below `2^127` is below `2^254`, so the product inside `mul_div` is exact in `I256`.

use ethnum::I256;
use std::fmt;

pub const SCALE: i128 = 1_000_000_000_000_000_000;

/// `2^127`: every named value lies in `[0, 2^127)` or `[-2^127, 2^127)`.
pub fn limit() -> I256 {
    I256::ONE << 127
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    NegativeOperand,
    ZeroDivisor,
    OutOfRange,
    EmptyMedian,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NegativeOperand => "negative_operand",
            Reason::ZeroDivisor => "zero_divisor",
            Reason::OutOfRange => "out_of_range",
            Reason::EmptyMedian => "empty_median",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MathViolation {
    pub reason: Reason,
}

impl MathViolation {
    pub const CODE: &'static str = "E_MATH";
}

impl fmt::Display for MathViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", Self::CODE, self.reason.as_str())
    }
}

impl std::error::Error for MathViolation {}

fn fail<T>(reason: Reason) -> Result<T, MathViolation> {
    Err(MathViolation { reason })
}

/// `0 <= x < 2^127`; a negative value is simply out of that range.
pub fn check_unsigned(x: impl Into<I256>) -> Result<i128, MathViolation> {
    let x = x.into();
    if x < 0 || x >= limit() {
        return fail(Reason::OutOfRange);
    }
    Ok(x.as_i128())
}

/// `-2^127 <= x < 2^127`.
pub fn check_signed(x: impl Into<I256>) -> Result<i128, MathViolation> {
    let x = x.into();
    if x < -limit() || x >= limit() {
        return fail(Reason::OutOfRange);
    }
    Ok(x.as_i128())
}

fn operand(x: I256) -> Result<(), MathViolation> {
    if x < 0 {
        return fail(Reason::NegativeOperand);
    }
    if x >= limit() {
        return fail(Reason::OutOfRange);
    }
    Ok(())
}

/// P1.1: sign first, then zero (checked before the divisor's range), then range.
fn divisor(c: I256) -> Result<(), MathViolation> {
    if c < 0 {
        return fail(Reason::NegativeOperand);
    }
    if c == 0 {
        return fail(Reason::ZeroDivisor);
    }
    if c >= limit() {
        return fail(Reason::OutOfRange);
    }
    Ok(())
}

/// `floor(a * b / c)` for `a, b >= 0, c > 0`, checked in the order a, b, c, then the result.
pub fn mul_div(
    a: impl Into<I256>,
    b: impl Into<I256>,
    c: impl Into<I256>,
) -> Result<i128, MathViolation> {
    let (a, b, c) = (a.into(), b.into(), c.into());
    operand(a)?;
    operand(b)?;
    divisor(c)?;
    check_unsigned(a * b / c)
}

/// `floor(a / c)` for `a >= 0, c > 0` (so truncation and floor agree).
pub fn floor_div(a: impl Into<I256>, c: impl Into<I256>) -> Result<i128, MathViolation> {
    let (a, c) = (a.into(), c.into());
    operand(a)?;
    divisor(c)?;
    check_unsigned(a / c)
}

/// Lower median: sorted ascending, index `floorDiv(n - 1, 2)`. Values may be signed.
pub fn median(xs: &[i128]) -> Result<i128, MathViolation> {
    if xs.is_empty() {
        return fail(Reason::EmptyMedian);
    }
    let mut sorted = xs.to_vec();
    sorted.sort_unstable();
    let index = floor_div(xs.len() as u64 - 1, 2u64)?;
    Ok(sorted[index as usize])
}
