"""Old path of the node-by-node views: views.tables, views.replay (the backward replay) and views.explain."""

from micrograd_nn.views.explain import chain_rule_line, explain, rule_lines, step_title
from micrograd_nn.views.replay import ACCUMULATION_NOTE, backward_steps, differs_from_one_pass, replay
from micrograd_nn.views.tables import format_table, node_table, table_html

__all__ = [
    "ACCUMULATION_NOTE", "backward_steps", "chain_rule_line", "differs_from_one_pass", "explain", "format_table",
    "node_table", "replay", "rule_lines", "step_title", "table_html",
]
