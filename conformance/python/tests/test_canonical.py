import pytest

from qfs_conformance import canonical
from vectors import load

VEC = load("canonical.json")


@pytest.mark.parametrize("case", VEC["encode"], ids=[c["name"] for c in VEC["encode"]])
def test_encode_vector(case):
    assert canonical.encode(case["input"]) == case["canonical"]
    # What the encoder writes, the reader accepts unchanged.
    assert canonical.parse(case["canonical"].encode("utf-8")) == case["input"]


@pytest.mark.parametrize("case", VEC["parse"], ids=[c["name"] for c in VEC["parse"]])
def test_parse_vector(case):
    assert canonical.is_canonical(case["text"].encode("utf-8")) is case["canonical"]


# Beyond the vectors: P2.2 / P2.3 corners that the vectors do not exercise.
@pytest.mark.parametrize("data", [
    b'\xef\xbb\xbf{"a":"1"}',  # BOM
    b'{"a":"\xff"}',  # invalid UTF-8
    b'{"a":"\\ud800"}',  # lone surrogate
    b'{"a":"\x01"}',  # raw control character
    b'{"a":NaN}',
])
def test_refused(data):
    assert not canonical.is_canonical(data)


def test_integers_are_strings():
    assert canonical.encode({"n": -12, "m": 0, "big": 2**200}) == '{"big":"%d","m":"0","n":"-12"}' % 2**200
    with pytest.raises(canonical.CanonicalError):
        canonical.encode({"f": 1.5})
    with pytest.raises(canonical.CanonicalError):
        canonical.encode({"A": "1"})
