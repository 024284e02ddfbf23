"""Training: losses, optimisers, the fit loop, datasets and saving models."""
