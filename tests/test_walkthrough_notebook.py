"""The walkthrough notebook runs top to bottom and shows what its text promises."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "demos" / "backprop_walkthrough.ipynb"


@pytest.mark.skipif(shutil.which("dot") is None, reason="the notebook's pictures need Graphviz's dot")
def test_walkthrough_notebook_executes() -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(output.get("output_type") != "error" for cell in code for output in cell.outputs)

    def text_of(cell: dict) -> str:
        parts = []
        for output in cell.outputs:
            parts.append(output.get("text", ""))
            data = output.get("data", {})
            parts.append(data.get("image/svg+xml", "") + data.get("text/html", "") + data.get("text/plain", ""))
        return "".join(parts)

    before, after = text_of(code[0]), text_of(code[1])
    assert "<svg" in before and "gradients not computed yet" in before
    assert "<svg" in after and "not computed" not in after
    assert "<td>L</td>" in text_of(code[2])
    assert "dL/da += dL/dab * dab/da = 0.0027 * -3.0000 ≈ -0.0080" in text_of(code[3])
    assert "(dy/dx is now 2.0000)" in text_of(code[5])
    assert "layer 1 / neuron 1" in text_of(code[6])
    assert "every gradient agrees with central differences" in text_of(code[9])
