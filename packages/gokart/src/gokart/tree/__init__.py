"""gokart.tree: task information as text, tables, pickles and (kart) Mermaid/DOT graphs."""
