"""micrograd_nn.live without a browser: the recorder's timeline, recomputed with the engine; bad input; the server's
refusals; the CLI's --record and its port and Ctrl-C behaviour; fit's on_step hook."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from micrograd_nn.cli import main
from micrograd_nn.engine import Value
from micrograd_nn.live import Recorder, record_page, write_recording
from micrograd_nn.live.server import LiveServer, LiveServerError
from micrograd_nn.nn import MLP, Module
from micrograd_nn.training import losses
from micrograd_nn.training.train import fit

X_SMALL = [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75], [0.0, -0.5]]
Y_SMALL = [1, -1, 1, -1]


def timeline_of(page: str) -> dict[str, Any]:
    """The JSON a recorded page embeds in <script type="application/json" id="timeline">."""
    found = re.search(r'<script type="application/json" id="timeline">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def recompute(timeline: dict[str, Any], step: dict[str, Any]) -> tuple[float, dict[str, float]]:
    """The step's total loss and gradients, recomputed with the engine from the file alone."""
    arch = timeline["architecture"]
    model = MLP(arch["nin"], arch["sizes"], activation=arch["activations"][0],
                output_activation=arch["activations"][-1], bias=arch["bias"])
    for p in model.parameters():
        p.data = step["weights"][p.label]
    rows = step.get("batch", range(len(timeline["data"]["X"])))
    predictions = [model(timeline["data"]["X"][i]) for i in rows]
    loss_fn = getattr(losses, timeline["loss"])
    total = loss_fn(predictions, [timeline["data"]["y"][i] for i in rows]) + losses.l2_penalty(
        model.parameters(), timeline["l2"])
    model.zero_grad()
    total.backward()
    return total.data, {p.label: p.grad for p in model.parameters()}


def moons_run(steps: int = 100) -> tuple[Recorder, Any]:
    """The tour's recipe (micrograd's moons demo) recorded through fit's hook."""
    from micrograd_nn.tutorials.moons import moons_data

    X, y = moons_data()
    model = MLP(2, [16, 16, 1], rng=1337, fused=True)
    recorder = Recorder(model, X, y, loss="hinge", l2=1e-4)
    history = fit(model, X, y, loss="hinge", l2=1e-4, lr=1.0, epochs=steps, quiet=True,
                  lr_schedule=lambda k: 1.0 - 0.9 * k / steps, on_step=recorder.on_step)
    recorder.finish()
    return recorder, history


@pytest.mark.slow
def test_a_recorded_moons_run_recomputes_to_1e_12_and_stays_under_3_mb(tmp_path: Path) -> None:
    recorder, history = moons_run(100)
    path = write_recording(recorder, tmp_path / "run.html")
    assert path.stat().st_size < 3_000_000
    timeline = timeline_of(path.read_text(encoding="utf-8"))
    assert timeline["architecture"] == {"nin": 2, "sizes": [16, 16, 1], "activations": ["relu", "relu", "linear"],
                                        "bias": True, "leaky_slope": 0.01}
    assert timeline["loss"] == "hinge" and timeline["l2"] == 1e-4 and len(timeline["data"]["X"]) == 100
    assert [s["step"] for s in timeline["steps"]] == list(range(100))
    for k in (0, 1, 37, 99):
        step = timeline["steps"][k]
        loss, grads = recompute(timeline, step)
        assert abs(loss - step["loss"]) <= 1e-12
        assert math.isclose(step["loss"], history.loss[k], rel_tol=1e-12)  # the engine's own history
        assert max(abs(grads[name] - step["grads"][name]) for name in grads) <= 1e-12
        assert step["lr"] == pytest.approx(1.0 - 0.9 * k / 100, abs=1e-15)
    # the update between two steps is the recorded one: w(k+1) = w(k) - lr(k) * dL/dw(k)
    first, second = timeline["steps"][0], timeline["steps"][1]
    for name in ("L1.n1.w1", "L2.n3.w2", "L3.n1.b"):
        assert second["weights"][name] == first["weights"][name] - first["lr"] * first["grads"][name]


