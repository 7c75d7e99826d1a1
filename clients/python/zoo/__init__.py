"""A zoo of small NumPy samplers of the kind people write, each correct and with a real bug re-enacted.

Each sampler uses the exact score of the zoo's data (a two-component Gaussian mixture in 2D, written here in NumPy
from the closed form of a mixture carried along a Gaussian path) as its model, so that the only error is the
sampler's. ``scorespec check`` must pass every correct version and catch every bug (docs/check.md).
"""
