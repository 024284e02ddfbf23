"""Build: compile the engine (engine.py with engine.pxd; rules.py, errors.py, nn.py likewise) with Cython when it can.

The compiled modules are the same .py files a learner reads, compiled in
Cython's pure-Python mode.  Without Cython or a C compiler, or if compiling
fails, the install still succeeds and the plain-Python engine runs: the same
files, the same numbers.  ``micrograd-nn --version`` says which engine runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent


def _engine_choice():  # type: ignore[no-untyped-def]
    """micrograd_nn/engine_choice.py, loaded on its own: the list of compiled modules and the source hash."""
    spec = importlib.util.spec_from_file_location("engine_choice", HERE / "micrograd_nn" / "engine_choice.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


ENGINE_CHOICE = _engine_choice()


class OptionalBuildExt(build_ext):
    """build_ext that warns and carries on (the plain-Python engine runs) when an extension fails to build."""

    def run(self) -> None:
        self.compiled: dict[str, str] = {}
        try:
            super().run()
        except Exception as err:  # no compiler, no headers: fall back to plain Python
            self._fall_back(err)
        self._record_build()

    def build_extension(self, ext) -> None:  # type: ignore[no-untyped-def]
        try:
            super().build_extension(ext)
        except Exception as err:
            self._fall_back(err)
            return
        name = ext.name.rsplit(".", 1)[-1]
        self.compiled[name] = ENGINE_CHOICE.source_hash(name)

    def _record_build(self) -> None:
        """Write _build.json beside the compiled modules: each compiled source's hash (stale builds are skipped)."""
        if not self.extensions:
            return
        folder = Path(self.get_ext_fullpath(self.extensions[0].name)).parent
        folder.mkdir(parents=True, exist_ok=True)
        record = folder / ENGINE_CHOICE.BUILD_RECORD
        temporary = record.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.compiled, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, record)

    @staticmethod
    def _fall_back(err: Exception) -> None:
        print(f"micrograd_nn: not compiling the engine ({err}); the plain-Python engine will run", file=sys.stderr)


def extensions() -> list:
    """The compiled modules, or [] when Cython is missing or MICROGRAD_NN_PURE=1 is set at install."""
    if os.environ.get("MICROGRAD_NN_PURE") == "1":
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("micrograd_nn: Cython is not installed; the plain-Python engine will run", file=sys.stderr)
        return []
    from setuptools import Extension

    names = ENGINE_CHOICE.COMPILED_MODULES
    modules = [Extension(f"micrograd_nn.{name}", [f"micrograd_nn/{name}.py"]) for name in names]
    try:
        return cythonize(
            modules,
            language_level=3,
            compiler_directives={"infer_types": True, "annotation_typing": False, "embedsignature": True,
                                "embedsignature.format": "clinic"},
            quiet=True,
        )
    except Exception as err:
        print(f"micrograd_nn: Cython could not translate the engine ({err}); the plain-Python engine will run",
              file=sys.stderr)
        return []


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
