"""Parity environment probe: prints one JSON line describing this Python environment.

Run as `python -c <this source>` by the notebook's interpreter and inside the built image.
Python 3.8+, standard library only. Every optional fact is guarded: a failure is recorded in
"problems" and the probe still prints its JSON. Frameworks are imported only when installed.
"""

import json
import os
import platform
import re
import subprocess
import sys

PROBE_VERSION = 1
# A cgroup v1 "no limit" is a page-aligned huge number; anything at or above this means unlimited.
UNLIMITED_THRESHOLD = 1 << 60
problems = []


def note(what, error):
    problems.append("%s: %s: %s" % (what, type(error).__name__, error))


def read_text(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except OSError:
        return None


def interpreter():
    return {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "platform": sys.platform,
        "machine": platform.machine(),
    }


def distributions():
    try:
        from importlib import metadata
    except ImportError as error:
        note("importlib.metadata", error)
        return {}, {}, {}, []
    found = {}
    local = []
    for dist in metadata.distributions():
        try:
            name = dist.metadata["Name"]
            if name and name not in found:  # first on sys.path wins, as for imports
                found[name] = dist.version
                if installed_locally(dist):
                    local.append(name)
        except Exception as error:  # a broken METADATA must not hide the others
            note("distribution", error)
    modules = module_distributions(metadata)
    return found, modules, submodule_distributions(metadata, modules), local


def installed_locally(dist):
    """PEP 610: installed from a folder (editable or not) or a file on this machine, not from an index."""
    text = dist.read_text("direct_url.json")
    if not text:
        return False
    origin = json.loads(text)
    editable = (origin.get("dir_info") or {}).get("editable") is True
    return editable or str(origin.get("url", "")).startswith("file:")


# Deep enough for google.cloud.storage, azure.storage.blob and their like.
SUBMODULE_DEPTH = 4
MODULE_SUFFIXES = (".py", ".pyc", ".so", ".pyd")


def submodule_distributions(metadata, mapping):
    """Below a top-level package that several distributions share (google): who has files in each module."""
    shared = {module for module, names in mapping.items() if len(names) > 1}
    found = {}
    if not shared:
        return found
    for dist in metadata.distributions():
        try:
            name = dist.metadata["Name"]
            for path in dist.files or []:
                parts = list(path.parts)
                if len(parts) < 2 or parts[0] not in shared:
                    continue
                # A module file names a module ("blob.py", "_x.cpython-311-x86_64-linux-gnu.so"); data files do not.
                last = parts.pop()
                if last.endswith(MODULE_SUFFIXES) and last.split(".")[0] != "__init__":
                    parts.append(last.split(".")[0])
                for depth in range(2, min(len(parts), SUBMODULE_DEPTH) + 1):
                    if not parts[depth - 1].isidentifier() or parts[depth - 1] == "__pycache__":
                        break
                    found.setdefault(".".join(parts[:depth]), set()).add(name)
        except Exception as error:
            note("submodules", error)
    return {module: sorted(names) for module, names in found.items()}


def module_distributions(metadata):
    if hasattr(metadata, "packages_distributions"):
        try:
            return {module: sorted(set(names)) for module, names in metadata.packages_distributions().items()}
        except Exception as error:
            note("packages_distributions", error)
    # Python 3.8/3.9: top_level.txt, else the first component of each installed file.
    mapping = {}
    for dist in metadata.distributions():
        try:
            name = dist.metadata["Name"]
            top = (dist.read_text("top_level.txt") or "").split()
            if not top:
                for path in dist.files or []:
                    first = path.parts[0] if path.parts else ""
                    if first.endswith(".py"):
                        first = first[:-3]
                    if first and "." not in first and first not in ("..", "__pycache__"):
                        top.append(first)
            for module in set(top):
                mapping.setdefault(module, [])
                if name not in mapping[module]:
                    mapping[module].append(name)
        except Exception as error:
            note("top-level modules", error)
    return mapping


def stdlib_modules():
    if hasattr(sys, "stdlib_module_names"):
        return sorted(sys.stdlib_module_names)
    import pkgutil
    import sysconfig

    names = set(sys.builtin_module_names)
    stdlib = sysconfig.get_paths().get("stdlib", "")
    for module in pkgutil.iter_modules([stdlib, os.path.join(stdlib, "lib-dynload")]):
        if module.name != "site-packages":
            names.add(module.name.split(".")[0])
    return sorted(names)


def search_paths():
    # Where imports come from: a change in any of these folders (pip install, uninstall) changes
    # what the probe would say. The user site is named even before it exists.
    import site

    paths = [entry for entry in sys.path if entry and os.path.isdir(entry)]
    user = site.getusersitepackages() if hasattr(site, "getusersitepackages") else None
    if isinstance(user, str) and user not in paths:
        paths.append(user)
    return paths


def installed(module):
    try:
        import importlib.util

        return importlib.util.find_spec(module) is not None
    except Exception:
        return False


def torch_info():
    import torch

    info = {"version": torch.__version__, "cuda": torch.version.cuda, "cudnn": None, "cudaAvailable": False}
    try:
        cudnn = torch.backends.cudnn.version()
        info["cudnn"] = str(cudnn) if cudnn else None
    except Exception as error:
        note("torch cudnn", error)
    try:
        info["cudaAvailable"] = bool(torch.cuda.is_available())
    except Exception as error:
        note("torch cuda", error)
    try:
        # What get_arch_list() says, without its need for a GPU: an image is probed where there is none.
        flags = torch._C._cuda_getArchFlags() if hasattr(torch._C, "_cuda_getArchFlags") else None
        info["archList"] = flags.split() if flags else []
    except Exception as error:
        note("torch arch list", error)
    return info


def tensorflow_info():
    import tensorflow as tf

    build = {}
    try:
        build = dict(tf.sysconfig.get_build_info())
    except Exception as error:
        note("tensorflow build info", error)
    cuda, cudnn = build.get("cuda_version"), build.get("cudnn_version")
    return {
        "version": tf.__version__,
        "cuda": str(cuda) if cuda else None,
        "cudnn": str(cudnn) if cudnn else None,
        "cudaBuild": bool(build.get("is_cuda_build", False)),
        "archList": [str(arch) for arch in build.get("cuda_compute_capabilities") or []],
    }


def jax_info():
    import jax

    info = {"version": jax.__version__, "jaxlib": None, "backend": None}
    try:
        import jaxlib

        info["jaxlib"] = getattr(jaxlib, "__version__", None)
    except Exception as error:
        note("jaxlib", error)
    try:
        info["backend"] = jax.default_backend()
    except Exception as error:
        note("jax backend", error)
    try:
        # The CUDA and cuDNN its GPU plugin was built with (12080 → 12.8, 91000 → 9.10.0); None without
        # one. jax re-exports the plugin's module privately, and that may go: the plugins' own are tried too.
        cuda_versions = jax_cuda_versions()
        if cuda_versions is not None:
            built = cuda_versions.cuda_runtime_build_version()
            info["cuda"] = "%d.%d" % (built // 1000, built % 1000 // 10)
            info["cudnn"] = str(cuda_versions.cudnn_build_version())
    except Exception as error:
        note("jax cuda", error)
    return info


def jax_cuda_versions():
    import importlib

    for name in ("jax._src.lib", "jax_cuda13_plugin._versions", "jax_cuda12_plugin._versions"):
        try:
            module = importlib.import_module(name)
        except Exception:
            continue
        versions = getattr(module, "cuda_versions", None) if name == "jax._src.lib" else module
        if versions is not None and hasattr(versions, "cuda_runtime_build_version"):
            return versions
    return None


def frameworks():
    found = {}
    for key, module, describe in (
        ("torch", "torch", torch_info),
        ("tensorflow", "tensorflow", tensorflow_info),
        ("jax", "jax", jax_info),
    ):
        if not installed(module):
            continue
        try:
            found[key] = describe()
        except BaseException as error:  # a broken framework may even call sys.exit
            note(key, error)
    return found


def nvidia():
    """Driver, the CUDA version the driver supports, and GPUs, from nvidia-smi when on PATH."""
    result = {"driverVersion": None, "cudaVersion": None, "gpus": []}
    try:
        import shutil

        smi = shutil.which("nvidia-smi")
        if not smi:
            return result
        query = subprocess.run(
            [smi, "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        for line in query.stdout.splitlines():
            parts = [part.strip() for part in line.split(",")]
            if len(parts) == 3:
                name, mebibytes, driver = parts
                memory = int(mebibytes) * 1024 * 1024 if mebibytes.isdigit() else None
                result["gpus"].append({"name": name, "memoryBytes": memory})
                result["driverVersion"] = driver
        # Asked apart: drivers before 510 refuse compute_cap, and with it the whole query.
        capabilities = subprocess.run(
            [smi, "--query-gpu=compute_cap", "--format=csv,noheader"], capture_output=True, text=True, timeout=10
        )
        if capabilities.returncode == 0:
            for found, capability in zip(result["gpus"], capabilities.stdout.split()):
                found["computeCapability"] = capability
        header = subprocess.run([smi], capture_output=True, text=True, timeout=10)
        match = re.search(r"CUDA Version:\s*([0-9.]+)", header.stdout)
        result["cudaVersion"] = match.group(1) if match else None
    except Exception as error:
        note("nvidia-smi", error)
    return result


def cgroup_paths(controller):
    """Files of this process's cgroup for a v1 controller ("memory") or v2 (controller None)."""
    own = ""
    for line in (read_text("/proc/self/cgroup") or "").splitlines():
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if (controller is None and controllers == "") or controller in controllers.split(","):
            own = path
    base = "/sys/fs/cgroup" if controller is None else "/sys/fs/cgroup/" + controller
    # Inside a container the mount is usually the cgroup itself; on a host it is the hierarchy root.
    return [base + own, base] if own not in ("", "/") else [base]


def first_value(controller, name):
    for directory in cgroup_paths(controller):
        value = read_text(os.path.join(directory, name))
        if value is not None:
            return value
    return None


def memory():
    total = None
    for line in (read_text("/proc/meminfo") or "").splitlines():
        if line.startswith("MemTotal:"):
            total = int(line.split()[1]) * 1024
    v2 = first_value(None, "memory.max")
    raw = v2 if v2 is not None else first_value("memory", "memory.limit_in_bytes")
    limit = None
    if raw is not None and raw != "max" and raw.isdigit() and int(raw) < UNLIMITED_THRESHOLD:
        limit = int(raw)
    return {"totalBytes": total, "limitBytes": limit, "cgroup": "v2" if v2 is not None else ("v1" if raw else None)}


def cpu():
    count = os.cpu_count()
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        pass
    quota = None
    v2 = first_value(None, "cpu.max")
    if v2 is not None:
        parts = v2.split()
        if len(parts) == 2 and parts[0] != "max":
            quota = int(parts[0]) / int(parts[1])
    else:
        limit, period = first_value("cpu", "cpu.cfs_quota_us"), first_value("cpu", "cpu.cfs_period_us")
        if limit and period and limit.lstrip("-").isdigit() and int(limit) > 0:
            quota = int(limit) / int(period)
    return {"count": count, "quota": quota}


def shm_bytes():
    try:
        stat = os.statvfs("/dev/shm")
        return stat.f_frsize * stat.f_blocks
    except (AttributeError, OSError):
        return None


def guarded(what, collect, fallback):
    try:
        return collect()
    except Exception as error:
        note(what, error)
        return fallback


def main():
    # Libraries may print on import, even from C: keep fd 1 for our JSON and send the rest to stderr.
    out = None
    try:
        out = os.dup(1)
        os.dup2(2, 1)
    except OSError:
        out = None
    dists, modules, submodules, local = guarded("distributions", distributions, ({}, {}, {}, []))
    gpu = nvidia()
    report = {
        "probe": "parity",
        "probeVersion": PROBE_VERSION,
        "python": interpreter(),
        "distributions": dists,
        "moduleDistributions": modules,
        "submoduleDistributions": submodules,
        "localDistributions": local,
        "stdlibModules": guarded("stdlib modules", stdlib_modules, []),
        "frameworks": frameworks(),
        "nvidia": {"driverVersion": gpu["driverVersion"], "cudaVersion": gpu["cudaVersion"]},
        "gpus": gpu["gpus"],
        "memory": guarded("memory", memory, {"totalBytes": None, "limitBytes": None, "cgroup": None}),
        "cpu": guarded("cpu", cpu, {"count": os.cpu_count(), "quota": None}),
        "shmBytes": shm_bytes(),
        "searchPaths": guarded("search paths", search_paths, []),
        "problems": problems,
    }
    line = (json.dumps(report, sort_keys=True) + "\n").encode("utf-8")
    sys.stdout.flush()
    if out is None:
        sys.stdout.buffer.write(line)
        sys.stdout.flush()
    else:
        os.write(out, line)


if sys.version_info < (3, 8):
    sys.stderr.write("parity-probe: Python 3.8 or newer is required, this is %s\n" % platform.python_version())
    sys.exit(3)
main()
