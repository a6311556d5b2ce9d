"""Generation on a model server: any OpenAI-compatible chat-completions endpoint (llama.cpp's
llama-server, llama-cpp-python's llama_cpp.server, vLLM), streamed over server-sent events.

The same prompt, greedy decoding and the same stats as the local model; a server that is down,
slow, or answers with an error is one clear line, never a silent switch to another model.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from assistant.answer.generation import GenerationStats, estimated_tokens
from assistant.core.config import is_server_url
from assistant.core.errors import Code, InputError, ServerError

RETRY_PAUSE = 0.5  # seconds before the first retry; doubled each time


def read_key(path: str | Path) -> str:
    """The API key from a file (its first line), so it never appears in a command line or a log."""
    try:
        key = Path(path).read_text("utf-8").strip().splitlines()
    except (OSError, UnicodeDecodeError):
        raise InputError(Code.LLM_KEY_FILE, path=path) from None
    if not key or not key[0].strip():
        raise InputError(Code.LLM_KEY_FILE, path=path)
    return key[0].strip()


class RemoteGenerator:
    """The Generator interface over a server's /chat/completions; safe to call from several threads."""

    def __init__(self, url: str, model: str, *, key_file: str = "", timeout: float = 60.0, retries: int = 2,
                 seed: int = 1337, connect_timeout: float = 5.0):
        if not is_server_url(url):
            raise InputError(Code.LLM_URL, url=url)
        self.url = url.rstrip("/")
        self.model = model  # "" until known: a server that serves one model is asked its name (chosen())
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.retries = retries
        self.seed = seed
        self._headers = {"Accept": "text/event-stream"}
        if key_file:
            self._headers["Authorization"] = f"Bearer {read_key(key_file)}"

    @property
    def name(self) -> str:
        return f"{self.model or '?'} @ {urlsplit(self.url).netloc}"

    def chosen(self) -> str:
        """The model's name: the one set, else the only one the server serves (llama-cpp-python's own
        server serves one); a server serving several, or none it lists, needs the name set."""
        if not self.model:
            served = self.served()
            if len(served) != 1:
                raise InputError(Code.LLM_MODEL_NEEDED, url=self.url, served=", ".join(served)[:200] or "?")
            self.model = served[0]
        return self.model

    def count_tokens(self, text: str) -> int:
        return estimated_tokens(text)  # the server's tokenizer is not at hand

    def _client(self):
        import httpx  # HTTP/1.1 client with streaming and separate connect/read timeouts

        return httpx.Client(timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout), headers=self._headers)

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int,
               stats: GenerationStats | None = None) -> Iterator[str]:
        import httpx

        stats = stats if stats is not None else GenerationStats()
        body = {"model": self.chosen(), "messages": messages, "temperature": 0.0, "top_p": 1.0, "seed": self.seed,
                "max_tokens": max_tokens, "stream": True}
        t0 = time.perf_counter()
        n = 0
        for attempt in range(self.retries + 1):
            try:
                with self._client() as client, client.stream("POST", f"{self.url}/chat/completions",
                                                             json=body) as response:
                    if response.status_code >= 400:
                        raise self._status_error(response)
                    for delta, usage in _events(response, self.url):
                        if usage:
                            stats.prompt_tokens = int(usage.get("prompt_tokens") or 0)
                            stats.completion_tokens = int(usage.get("completion_tokens") or 0)
                        if not delta:
                            continue
                        if n == 0:
                            stats.first_token_ms = (time.perf_counter() - t0) * 1000
                        n += 1
                        yield delta
                break
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as e:
                if n or attempt == self.retries:  # after the first token nothing can be taken back
                    code = Code.LLM_CUT_OFF if n else Code.LLM_UNREACHABLE
                    raise ServerError(code, url=self.url, detail=_short(e)) from None
                time.sleep(RETRY_PAUSE * 2 ** attempt)
            except httpx.TimeoutException:
                raise ServerError(Code.LLM_TIMEOUT, url=self.url, seconds=self.timeout) from None
            except httpx.HTTPError as e:
                raise ServerError(Code.LLM_UNREACHABLE, url=self.url, detail=_short(e)) from None
        stats.completion_tokens = stats.completion_tokens or n
        stats.total_ms = (time.perf_counter() - t0) * 1000

    def _status_error(self, response) -> ServerError:
        response.read()
        detail = _error_text(response)
        if response.url.path.endswith("/chat/completions") and (
                response.status_code == 404 or "model" in detail.lower() and response.status_code in (400, 422)):
            return ServerError(Code.LLM_MODEL_UNKNOWN, url=self.url, model=self.model, served=self.models() or "?",
                               detail=detail)
        if response.status_code in (401, 403):
            return ServerError(Code.LLM_REFUSED, url=self.url, status=response.status_code, detail=detail)
        return ServerError(Code.LLM_STATUS, url=self.url, status=response.status_code, detail=detail)

    def served(self) -> list[str]:
        """The model names the server lists at /models; unreachable or not OpenAI-compatible: ServerError."""
        import httpx

        try:
            with self._client() as client:
                response = client.get(f"{self.url}/models")
            if response.status_code >= 400:
                raise self._status_error(response)
            return [str(m.get("id")) for m in response.json().get("data", []) if isinstance(m, dict)]
        except (httpx.HTTPError, OSError) as e:
            raise ServerError(Code.LLM_UNREACHABLE, url=self.url, detail=_short(e)) from None
        except (ValueError, AttributeError):
            raise ServerError(Code.LLM_BAD_REPLY, url=self.url, detail="/models") from None

    def models(self) -> str:
        """The names the server says it serves (for the message about a wrong name), or ""."""
        try:
            return ", ".join(self.served())[:200]
        except ServerError:
            return ""


def _events(response, url: str) -> Iterator[tuple[str, dict | None]]:
    """(text piece, usage or None) for each server-sent event until [DONE]; a malformed one is an error."""
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue  # comments, event names, keep-alives
        payload = line[5:].strip()
        if payload == "[DONE]":
            return
        try:
            event = json.loads(payload)
            if "error" in event:
                raise ServerError(Code.LLM_STATUS, url=url, status=200, detail=_short(event["error"]))
            choices = event.get("choices") or []
            delta = (choices[0].get("delta") or {}).get("content") if choices else None
            if delta is not None and not isinstance(delta, str):
                raise TypeError(type(delta).__name__)
            yield delta or "", event.get("usage")
        except (ValueError, TypeError, AttributeError, IndexError, KeyError):
            raise ServerError(Code.LLM_BAD_REPLY, url=url, detail=_short(payload)) from None


def _error_text(response) -> str:
    try:
        data = response.json()
        err = data.get("error", data) if isinstance(data, dict) else data
        return _short(err.get("message", err) if isinstance(err, dict) else err)
    except ValueError:
        return _short(response.text)


def _short(value, limit: int = 160) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + "…"
