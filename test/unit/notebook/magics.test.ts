import { describe, expect, it } from "vitest";
import { convertNotebook, NotebookCellError } from "../../../src/core/notebook";
import { cellCode, convertFixture, describeFailure, failureOf, notebookOf } from "./helpers";

const convert = (...sources: string[]) => convertNotebook(notebookOf(...sources), "train.ipynb");

describe("magics that become Python", () => {
  it("turns %matplotlib into the Agg backend set before the first cell", () => {
    const job = convertFixture("magics.ipynb");
    const lines = job.script.split("\n");
    const backend = lines.indexOf(
      '_parity_os.environ["MPLBACKEND"] = "Agg"  # %matplotlib: a batch job has no display',
    );
    expect(backend).toBeGreaterThan(0);
    expect(backend).toBeLessThan(lines.indexOf("# --- cell 1 ---"));
  });

  it("drops %load_ext, %autoreload and %config with a note, and keeps blocks valid with pass", () => {
    expect(cellCode(convert("%load_ext autoreload\n%autoreload 2\nif True:\n    %config A.b = 1"))).toEqual([
      "# %load_ext autoreload  (not needed in a batch job: extensions are for interactive sessions)",
      "# %autoreload 2  (not needed in a batch job: modules load fresh in a new process)",
      "if True:",
      "    pass  # %config A.b = 1  (not needed in a batch job: IPython settings do not apply to a plain Python script)",
    ]);
  });

  it("sets, shows and lists environment variables with %env", () => {
    expect(cellCode(convert('%env A=1\n%env B "two words"\n%env DIR={base}/data\n%env A\n%env'))).toEqual([
      '_parity_os.environ["A"] = "1"',
      '_parity_os.environ["B"] = "two words"',
      '_parity_os.environ["DIR"] = _parity_expand("{base}/data")',
      'print(_parity_os.environ["A"])',
      "print(dict(_parity_os.environ))",
    ]);
    expect(describeFailure(() => convert("%env 1X=2"))).toContain(
      "%env needs a variable name, and 1X is not one.",
    );
  });

  it("times %time, %timeit, %%time and %%timeit statements once", () => {
    expect(cellCode(convert("%timeit -n 100 -r 7 f(x)"))).toEqual([
      "_parity_started_1 = _parity_time.perf_counter()",
      "f(x)",
      '_parity_report_time("Wall time (timeit, run once by Parity)", _parity_started_1)',
    ]);
    const job = convert("%%time\n%%capture\ny = 2");
    expect(cellCode(job)).toEqual([
      "_parity_started_1 = _parity_time.perf_counter()",
      "_parity_capture_2 = _ParityCapture(stdout=True, stderr=True)",
      "y = 2",
      "_parity_capture_2.stop()",
      '_parity_report_time("Wall time", _parity_started_1)',
    ]);
    expect(job.lineMap.filter(Boolean).map((origin) => origin?.line)).toEqual([1, 2, 3, 2, 1]);
  });

  it("reads %%capture options and keeps the body's own indentation", () => {
    expect(cellCode(convert('%%capture --no-stderr out\ntext = """\n  kept\n"""'))).toEqual([
      "_parity_capture_1 = _ParityCapture(stdout=True, stderr=False)",
      'text = """',
      "  kept",
      '"""',
      "out = _parity_capture_1.stop()",
    ]);
  });

  it("writes %%writefile bodies verbatim, one string per line, mapped to their lines", () => {
    const job = convert('%%writefile -a "my dir/x.py"\nprint("{x}")\n\tdone');
    expect(cellCode(job)).toEqual([
      '_parity_write_file("my dir/x.py", (',
      '    "print(\\"{x}\\")\\n"',
      '    "\\tdone\\n"',
      "), append=True)",
    ]);
    expect(job.lineMap.filter(Boolean).map((origin) => origin?.line)).toEqual([1, 2, 3, 1]);
  });

  it("runs %%bash and %%sh cells with the shell", () => {
    expect(cellCode(convert("%%bash\nset -e\necho $HOME"))).toEqual([
      '_parity_shell(["/bin/bash", "-c", (',
      '    "set -e\\n"',
      '    "echo $HOME\\n"',
      ")])",
    ]);
    expect(cellCode(convert("%%sh\n"))[0]).toBe('_parity_shell(["/bin/sh", "-c", (');
  });

  it("runs !commands, captures x = !command and joins backslash-continued lines", () => {
    expect(
      cellCode(convert('!echo {name} "$HOME"\nfiles = !ls -1 \\\n  data\nfor f in files:\n    !!wc -l {f}')),
    ).toEqual([
      '_parity_sh("echo {name} \\"$HOME\\"")',
      'files = _parity_sh("ls -1 data", capture=True)',
      "for f in files:",
      '    _parity_sh("wc -l {f}")',
    ]);
  });

  it("changes directory with %cd and prints it with %pwd", () => {
    expect(cellCode(convert('%cd "my data"\n%pwd'))).toEqual(['_parity_cd("my data")', '_parity_cd(".")']);
  });

  it("does not mistake Python for magics", () => {
    const source = 'x = 10 % 3\ny = x != 1\nz = "%time"\nw = {"a": 1}  # comment?\nprint(x % 2)';
    expect(cellCode(convert(source))).toEqual(source.split("\n"));
  });
});

