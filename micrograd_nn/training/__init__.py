"""Training: losses, optimisers, the fit loop, datasets and saving models.

The front door, ``from micrograd_nn.training import fit, SGD, save_model``,
loads a module when one of its names is first used.  The losses and the data
sets are modules: ``from micrograd_nn.training import losses, datasets`` (and
``micrograd_nn.training.diagnose.diagnose`` finds dead units).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from micrograd_nn.training.diagnose import DeadUnitsWarning
    from micrograd_nn.training.optim import SGD, Adam
    from micrograd_nn.training.persistence import ModelFileError, load_model, save_model
    from micrograd_nn.training.train import History, TrainingDivergedError, accuracy, fit, predict

_LAZY = {
    "fit": "micrograd_nn.training.train",
    "History": "micrograd_nn.training.train",
    "TrainingDivergedError": "micrograd_nn.training.train",
    "accuracy": "micrograd_nn.training.train",
    "predict": "micrograd_nn.training.train",
    "SGD": "micrograd_nn.training.optim",
    "Adam": "micrograd_nn.training.optim",
    "save_model": "micrograd_nn.training.persistence",
    "load_model": "micrograd_nn.training.persistence",
    "ModelFileError": "micrograd_nn.training.persistence",
    "DeadUnitsWarning": "micrograd_nn.training.diagnose",
}
"""Front-door name -> its defining module."""


def __getattr__(name: str) -> Any:
    """Load a training module when one of its names is first used."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'micrograd_nn.training' has no attribute {name!r}")


__all__ = [
    "fit", "History", "TrainingDivergedError", "accuracy", "predict", "SGD", "Adam", "save_model", "load_model",
    "ModelFileError", "DeadUnitsWarning",
]
