"""What each CLI command does, over the library API; cli.py only parses and reports errors."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from assistant.answer.library import Library
from assistant.answer.pipeline import Assistant, Done, Progress, check_question
from assistant.answer.present import answer_text, hit_line
from assistant.cli.doctor import cmd_doctor  # noqa: F401 - the CLI finds each command here
from assistant.core import models
from assistant.core.config import Settings
from assistant.core.errors import Code, InputError
from assistant.core.messages import progress_words, unseen_words
from assistant.core.records import Unseen
from assistant.index import audit
from assistant.index.onnx_convert import convert
from assistant.index.onnx_embedding import BACKEND, converted_dir
from assistant.index.records import IndexProgress
from assistant.text.official import parse_filters


def _dump(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=1))


def cmd_index(args: argparse.Namespace, s: Settings) -> int:
    from tqdm import tqdm  # progress bar with rate and ETA

    library = Library(Assistant(s), notify=lambda message: print(message, file=sys.stderr))
    bar = scan_bar = None
    scanning = ""

    started = time.perf_counter()

    def progress(p: IndexProgress) -> None:  # files read, with the embedder's pace beside them
        nonlocal bar
        if bar is None:
            bar = tqdm(total=p.files_total, unit="file", desc="indexing", file=sys.stderr, disable=args.json,
                       dynamic_ncols=True)
        bar.n = p.files_done
        rate = p.chunks_done / max(time.perf_counter() - started, 1e-9)
        bar.set_postfix_str(f"{p.chunks_done} chunks embedded, {rate:.1f} chunks/s", refresh=False)
        bar.refresh()

    def pages(source: str, page: int, total: int) -> None:  # a scan's pages as OCR reads them
        nonlocal scan_bar, scanning
        if scan_bar is None:
            scan_bar = tqdm(unit="page", file=sys.stderr, disable=args.json)
        if source != scanning:
            scanning = source
            scan_bar.reset(total=total)
            scan_bar.set_description(f"OCR {Path(source).name}")
        scan_bar.n = page
        scan_bar.refresh()

    def sentences(done: int, total: int) -> None:  # the second retrieval stage's vectors of the new passages
        nonlocal sentence_bar
        if sentence_bar is None:
            sentence_bar = tqdm(total=total, unit="passage", desc="sentence vectors", file=sys.stderr,
                                disable=args.json, dynamic_ncols=True)
        sentence_bar.n = done
        sentence_bar.refresh()

    sentence_bar = None
    library.sentences = sentences
    try:
        report = library.index_paths(args.paths, rebuild=args.rebuild, progress=progress, user=audit.os_user(),
                                     pages=pages)
    finally:
        for b in (scan_bar, bar, sentence_bar):
            if b is not None:
                b.close()
    if args.json:
        _dump({**{k: v for k, v in report.__dict__.items() if k != "skipped"},
               "skipped": [{"source": x.source, "reason": x.reason} for x in report.skipped],
               "index": str(s.index_dir)})
    else:
        print(f"index {s.index_dir}: {len(report.added)} added, {len(report.updated)} updated, "
              f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
              f"{report.chunks_embedded} chunks embedded"
              + (f" ({report.chunks_resumed} resumed)" if report.chunks_resumed else "")
              + (f", sentences of {report.sentences_prepared} prepared" if report.sentences_prepared else "")
              + f" in {report.seconds:.1f} s")
        for x in report.skipped:
            print(f"skipped {x.source}: {x.reason}")
        for source, lines in report.suspect.items():
            print(f"instructions hidden from the model in {source}: " + " | ".join(lines))
        for source, counts in report.unseen.items():
            print(f"{source}: {unseen_words((Unseen(k), n) for k, n in counts.items())}")
        for source, n in report.ocr_pages.items():
            low = report.low_confidence.get(source)
            print(f"read by OCR {source}: {n} page(s)" + (f"; low confidence, check by eye: page(s) "
                                                            f"{', '.join(map(str, low))}" if low else ""))
    if not (report.added or report.updated or report.unchanged) and (report.skipped or not library.store.index.exists()):
        raise InputError(Code.NOTHING_READABLE, paths=" ".join(args.paths))
    return 0


def cmd_copy_index(args: argparse.Namespace, s: Settings) -> int:
    report = Library(Assistant(s)).copy_index(Path(args.source).expanduser(), user=audit.os_user())
    print(f"index {s.index_dir} ({s.store}): {len(report.added)} documents and {report.chunks_resumed} chunks copied "
          f"from {args.source} in {report.seconds:.1f} s; nothing embedded again")
    return 0


def cmd_remove(args: argparse.Namespace, s: Settings) -> int:
    report = Library(Assistant(s)).remove(args.sources, user=audit.os_user())
    if not report.removed:
        raise InputError(Code.NOT_IN_INDEX, sources=" ".join(args.sources), folder=s.index_dir)
    print(f"removed {len(report.removed)}: " + ", ".join(report.removed))
    return 0


def _marks_line(marks: dict[str, str]) -> str:
    return " · ".join(marks[k] for k in ("发文机关", "发文字号", "成文日期", "密级") if marks.get(k))


def cmd_search(args: argparse.Namespace, s: Settings) -> int:
    filters = parse_filters(args.filter)
    assistant = Assistant(s)
    hits = assistant.search(args.question, args.top_k, filters=filters)
    if args.json:
        _dump({"question": args.question, "filters": filters,
               "hits": [{**h.to_dict(), "marks": assistant.marks_of(h.chunk.source)} for h in hits]})
    else:
        for i, h in enumerate(hits, 1):
            marks = _marks_line(assistant.marks_of(h.chunk.source))
            print(hit_line(i, h, limit=160) + f"  (score {h.score:.4f})" + (f"\n    公文：{marks}" if marks else ""))
    return 0


def _ask_showing_progress(assistant: Assistant, question: str, filters: dict[str, str] | None):
    """The answer, with a long answer's progress (a summary's parts) on stderr; Ctrl-C stops it."""
    for event in assistant.stream(question, filters=filters):
        if isinstance(event, Progress):
            print(f"{progress_words(event.kind, event.done, event.total)}（Ctrl-C 停止）", file=sys.stderr, flush=True)
        elif isinstance(event, Done):
            return event.answer
    raise AssertionError("stream ended without an answer")  # pragma: no cover


def cmd_ask(args: argparse.Namespace, s: Settings) -> int:
    filters = parse_filters(args.filter)
    assistant = Assistant(s)
    check_question(args.question)  # a bad question fails before anything loads
    assistant.warm_up()
    a = _ask_showing_progress(assistant, args.question, filters)
    if args.json:
        _dump({**a.to_dict(), "filters": filters,
               "marks": {c.source: assistant.marks_of(c.source) for c in a.citations}})
    else:
        print(answer_text(a))
        for source in dict.fromkeys(c.source for c in a.citations):
            marks = _marks_line(assistant.marks_of(source))
            if marks:
                print(f"公文：{Path(source).name} · {marks}")
    return 0


def cmd_eval(args: argparse.Namespace, s: Settings) -> int:
    from assistant.batch.evaluation import format_summary, load_gold, run_eval

    items = load_gold(args.file)
    assistant = Assistant(s)
    # beside the index it scored, never in whatever folder the command was run from
    report_path = Path(args.report or s.index_dir / "reports" / (Path(args.file).name.removesuffix(".jsonl")
                                                               + ".report.jsonl"))
    report_path.parent.mkdir(parents=True, exist_ok=True)
    with open(report_path, "w", encoding="utf-8") as out:
        def on_row(item, row, answer):
            rec = {"id": item.id, "question": item.question, "kind": item.kind, "gold": item.answer_groups,
                   "gold_sources": item.sources, **row.__dict__}
            if answer is not None:
                rec["answer_detail"] = answer.to_dict()
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            out.flush()
            mark = "ok " if row.correct else "BAD"
            print(f"{mark} {item.id} {row.status:9s} {row.total_ms / 1000:5.1f}s {item.question[:30]} -> "
                  f"{row.answer[:50]!r}", file=sys.stderr)

        _, summary = run_eval(items, assistant.ask, k=s.top_k, on_row=on_row)
    if args.json:
        _dump(summary.to_dict())
    else:
        print(format_summary(summary, s.top_k))
        print(f"per-question report: {report_path}")
    return 0


def cmd_models(args: argparse.Namespace, s: Settings) -> int:
    mdir = Path(args.models_dir).expanduser() if args.models_dir else s.models_dir
    if args.action == "install":
        names = args.names or [n for n, sp in models.SPECS.items() if sp.default]
        unknown = [n for n in names if n not in models.SPECS]
        if unknown:
            raise InputError(Code.UNKNOWN_MODEL, name=unknown[0], names=", ".join(models.SPECS))
        for n in names:
            models.install(models.SPECS[n], mdir, progress=lambda m: print(m, file=sys.stderr))
        if models.DEFAULT_EMBEDDING in names and s.embed_backend in ("auto", BACKEND):
            folder = mdir / models.SPECS[models.DEFAULT_EMBEDDING].target  # its int8 conversion, made here once
            convert(folder, converted_dir(mdir, folder), progress=lambda m: print(m, file=sys.stderr))
        return 0
    bad = 0
    for st in models.status(mdir, full=args.full):
        state = "ok (sha256 verified)" if st.ok else "; ".join(st.problems)
        bad += not st.ok and st.spec.default
        print(f"{st.spec.name:22s} {st.spec.kind:9s} {'default' if st.spec.default else 'optional':8s} "
              f"{state}\n{'':22s} {st.path}")
    others = [p for p in models.local_ggufs(mdir) if p.name not in {sp.target for sp in models.SPECS.values()}]
    for p in others:
        print(f"{p.name:22s} chat      own      (not verified: your own file)")
    return 1 if bad else 0


def cmd_serve(args: argparse.Namespace, s: Settings) -> int:
    from assistant.web.page import serve

    def ready(url: str) -> None:
        print(f"chat page: {url}  (index {s.index_dir}; Ctrl-C stops)", flush=True)

    serve(s, host=args.host, port=args.port, auth_file=args.auth_file, on_ready=ready)
    return 0


def cmd_batch(args: argparse.Namespace, s: Settings) -> int:
    from tqdm import tqdm  # progress bar with rate and ETA

    from assistant.batch import jobs as batch

    plan = batch.plan(args.questions, args.output, args.column)  # bad file or column: fails here, before any work
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, initial=done, unit="题", desc="answering", file=sys.stderr, dynamic_ncols=True)
        bar.n = done
        bar.refresh()

    try:
        report = batch.run(plan, Assistant(s), restart=args.restart, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    print(batch_summary(report))
    return 0


def batch_summary(r) -> str:
    lines = [f"{r.total} rows -> {r.output}" + (f" ({r.resumed} done by an earlier run)" if r.resumed else ""),
             f"answered {r.count('answered')}, quoted {r.count('quoted')}, not_found {r.count('not_found')}, error {r.count('error')}",
             f"latency p50 {r.latency(50) / 1000:.1f} s, p90 {r.latency(90) / 1000:.1f} s; "
             f"{r.per_minute:.1f} questions per minute ({r.asked} asked in {r.seconds:.0f} s)"]
    if r.summary:
        sm = r.summary
        lines.append(f"answer accuracy {sm.answer_accuracy:.3f} ({sm.answerable} with an expected answer, "
                     f"false refusals {sm.false_refusals}, quoted {sm.quoted}, wrong shown {sm.wrong_shown})")
        if sm.unanswerable:
            lines.append(f"refusal accuracy {sm.refusal_accuracy:.3f} ({sm.unanswerable} without an answer)")
    if r.citation_precision is not None:
        lines.append(f"citation precision {r.citation_precision:.3f}")
    return "\n".join(lines)


def cmd_users(args: argparse.Namespace, s: Settings) -> int:
    from assistant.web import logins

    if args.action == "list":
        for login in logins.read_logins(args.file).values():
            print(f"{login.name}\t{login.role}")
        return 0
    if args.action == "convert":
        n = logins.convert(args.file)
        print(f"{args.file}: {n} plain-text password(s) replaced by salted scrypt hashes"
              + ("; converted logins without a role are admin" if n else ""))
        return 0
    import getpass

    password = os.environ.get("ASSISTANT_NEW_PASSWORD") or getpass.getpass(f"password for {args.name}: ")
    if "ASSISTANT_NEW_PASSWORD" not in os.environ and getpass.getpass("again: ") != password:
        raise InputError(Code.PASSWORDS_DIFFER)
    new = logins.add_user(args.file, args.name, password, logins.Role(args.role))
    print(f"{'added' if new else 'updated'} {args.name} ({args.role}) in {args.file}")
    return 0
