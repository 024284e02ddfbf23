"""Analysis: what a graph is, drawing nothing: one walk of it, the network found in it, backward replayed as records,
and the naive walk that shows why backward() needs a topological order.  Views and checks read these."""
