"""A local OpenAI-compatible chat-completions server, enough for langchain-openai's structured output.

    with OpenAIStandIn(lambda user_text: {"intent": "price", "symbol": "BTC"}) as server:
        Pipeline(openai_base_url=server.base_url, ...)

The reply function gets the last user message and returns the answer's fields (a dict), or None for an answer
that is not JSON at all. A request with `tools` is answered with a tool call to the first tool (function
calling); one with `response_format` gets the JSON as the message content. `delay` holds every answer back
(for timeouts) and `status` answers with an HTTP error instead. Binds to 127.0.0.1 on a free port only.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Reply = Callable[[str], dict[str, Any] | None]


class OpenAIStandIn:
    def __init__(self, reply: Reply, *, delay: float = 0.0, status: int = 200) -> None:
        self.reply = reply
        self.delay = delay
        self.status = status
        self.requests: list[dict[str, Any]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> OpenAIStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
                return

            def do_GET(self) -> None:
                self._send(200, {"object": "list", "data": [{"id": "standin-model", "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                standin.requests.append(body)
                if standin.delay:
                    time.sleep(standin.delay)
                if standin.status != 200:
                    self._send(
                        standin.status, {"error": {"message": "stand-in failure", "type": "server_error"}}
                    )
                    return
                self._send(200, standin.completion(body))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> OpenAIStandIn:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def completion(self, body: dict[str, Any]) -> dict[str, Any]:
        user_text = ""
        for sent in body.get("messages", []):
            if sent.get("role") == "user":
                content = sent.get("content")
                user_text = content if isinstance(content, str) else json.dumps(content)
        fields = self.reply(user_text)
        arguments = json.dumps(fields) if fields is not None else "this is not JSON"
        message: dict[str, Any] = {"role": "assistant", "content": None}
        finish = "stop"
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            message["tool_calls"] = [
                {"id": "call_standin", "type": "function", "function": {"name": name, "arguments": arguments}}
            ]
            finish = "tool_calls"
        else:
            message["content"] = arguments
        return {
            "id": "chatcmpl-standin",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "standin-model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
