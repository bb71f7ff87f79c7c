import limitsSource from "./limits.py";

/**
 * The job runtime's part that holds PyTorch, TensorFlow and JAX to production's GPU memory
 * (limits.py), as lines of a generated script. It does nothing unless a local run set
 * PARITY_GPU_MEMORY (runtimeEnv.ts).
 */
export const GPU_LIMIT_LINES: readonly string[] = ["", "", ...limitsSource.trimEnd().split("\n")];
