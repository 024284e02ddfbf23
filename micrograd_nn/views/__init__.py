"""Views: they read a graph (one walk, one network model) and draw, tabulate or explain it; they never change it."""
