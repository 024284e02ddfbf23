"""Each demo at reduced size, asserting what the tutorial's reader would check."""

from __future__ import annotations

import pytest

from micrograd_nn.tutorials.moons import run_moons


def test_moons_matches_micrograd_and_separates_the_moons(tmp_path, capsys) -> None:
    result = run_moons(tmp_path, steps=30, quiet=True)
    # micrograd's notebook prints "step 0 loss 0.8958441028683222, accuracy 50.0%" for these weights and points
    assert result.history.loss[0] == pytest.approx(0.8958441028683222, abs=1e-12)
    assert result.history.metrics["accuracy"][0] == 0.5
    assert result.accuracy >= 0.93
    assert result.history.loss[-1] < 0.2
    printed = capsys.readouterr().out
    assert "step 0 loss 0.895844, accuracy 50.0%" in printed
    for path in result.files.values():
        assert path.exists() and path.read_bytes().startswith(b"\x89PNG")
