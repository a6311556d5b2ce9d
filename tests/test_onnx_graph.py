"""The embedder graph's rewrites keep its arithmetic: RMSNorm fused exactly, down_proj in per-token int8
within int8's error, even when one token's activations are a thousand times the others'."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index import onnx_graph


def _graph():
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(3)
    w_norm = (1 + 0.1 * rng.standard_normal(16)).astype(np.float32)
    w_down = rng.standard_normal((16, 8)).astype(np.float32)
    consts = [numpy_helper.from_array(np.array(2.0, np.float32), "two"),
              numpy_helper.from_array(np.array([-1], np.int64), "last"),
              numpy_helper.from_array(np.array(1e-6, np.float32), "eps"),
              numpy_helper.from_array(w_norm, "w_norm"), numpy_helper.from_array(w_down, "w_down")]
    nodes = [helper.make_node("Pow", ["x", "two"], ["sq"]),
             helper.make_node("ReduceMean", ["sq", "last"], ["mean"]),
             helper.make_node("Add", ["mean", "eps"], ["var"]),
             helper.make_node("Sqrt", ["var"], ["std"]),
             helper.make_node("Reciprocal", ["std"], ["inv"]),
             helper.make_node("Mul", ["x", "inv"], ["normed"]),
             helper.make_node("Mul", ["normed", "w_norm"], ["h"]),
             helper.make_node("MatMul", ["h", "w_down"], ["y"], name="down")]
    scope = nodes[-1].metadata_props.add()
    scope.key, scope.value = "pkg.torch.onnx.name_scopes", "['', 'transformer.layers.0.mlp.down_proj', 'linear']"
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 5, 16])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5, 8])], consts)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])


def _run(model, x):
    import onnxruntime as ort

    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]


def test_rms_norm_is_fused_and_down_proj_runs_in_per_token_int8():
    pytest.importorskip("onnxruntime")
    x = np.random.default_rng(5).standard_normal((2, 5, 16)).astype(np.float32)
    x[1, 2] *= 1000  # one token a thousand times louder than the rest, as Gemma's are
    model = _graph()
    want = _run(model, x)
    assert onnx_graph.fuse_rms_norm(model) == 1
    assert [n.op_type for n in model.graph.node] == ["SimplifiedLayerNormalization", "MatMul"]
    np.testing.assert_allclose(_run(model, x), want, rtol=1e-5, atol=1e-5)
    assert onnx_graph.per_token_int8(model) == 1
    assert "MatMulInteger" in {n.op_type for n in model.graph.node} and "w_down" not in {
        i.name for i in model.graph.initializer}
    got = _run(model, x)
    cosine = (got * want).sum(-1) / np.linalg.norm(got, axis=-1) / np.linalg.norm(want, axis=-1)
    assert cosine.min() > 0.999  # every token, the loud one and the quiet ones
