"""Code that runs inside the student's kernel before the tests: it remembers what the tests rely on.

The grader sends this file's source to the kernel (it is never imported by the grader) and
then calls ``_install_grader_guard(modules)``. Before each test cell the grader calls the
guard's ``restore()``, which puts back the builtins, the checks' modules and IPython's
hooks that the student's code replaced, and records what it changed.
"""


# ruff: noqa
def _install_grader_guard(protected):
    import builtins, importlib, sys, threading, types

    ip = get_ipython()
    bdict = vars(builtins)
    saved_builtins = dict(bdict)
    kernel_managed = {"input", "_", "__", "___"}  # ipykernel and IPython replace these themselves
    saved_modules = {}
    for name in protected:
        try:
            module = importlib.import_module(name)
        except Exception:
            continue
        saved_modules[name] = (module, vars(module), dict(vars(module)))
    lists = ("input_transformers_cleanup", "input_transformers_post", "ast_transformers")
    saved_lists = {name: list(getattr(ip, name, [])) for name in lists}
    saved_events = {event: list(cbs) for event, cbs in ip.events.callbacks.items()}
    methods = (
        "run_cell",
        "run_cell_async",
        "run_code",
        "run_ast_nodes",
        "showtraceback",
        "_showtraceback",
        "showsyntaxerror",
        "transform_cell",
        "should_run_async",
    )
    saved_methods = {m: vars(ip)[m] for m in methods if m in vars(ip)}
    kernel = getattr(ip, "kernel", None)
    kernel_methods = ("do_execute", "execute_request")
    saved_kernel = {m: vars(kernel)[m] for m in kernel_methods if kernel is not None and m in vars(kernel)}
    xmode = ip.InteractiveTB.mode
    remembered = {}
    missing = object()

    def from_library(obj):
        module = getattr(obj, "__module__", None)
        return isinstance(module, str) and module != "__main__"

    def remember(names):
        for name in names:
            if name in ip.user_ns:
                remembered[name] = ip.user_ns[name]

    def restore():
        changed = []
        for key, value in saved_builtins.items():
            if key not in kernel_managed and bdict.get(key, missing) is not value:
                bdict[key] = value
                changed.append("builtins." + key)
        for name, (module, namespace, saved) in saved_modules.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
                changed.append("sys.modules[%r]" % name)
            for key, value in saved.items():
                if namespace.get(key, missing) is not value:
                    namespace[key] = value
                    changed.append(name + "." + key)
        for name, original in saved_lists.items():
            hooks = getattr(ip, name, None)
            if isinstance(hooks, list):
                kept = [h for h in hooks if any(h is o for o in original) or from_library(h)]
                if len(kept) != len(hooks):
                    hooks[:] = kept
                    changed.append("IPython " + name)
        for event, callbacks in ip.events.callbacks.items():
            original = saved_events.get(event, [])
            kept = [c for c in callbacks if any(c is o for o in original) or from_library(c)]
            if len(kept) != len(callbacks):
                callbacks[:] = kept
                changed.append("IPython %s callbacks" % event)
        for obj, names, saved in ((ip, methods, saved_methods), (kernel, kernel_methods, saved_kernel)):
            if obj is None:
                continue
            for m in names:
                if m in vars(obj) and vars(obj)[m] is not saved.get(m, missing):
                    if m in saved:
                        setattr(obj, m, saved[m])
                    else:
                        delattr(obj, m)
                    changed.append("%s.%s" % (type(obj).__name__, m))
        if ip.custom_exceptions:
            ip.custom_exceptions = ()
            changed.append("IPython custom exception handler")
        if ip.InteractiveTB.mode != xmode:
            ip.InteractiveTB.set_mode(xmode)
        if sys.gettrace() is not None or sys.getprofile() is not None:
            changed.append("sys.settrace/setprofile")
        sys.settrace(None)
        sys.setprofile(None)
        threading.settrace(None)
        threading.setprofile(None)
        for name, value in remembered.items():
            if ip.user_ns.get(name, missing) is not value:
                ip.user_ns[name] = value
                changed.append(name)
        guard.changed = changed

    guard = types.ModuleType("_platform_intl_grader_guard")
    guard.restore, guard.remember, guard.changed = restore, remember, []
    sys.modules[guard.__name__] = guard
