# Which names each Python file given as an argument defines, and which it uses before defining
# them (those a pipeline step must receive from the steps before it). Read by Python's own
# parser (symtable for scopes, ast for order), printed as one JSON object: path -> {assigned, free}.
import ast
import builtins
import json
import symtable
import sys

BUILTINS = set(dir(builtins)) | {"__file__", "__name__", "__builtins__", "__doc__", "__spec__"}


def scope_globals(table, found):
    # Names a function, class, lambda or comprehension reads from the module's globals.
    for child in table.get_children():
        for symbol in child.get_symbols():
            if symbol.is_referenced() and (symbol.is_global() or symbol.is_declared_global()):
                found.add(symbol.get_name())
        scope_globals(child, found)


def first_positions(tree):
    # When (in the order Python runs them) each module-level name is first read and first bound,
    # outside nested scopes.
    loads, stores = {}, {}
    clock = iter(range(1 << 62))

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                visit(decorator)
            stores.setdefault(node.name, next(clock))
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            # The first iterable is read where the comprehension stands; the rest is its own scope.
            visit(node.generators[0].iter)
            return
        if isinstance(node, ast.Lambda):
            for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                visit(default)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                name = (alias.asname or alias.name).split(".")[0]
                stores.setdefault(name, next(clock))
            return
        if isinstance(node, ast.Name):
            target = loads if isinstance(node.ctx, ast.Load) else stores
            target.setdefault(node.id, next(clock))
        # An assignment's value is read before its targets are bound: x = x + 1 reads x first.
        children = list(ast.iter_child_nodes(node))
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            children.sort(key=lambda child: 0 if child is node.value else 1)
        for child in children:
            visit(child)

    for statement in tree.body:
        visit(statement)
    return loads, stores


def analyse(source, name):
    tree = ast.parse(source, name)
    table = symtable.symtable(source, name, "exec")
    assigned, free = set(), set()
    for symbol in table.get_symbols():
        if symbol.is_assigned() or symbol.is_imported():
            assigned.add(symbol.get_name())
    loads, stores = first_positions(tree)
    for symbol_name, position in loads.items():
        if symbol_name not in stores or position < stores[symbol_name]:
            free.add(symbol_name)
    nested = set()
    scope_globals(table, nested)
    free |= {symbol_name for symbol_name in nested if symbol_name not in assigned}
    keep = lambda names: sorted(n for n in names if n not in BUILTINS and not n.startswith("_parity"))
    return {"assigned": keep(assigned), "free": keep(free)}


def main():
    result = {}
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        try:
            result[path] = analyse(source, path)
        except SyntaxError as error:
            result[path] = {"error": f"{error.msg} (line {error.lineno})"}
    print(json.dumps(result))


main()
