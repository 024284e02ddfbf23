"""The practice page in a real headless Chromium at 1280x800, keyboard only: right answers reveal the steps, each
likely wrong answer gets its own hint, "show me" after two tries, the score, the list to revisit, restart and
the downloaded answers; layer mode; the command line; the notebook display; a fast top-level import."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import needs_dot

from micrograd_nn.cli import main
from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.views.practice import Question
from micrograd_nn.views.practice_page import Practice, practice_questions
from micrograd_nn.views.stepper import write_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run"]
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or shutil.which("dot") is None,
    reason="needs Debian's chromium and Graphviz's dot (sudo apt-get install -y chromium graphviz)",
)


def product_sum() -> Value:
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    out = a * b + c
    out.backward()
    return out


def tanh_neuron() -> Value:
    x1, x2, w1, w2 = Value(2.0, "x1"), Value(0.0, "x2"), Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def open_page(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_function("document.body.dataset.practice === 'ready'")
    return page, problems, requests


def asked(page: Any) -> tuple[str | None, str | None, str | None]:
    return tuple(page.get_attribute("#question", attribute) for attribute in ("data-kind", "data-node", "data-input"))


def expect(page: Any, question: Question) -> None:
    assert asked(page) == (question.kind, question.node, question.input)
    assert page.inner_text("#prompt") == question.prompt


def answer(page: Any, text: str) -> None:
    """Type text into the focused answer field and press Enter (keyboard only)."""
    assert page.evaluate("document.activeElement.id") == "answer"
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def page_data(path: Path) -> dict[str, Any]:
    """The practice page's data: its questions (with the states they hold back) and the stepper's states."""
    text = path.read_text()
    practice = json.loads(text.split('id="practice-data">', 1)[1].split("</script>", 1)[0])
    stepper = json.loads(text.split('id="stepper-data">', 1)[1].split("</script>", 1)[0])
    return {"questions": practice["questions"], "states": stepper["states"]}


@needs_browser
def test_right_answers_reveal_each_step_keyboard_only(browser: Any, tmp_path: Path) -> None:
    root = product_sum()
    questions = practice_questions(root)
    path = write_html(root, tmp_path / "worksheet.html", practice=True)
    text = path.read_text()
    assert "<script src" not in text and "<link" not in text
    data = page_data(path)
    gates = [q["gate"] for q in data["questions"]]
    assert gates == list(range(1, len(questions) + 1))  # each right answer reveals its own part of a step
    last = len(data["states"]) - 1
    assert last == len(questions)  # the start, then a part (or the whole step) per question
    page, problems, requests = open_page(browser, path)
    assert page.inner_text("#position") == f"step 0 of {last}"
    assert page.is_disabled("#next")  # the first step waits for its questions
    for question, gate in zip(questions, gates):
        expect(page, question)
        assert page.get_attribute("#question", "data-number") == str(question.number)
        answer(page, question.shown)
        assert page.inner_text("#hint") == ""
        assert page.inner_text("#worked-title") == "Right: " + question.prompt.replace("?", question.shown)
        assert page.eval_on_selector_all("#worked li", "els => els.map(e => e.textContent)") == list(question.worked)
        assert page.inner_text("#position") == f"step {gate} of {last}"  # the step is revealed
        shown = page.eval_on_selector_all("#step-lines li", "els => els.map(e => e.textContent)")
        if question.kind == "grad":  # the picture shows the gradient just worked out, the step its chain rule
            grad = page.evaluate(
                "id => Array.from(document.getElementById(id).querySelectorAll('text'))"
                ".map(t => t.textContent).find(t => t.startsWith('grad'))", f"v{question.node_id}")
            assert grad == f"grad {question.shown}" and question.worked[-1] in shown
        later = [q for q in questions[question.number:] if q.kind == "grad"]
        assert not any(q.worked[-1] in shown for q in later)  # nothing asked later is shown yet
    assert page.get_attribute("#question", "data-kind") == "done"
    assert page.inner_text("#score") == "Score: 6 / 6 right first time"
    assert page.get_attribute("#score", "data-right") == "6" and page.get_attribute("#score", "data-total") == "6"
    assert page.is_hidden("#revisit-box")
    assert problems == [] and requests == [path.as_uri()]
    page.close()


@needs_browser
@pytest.mark.parametrize("build", [product_sum, tanh_neuron])
def test_each_likely_wrong_answer_gets_its_own_hint(browser: Any, tmp_path: Path, build: Any) -> None:
    root = build()
    questions = practice_questions(root)
    page, problems, _ = open_page(browser, write_html(root, tmp_path / "worksheet.html", practice=True))
    seen = set()
    for question in questions:
        expect(page, question)
        for wrong in question.wrong:
            answer(page, wrong.shown)
            assert page.get_attribute("#hint", "data-mistake") == wrong.mistake
            assert page.inner_text("#hint") == wrong.hint
            assert question.shown not in page.inner_text("#hint")
            seen.add(wrong.mistake)
        answer(page, "12345.678")  # no mistake explains it: the rule to apply
        assert page.get_attribute("#hint", "data-mistake") == "unrecognised"
        assert page.inner_text("#hint") == question.rule
        answer(page, question.shown)
    assert seen >= {"local_forgotten", "upstream_forgotten", "forward_value", "sign", "wrong_operand", "added"} - (
        {"upstream_forgotten"} if build is product_sum else set())
    total = len(questions)
    assert page.inner_text("#score") == f"Score: 0 / {total} right first time"
    assert page.eval_on_selector_all("#revisit button", "els => els.length") == total
    assert problems == []
    page.close()


@needs_browser
def test_one_use_counted_and_show_me_after_two_tries(browser: Any, tmp_path: Path) -> None:
    a = Value(3.0, "a")
    out = a + a
    out.backward()
    (question,) = practice_questions(out)
    page, problems, _ = open_page(browser, write_html(out, tmp_path / "twice.html", practice=True))
    expect(page, question)
    answer(page, "abc")
    assert page.get_attribute("#hint", "data-mistake") == "not_a_number"
    answer(page, "1")
    assert page.get_attribute("#hint", "data-mistake") == "one_use"
    assert "used twice" in page.inner_text("#hint")
    assert page.is_disabled("#show-me")  # one try so far
    answer(page, "−2")  # a typographic minus is a minus
    assert page.get_attribute("#hint", "data-mistake") == "sign"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "show-me"
    page.keyboard.press("Enter")
    assert page.eval_on_selector_all("#worked li", "els => els.map(e => e.textContent)") == list(question.worked)
    assert page.inner_text("#worked-title") == "Shown: dout/da = 2.0000"
    assert page.inner_text("#position") == "step 1 of 1"
    assert page.inner_text("#score") == "Score: 0 / 1 right first time"
    assert page.inner_text("#revisit") == "dout/da (shown)"
    assert page.evaluate("document.activeElement.id") == "download"  # all done: the answers to download
    assert problems == []
    page.close()


@needs_browser
def test_download_my_answers_and_restart(browser: Any, tmp_path: Path) -> None:
    root = product_sum()
    questions = practice_questions(root)
    page, problems, _ = open_page(browser, write_html(root, tmp_path / "worksheet.html", practice=True,
                                                      expression="a*b + c"))
    answer(page, questions[0].wrong[0].shown)
    answer(page, questions[0].shown)
    answer(page, questions[1].shown)
    assert page.inner_text("#score") == f"Score: 1 / 2 right first time ({len(questions) - 2} to go)"
    page.focus("#download")  # reached by Tab in a real session; Enter presses it
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    report = json.loads(Path(download.value.path()).read_text())
    assert report["expression"] == "a*b + c"
    assert report["score"] == {"right_first_time": 1, "answered": 2, "total": len(questions)}
    first = report["questions"][0]
    assert first["tries"] == [questions[0].wrong[0].shown, questions[0].shown] and not first["right_first_time"]
    assert (first["kind"], first["node"], first["answer"]) == (questions[0].kind, questions[0].node,
                                                                questions[0].shown)
    assert report["questions"][1]["right_first_time"] and not report["questions"][2]["done"]
    page.focus("#restart")
    page.keyboard.press("Enter")
    expect(page, questions[0])
    assert page.inner_text("#score") == f"Score: 0 / 0 right first time ({len(questions)} to go)"
    assert page.inner_text("#position") == f"step 0 of {len(questions)}"
    assert page.evaluate("document.activeElement.id") == "answer"
    assert problems == []
    page.close()


@needs_browser
def test_layer_mode_asks_each_neurons_dloss_dz(browser: Any, tmp_path: Path) -> None:
    model = MLP(2, [2, 1], activation="tanh", rng=3)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    questions = practice_questions(loss, mode="layers")
    assert [(q.node, q.highlight[0]) for q in questions] == [
        ("v25", "v25"), ("L2.n1.out", "L2.n1"), ("L1.n1.z", "L1.n1"), ("L1.n2.z", "L1.n2")]
    path = write_html(loss, tmp_path / "layers.html", practice=True, mode="layers")
    svg = path.read_text().split("<svg", 1)[1].split("</svg>", 1)[0]
    tooltips = re.findall(r'xlink:title="([^"]*)"', svg)
    assert len(tooltips) == 11 and not any("dloss/" in t for t in tooltips)  # no gradient to read off a tooltip
    assert "L1.n1.w1 = -0.5241; it multiplies 0.5000" in [html.unescape(t) for t in tooltips]
    page, problems, _ = open_page(browser, path)
    for question in questions:
        expect(page, question)
        if question.highlight[0].startswith("L1."):
            one_use = [w for w in question.wrong if w.mistake == "one_use"]
            wrong = one_use[0] if one_use else question.wrong[0]
            answer(page, wrong.shown)
            assert page.get_attribute("#hint", "data-mistake") == wrong.mistake
        answer(page, question.shown)
    assert page.get_attribute("#question", "data-kind") == "done"
    neuron = page.eval_on_selector("#L1\\.n1", "g => Array.from(g.querySelectorAll('text')).map(t => t.textContent)")
    assert any(line.endswith(questions[-2].shown) for line in neuron)
    assert problems == []
    page.screenshot(path=str(tmp_path / "layers.png"))
    page.close()


@needs_dot
def test_the_page_carries_the_questions_and_the_contract_ids(tmp_path: Path) -> None:
    root = product_sum()
    text = write_html(root, tmp_path / "p.html", practice=True).read_text()
    for element in ("question", "answer", "check", "hint", "show-me", "score", "revisit", "restart", "download"):
        assert f'id="{element}"' in text
    data = json.loads(text.split('id="practice-data">', 1)[1].split("</script>", 1)[0])
    assert [q["prompt"] for q in data["questions"]] == [q.prompt for q in practice_questions(root)]
    with pytest.raises(ValueError, match="order='naive'"):
        write_html(root, tmp_path / "n.html", practice=True, order="naive")
    with pytest.raises(ValueError, match="leave out edge_labels"):
        write_html(root, tmp_path / "n.html", practice=True, edge_labels=True)
    assert not (tmp_path / "n.html").exists()
    shown = Practice(root)._repr_html_()
    assert shown.startswith('<iframe class="micrograd-nn-stepper" srcdoc="')
    assert 'sandbox="allow-scripts allow-downloads"' in shown  # the learner's answers can be downloaded
    assert html.unescape(shown.split('srcdoc="', 1)[1].split('"', 1)[0]) == Practice(root).html


@needs_dot
def test_the_command_line_writes_a_worksheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "worksheet.html"
    assert main(["practice", "a*b + c", "--set", "a=2", "b=-3", "c=10", "-o", str(target)]) == 0
    assert capsys.readouterr().out == f"wrote {target}: 6 questions on a*b + c with a = 2, b = -3, c = 10\n"
    assert 'id="practice-data"' in target.read_text()
    assert main(["practice", "tanh(x*w + b)", "--seed", "3", "-o", str(tmp_path / "seeded")]) == 0
    first = capsys.readouterr().out
    assert main(["practice", "tanh(x*w + b)", "--seed", "3", "-o", str(tmp_path / "seeded")]) == 0
    assert capsys.readouterr().out == first and first.startswith(f"wrote {tmp_path / 'seeded.html'}: ")
    assert main(["practice", "-a*b", "--set", "a=1", "b=2", "-o", str(tmp_path / "neg.html")]) == 0


@pytest.mark.parametrize(("argv", "message"), [
    (["practice", "a + b", "--set", "a=1"], "the name 'b' has no value"),
    (["practice", "a", "--set", "a=1"], "a has no gradient to work out by hand"),
    (["practice", "log(a)", "--set", "a=-1"], "log(-1.0) is undefined"),
    (["practice", "a*b", "--set", "a=1", "b=2", "-o", "sheet.txt"], "the page is HTML"),
    (["practice", "a*b", "--set", "a=1", "b=2", "-o", "no/such/folder/p.html"], "does not exist"),
    (["practice", "a*b", "--set", "a=x"], "--set needs NAME=NUMBER"),
])
def test_the_command_line_refuses_mistakes_in_one_line(argv: list[str], message: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.startswith("micrograd-nn practice: ")


def test_the_top_level_practice_is_imported_on_first_use() -> None:
    code = ("import sys, micrograd_nn\n"
            "assert 'micrograd_nn.views.practice_page' not in sys.modules\n"
            "from micrograd_nn import practice\n"
            "from micrograd_nn.views.practice_page import practice as defined\n"
            "assert practice is defined\n"
            "try:\n    micrograd_nn.no_such_name\nexcept AttributeError as err:\n    print(err)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "module 'micrograd_nn' has no attribute 'no_such_name'"


@needs_browser
def test_the_inline_page_works_inside_its_notebook_frame(browser: Any) -> None:
    """micrograd_nn.practice(root) in a notebook: an iframe whose script runs; focus stays with the notebook."""
    import micrograd_nn

    root = product_sum()
    first = practice_questions(root)[0]
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_content(f"<html><body>{micrograd_nn.practice(root)._repr_html_()}</body></html>")
    frame = page.frames[1]
    frame.wait_for_function("document.body.dataset.practice === 'ready'")
    assert frame.evaluate("document.activeElement.id") != "answer"  # the page does not take the keyboard
    frame.focus("#answer")
    page.keyboard.type(first.wrong[0].shown)
    page.keyboard.press("Enter")
    assert frame.get_attribute("#hint", "data-mistake") == first.wrong[0].mistake
    page.keyboard.press("Control+A")
    page.keyboard.type(first.shown)
    page.keyboard.press("Enter")
    assert frame.get_attribute("#question", "data-number") == "2"
    assert problems == []
    page.close()
