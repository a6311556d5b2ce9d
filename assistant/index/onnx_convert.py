"""Convert a sentence-transformers folder for ONNX Runtime with int8 weights, check it, stamp it.

torch's ONNX exporter writes the model from the token embeddings on (transformer, pooling, dense
layers, normalization; the token table is read from the verified safetensors at run time), and
onnxruntime's own quantizer turns the attention and MLP input projections into int8 (dynamic,
per channel). The result is kept only if its vectors for probe sentences match the original's.

Why not every layer through the quantizer: the MLP's output projection (down_proj) reads activations
with outliers that one int8 scale per tensor cannot hold (cosine to fp32 0.97 with it, 0.994 without,
on EmbeddingGemma); onnx_graph.py then puts it in int8 with one scale per token, which keeps 0.993.
The dense heads after pooling cost nothing. reduce_range keeps the u8*s8 products of AVX2 CPUs without
VNNI from saturating (0.94 -> 0.97 with every layer in int8).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import shutil
import struct
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from assistant.core.errors import Code, ModelMissingError
from assistant.index.embedding import folder_fingerprint, force_offline
from assistant.index.onnx_embedding import BACKEND, CONVERSION, STAMP, OnnxEmbedder, gather, is_ready, token_table

MIN_COSINE = 0.98  # a conversion whose probe vectors stray further from the original is refused
# the projections quantized: Gemma/Llama names, and BERT's (its MLP output, layer.N.output.dense, stays float)
_QUANTIZE = re.compile(r"\.layers\.\d+\.(self_attn\.[qkvo]_proj|mlp\.(gate|up)_proj)$"
                       r"|\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense)$")
PROBES = (  # our own sentences, the kinds the assistant reads and is asked
    "2025年全市地区生产总值预期增长5.5%左右，一般公共预算收入增长3%。",
    "汛前要对全市126座水库、48座水闸开展安全检查，隐患在5月底前整改到位。",
    "核心数据应当部署在本单位机房或者政务云，不得存储在境外。",
    "本办法由市数据管理局负责解释，自发布之日起施行。",
    "2024年全市新增城镇就业多少人？",
    "数据安全管理办法由哪个部门负责解释？",
    "Digital economy value added reached 52.3 billion yuan.",
    "第三条　各县（市、区）人民政府对本行政区域内的防汛工作负总责。",
)


def convert(source: Path, out: Path, progress: Callable[[str], None] = print) -> Path:
    """Export, quantize and check the model in `source` into `out`; an existing good conversion is kept."""
    if is_ready(out, source):
        return out
    force_offline()
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer

    work = out.with_name(out.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    progress(f"{source.name}: converting for ONNX Runtime (int8), once; a few minutes")
    st = SentenceTransformer(str(source), device="cpu", local_files_only=True).eval()
    table = _find_table(source, st)
    enc = st.tokenizer(["一", "两个字"], padding=True, return_tensors="pt")
    embeds = torch.from_numpy(gather(token_table(source, table), enc["input_ids"].numpy(), table["scale"]))
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("seq")
    with _quiet(), torch.no_grad():
        torch.onnx.export(_body(st), (embeds, enc["attention_mask"]), str(work / "float.onnx"),
                          input_names=["inputs_embeds", "attention_mask"], output_names=["sentence_embedding"],
                          dynamic_shapes={"inputs_embeds": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq}},
                          dynamo=True, external_data=True, verbose=False)
        progress(f"{source.name}: exported in {time.perf_counter() - t0:.0f} s; quantizing")
        quantize_dynamic(str(work / "float.onnx"), str(work / "model.onnx"), weight_type=QuantType.QInt8,
                         per_channel=True, reduce_range=True, op_types_to_quantize=["MatMul"],
                         nodes_to_exclude=_float_nodes(work / "float.onnx"),
                         extra_options={"MatMulConstBOnly": True}, use_external_data_format=True)
    for f in work.glob("float.onnx*"):
        f.unlink()
    rewrites = _rewrite(work / "model.onnx")
    (work / STAMP).write_text(json.dumps({"backend": BACKEND, "table": table}), "utf-8")  # for the check below
    expected = _encode_torch(st, PROBES)
    del st
    got = OnnxEmbedder(source, work, convert_missing=False)._encode(PROBES, "document", check=False)
    cosines = (expected * got).sum(axis=1)
    if not float(cosines.min()) >= MIN_COSINE:
        shutil.rmtree(work, ignore_errors=True)
        raise ModelMissingError(Code.EMBEDDER_CONVERSION, path=source, cosine=float(cosines.min()))
    from assistant.core.models import sha256_file

    files = {p.name: [p.stat().st_size, sha256_file(p)] for p in sorted(work.iterdir()) if p.name != STAMP}
    (work / STAMP).write_text(json.dumps({
        "backend": BACKEND, "source": str(source), "source_fingerprint": folder_fingerprint(source), "table": table,
        "files": files, "probe_cosine_min": round(float(cosines.min()), 5),
        "probe_cosine_mean": round(float(cosines.mean()), 5), "torch": torch.__version__,
        "onnxruntime": _ort_version(), "seconds": round(time.perf_counter() - t0, 1),
        "conversion": CONVERSION, "rewrites": rewrites,
    }, indent=1), "utf-8")
    shutil.rmtree(out, ignore_errors=True)
    os.replace(work, out)
    progress(f"{source.name}: converted and checked (probe cosine ≥ {float(cosines.min()):.4f}) in "
             f"{time.perf_counter() - t0:.0f} s → {out}")
    return out


def _rewrite(path: Path) -> dict[str, int]:
    """The quantized graph with down_proj in per-token int8 and RMSNorm fused (onnx_graph.py), in place."""
    import onnx

    from assistant.index import onnx_graph

    model = onnx.load(str(path), load_external_data=True)
    done = {"per_token_int8": onnx_graph.per_token_int8(model), "rms_norm": onnx_graph.fuse_rms_norm(model)}
    data = path.with_name(path.name + ".data")
    for f in (path, data):
        f.unlink(missing_ok=True)  # onnx appends external data to an existing file
    onnx.save(model, str(path), save_as_external_data=True, location=data.name)
    return done


def _body(st):
    """The model from token embeddings to the normalized sentence vector, as `st.encode` computes it."""
    import torch

    class Body(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = st[0].auto_model
            self.heads = torch.nn.ModuleList(list(st.children())[1:])  # pooling, dense layers, normalize

        def forward(self, inputs_embeds, attention_mask):
            hidden = self.transformer(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
            features = {"token_embeddings": hidden, "attention_mask": attention_mask}
            for module in self.heads:
                features = module(features)
            return features["sentence_embedding"]

    return Body().eval()


def _find_table(source: Path, st) -> dict:
    """Where the token table is in the folder's safetensors, and the scale the model multiplies it by."""
    import torch

    layer = st[0].auto_model.get_input_embeddings()
    weight = layer.weight.detach()
    ids = torch.tensor([[0, 1, 2, 3, 7, min(1000, weight.shape[0] - 1)]])
    with torch.no_grad():
        got, base = layer(ids).float(), weight[ids].float()
    scale = float((got * base).sum() / (base * base).sum())
    if not torch.allclose(got, base * scale, rtol=1e-4, atol=1e-6):
        raise ModelMissingError(Code.EMBEDDER_CONVERSION, path=source, cosine=0.0)
    for f in sorted(source.glob("*.safetensors")):
        with open(f, "rb") as fh:
            header = json.loads(fh.read(struct.unpack("<Q", fh.read(8))[0]))
        for key, meta in header.items():
            if key != "__metadata__" and meta.get("shape") == list(weight.shape):
                where = {"file": f.name, "key": key, "scale": scale}
                if np.allclose(gather(token_table(source, where), ids.numpy(), 1.0), base.numpy(), atol=1e-3):
                    return where
    raise ModelMissingError(Code.EMBEDDER_CONVERSION, path=source, cosine=0.0)


def _float_nodes(path: Path) -> list[str]:
    """MatMul nodes left in float: all but the layers' attention and MLP input projections."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    keep = []
    for node in model.graph.node:
        if node.op_type != "MatMul":
            continue
        scopes = next((p.value for p in node.metadata_props if p.key == "pkg.torch.onnx.name_scopes"), "")
        if not any(_QUANTIZE.search(s.strip(" '")) for s in scopes.strip("[]").split(",")):
            keep.append(node.name)
    return keep


def _encode_torch(st, texts: Sequence[str]) -> np.ndarray:
    prompt = "document" if "document" in (getattr(st, "prompts", None) or {}) else None
    return np.asarray(st.encode(list(texts), prompt_name=prompt, normalize_embeddings=True,
                                convert_to_numpy=True, show_progress_bar=False), dtype="float32")


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The exporter prints its steps and both libraries warn about things that do not apply here."""
    logging.disable(logging.WARNING)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(logging.NOTSET)


def _ort_version() -> str:
    import onnxruntime

    return onnxruntime.__version__
