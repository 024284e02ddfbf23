"""The walkthrough notebook runs top to bottom, shows what its text promises, and its stepper is inline HTML
that works inside the notebook's output (an iframe whose script runs)."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "demos" / "backprop_walkthrough.ipynb"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("dot") is None, reason="the notebook's pictures need Graphviz's dot"),
]


@pytest.fixture(scope="module")
def executed() -> list[Any]:
    """The notebook's code cells after running it in a fresh kernel."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def text_of(cell: Any) -> str:
    """Everything a cell showed: printed text, SVG, HTML and plain-text results."""
    parts = []
    for output in cell.outputs:
        parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts.append(data.get("image/svg+xml", "") + data.get("text/html", "") + data.get("text/plain", ""))
    return "".join(parts)


def stepper_page(cell: Any) -> str:
    """The page inside the stepper's iframe in a cell's HTML output."""
    (frame,) = [output["data"]["text/html"] for output in cell.outputs if "text/html" in output.get("data", {})]
    assert frame.startswith("<iframe ")
    return html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))  # type: ignore[union-attr]


def cell_with(cells: list[Any], source: str) -> Any:
    """The one code cell whose source contains source (cells are found by what they do, not by position)."""
    (cell,) = [cell for cell in cells if source in cell.source]
    return cell


def states_of(page: str) -> list[dict[str, Any]]:
    """The states a stepper page steps through (its stepper-data JSON)."""
    start = page.index('id="stepper-data">') + len('id="stepper-data">')
    return json.loads(page[start : page.index("</script>", start)])["states"]


def test_walkthrough_notebook_executes(executed: list[Any]) -> None:
    code = executed
    assert all(output.get("output_type") != "error" for cell in code for output in cell.outputs)
    before, after = text_of(code[0]), text_of(code[1])
    assert "<svg" in before and "gradients not computed yet" in before
    assert "<svg" in after and "not computed" not in after
    assert "<td>L</td>" in text_of(code[2])
    assert "dL/da += dL/dab * dab/da = 0.0027 * -3.0000 ≈ -0.0080" in text_of(code[3])
    assert "(dy/dx is now 2.0000)" in text_of(code[5])
    assert "layer 1 / neuron 1" in text_of(cell_with(code, "neuron = MLP("))
    assert "every gradient agrees with central differences" in text_of(cell_with(code, "audit_gradients(out)"))


def test_the_notebook_shows_why_a_topological_order(executed: list[Any]) -> None:
    """The naive walk run for real gives dc/da = 8, backward() 4; the stepper marks the wrong step and result."""
    printed = text_of(cell_with(executed, "def naive_backward(node):"))
    assert "naive walk: dc/da = 8.0\nbackward(): dc/da = 4.0\n" in printed
    assert "3. b (visit 2) passes dc/db = 2.0000 on: dc/da = 6.0000, then 8.0000   <- wrong:" in printed
    assert "  result: dc/da = 4.0000" in printed
    states = states_of(stepper_page(cell_with(executed, 'show(c, order="naive")')))
    assert [bool(state.get("wrong")) for state in states] == [False, False, False, True, True]
    assert states[-1]["title"] == "naive result: dc/da = 8.0000, but backward() gives 4.0000"


def test_the_stepper_output_is_inline_html(executed: list[Any]) -> None:
    expression = stepper_page(cell_with(executed, "show(L)"))
    network = stepper_page(cell_with(executed, 'show(loss, mode="layers"'))
    for page in (expression, network):
        assert page.startswith("<!DOCTYPE html>") and "<script src" not in page and "<link" not in page
        assert 'id="zoom-in"' in page and "svgPanZoom" in page
    states = states_of(network)
    assert any(state["rule"][:1] == ["δ(1) = (W(2)ᵀ δ(2)) ⊙ f′(z(1))"] for state in states)
    assert states[0]["phase"] == "forward"
    assert "ab = a × b = -6.0000" in [line for state in states_of(expression) for line in state["rule"]]


def test_the_practice_cell_shows_the_practice_page_inline(executed: list[Any]) -> None:
    """micrograd_nn.practice(L): the stepper page with the questions of views.practice for L, inline."""
    page = stepper_page(cell_with(executed, "micrograd_nn.practice(L)"))
    assert page.startswith("<!DOCTYPE html>") and "<script src" not in page and "<link" not in page
    data = json.loads(re.search(r'id="practice-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    asked = [(q["kind"], q["node"], q["input"], q["shown"]) for q in data["questions"]]
    assert asked == [("grad", "t", None, "2.0000"), ("local", "t", "n", "0.0013"), ("grad", "n", None, "0.0027"),
                     ("grad", "ab", None, "0.0027"), ("grad", "c", None, "0.0027"), ("local", "ab", "a", "-3.0000"),
                     ("grad", "a", None, "-0.0080"), ("local", "ab", "b", "2.0000"), ("grad", "b", None, "0.0054")]
    assert 'id="question"' in page and 'id="answer"' in page and 'id="score"' in page


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
def test_the_stepper_runs_inside_its_notebook_frame(executed: list[Any]) -> None:
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    shown = cell_with(executed, "show(L)")
    (frame_html,) = [o["data"]["text/html"] for o in shown.outputs if "text/html" in o.get("data", {})]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.set_content(f"<!DOCTYPE html><html><body>{frame_html}</body></html>")
        stepper = page.frame_locator("iframe.micrograd-nn-stepper")
        assert stepper.locator("#position").inner_text() == "step 0 of 4"
        stepper.locator("#next").click()
        assert stepper.locator("#position").inner_text() == "step 1 of 4"
        assert stepper.locator("#graph .node.current").count() == 2
        assert problems == []
        browser.close()


def test_the_training_section_shows_the_live_widget_and_records_every_step(executed: list[Any]) -> None:
    """Section 6: the widget is displayed before the loop, the loop records 40 steps, the page is written."""
    live, recording = cell_with(executed, "import LiveWidget"), cell_with(executed, "run_page = write_recording(")
    views = [o for o in live.outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1
    printed = "".join(o.get("text", "") for o in live.outputs if o.get("output_type") == "stream")
    assert re.fullmatch(r"recorded 40 steps: loss \d\.\d{4} -> \d\.\d{4}\n", printed)
    first, last = map(float, re.findall(r"(\d\.\d{4})", printed))
    assert last < first
    page = Path(text_of(recording).split("open ", 1)[1].strip())
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<script type="application/json" id="timeline">' in text
    steps = json.loads(re.search(r'id="timeline">(.*?)</script>', text, re.S).group(1))["steps"]  # type: ignore[union-attr]
    assert [step["step"] for step in steps] == list(range(40)) and steps[0]["loss"] == pytest.approx(first, abs=1e-4)


def test_the_notebook_checks_a_broken_engine_then_the_fixed_one(executed: list[Any]) -> None:
    """Section 7 (issue 24 §3): check_engine on a learner's engine with tanh's brackets missing, then with them."""
    broken = text_of(cell_with(executed, "report = check_engine(Value)"))
    assert "check_engine(Value): 2 of 21 cases fail (chain_factor), 10 skipped; missing: __truediv__, __pow__" in broken
    assert "`y = tanh(a); out = y * c` gives da = 0.99376, expected 2.49376: the _backward of tanh(a) multiplies" \
        in broken
    assert "<table" in broken  # the report's _repr_html_
    fixed = text_of(cell_with(executed, "Value.tanh = tanh"))
    assert fixed.strip() == ("check_engine(Value): all 21 cases pass, 10 skipped; missing: __truediv__, __pow__, "
                             "__rsub__, __rtruediv__, exp, log, relu, sigmoid")
