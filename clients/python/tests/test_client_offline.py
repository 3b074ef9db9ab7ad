"""Parts of the client that need no coordinator: the event-stream parser, key discovery, error mapping,
the progress bar, and reconnection and polling against a loopback server that misbehaves on purpose."""
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from enjambre_client import BadRequest, Client, JobFailed, RateLimited, ServerError, find_api_key, find_url
from enjambre_client.errors import from_response
from enjambre_client.events import Event, parse
from enjambre_client.progress import ProgressBar


def lines(text: str):
    return io.BytesIO(text.encode()).readlines()


def test_parse_joinsDataLines_skipsComments_andHandlesCrLf():
    stream = ("retry: 1000\r\n\r\n: a comment\r\nevent: job\r\ndata: {\"id\":\r\ndata:\"j-1\"}\r\n\r\n"
              "data: plain text\n\nevent: empty\n\nid: 7\nevent: stats\ndata: {\"peers\": 3}\n\n")

    events = list(parse(lines(stream)))

    assert events == [Event("retry", 1000), Event("job", {"id": "j-1"}), Event("message", "plain text"),
                      Event("stats", {"peers": 3}, "7")]


def test_parse_dropsAnUnfinishedLastEvent():
    assert list(parse(lines("event: job\ndata: {}\n"))) == []


def test_findApiKey_prefersArgument_thenEnvironment_thenKeyFile(tmp_path, monkeypatch):
    (tmp_path / "api-key").write_text("from-file\n")
    monkeypatch.setenv("ENJAMBRE_API_KEY", "from-env")
    assert find_api_key("from-arg", tmp_path) == "from-arg"
    assert find_api_key(None, tmp_path) == "from-env"
    monkeypatch.delenv("ENJAMBRE_API_KEY")
    assert find_api_key(None, tmp_path) == "from-file"
    assert find_api_key(None, tmp_path / "nowhere") is None


def test_findUrl_prefersArgument_thenEnvironment_thenLocalDefault(monkeypatch):
    monkeypatch.setenv("ENJAMBRE_COORDINATOR", "http://peer:9000/")
    assert find_url("http://a:1/") == "http://a:1"
    assert find_url() == "http://peer:9000"
    monkeypatch.delenv("ENJAMBRE_COORDINATOR")
    assert find_url() == "http://127.0.0.1:8080"


def test_client_refusesAUrlWithoutHttpScheme():
    with pytest.raises(ValueError, match="http://"):
        Client("ftp://x", api_key="k")


def test_fromResponse_mapsStatusToType_andKeepsCodeMessageField():
    e = from_response(400, b'{"error":{"code":"INVALID_SPEC","message":"input.to is required","field":"input.to"}}')
    assert isinstance(e, BadRequest) and (e.code, e.message, e.field) == ("INVALID_SPEC", "input.to is required",
                                                                         "input.to")
    assert str(e) == "INVALID_SPEC: input.to is required (field input.to)"
    limited = from_response(429, b'{"error":{"code":"TOO_MANY","message":"slow down"}}', "3")
    assert isinstance(limited, RateLimited) and limited.retry_after == 3.0
    proxy = from_response(502, b"<html>Bad Gateway</html>")
    assert isinstance(proxy, ServerError) and proxy.code is None and "Bad Gateway" in proxy.message


def test_progressBar_drawsOnlyWhenEnabled():
    job = {"id": "j-1", "name": "primes", "state": "RUNNING", "progress": 0.5, "tasksPerSecond": 2.0,
           "etaSeconds": 30, "workUnits": {"total": 10, "done": 5}}
    assert ProgressBar.line(job, width=10) == "primes [#####-----]  50%  5/10 units  2.0 tasks/s  ETA 30s  RUNNING"
    silent = io.StringIO()                        # a StringIO is no terminal
    ProgressBar(stream=silent).update(job)
    assert silent.getvalue() == ""


class FlakyCoordinator(BaseHTTPRequestHandler):
    """A job that advances one step per request; the event stream sends one snapshot per connection,
    then hangs up (or answers 404 when the server has no stream)."""
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        srv = self.server
        with srv.lock:
            srv.calls.append(self.path)
            if self.path.startswith("/api/v1/events") and not srv.has_events:
                return self._send(404, b'{"error":{"code":"NOT_FOUND","message":"no such route"}}')
            state = srv.states[min(srv.step, len(srv.states) - 1)]
            srv.step += 1
        job = {"id": "j-1", "state": state, "progress": 1.0 if state == "COMPLETED" else 0.5}
        if self.path == "/api/v1/jobs/j-1":
            return self._send(200, json.dumps(job).encode())
        if self.path == "/api/v1/events":
            body = f"retry: 10\n\nevent: stats\ndata: {{}}\n\nevent: job\ndata: {json.dumps(job)}\n\n".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)          # then the connection closes: the client must reconnect
            return None
        return self._send(404, b"{}")

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        return self._send(201, b'{"id":"j-1","state":"QUEUED"}')

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def flaky():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), FlakyCoordinator)
    srv.lock, srv.calls, srv.step, srv.has_events = threading.Lock(), [], 0, True
    srv.states = ["QUEUED", "RUNNING", "RUNNING", "COMPLETED"]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_watch_reconnectsAfterTheStreamBreaks_untilTheJobCompletes(flaky):
    client = Client(f"http://127.0.0.1:{flaky.server_address[1]}", api_key="k")

    states = [j["state"] for j in client.watch("j-1", timeout=30)]

    assert states == ["QUEUED", "RUNNING", "COMPLETED"]
    assert flaky.calls.count("/api/v1/events") == 3, flaky.calls


def test_watch_withoutAnEventStream_fallsBackToPolling(flaky):
    flaky.has_events = False
    client = Client(f"http://127.0.0.1:{flaky.server_address[1]}", api_key="k")

    states = [j["state"] for j in client.watch("j-1", timeout=30, poll_interval=0.01)]

    assert states == ["QUEUED", "RUNNING", "COMPLETED"]
    assert flaky.calls[1] == "/api/v1/events" and set(flaky.calls[2:]) == {"/api/v1/jobs/j-1"}


def test_run_ofAJobThatFails_raisesJobFailedWithItsFinalState(flaky):
    flaky.states = ["QUEUED", "RUNNING", "FAILED"]
    client = Client(f"http://127.0.0.1:{flaky.server_address[1]}", api_key="k")

    with pytest.raises(JobFailed) as failed:
        client.run({"app": "primes", "input": {"from": 2, "to": 100}}, timeout=30, progress=False)

    assert failed.value.job["state"] == "FAILED" and failed.value.code == "JOB_FAILED"
