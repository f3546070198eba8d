import pytest

from qfs_conformance import genesis, signatures
from vectors import apply_patch, load

VEC = load("genesis.json")
DEFAULT = VEC["default"]["genesis"]


def test_default_hash():
    assert genesis.genesis_hash(DEFAULT) == VEC["default"]["hash"]


@pytest.mark.parametrize("case", VEC["cases"], ids=[c["name"] for c in VEC["cases"]])
def test_genesis_vector(case):
    doc = apply_patch(DEFAULT, case["patch"])
    if "error" in case:
        with pytest.raises(genesis.GenesisError) as err:
            genesis.validate(doc)
        assert {"code": err.value.code, "field": err.value.field} == case["error"]
    else:
        assert genesis.genesis_hash(doc) == case["hash"]


@pytest.mark.parametrize("case", VEC["certification"], ids=[c["name"] for c in VEC["certification"]])
def test_certification_vector(case):
    signers, certified = genesis.certification(DEFAULT, case["signatures"])
    assert signers == case["signers"]
    assert certified is case["certified"]


def test_default_genesis_uses_development_keys():
    # P4: the default genesis derives every key from the published seeds.
    for shard in DEFAULT["shards"]:
        assert signatures.dev_keypair(f"shard-{shard['id']}")[0].hex() == shard["key"]
    for founder in DEFAULT["founders"]:
        assert signatures.dev_keypair(f"founder-{founder['id']}")[0].hex() == founder["key"]
    assert signatures.dev_keypair("oracle")[0].hex() == DEFAULT["oracle_key"]
