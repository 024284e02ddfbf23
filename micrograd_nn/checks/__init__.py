"""Checks: gradients against central differences, the gradient audit, the NumPy reference, the learner checker."""
