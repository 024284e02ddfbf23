"""Helpers the demos share: the output folder, printing beside a progress bar, timing."""

from __future__ import annotations

from pathlib import Path

DEFAULT_OUT = "micrograd_nn_output"


def output_folder(out_dir: str | Path, demo: str) -> Path:
    """out_dir/demo, created if needed."""
    folder = Path(out_dir) / demo
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def say(message: str = "") -> None:
    """Print a line without breaking a tqdm progress bar that may be on screen."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        print(message, flush=True)
        return
    tqdm.write(message)


def percent(fraction: float) -> str:
    """0.9712 -> '97.1%'."""
    return f"{100 * fraction:.1f}%"
