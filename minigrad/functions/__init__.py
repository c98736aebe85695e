"""Every differentiable op: one Function class each, forward above backward, the derivative in the docstring.

elementwise.py (+ - * / ** exp log ...), reduce.py (sum mean var max softmax ...), shape.py (view transpose index
cat ...), matmul.py (matmul, linear).
"""
