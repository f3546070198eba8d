import pytest

from qfs_conformance import certified_math as cm
from vectors import load

CASES = load("math.json")["cases"]
OPS = {
    "mulDiv": cm.mul_div,
    "floorDiv": cm.floor_div,
    "median": lambda *xs: cm.median(list(xs)),
    "checkUnsigned": cm.check_unsigned,
    "checkSigned": cm.check_signed,
}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['op']}({','.join(c['args'])})" for c in CASES])
def test_math_vector(case):
    args = [int(a) for a in case["args"]]
    if "error" in case:
        with pytest.raises(cm.MathViolation) as err:
            OPS[case["op"]](*args)
        assert (err.value.code, err.value.reason) == (case["error"]["code"], case["error"]["reason"])
    else:
        assert str(OPS[case["op"]](*args)) == case["result"]
