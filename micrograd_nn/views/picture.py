"""A graphviz.Digraph whose every Graphviz run has a time limit, and writing a drawn picture to a file.

Both pictures (the scalar graph, the network view) are returned as a ``Picture``;
its Jupyter display, ``.pipe`` and ``.render`` lay out with the size check and time
limit of micrograd_nn.views.dot_text.run_dot.  This module loads graphviz.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphviz

from micrograd_nn.views.dot_text import DOT_TIMEOUT, run_dot


class Picture(graphviz.Digraph):
    """A graphviz.Digraph whose every run of Graphviz (Jupyter display, .pipe, .render) has a time limit.

    ``timeout`` seconds (default DOT_TIMEOUT) and the size check of micrograd_nn.views.dot_text.run_dot
    apply; a timeout, a crash or a missing program is a GraphvizError.
    """

    timeout: float = DOT_TIMEOUT

    def pipe(  # type: ignore[override]
        self, format: str | None = None, renderer: str | None = None, formatter: str | None = None,
        neato_no_op: bool | int | None = None, quiet: bool = False, *, engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """The picture in format (svg, png, pdf, ...) as bytes, or as text when encoding is given."""
        if engine not in (None, "dot") or neato_no_op:
            raise ValueError(f"pipe: only Graphviz's dot layout is supported here, got engine={engine!r}")
        fmt = ":".join(part for part in (format or self.format, renderer, formatter) if part)
        image = run_dot(self.source, fmt, timeout=self.timeout)
        return image.decode(encoding) if encoding is not None else image

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
        target.write_bytes(run_dot(self.source, fmt, timeout=self.timeout))
        if cleanup:
            source_path.unlink()
        if view:
            graphviz.view(target)
        return str(target)


RENDER_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


def write_picture(picture: graphviz.Digraph, path: str | Path, *, timeout: float = DOT_TIMEOUT) -> Path:
    """Write a drawn picture to path: SVG, PNG or PDF by its suffix, or DOT text for .dot."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".dot":
        target.write_text(picture.source, encoding="utf-8")
        return target
    if suffix not in RENDER_FORMATS:
        raise ValueError(f"render: cannot tell the format from {str(path)!r}; use .svg, .png, .pdf or .dot")
    image = pipe(picture, RENDER_FORMATS[suffix], timeout=timeout)
    target.write_bytes(image)
    return target


def pipe(picture: graphviz.Graph | graphviz.Digraph, fmt: str, *, timeout: float = DOT_TIMEOUT) -> bytes:
    """Run Graphviz's dot on picture (size-checked, stopped after timeout s) and return the image bytes.

    A missing program, a timeout or a crash of dot raises GraphvizError (a RuntimeError).
    """
    return run_dot(picture.source, fmt, timeout=timeout)