def test_the_lectures_hand_written_loop_records_one_call_per_step() -> None:
    model = MLP(2, [4, 1], activation="tanh", rng=3)
    recorder = Recorder(model, X_SMALL, Y_SMALL, loss="mse")
    for _ in range(5):
        predictions = [model(x) for x in X_SMALL]
        loss = sum(((p - t) ** 2 for p, t in zip(predictions, Y_SMALL)), Value(0.0)) * (1 / len(X_SMALL))
        model.zero_grad()
        loss.backward()
        recorder.record(loss, lr=0.05)
        for p in model.parameters():
            p.data -= 0.05 * p.grad
    timeline = recorder.timeline()
    assert [s["step"] for s in timeline["steps"]] == [0, 1, 2, 3, 4]
    for step in timeline["steps"]:
        loss_value, grads = recompute(timeline, step)
        assert abs(loss_value - step["loss"]) <= 1e-12
        assert max(abs(grads[n] - step["grads"][n]) for n in grads) <= 1e-12


def test_mini_batches_record_their_rows() -> None:
    model = MLP(2, [3, 1], rng=1)
    recorder = Recorder(model, X_SMALL, Y_SMALL, loss="hinge", l2=0.01)
    fit(model, X_SMALL, Y_SMALL, loss="hinge", l2=0.01, lr=0.1, epochs=2, batch_size=2, quiet=True,
        on_step=recorder.on_step)
    timeline = recorder.timeline()
    assert len(timeline["steps"]) == 4 and all(len(s["batch"]) == 2 for s in timeline["steps"])
    for step in timeline["steps"]:
        loss_value, grads = recompute(timeline, step)
        assert abs(loss_value - step["loss"]) <= 1e-12
        assert max(abs(grads[n] - step["grads"][n]) for n in grads) <= 1e-12


def test_batch_holds_whole_row_indices_in_range_or_is_refused_naming_batch() -> None:
    """Before: [1.5] and [True] were cut to row 1, "01" read as rows 0 and 1; ["a"] and [None] said nothing of batch."""
    import numpy as np

    model = MLP(2, [3, 1], rng=0)
    recorder = Recorder(model, X_SMALL, Y_SMALL, loss="hinge")
    loss = losses.hinge([model(X_SMALL[1])], [Y_SMALL[1]])
    model.zero_grad()
    loss.backward()
    row = "must be a whole number from 0 to 3 (a row index of X, which has 4 rows), got"
    for batch, message in (
        ([1.5], f"batch[0] {row} 1.5"),
        ([1, True], f"batch[1] {row} True"),
        (["a"], f"batch[0] {row} 'a'"),
        ([None], f"batch[0] {row} None"),
        (np.array([1.0]), f"batch[0] {row} np.float64(1.0)"),
        ([4], f"batch[0] {row} 4"),
        ([1, -1], f"batch[1] {row} -1"),
        ("01", "batch must be a list of row indices (whole numbers), got '01'"),
        (1, "batch must be a list of row indices (whole numbers), got 1"),
        ([], "batch is empty; give the rows this step used, or batch=None for every row"),
    ):
        with pytest.raises(ValueError) as caught:
            recorder.record(loss, lr=0.1, batch=batch)
        assert str(caught.value) == f"record: {message}"
    assert recorder.steps == [] and recorder._count == 0  # nothing recorded, no step counted
    step = recorder.record(loss, lr=0.1, batch=(np.int64(1),))
    assert step is not None and step["batch"] == [1] and type(step["batch"][0]) is int
    with pytest.raises(ValueError) as caught:  # without X, a row index is still whole and >= 0
        Recorder(model).record(loss, lr=0.1, batch=[-2])
    assert str(caught.value) == "record: batch[0] must be a whole number >= 0 (a row index), got -2"


