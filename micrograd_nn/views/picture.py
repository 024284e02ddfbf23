"""A graphviz.Digraph whose every Graphviz run has a time limit, and writing a drawn picture to a file.

Both pictures (the scalar graph, the network view) are returned as a ``Picture``;
its Jupyter display, ``.pipe`` and ``.render`` lay out with the size check and time
limit of micrograd_nn.views.dot_text.run_dot.  This module loads graphviz.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphviz

from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.views.dot_text import DEFAULT_ADVICE, DOT_TIMEOUT, Advice, run_dot


class Picture(graphviz.Digraph):
    """A graphviz.Digraph whose every run of Graphviz (Jupyter display, .pipe, .render) has a time limit.

    ``timeout`` seconds (default DOT_TIMEOUT) and the size check of micrograd_nn.views.dot_text.run_dot
    apply; a timeout, a crash or a missing program is a GraphvizError.
    """

    timeout: float = DOT_TIMEOUT
    advice: Advice = DEFAULT_ADVICE  # what a failure of Graphviz advises: set by the call that drew the picture

    def pipe(  # type: ignore[override]
        self, format: str | None = None, renderer: str | None = None, formatter: str | None = None,
        neato_no_op: bool | int | None = None, quiet: bool = False, *, engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """The picture in format (svg, png, pdf, ...) as bytes, or as text when encoding is given."""
        if engine not in (None, "dot") or neato_no_op:
            raise ValueError(f"pipe: only Graphviz's dot layout is supported here, got engine={engine!r}")
        fmt = ":".join(part for part in (format or self.format, renderer, formatter) if part)
        image = run_dot(self.source, fmt, timeout=self.timeout, advice=self.advice)
        return image.decode(encoding) if encoding is not None else image

    def save(  # type: ignore[override]
        self, filename: str | Path | None = None, directory: str | Path | None = None, *, skip_existing: bool = False,
    ) -> str:
        """Write the DOT source to filename (in directory) atomically, as graphviz's save does; returns its path."""
        if filename is not None:
            self.filename = str(filename)
        if directory is not None:
            self.directory = str(directory)
        path = self.filepath
        if skip_existing and Path(path).exists():
            return path
        Path(path).parent.mkdir(parents=True, exist_ok=True)  # graphviz makes the folders too
        write_atomically(path, "".join(self), "save")
        return path

    def render(  # type: ignore[override]
        self, filename: str | Path | None = None, directory: str | Path | None = None, view: bool = False,
        cleanup: bool = False, format: str | None = None, *args: Any, outfile: str | Path | None = None,
        **kwargs: Any,
    ) -> str:
        """Save the DOT source and write the picture beside it (filename.format, or outfile); returns its path."""
        if args or kwargs.get("engine") not in (None, "dot") or kwargs.get("renderer") or kwargs.get("formatter"):
            raise ValueError("render: only the dot layout and a plain format are supported here")
        if outfile is not None and format is None:
            format = Path(outfile).suffix.lstrip(".") or None
        fmt = format or self.format
        if filename is None and outfile is not None:
            filename = Path(outfile).with_suffix(".gv")
        source_path = Path(self.save(filename, directory=directory))
        target = Path(outfile) if outfile is not None else source_path.with_name(f"{source_path.name}.{fmt}")
        write_atomically(target, run_dot(self.source, fmt, timeout=self.timeout, advice=self.advice), "render")
        if cleanup:
            source_path.unlink()
        if view:
            graphviz.view(target)
        return str(target)


RENDER_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


def write_picture(picture: graphviz.Digraph, path: str | Path, *, timeout: float = DOT_TIMEOUT) -> Path:
    """Write a drawn picture to path atomically: SVG, PNG or PDF by its suffix, or DOT text for .dot."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".dot":
        return write_atomically(target, picture.source, "render")
    if suffix not in RENDER_FORMATS:
        raise ValueError(f"render: cannot tell the format from {str(path)!r}; use .svg, .png, .pdf or .dot")
    check_target(target, "render")  # a bad path is said before Graphviz runs
    return write_atomically(target, pipe(picture, RENDER_FORMATS[suffix], timeout=timeout), "render")


def pipe(picture: graphviz.Graph | graphviz.Digraph, fmt: str, *, timeout: float = DOT_TIMEOUT) -> bytes:
    """Run Graphviz's dot on picture (size-checked, stopped after timeout s) and return the image bytes.

    A missing program, a timeout or a crash of dot raises GraphvizError (a RuntimeError).
    """
    return run_dot(picture.source, fmt, timeout=timeout, advice=getattr(picture, "advice", DEFAULT_ADVICE))
