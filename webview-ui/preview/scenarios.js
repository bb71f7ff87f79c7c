// Scripted hosts for the preview server: each scenario answers the page's messages the way the
// extension would, failure cases included. Runs in the page; `host.post(type, payload)` sends.
const report = (overrides = {}) => ({
  notebookName: "train.ipynb",
  profileName: "parity.yaml",
  imageTag: "parity/train:3f2a",
  summary: "1 error, 1 warning, 1 note",
  counts: { errors: 1, warnings: 1, infos: 1 },
  localSource: "local /home/ana/project/.venv/bin/python",
  productionSource: "image parity/train:3f2a",
  sections: [
    {
      title: "Python",
      rows: [
        { label: "Version", local: "3.11.7", production: "3.11.7", differs: false },
        { label: "Platform", local: "linux x86_64", production: "linux x86_64", differs: false },
      ],
    },
    {
      title: "Limits",
      rows: [
        { label: "Memory", local: "no limit (32 GiB total)", production: "8 GiB limit", differs: true },
        { label: "GPUs", local: "none", production: "none", differs: false },
      ],
    },
    {
      title: "Packages the report names or that differ",
      rows: [{ label: "scikit-learn", local: "1.5.0", production: "1.5.0", differs: false }],
    },
    {
      title: "Other packages (2)",
      folded: true,
      rows: [
        { label: "numpy", local: "1.26.4", production: "1.26.4", differs: false },
        { label: "pandas", local: "2.2.2", production: "2.2.2", differs: false },
      ],
    },
  ],
  items: [
    {
      code: "MemoryPeakOver",
      severity: "error",
      message: "Your notebook peaked at 9 GiB; the production limit is 8 GiB.",
      fix: "Reduce peak memory (smaller batches, load data in chunks) or set resources.memory to 11Gi in parity.yaml.",
    },
    {
      code: "RequirementUnpinned",
      severity: "warning",
      message:
        "requirements.txt:1: scikit-learn is not pinned, so each build may install a different version.",
      fix: "Pin scikit-learn==1.5.0 in requirements.txt (the image's version).",
      location: "requirements.txt:1",
      applyTitle: "Pin scikit-learn==1.5.0 in requirements.txt",
    },
    {
      code: "MemoryUnlimitedLocal",
      severity: "info",
      message: "Your notebook runs without a memory limit here; production allows 8 GiB.",
      fix: "Run it with Parity on local Docker to see an OOM here first.",
    },
  ],
  ...overrides,
});

const diagnosis = (overrides = {}) => ({
  notebookName: "memory.ipynb",
  runId: "memory-20261129-070000-ab12",
  status: "failed",
  statusLabel: "Failed",
  headline: "OOMKilled at the 128 MiB memory limit.",
  facts: [
    { label: "Status", value: "Failed" },
    { label: "Exit code", value: "137" },
    { label: "Duration", value: "4.2 s" },
    { label: "Memory", value: "went over the 128 MiB limit (OOMKilled)" },
  ],
  items: [
    {
      code: "OOMKilled",
      severity: "error",
      message: "Killed by the out-of-memory killer at the 128 MiB memory limit, as production would be.",
      fix: "Lower what the notebook holds in memory, or raise resources.memory in parity.yaml.",
      location: "memory.ipynb, cell 2, line 3",
      openable: true,
    },
  ],
  live: false,
  ...overrides,
});

function logLine(index) {
  if (index % 25 === 0)
    return {
      stream: "stderr",
      text: `\u001b[33mwarning\u001b[0m: step ${index} is slow <script>`,
      time: index,
    };
  if (index % 7 === 0)
    return {
      stream: "stdout",
      text: `\u001b[1;32mepoch ${index / 7}\u001b[0m loss=${(7 / (index + 7)).toFixed(4)}`,
      time: index,
    };
  return {
    stream: "stdout",
    text: `step ${index}: 64 images in 12.3 ms`,
    time: index,
    source: index % 2 ? "worker-1" : "worker-0",
  };
}