def test_fit_calls_on_step_after_backward_and_before_the_update() -> None:
    model = MLP(2, [2, 1], rng=0)
    seen: list[tuple[float, float, list[int], float, float]] = []
    w = model.parameters()[0]
    fit(model, X_SMALL, Y_SMALL, loss="mse", lr=0.1, epochs=3, quiet=True,
        on_step=lambda loss, lr, batch: seen.append((loss.data, lr, list(batch), w.data, w.grad)))
    assert len(seen) == 3 and all(batch == [0, 1, 2, 3] for _, _, batch, _, _ in seen)
    assert seen[1][3] == seen[0][3] - 0.1 * seen[0][4]  # the hook saw the weight before the update


class _NoParameters(Module):
    pass


def test_bad_input_gets_clear_errors() -> None:
    model = MLP(2, [3, 1], rng=0)
    with pytest.raises(ValueError, match="has no parameters"):
        Recorder(_NoParameters())
    with pytest.raises(ValueError, match=r"X has rows of 3 numbers \(row 0\) but the model takes 2 inputs"):
        Recorder(model, [[1.0, 2.0, 3.0]], [1])
    with pytest.raises(ValueError, match="X has 4 rows but y has 3 targets"):
        Recorder(model, X_SMALL, Y_SMALL[:3])
    with pytest.raises(ValueError, match="give both X and y"):
        Recorder(model, X_SMALL)
    with pytest.raises(ValueError, match="unknown loss 'hing'"):
        Recorder(model, X_SMALL, Y_SMALL, loss="hing")
    with pytest.raises(ValueError, match="target 1 is one number but the model has 3 outputs"):
        Recorder(MLP(2, [3]), X_SMALL, [[1, 0, 0], 2, [0, 1, 0], [0, 0, 1]])
    recorder = Recorder(model, X_SMALL, Y_SMALL, loss="hinge")
    loss = losses.hinge([model(x) for x in X_SMALL], Y_SMALL)
    with pytest.raises(ValueError, match=r"call loss.backward\(\) before record\(\)"):
        recorder.record(loss, lr=0.1)
    loss.backward()
    with pytest.raises(ValueError, match="record: lr must be a finite number, got nan"):
        recorder.record(loss, lr=float("nan"))
    wrong = Recorder(model, X_SMALL, Y_SMALL, loss="mse")  # the loop minimises the hinge loss, not mse
    with pytest.raises(ValueError, match="loss='mse' with l2=0.0 on the recorder's X and y gives"):
        wrong.record(loss, lr=0.1)
    with pytest.raises(ValueError, match="no steps were recorded"):
        record_page(Recorder(model, X_SMALL, Y_SMALL, loss="hinge"))


def test_any_model_records_the_parameters_it_has() -> None:
    class Line(Module):
        def __init__(self) -> None:
            self.a, self.b = Value(0.5), Value(-0.25)

        def parameters(self) -> list[Value]:
            return [self.a, self.b]

    line = Line()
    recorder = Recorder(line)
    loss = (line.a * 2 + line.b - 1) ** 2
    loss.backward()
    recorder.record(loss, lr=0.1)
    timeline = recorder.timeline()
    assert timeline["architecture"] is None and timeline["parameters"] == ["p1", "p2"]
    assert timeline["steps"][0]["grads"] == {"p1": 2 * 2 * (0.5 * 2 - 0.25 - 1), "p2": 2 * (0.5 * 2 - 0.25 - 1)}
    assert timeline_of(record_page(recorder))["steps"] == timeline["steps"]


