"""Checks: gradients against central differences, the gradient audit, the NumPy reference, the learner checker.

The front door, ``from micrograd_nn.checks import gradcheck, audit_gradients, check_gradients``,
loads a checker's module when its name is first used (NumPy only with the
learner's checker and the reference).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from micrograd_nn.checks.finite_differences import GradcheckError, gradcheck
    from micrograd_nn.checks.graph_audit import AuditReport, audit_gradients
    from micrograd_nn.checks.learner_backprop import GradientReport, check_gradients
    from micrograd_nn.checks.learner_engine import check_engine
    from micrograd_nn.checks.reference import ReferenceMLP

_LAZY = {
    "gradcheck": "micrograd_nn.checks.finite_differences",
    "GradcheckError": "micrograd_nn.checks.finite_differences",
    "audit_gradients": "micrograd_nn.checks.graph_audit",
    "AuditReport": "micrograd_nn.checks.graph_audit",
    "check_gradients": "micrograd_nn.checks.learner_backprop",
    "GradientReport": "micrograd_nn.checks.learner_backprop",
    "ReferenceMLP": "micrograd_nn.checks.reference",
    "check_engine": "micrograd_nn.checks.learner_engine",  # your own engine, checked (issue 24)
}
"""Front-door name -> its defining module."""


def __getattr__(name: str) -> Any:
    """Load a checker's module when one of its names is first used."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'micrograd_nn.checks' has no attribute {name!r}")


__all__ = [
    "gradcheck", "GradcheckError", "audit_gradients", "AuditReport", "check_gradients", "GradientReport",
    "ReferenceMLP", "check_engine",
]
