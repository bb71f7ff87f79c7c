/** A captured description of one Python environment: the notebook's interpreter or a built image. */
export interface Environment {
  /** Where it was captured, for messages: "local /usr/bin/python3", "image my-job:3f2a". */
  source: string;
  python: {
    /** "3.11.7" */
    version: string;
    implementation: string;
    executable: string;
    /** sys.platform: "linux", "darwin", "win32". */
    platform: string;
    /** platform.machine(): "x86_64", "arm64". */
    machine: string;
  };
  /** Installed distributions keyed by PEP 503 normalised name ("scikit-learn") → version. */
  distributions: Record<string, string>;
  /** Top-level import name → normalised distribution names that provide it ("yaml" → ["pyyaml"]). */
  moduleDistributions: Record<string, string[]>;
  /**
   * Below a top-level package that several distributions share (google, azure): each dotted
   * module → the distributions with files in it ("google.cloud.storage" → ["google-cloud-storage"]).
   * Absent from probes that predate it.
   */
  submoduleDistributions?: Record<string, string[]>;
  /**
   * Distributions installed from a local folder or file, not from an index (PEP 610's
   * direct_url.json: an editable install, `pip install ./path`), normalised. Absent from older probes.
   */
  localDistributions?: string[];
  /** Top-level modules of the standard library. */
  stdlibModules: string[];
  /** The folders imports come from (sys.path, and the user site even before it exists). */
  searchPaths: string[];
  frameworks: {
    torch?: TorchBuild;
    tensorflow?: TensorflowBuild;
    jax?: JaxBuild;
  };
  /** From nvidia-smi; both undefined when there is no NVIDIA driver. */
  nvidia: {
    driverVersion?: string;
    /** The newest CUDA version the driver supports ("12.4"). */
    cudaVersion?: string;
  };
  gpus: Gpu[];
  memory: {
    totalBytes?: number;
    /** The cgroup memory limit; undefined means unlimited (or unknown, when `cgroup` is undefined). */
    limitBytes?: number;
    cgroup?: "v1" | "v2";
  };
  cpu: {
    count?: number;
    /** The cgroup CPU quota in CPUs (1.5 = 150 ms per 100 ms); undefined means unlimited. */
    quota?: number;
  };
  /** Size of /dev/shm. */
  shmBytes?: number;
  /** Facts the probe could not collect ("torch: ImportError: ..."). */
  problems: string[];
}

export interface TorchBuild {
  version: string;
  /** torch.version.cuda ("12.1"); undefined for a CPU build. */
  cuda?: string;
  /** torch.backends.cudnn.version() ("8902"). */
  cudnn?: string;
  cudaAvailable: boolean;
  /** The GPU architectures it was compiled for, as torch.cuda.get_arch_list() ("sm_80", "compute_90"); empty for a CPU build. */
  archList?: string[];
}

export interface TensorflowBuild {
  version: string;
  cuda?: string;
  cudnn?: string;
  cudaBuild: boolean;
  /** tf.sysconfig.get_build_info()["cuda_compute_capabilities"] ("sm_80", "compute_90"). */
  archList?: string[];
}

export interface JaxBuild {
  version: string;
  jaxlib?: string;
  /** jax.default_backend(): "cpu", "gpu", "tpu". */
  backend?: string;
  /** The CUDA its GPU plugin was built with ("12.8"); undefined without one. */
  cuda?: string;
  /** The cuDNN it was built with, as JAX numbers it ("91000"). */
  cudnn?: string;
}

export interface Gpu {
  name: string;
  memoryBytes?: number;
  /** nvidia-smi's compute_cap ("8.6"); undefined from drivers before 510. */
  computeCapability?: string;
}
