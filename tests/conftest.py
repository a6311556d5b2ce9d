from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.core.config import Settings

from .fakes import HashEmbedder
from .hostile import INJECTIONS

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SAMPLES = ROOT / "examples" / "sample_docs"
MODELS = ROOT / "models"

# Our own fixture documents (not the shared corpus): a notice and a report.
NOTICE = (
    "关于开展2025年度安全生产大检查的通知\n"
    "各街道、各有关单位：\n"
    "一、检查时间\n"
    "检查自2025年6月1日开始，至6月30日结束，共计30天。\n"
    "二、检查范围\n"
    "（一）重点行业\n"
    "重点检查危险化学品、建筑施工、燃气三个行业。全区共有危险化学品企业27家。\n"
    "（二）人员密集场所\n"
    "包括商场、学校、医院等场所，抽查比例不低于20%。\n"
    "三、工作要求\n"
    "各单位要在7月5日前报送检查总结，联系人为安监科王明。\n"
)
REPORT = (
    "# 区政府2024年工作总结\n\n"
    "## 经济运行\n\n"
    "全年实现地区生产总值812亿元，增长6.1%。固定资产投资增长9.3%，社会消费品零售总额达到256亿元。\n\n"
    "## 民生保障\n\n"
    "新增就业岗位1.2万个，改造老旧小区36个，新建口袋公园15座。\n"
)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Default models/ and index/ point into tmp_path; tests never touch the checkout's."""
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()


@pytest.fixture
def docs_dir(tmp_path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "安全检查通知.txt").write_text(NOTICE, "utf-8")
    (d / "工作总结.md").write_text(REPORT, "utf-8")
    return d


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(models_dir=tmp_path / "models", index_dir=tmp_path / "index", chunk_size=80,
                    chunk_overlap=20)


def real_models_required() -> bool:
    return os.environ.get("ASSISTANT_REQUIRE_MODELS") == "1"


def need(path: Path, what: str) -> Path:
    """Skip a real-model test when the model is absent, unless CI says it must be there."""
    if not path.exists():
        msg = f"{what} not installed at {path}: run `assistant models install`"
        if real_models_required():
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory):
    """The shared corpus, plus one document of planted instructions (tests/hostile.py), on the real parts."""
    from assistant.answer.pipeline import Assistant, make_embedder
    from assistant.core import models
    from assistant.index.store import Index

    need(MODELS / models.SPECS[models.DEFAULT_EMBEDDING].target, "EmbeddingGemma")
    need(MODELS / models.SPECS[models.DEFAULT_CHAT].target, "Qwen2.5-Coder-1.5B GGUF")
    base = tmp_path_factory.mktemp("real")
    planted = base / "planted"
    planted.mkdir()
    (planted / "数据工作通知.txt").write_text("关于加强数据工作的通知\n" + "\n".join(INJECTIONS) + "\n", "utf-8")
    s = Settings(models_dir=MODELS, index_dir=base / "index")
    emb = make_embedder(s)  # what a user's new index runs: the int8 ONNX Runtime embedder
    report = Index(s.index_dir).update([str(CORPUS), str(planted)], emb, chunk_size=s.chunk_size,
                                       chunk_overlap=s.chunk_overlap)
    assert len(report.added) == 6 and len(report.suspect) == 1
    assistant = Assistant(s, embedder=emb)
    assistant.prepare_sentences()  # as `assistant index` does: no question computes them, a copied index has them
    return assistant
