"""A small, safe evaluator for the ``eval=`` attributes of data files: literals, containers,
``True/False/None``, names given in the context (``ref``, ``obj``, ``time``...), calls of context
functions, unary minus and ``+``/``-`` between numbers.  Anything else raises ``ValueError``."""
import ast


def safe_eval(expr, context=None):
    context = dict(context or {})
    tree = ast.parse(expr.strip(), mode='eval')

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            values = [ev(elt) for elt in node.elts]
            return {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)](values)
        if isinstance(node, ast.Dict):
            return {ev(k): ev(v) for k, v in zip(node.keys, node.values)}
        if isinstance(node, ast.Name):
            if node.id in ('True', 'False', 'None'):
                return {'True': True, 'False': False, 'None': None}[node.id]
            if node.id in context:
                return context[node.id]
            raise ValueError("name %r is not defined" % node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
            value = ev(node.operand)
            return -value if isinstance(node.op, ast.USub) else (not value if isinstance(node.op, ast.Not) else value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
            left, right = ev(node.left), ev(node.right)
            return {ast.Add: lambda: left + right, ast.Sub: lambda: left - right,
                    ast.Mult: lambda: left * right}[type(node.op)]()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in context:
            return context[node.func.id](*[ev(a) for a in node.args],
                                         **{k.arg: ev(k.value) for k in node.keywords})
        raise ValueError("forbidden expression in safe_eval: %s" % ast.dump(node))

    return ev(tree)
