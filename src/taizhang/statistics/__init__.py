"""The figures every table and report states, computed once: `model` (the plain data), `compute`
(returns → figures, pure), `load` (the store → `compute`)."""