export const scenarios = {
  report: {
    default: (host) => ({
      ready: () => host.post("state", report()),
      applyFix: ({ requestId }) => {
        setTimeout(
          () =>
            host.post("applied", {
              requestId,
              ok: true,
              message: "Pin scikit-learn==1.5.0 in requirements.txt: done.",
            }),
          400,
        );
        setTimeout(
          () =>
            host.post(
              "state",
              report({
                items: report().items.filter((item) => !item.applyTitle),
                summary: "1 error, 0 warnings, 1 note",
              }),
            ),
          900,
        );
      },
    }),
    "apply-fails": (host) => ({
      ready: () => host.post("state", report()),
      applyFix: ({ requestId }) =>
        host.post("applied", {
          requestId,
          ok: false,
          message:
            'requirements.txt changed since the report was made: line 1 no longer reads "scikit-learn". Check parity again, then apply the fix.',
        }),
    }),
    "compute-fails": (host) => ({
      ready: () =>
        host.post(
          "state",
          report({
            items: [],
            sections: [],
            summary: "",
            error: "The report could not be computed: Docker is not running. Start Docker, then check again.",
          }),
        ),
    }),
    matching: (host) => ({
      ready: () =>
        host.post(
          "state",
          report({ items: [], summary: "Matches production", counts: { errors: 0, warnings: 0, infos: 0 } }),
        ),
    }),
  },
  diagnosis: {
    default: (host) => ({ ready: () => host.post("state", diagnosis()) }),
    running: (host) => ({
      ready: () => {
        host.post(
          "state",
          diagnosis({
            status: "running",
            statusLabel: "Running",
            headline: "The run is running; this page updates when it ends.",
            items: [],
            live: true,
          }),
        );
        setTimeout(() => host.post("state", diagnosis()), 2000);
      },
    }),
    cluster: (host) => ({
      ready: () =>
        host.post(
          "state",
          diagnosis({
            notebookName: "train.ipynb",
            status: "running",
            statusLabel: "Running",
            headline: "The run is running; this page updates when it ends.",
            items: [
              {
                code: "FailedScheduling",
                severity: "warning",
                message: "8 GPUs requested; the largest node has 4 allocatable.",
                fix: "Ask for at most 4 GPUs per pod, or spread the job over workers (cluster.distributed).",
                openable: false,
              },
            ],
            timeline: [
              {
                time: "2026-11-29T08:15:01.000Z",
                object: "Job/train-20261129-081500-abcd",
                type: "Normal",
                reason: "SuccessfulCreate",
                message: "Created pod: train-20261129-081500-abcd-x1",
              },
              {
                time: "2026-11-29T08:15:02.000Z",
                object: "Pod/train-20261129-081500-abcd-x1",
                type: "Warning",
                reason: "FailedScheduling",
                message: "0/4 nodes are available: 1 node(s) had untolerated taint(s). <b>not bold</b>",
                count: 3,
              },
              {
                time: "not a time",
                object: "Pod/x",
                type: "Normal",
                reason: "Dropped",
                message: "invalid entry",
              },
            ],
            live: true,
          }),
        ),
    }),
    exception: (host) => ({
      ready: () =>
        host.post(
          "state",
          diagnosis({
            notebookName: "train.ipynb",
            headline: "The run failed with exit code 1.",
            items: [
              {
                code: "PythonException",
                severity: "error",
                message: "ValueError: shapes (64,10) and (12,) not aligned (raised in cell 4, line 2)",
                fix: "Fix the code at that line; it fails the same way in production.",
                location: "train.ipynb, cell 4, line 2",
                openable: true,
              },
            ],
          }),
        ),
    }),
  },
  logs: {
    default: (host) => ({
      ready: () => {
        host.post("run", { runId: "train-1", notebookName: "train.ipynb", status: "succeeded", live: false });
        host.post("lines", { lines: Array.from({ length: 2000 }, (_, index) => logLine(index)) });
      },
      copyAll: () => host.post("notice", { message: "Copied 2000 lines." }),
      save: () =>
        host.post("notice", {
          message: "The logs could not be saved: EACCES. Pick another folder and try again.",
          error: true,
        }),
      copyVisible: ({ lines }) => host.post("notice", { message: `Copied ${lines} visible lines.` }),
    }),
    live: (host) => ({
      ready: () => {
        host.post("run", { runId: "train-1", notebookName: "train.ipynb", status: "running", live: true });
        let index = 0;
        setInterval(
          () => host.post("lines", { lines: Array.from({ length: 20 }, () => logLine(index++)) }),
          50,
        );
      },
    }),
    million: (host) => ({
      ready: () => {
        host.post("run", { runId: "train-1", notebookName: "train.ipynb", status: "succeeded", live: false });
        for (let start = 0; start < 1_000_000; start += 5000) {
          host.post("lines", { lines: Array.from({ length: 5000 }, (_, offset) => logLine(start + offset)) });
        }
      },
    }),
  },
};
