//! §1 Numbers (CertifiedMath) with pin P1.1 for error reasons and check order.
//!
//! Operands are `I256` so that a value outside the range (a negative amount, `2^127`) can be
//! handed in and refused instead of wrapping; results are range-checked `i128`. `a * b` of two
//! operands below `2^127` is below `2^254`, so the product inside `mul_div` is exact in `I256`.

use ethnum::I256;
use std::fmt;
use std::sync::OnceLock;

/// Deliberate bugs, switched on only by the tests that show a broken port is caught
/// (test/conformance/broken-port.test.ts, properties/differential.test.ts); unset or empty in
/// every real run, and any other value is refused (a misspelt mutant cannot pass for a working port):
/// - `QFS_CONFORMANCE_MUTANT=floor_div_truncates`: `floor_div` truncates toward zero instead of
///   refusing a negative operand (and skips the range checks, as a naive `a / c` would);
/// - `QFS_CONFORMANCE_MUTANT=mul_div_rounds_up`: `mul_div` rounds up instead of down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mutant {
    None,
    FloorDivTruncates,
    MulDivRoundsUp,
}

fn mutant() -> Mutant {
    static MUTANT: OnceLock<Mutant> = OnceLock::new();
    *MUTANT.get_or_init(|| match std::env::var("QFS_CONFORMANCE_MUTANT") {
        Err(_) => Mutant::None,
        Ok(v) if v.is_empty() => Mutant::None,
        Ok(v) if v == "floor_div_truncates" => Mutant::FloorDivTruncates,
        Ok(v) if v == "mul_div_rounds_up" => Mutant::MulDivRoundsUp,
        Ok(v) => panic!(
            "QFS_CONFORMANCE_MUTANT={v:?} is not one of floor_div_truncates, mul_div_rounds_up"
        ),
    })
}

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
    if mutant() == Mutant::MulDivRoundsUp {
        return check_unsigned((a * b + c - 1) / c);
    }
    check_unsigned(a * b / c)
}

/// `floor(a / c)` for `a >= 0, c > 0` (so truncation and floor agree).
pub fn floor_div(a: impl Into<I256>, c: impl Into<I256>) -> Result<i128, MathViolation> {
    let (a, c) = (a.into(), c.into());
    if mutant() == Mutant::FloorDivTruncates {
        if c == 0 {
            return fail(Reason::ZeroDivisor);
        }
        return Ok((a / c).as_i128()); // I256 division truncates toward zero
    }
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
