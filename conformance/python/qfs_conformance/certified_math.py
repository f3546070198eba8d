"""§1 Numbers (CertifiedMath) with pin P1.1 for error reasons and check order."""

import os

# Deliberate bugs, switched on only by the tests that show a broken port is caught
# (test/conformance/broken-port.test.ts, properties/differential.test.ts); unset or empty in every
# real run, and any other value is refused (a misspelt mutant cannot pass for a working port):
#   QFS_CONFORMANCE_MUTANT=floor_div_truncates  floor_div truncates toward zero instead of refusing
#       a negative operand (and skips the range checks, as a naive `int(a / c)` would);
#   QFS_CONFORMANCE_MUTANT=mul_div_rounds_up    mul_div rounds up instead of down.
MUTANTS = ("floor_div_truncates", "mul_div_rounds_up")
MUTANT = os.environ.get("QFS_CONFORMANCE_MUTANT", "")
if MUTANT not in ("",) + MUTANTS:
    raise RuntimeError(f"QFS_CONFORMANCE_MUTANT={MUTANT!r} is not one of {', '.join(MUTANTS)}")

SCALE = 10**18
LIMIT = 1 << 127  # every named value lies in [0, 2^127) or [-2^127, 2^127)


class MathViolation(Exception):
    code = "E_MATH"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_unsigned(x: int) -> int:
    # A negative value is simply outside [0, 2^127): the vectors call that out_of_range.
    if not 0 <= x < LIMIT:
        raise MathViolation("out_of_range")
    return x


def check_signed(x: int) -> int:
    if not -LIMIT <= x < LIMIT:
        raise MathViolation("out_of_range")
    return x


def _operand(x: int) -> None:
    if x < 0:
        raise MathViolation("negative_operand")
    if x >= LIMIT:
        raise MathViolation("out_of_range")


def _divisor(c: int) -> None:
    # P1.1: sign first, then zero, then range (zero is checked before the divisor's range).
    if c < 0:
        raise MathViolation("negative_operand")
    if c == 0:
        raise MathViolation("zero_divisor")
    if c >= LIMIT:
        raise MathViolation("out_of_range")


def mul_div(a: int, b: int, c: int) -> int:
    """floor(a*b / c); the product is exact (Python ints are unbounded), the result is range-checked."""
    _operand(a)
    _operand(b)
    _divisor(c)
    if MUTANT == "mul_div_rounds_up":
        return check_unsigned(-(-(a * b) // c))
    return check_unsigned(a * b // c)


def floor_div(a: int, c: int) -> int:
    if MUTANT == "floor_div_truncates":
        if c == 0:
            raise MathViolation("zero_divisor")
        q = abs(a) // abs(c)
        return -q if (a < 0) != (c < 0) else q
    _operand(a)
    _divisor(c)
    return check_unsigned(a // c)


def median(xs: list[int]) -> int:
    """Lower median: sorted ascending, index floorDiv(n - 1, 2). Values may be signed."""
    if not xs:
        raise MathViolation("empty_median")
    return sorted(xs)[floor_div(len(xs) - 1, 2)]
