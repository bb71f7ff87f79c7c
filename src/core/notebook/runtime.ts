import { GPU_LIMIT_LINES } from "../gpu/runtime";

/**
 * The small Python helpers a generated script defines before the first cell, only those it uses.
 * Names start with `_parity` so they never collide with the notebook's own globals.
 */
export type Helper =
  | "output"
  | "gpu"
  | "os"
  | "matplotlib"
  | "expand"
  | "shell"
  | "sh"
  | "cd"
  | "time"
  | "capture"
  | "writeFile"
  | "parameters"
  | "pip";

interface HelperSource {
  modules: string[];
  uses: Helper[];
  lines: string[];
}

const HELPERS: Record<Helper, HelperSource> = {
  // In every script, first: see TAGGED_OUTPUT_ENV (taggedOutput.ts) for why and for the records.
  // Writes are passed on at once (PYTHONUNBUFFERED), but a line's start waits for its end while
  // only its own stream is written, so print("a", "b") is one record; writing the other stream or
  // flushing (_parity_shell does before a program starts) passes it on first, keeping the order.
  output: {
    modules: ["atexit", "io", "os", "sys", "threading"],
    uses: [],
    lines: [
      "class _ParityTaggedStream(_parity_io.RawIOBase):",
      '    """One of the job\'s output streams, written as tagged records to the stdout pipe."""',
      "",
      "    lock = _parity_threading.RLock()",
      "    streams = []",
      "",
      "    def __init__(self, tag, fd):",
      "        super().__init__()",
      '        self.tag, self.fd, self.started = tag, fd, b""',
      "        self.streams.append(self)",
      "",
      "    def writable(self):",
      "        return True",
      "",
      "    def fileno(self):",
      "        return self.fd",
      "",
      "    def write(self, data):",
      "        data = bytes(data)",
      "        with self.lock:",
      "            records = [other.take() for other in self.streams if other is not self and other.started]",
      '            lines = (self.started + data).split(b"\\n")',
      "            self.started = lines.pop()",
      '            records += [b"\\x1e" + self.tag + line + b"\\n" for line in lines]',
      "            if len(self.started) > 65536:",
      "                records.append(self.take())",
      '            _ParityTaggedStream.send(b"".join(records))',
      "        return len(data)",
      "",
      "    def flush(self):",
      "        with self.lock:",
      "            if self.started:",
      "                _ParityTaggedStream.send(self.take())",
      "",
      "    def take(self):",
      '        record = b"\\x1e" + self.tag.lower() + self.started + b"\\n"',
      '        self.started = b""',
      "        return record",
      "",
      "    @staticmethod",
      "    def send(data):",
      "        while data:",
      "            data = data[_parity_os.write(1, data) :]",
      "",
      "",
      "def _parity_output_end():",
      '    """Last of all: what is still unended, then the peak memory of the container\'s cgroup."""',
      "    for stream in _ParityTaggedStream.streams:",
      "        stream.flush()",
      "    for path, source in (",
      '        ("/sys/fs/cgroup/memory.peak", b"cgroup-v2"),',
      '        ("/sys/fs/cgroup/memory/memory.max_usage_in_bytes", b"cgroup-v1"),',
      "    ):",
      "        try:",
      '            with open(path, "rb") as file:',
      "                peak = int(file.read())",
      "        except (OSError, ValueError):",
      "            continue",
      '        _ParityTaggedStream.send(b"\\x1eP%d %s\\n" % (peak, source))',
      "        return",
      "",
      "",
      'if _parity_os.environ.get("PARITY_OUTPUT") == "tagged":',
      '    for _parity_name, _parity_tag, _parity_fd in (("stdout", b"O", 1), ("stderr", b"E", 2)):',
      "        _parity_stream = getattr(_parity_sys, _parity_name)",
      "        _parity_stream.flush()",
      "        _parity_stream = _parity_io.TextIOWrapper(",
      "            _ParityTaggedStream(_parity_tag, _parity_fd),",
      "            encoding=_parity_stream.encoding,",
      "            errors=_parity_stream.errors,",
      "            write_through=True,",
      "        )",
      "        # __stdout__ too: the helpers restore it after %%capture, and compare with it.",
      "        setattr(_parity_sys, _parity_name, _parity_stream)",
      '        setattr(_parity_sys, "__%s__" % _parity_name, _parity_stream)',
      "    # A child forked while another thread wrote would inherit the lock held, for good.",
      '    _parity_os.register_at_fork(after_in_child=lambda: setattr(_ParityTaggedStream, "lock", _parity_threading.RLock()))',
      "    # Registered first, so it runs after the job's own exit handlers.",
      "    _parity_atexit.register(_parity_output_end)",
    ],
  },
  // In every script, right after output: production's GPU memory held before the first cell.
  gpu: { modules: [], uses: [], lines: [...GPU_LIMIT_LINES] },
  os: { modules: ["os"], uses: [], lines: [] },
  matplotlib: {
    modules: ["os"],
    uses: [],
    lines: ['_parity_os.environ["MPLBACKEND"] = "Agg"  # %matplotlib: a batch job has no display'],
  },
  expand: {
    modules: ["re", "string", "sys"],
    uses: [],
    lines: [
      "def _parity_expand(text, depth=1):",
      '    """Jupyter\'s {expression} and $name in magic lines; as written when an expression fails."""',
      "    frame = _parity_sys._getframe(depth)",
      "    names = dict(frame.f_globals, **frame.f_locals)",
      "    try:",
      "        parts = []",
      "        for literal, field, spec, conversion in _parity_string.Formatter().parse(text):",
      "            parts.append(literal)",
      "            if field is not None:",
      "                value = eval(field, frame.f_globals, frame.f_locals)",
      '                value = {"r": repr, "s": str, "a": ascii}.get(conversion, lambda v: v)(value)',
      '                parts.append(format(value, spec or ""))',
      '        text = "".join(parts)',
      "    except Exception:",
      "        pass",
      '    dollar = lambda m: "$" if m.group(0) == "$$" else str(names.get(m.group(1), m.group(0)))',
      '    return _parity_re.sub(r"\\$\\$|\\$([A-Za-z_]\\w*)", dollar, text)',
    ],
  },
  shell: {
    modules: ["subprocess", "sys"],
    uses: [],
    lines: [
      "def _parity_shell(argv, capture=False):",
      '    """Runs a program; a failure stops the job like any Python error would."""',
      "    _parity_sys.stdout.flush()",
      "    _parity_sys.stderr.flush()",
      "    piped = capture or _parity_sys.stdout is not _parity_sys.__stdout__",
      "    result = _parity_subprocess.run(",
      "        argv, check=True, universal_newlines=True, stdout=_parity_subprocess.PIPE if piped else None",
      "    )",
      "    if capture:",
      "        return result.stdout.splitlines()",
      "    if piped:",
      "        _parity_sys.stdout.write(result.stdout)",
    ],
  },
  sh: {
    modules: [],
    uses: ["expand", "shell"],
    lines: [
      "def _parity_sh(command, capture=False):",
      '    """`!command` and `lines = !command`."""',
      '    return _parity_shell(["/bin/sh", "-c", _parity_expand(command, 2)], capture)',
    ],
  },
  pip: {
    modules: ["sys"],
    uses: ["shell"],
    lines: [
      "def _parity_pip(*args):",
      '    _parity_shell([_parity_sys.executable, "-m", "pip"] + list(args))',
    ],
  },
  cd: {
    modules: ["os"],
    uses: ["expand"],
    lines: [
      "def _parity_cd(path):",
      '    _parity_os.chdir(_parity_os.path.expanduser(_parity_expand(path, 2) or "~"))',
      "    print(_parity_os.getcwd())",
    ],
  },
  time: {
    modules: ["time"],
    uses: [],
    lines: [
      "def _parity_report_time(label, started):",
      '    print("%s: %.3f s" % (label, _parity_time.perf_counter() - started))',
    ],
  },
  capture: {
    modules: ["io", "sys"],
    uses: [],
    lines: [
      "class _ParityCapture:",
      '    """%%capture: the cell\'s output is kept (.stdout, .stderr, .show()) instead of printed."""',
      "",
      "    def __init__(self, stdout=True, stderr=True):",
      "        self._streams = (_parity_sys.stdout, _parity_sys.stderr)",
      "        self._out = _parity_io.StringIO() if stdout else None",
      "        self._err = _parity_io.StringIO() if stderr else None",
      "        _parity_sys.stdout = self._out or _parity_sys.stdout",
      "        _parity_sys.stderr = self._err or _parity_sys.stderr",
      "",
      "    def stop(self):",
      "        _parity_sys.stdout, _parity_sys.stderr = self._streams",
      "        return self",
      "",
      "    stdout = property(lambda self: self._out.getvalue() if self._out else '')",
      "    stderr = property(lambda self: self._err.getvalue() if self._err else '')",
      "    outputs = property(lambda self: [])",
      "",
      "    def show(self):",
      "        _parity_sys.stdout.write(self.stdout)",
      "        _parity_sys.stderr.write(self.stderr)",
      "",
      "    __call__ = show",
      "",
      "",
      "def _parity_excepthook(kind, value, traceback, _default=_parity_sys.excepthook):",
      '    """An error inside %%capture still reaches the job\'s log."""',
      "    _parity_sys.stdout, _parity_sys.stderr = _parity_sys.__stdout__, _parity_sys.__stderr__",
      "    _default(kind, value, traceback)",
      "",
      "",
      "_parity_sys.excepthook = _parity_excepthook",
    ],
  },
  writeFile: {
    modules: ["os"],
    uses: ["expand"],
    lines: [
      "def _parity_write_file(path, text, append=False):",
      '    """%%writefile [-a] path."""',
      "    path = _parity_os.path.expanduser(_parity_expand(path, 2))",
      '    verb = "Appending to" if append else "Overwriting" if _parity_os.path.exists(path) else "Writing"',
      '    print("%s %s" % (verb, path))',
      '    with open(path, "a" if append else "w", encoding="utf-8") as file:',
      "        file.write(text)",
    ],
  },
  parameters: {
    modules: ["json", "os"],
    uses: [],
    lines: [
      "def _parity_parameters(known):",
      '    """Overrides from `-p name=value`, as the JSON object in PARITY_PARAMETERS."""',
      '    values = _parity_json.loads(_parity_os.environ.get("PARITY_PARAMETERS") or "{}")',
      "    unknown = sorted(set(values) - set(known))",
      "    if unknown:",
      '        raise SystemExit("PARITY_PARAMETERS names unknown parameters %s; the notebook has %s." % (unknown, known))',
      "    for name in sorted(values):",
      '        print("Parameter %s = %r (overridden)" % (name, values[name]))',
      "    return values",
    ],
  },
};

const ORDER = Object.keys(HELPERS) as Helper[];

/** The helper definitions (with their imports) for the given helpers and what they depend on. */
export function helperLines(used: ReadonlySet<Helper>): string[] {
  const needed = new Set<Helper>();
  const add = (helper: Helper): void => {
    if (needed.has(helper)) return;
    needed.add(helper);
    HELPERS[helper].uses.forEach(add);
  };
  used.forEach(add);
  if (needed.size === 0) return [];
  const helpers = ORDER.filter((helper) => needed.has(helper));
  const modules = [...new Set(helpers.flatMap((helper) => HELPERS[helper].modules))].sort();
  const lines = modules.map((module) => `import ${module} as _parity_${module}`);
  for (const helper of helpers) {
    const source = HELPERS[helper].lines;
    lines.push(
      ...(source[0]?.startsWith("def ") || source[0]?.startsWith("class ") ? ["", ""] : []),
      ...source,
    );
  }
  return lines;
}