def _get(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_the_server_refuses_requests_without_the_token_or_with_another_host() -> None:
    model = MLP(2, [3, 1], rng=0)
    recorder = Recorder(model, X_SMALL, Y_SMALL, loss="hinge")
    with LiveServer(recorder) as server:
        base = f"http://127.0.0.1:{server.port}"
        assert _get(base + "/")[0] == 403
        assert _get(base + "/?token=wrong")[0] == 403
        assert _get(base + "/timeline.json")[0] == 403
        assert _get(server.url, host="evil.example:80")[0] == 403  # DNS rebinding
        assert _get(server.url, host=f"localhost:{server.port}")[0] == 200
        status, page = _get(server.url)
        assert status == 200 and page.startswith("<!DOCTYPE html>") and 'id="timeline"' in page
        query = server.url.split("?", 1)[1]
        assert _get(f"{base}/../../etc/passwd?{query}")[0] == 404
        assert _get(f"{base}/static/live.js?{query}")[0] == 404
        status, text = _get(f"{base}/timeline.json?{query}")
        assert status == 200 and json.loads(text)["steps"] == []


def test_a_dead_event_stream_ends_quietly_and_serving_goes_on(capsys: pytest.CaptureFixture[str]) -> None:
    model = MLP(2, [3, 1], rng=0)
    recorder = Recorder(model, X_SMALL, Y_SMALL, loss="hinge")
    with LiveServer(recorder) as server:
        query = server.url.split("?", 1)[1]
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
            raw.sendall(f"GET /events?{query} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
            assert raw.recv(200).startswith(b"HTTP/1.1 200 OK")
        for _ in range(3):  # the stream's browser is gone: steps keep being recorded, the server keeps serving
            loss = losses.hinge([model(x) for x in X_SMALL], Y_SMALL)
            model.zero_grad()
            loss.backward()
            recorder.record(loss, lr=0.1)
            time.sleep(0.1)
        assert _get(server.url)[0] == 200
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out


def _raw(port: int, request: str) -> bytes:
    """Send one raw HTTP request; everything the server answers until it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(request.encode("latin-1"))
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    return answer


def test_a_bad_since_or_last_event_id_is_a_400_with_a_one_line_reason(capfd: pytest.CaptureFixture[str]) -> None:
    recorder = Recorder(MLP(2, [3, 1], rng=0), X_SMALL, Y_SMALL, loss="hinge")
    recorder.finish()
    with LiveServer(recorder) as server:
        query, host = server.url.split("?", 1)[1], f"Host: 127.0.0.1:{server.port}\r\n"
        many = "7" * 5000
        for since, header in (("%C2%B2", ""), ("\u00b2", ""), (many, ""), ("-1", ""), ("abc", ""),
                              ("0", "Last-Event-ID: \u00b2\r\n"), ("0", f"Last-Event-ID: {many}\r\n")):
            request = f"GET /events?{query}&since={since} HTTP/1.1\r\n{host}{header}\r\n"
            answer = _raw(server.port, request.encode().decode("latin-1"))
            head, body = answer.split(b"\r\n\r\n", 1)
            assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n"), (since, header, answer[:200])
            assert body.count(b"\n") == 1 and b": expected a whole number" in body and len(body) < 200
            assert body.startswith(b"bad request: Last-Event-ID: " if header else b"bad request: since: ")
        # the good ones still stream: everything after the count given, then the end
        answer = _raw(server.port, f"GET /events?{query}&since=0 HTTP/1.1\r\n{host}\r\n")
        assert answer.startswith(b"HTTP/1.1 200 OK") and b'data: {"steps":[],"finished":true}' in answer
    captured = capfd.readouterr()
    assert captured.err == captured.out == ""


def test_head_of_the_event_stream_sends_headers_only() -> None:
    recorder = Recorder(MLP(2, [3, 1], rng=0), X_SMALL, Y_SMALL, loss="hinge")  # still training: a GET would wait
    with LiveServer(recorder) as server:
        query = server.url.split("?", 1)[1]
        start = time.monotonic()
        answer = _raw(server.port, f"HEAD /events?{query} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n")
        assert time.monotonic() - start < 5
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK") and b"Content-Type: text/event-stream" in head and body == b""


def test_200_concurrent_connections_are_all_answered(capfd: pytest.CaptureFixture[str]) -> None:
    recorder = Recorder(MLP(2, [3, 1], rng=0), X_SMALL, Y_SMALL, loss="hinge")
    with LiveServer(recorder) as server:
        request = (f"GET /timeline.json?{server.url.split('?', 1)[1]} HTTP/1.1\r\n"
                   f"Host: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n").encode()
        sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(200)]
        try:
            for raw in sockets:  # all 200 connected before the server has answered any of them
                raw.sendall(request)
            answers = []
            for raw in sockets:
                answer = b""
                while chunk := raw.recv(65536):
                    answer += chunk
                answers.append(answer)
        finally:
            for raw in sockets:
                raw.close()
    assert [a.split(b"\r\n", 1)[0] for a in answers] == [b"HTTP/1.1 200 OK"] * 200
    assert "Traceback" not in capfd.readouterr().err


def test_a_port_in_use_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(LiveServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            LiveServer(Recorder(MLP(2, [1], rng=0)), port=port)
        assert main(["live", "--port", str(port), "--no-browser", "--demo", "xor", "--steps", "2"]) == 2
    err = capsys.readouterr().err
    assert err == f"micrograd-nn live: --port {port}: port {port} on 127.0.0.1 is already in use; choose another " \
                  "port, or 0 for a free one\n"


def test_cli_record_writes_the_page_and_exits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "xor.html"
    assert main(["live", "--demo", "xor", "--hidden", "4", "--steps", "5", "--record", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {path} (5 steps, ")
    timeline = timeline_of(path.read_text(encoding="utf-8"))
    assert timeline["architecture"]["sizes"] == [4, 1] and len(timeline["steps"]) == 5
    loss_value, grads = recompute(timeline, timeline["steps"][4])
    assert abs(loss_value - timeline["steps"][4]["loss"]) <= 1e-12
    assert [p.name for p in tmp_path.iterdir()] == ["xor.html"]  # no temporary file left behind
    (tmp_path / "afile").write_text("a file where a folder is needed")
    assert main(["live", "--record", str(tmp_path / "afile" / "x.html"), "--steps", "1"]) == 2
    assert capsys.readouterr().err == (f"micrograd-nn live: --record: cannot make the folder {tmp_path / 'afile'}: "
                                       f"{tmp_path / 'afile'} is a file, not a folder\n")
    assert main(["live", "--record", str(tmp_path / "new" / "x.html"), "--steps", "1"]) == 0  # folders are made
    assert (tmp_path / "new" / "x.html").is_file()


def test_cli_record_into_a_read_only_folder_is_refused_before_the_first_step(
        read_only_folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from micrograd_nn.live import runner

    trained: list[int] = []
    monkeypatch.setattr(runner, "train", lambda *args: trained.append(1))
    path = read_only_folder / "run.html"
    assert main(["live", "--demo", "xor", "--steps", "1500", "--record", str(path)]) == 2
    assert trained == [] and not path.exists() and list(read_only_folder.iterdir()) == []
    out, err = capsys.readouterr()
    reason = "(Permission denied|Operation not permitted)"  # a read-only mode, or root in an immutable folder
    assert out == "" and re.fullmatch(f"micrograd-nn live: --record: cannot write in the folder "
                                      f"{re.escape(str(read_only_folder))}: {reason}\n", err)


def test_cli_record_of_a_diverging_run_says_one_line_and_no_numpy_warning(tmp_path: Path) -> None:
    """Before: 4 lines of NumPy RuntimeWarning from fit's dead-unit watch on weights of 1e300, then the error."""
    result = subprocess.run(
        [sys.executable, "-m", "micrograd_nn", "live", "--demo", "xor", "--lr", "1e300", "--steps", "8",
         "--record", "run.html"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == "" and not (tmp_path / "run.html").exists()
    assert "Warning" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("micrograd-nn live: training diverged at epoch 2: ")


def test_cli_record_refuses_a_port_and_keeps_every_kth_step_of_a_long_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from micrograd_nn.live import runner

    assert main(["live", "--record", str(tmp_path / "a.html"), "--port", "8000"]) == 2
    assert capsys.readouterr().err == ("micrograd-nn live: --port sets where the page is served, but --record serves "
                                       "nothing: leave out one\n")
    monkeypatch.setattr(runner, "MAX_RECORDED", 10)
    assert main(["live", "--demo", "xor", "--hidden", "2", "--steps", "25", "--record", str(tmp_path / "b.html")]) == 0
    steps = timeline_of((tmp_path / "b.html").read_text(encoding="utf-8"))["steps"]
    assert [s["step"] for s in steps] == [0, 3, 6, 9, 12, 15, 18, 21, 24]


def test_cli_rejects_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["live", "--hidden", "16,x"], ["live", "--lr", "-1"], ["live", "--demo", "iris"],
                 ["live", "--steps", "0"], ["live", "--port", "70000"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.slow
def test_cli_serves_after_training_and_ctrl_c_stops_it_cleanly() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "micrograd_nn", "live", "--no-browser", "--demo", "xor", "--hidden", "4",
         "--steps", "20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert re.fullmatch(r"serving http://127\.0\.0\.1:\d+/\?token=[\w-]+\n", first)
        url = first.split()[1]
        assert process.stdout.readline().startswith("trained 20 steps in ")
        status, text = _get(url.replace("/?", "/timeline.json?"))
        assert status == 200 and len(json.loads(text)["steps"]) == 20  # still serving after training
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0 and out == "stopped\n" and "Traceback" not in err


def test_a_failing_view_is_dropped_and_training_goes_on() -> None:
    model = MLP(2, [2, 1], rng=0)
    recorder = Recorder(model, X_SMALL, Y_SMALL, loss="mse")
    calls: list[int] = []

    def gone(step: dict[str, Any]) -> None:
        calls.append(step["step"])
        raise BrokenPipeError("the page was closed")

    recorder.subscribe(gone)
    with pytest.warns(RuntimeWarning, match="stopped listening .BrokenPipeError: the page was closed.; training"):
        fit(model, X_SMALL, Y_SMALL, loss="mse", lr=0.1, epochs=3, quiet=True, on_step=recorder.on_step)
    recorder.finish()
    assert calls == [0] and len(recorder.steps) == 3


def test_every_keeps_every_kth_step_and_the_last() -> None:
    model = MLP(2, [2, 1], rng=0)
    recorder = Recorder(model, X_SMALL, Y_SMALL, loss="mse", every=3)
    fit(model, X_SMALL, Y_SMALL, loss="mse", lr=0.1, epochs=8, quiet=True, on_step=recorder.on_step)
    recorder.finish()
    assert [s["step"] for s in recorder.steps] == [0, 3, 6, 7]
    timeline = recorder.timeline()
    for step in timeline["steps"]:  # each kept step holds the weights and gradients of its own moment
        loss_value, grads = recompute(timeline, step)
        assert abs(loss_value - step["loss"]) <= 1e-12
        assert max(abs(grads[n] - step["grads"][n]) for n in grads) <= 1e-12


def test_listeners_hear_each_step_from_another_thread() -> None:
    model = MLP(2, [2, 1], rng=0)
    recorder = Recorder(model, X_SMALL, Y_SMALL, loss="mse")
    heard: list[int] = []
    recorder.subscribe(lambda step: heard.append(step.get("step", -1)))
    worker = threading.Thread(target=lambda: fit(model, X_SMALL, Y_SMALL, loss="mse", lr=0.1, epochs=4, quiet=True,
                                                 on_step=recorder.on_step))
    worker.start()
    steps, finished = recorder.wait_for_steps(0, timeout=10)
    worker.join()
    recorder.finish()
    assert steps and not finished and heard == [0, 1, 2, 3, -1]


def test_readme_training_live_section_works_as_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import shlex

    from micrograd_nn.cli import build_parser

    root = Path(__file__).resolve().parents[2]
    section = (root / "README.md").read_text().split("## Training, live", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    expected = re.search(r"print\(.*\)\s+# (.*)", code).group(1).strip()  # type: ignore[union-attr]
    assert capsys.readouterr().out.strip() == expected
    assert timeline_of((tmp_path / "xor_run.html").read_text(encoding="utf-8"))["loss"] == "hinge"
    commands = re.search(r"```bash\n(.*?)```", section, re.S).group(1).strip().splitlines()  # type: ignore[union-attr]
    for line in commands:
        words = shlex.split(line)
        assert words[0].endswith("micrograd-nn") and callable(build_parser().parse_args(words[1:]).run)
    for name in ("LiveServer", "LiveWidget", "write_recording", "record_page"):
        assert name in section