describe("magics that cannot run in a batch job", () => {
  it("names the cell (counting markdown cells), the line and a fix", () => {
    const error = failureOf(() => convertFixture("debug.ipynb"));
    expect(error).toBeInstanceOf(NotebookCellError);
    expect(error.code).toBe("NotebookUnsupportedMagic");
    expect(error.location).toEqual({ file: "debug.ipynb", line: undefined, field: "cell 4, line 2" });
    expect((error as NotebookCellError).cell).toEqual({ index: 4, id: "dbg", line: 2 });
    expect(error.message).toBe(
      "The magic %debug cannot run in a batch job: it needs someone at the keyboard.",
    );
    expect(error.fix).toMatch(/Remove it/);
  });

  it.each([
    [
      "html.ipynb",
      "html.ipynb cell 1, line 1: The magic %%html cannot run in a batch job: it only displays something",
    ],
    ["help.ipynb", "help.ipynb cell 1, line 2: Help syntax (name? or ?name) cannot run in a batch job."],
    [
      "cell-magic-late.ipynb",
      "cell-magic-late.ipynb cell 1, line 2: The cell magic %%time only works on the first line",
    ],
  ])("refuses %s", (name, expected) => {
    expect(describeFailure(() => convertFixture(name))).toContain(expected);
  });

  it.each([
    ["%run other.py", "The magic %run cannot run in a batch job"],
    ["%%javascript\nalert(1)", "The magic %%javascript cannot run in a batch job"],
    [
      "%unknownmagic",
      "The magic %unknownmagic cannot run in a batch job: Parity does not know how to run it.",
    ],
    ["?print", "Help syntax"],
    ["x = %who_ls", "Assigning the result of a magic cannot run in a batch job."],
    ["!conda install -y numpy", "Installing packages with conda while the job runs is not possible"],
    ["!sudo apt-get install -y git", "Installing packages with apt-get"],
    ["%%writefile", "%%writefile needs a file name."],
    ["%%bash --out x\necho", "Parity runs %%bash without options"],
    ["%%capture a b", "Parity cannot read the %%capture options a b."],
  ])("refuses %j", (source, expected) => {
    expect(failureOf(() => convert("x = 1", source)).message).toContain(expected);
  });

  it("gives the file's own line for percent-format scripts", () => {
    const error = failureOf(() => convertNotebook("import os\n\n# %%\nx = 1\n%debug\n", "train.py"));
    expect(error.location).toEqual({ file: "train.py", line: 5, field: "cell 2, line 2" });
  });
});
