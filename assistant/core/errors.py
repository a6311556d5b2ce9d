"""Domain errors with stable codes. The library raises them; the edges word them (core/messages.py).

    raise InputError(Code.QUESTION_TOO_LONG, n=2400, limit=2000)

`str(error)` is the English line; `error.words("zh")` the Chinese one. Nothing matches on text.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    # settings and configuration
    SETTING_RANGE = "setting_range"
    SETTING_OVERLAP = "setting_overlap"
    SETTING_FUSION = "setting_fusion"
    SETTING_BACKEND = "setting_backend"
    SETTING_CITE = "setting_cite"
    SETTING_ASIDES = "setting_asides"
    CONFIG_NOT_FOUND = "config_not_found"
    CONFIG_NOT_TOML = "config_not_toml"
    CONFIG_UNKNOWN = "config_unknown"
    CONFIG_RENAMED = "config_renamed"
    # model files
    MODEL_MISSING = "model_missing"
    MODEL_DOWNLOAD = "model_download"
    MODEL_AFTER_INSTALL = "model_after_install"
    MODEL_UNSAFE_ARCHIVE = "model_unsafe_archive"
    MODEL_INCOMPLETE = "model_incomplete"
    MODEL_HASH = "model_hash"
    EMBEDDER_MISSING = "embedder_missing"
    EMBEDDER_CONVERSION = "embedder_conversion"
    CHAT_MODEL_MISSING = "chat_model_missing"
    CHAT_MODEL_NOT_GGUF = "chat_model_not_gguf"
    CHAT_MODEL_UNLOADABLE = "chat_model_unloadable"
    UNKNOWN_MODEL = "unknown_model"
    # a model server
    LLM_URL = "llm_url"
    LLM_MODEL_NEEDED = "llm_model_needed"
    LLM_KEY_FILE = "llm_key_file"
    LLM_UNREACHABLE = "llm_unreachable"
    LLM_CUT_OFF = "llm_cut_off"
    LLM_TIMEOUT = "llm_timeout"
    LLM_MODEL_UNKNOWN = "llm_model_unknown"
    LLM_REFUSED = "llm_refused"
    LLM_STATUS = "llm_status"
    LLM_BAD_REPLY = "llm_bad_reply"
    # questions
    QUESTION_EMPTY = "question_empty"
    QUESTION_TOO_LONG = "question_too_long"
    # the index
    NO_INDEX = "no_index"
    INDEX_DAMAGED = "index_damaged"
    INDEX_INCONSISTENT = "index_inconsistent"
    INDEX_OTHER_EMBEDDER = "index_other_embedder"
    INDEX_OTHER_CHUNKER = "index_other_chunker"
    MANIFEST_DAMAGED = "manifest_damaged"
    INDEX_FORMAT = "index_format"
    NO_SUCH_PATH = "no_such_path"
    NOTHING_READABLE = "nothing_readable"
    FILTER_BAD = "filter_bad"
    NOT_IN_INDEX = "not_in_index"
    # a store engine other than the folder (Milvus)
    STORE_SPEC = "store_spec"
    STORE_OTHER = "store_other"
    STORE_NEEDS_MILVUS = "store_needs_milvus"
    STORE_UNREACHABLE = "store_unreachable"
    STORE_BUSY = "store_busy"
    STORE_FOREIGN = "store_foreign"
    STORE_FAILED = "store_failed"
    STORE_NOT_EMPTY = "store_not_empty"
    STORE_OTHER_DIM = "store_other_dim"
    STORE_COPY_TARGET = "store_copy_target"
    # documents on the page
    UPLOAD_TYPE = "upload_type"
    UPLOAD_TOO_LARGE = "upload_too_large"
    NO_FILES_CHOSEN = "no_files_chosen"
    DOC_NOT_IN_INDEX = "doc_not_in_index"
    LIBRARY_EMPTY = "library_empty"
    # eval and batch
    GOLD_UNREADABLE = "gold_unreadable"
    GOLD_BAD_LINE = "gold_bad_line"
    GOLD_EMPTY = "gold_empty"
    COLUMN_NOT_FOUND = "column_not_found"
    NO_QUESTION_COLUMN = "no_question_column"
    NO_QUESTIONS = "no_questions"
    OUTPUT_TYPE = "output_type"
    OUTPUT_IS_INPUT = "output_is_input"
    TABLE_CHANGED = "table_changed"
    OUTPUT_EXISTS = "output_exists"
    TABLE_TYPE = "table_type"
    NO_SUCH_FILE = "no_such_file"
    TABLE_NOT_TEXT = "table_not_text"
    TABLE_BINARY = "table_binary"
    TABLE_NO_HEADER = "table_no_header"
    TABLE_INVALID = "table_invalid"
    TABLE_EMPTY = "table_empty"
    XLSX_UNREADABLE = "xlsx_unreadable"
    SHEET_EMPTY = "sheet_empty"
    # serving and logins
    SERVE_NEEDS_LOGIN = "serve_needs_login"
    PORT_IN_USE = "port_in_use"
    USER_NAME = "user_name"
    LOGINS_NOT_FOUND = "logins_not_found"
    LOGINS_NOT_UTF8 = "logins_not_utf8"
    LOGINS_UNREADABLE = "logins_unreadable"
    LOGINS_PLAIN = "logins_plain"
    LOGINS_ROLE = "logins_role"
    LOGINS_EMPTY = "logins_empty"
    LOGINS_BAD_LINE = "logins_bad_line"
    PASSWORD_SHORT = "password_short"
    PASSWORDS_DIFFER = "passwords_differ"


class AssistantError(Exception):
    """Base class: a code, and the values its message names."""

    def __init__(self, code: Code, **params):
        from assistant.core.messages import message  # the tables import Code from here

        self.code = code
        self.params = params
        super().__init__(message(code, params, "en"))

    def words(self, lang: str) -> str:
        """The one-line message in "zh" or "en"."""
        from assistant.core.messages import message

        return message(self.code, self.params, lang)


class ModelMissingError(AssistantError):
    """A model file is absent, fails its checksum or cannot be loaded."""


class ServerError(AssistantError):
    """A model server or store server is unreachable, too slow, or answers with an error."""


class IndexStateError(AssistantError):
    """The index is missing, damaged or was built with another embedding model."""


class InputError(AssistantError):
    """The user's input (question, file, folder, setting) cannot be used."""
