import pytest

from qfs_conformance import certified_math as cm
from qfs_conformance import psi_field
from vectors import as_json, chain_of, load, patched_state

VEC = load("psi.json")


@pytest.mark.parametrize("case", VEC["cases"], ids=[c["name"] for c in VEC["cases"]])
def test_psi_vector(case):
    chain = chain_of(VEC, case["genesis"])
    topo = chain.topology
    st = patched_state(chain, case["state_patch"])
    if "error" in case:
        with pytest.raises(cm.MathViolation) as err:
            psi_field.opening_field(topo, st["nodes"])
        assert {"code": err.value.code, "reason": err.value.reason} == case["error"]
        return
    f = psi_field.opening_field(topo, st["nodes"])
    ids = topo.node_ids
    assert as_json([{"node": ids[i], "value": v} for i, v in enumerate(f.psi)]) == case["psi"]
    assert str(f.sum_psi) == case["sum_psi"]
    assert str(f.c) == case["c"]
    assert as_json([{"shard": s, "value": f.c_shards[k]} for k, s in enumerate(topo.shard_ids)]) == case["c_shards"]
    assert as_json([{"a": ids[a], "b": ids[b], "value": f.gradients[e]} for e, (a, b) in enumerate(topo.edges)]) == case["gradients"]
    flux = []
    for e, (a, b) in enumerate(topo.edges):
        ends = psi_field.direction(topo, e, f.gradients[e])
        frm, to = (None, None) if ends is None else (ids[ends[0]], ids[ends[1]])
        flux.append({"a": ids[a], "b": ids[b], "demand": f.demand[e], "from": frm, "to": to})
    assert as_json(flux) == case["flux"]
    grads = list(f.gradients)
    for r in case.get("reported", []):
        grads[topo.edges.index((topo.node_index[int(r["a"])], topo.node_index[int(r["b"])]))] = int(r["value"])
    tris = [{"a": ids[t[0]], "b": ids[t[1]], "c": ids[t[2]], "curl": psi_field.curl(grads, t)}
            for t in psi_field.triangles(topo)]
    assert as_json(tris) == case["triangles"]
