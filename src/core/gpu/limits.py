# Production's GPU memory as each framework's limit, in place before the notebook's first cell.
# Parity's local runs set PARITY_GPU_MEMORY (bytes), PARITY_GPU_PRODUCT and
# PARITY_GPU_COMPUTE_CAPABILITY (src/core/gpu/runtimeEnv.ts); anywhere else (a cluster pod, a
# script run by hand) this does nothing. No framework is imported here: PyTorch is limited when
# the notebook imports it, TensorFlow and JAX read their limits from the environment.
# Nothing here may fail the notebook: any error becomes one line of the run's log.
import importlib.util as _parity_importlib_util
import math as _parity_math
import os as _parity_os
import sys as _parity_sys

_PARITY_GIB = 1073741824.0
_PARITY_MIB = 1048576


def _parity_gpu_say(text):
    """One of Parity's own lines in the run's log (outside any %%capture)."""
    out = _parity_sys.__stdout__ or _parity_sys.stdout
    out.write("Parity: %s\n" % text)
    out.flush()


def _parity_gib(size):
    return "%.1f GiB" % (size / _PARITY_GIB)


class _ParityGpuUnread(Exception):
    """NVIDIA's driver library is there but could not say what the GPUs have."""


def _parity_gpu_devices():
    """The GPUs CUDA programs here may use, as NVIDIA's driver library counts them:
    [(name, total bytes)], [] without an NVIDIA driver or GPU. NVML rather than a framework: it
    loads in milliseconds and starts no CUDA context."""
    visible = (_parity_os.environ.get("CUDA_VISIBLE_DEVICES") or "").strip()
    if visible.upper().startswith("MIG-"):
        raise _ParityGpuUnread("this run's GPU is a MIG slice (CUDA_VISIBLE_DEVICES=%s), whose memory is not read here" % visible)
    try:
        import ctypes  # here: only runs that hold a GPU limit pay for it

        nvml = ctypes.CDLL("libnvidia-ml.so.1")
    except (ImportError, OSError):
        return []

    def failed(call, code):
        return _ParityGpuUnread("NVML's %s failed: %s" % (call, nvml.nvmlErrorString(code).decode("utf-8", "replace")))

    try:
        nvml.nvmlErrorString.restype = ctypes.c_char_p
        code = nvml.nvmlInit_v2()
        if code != 0:
            raise failed("nvmlInit", code)
    except AttributeError as error:
        raise _ParityGpuUnread("the NVIDIA driver library lacks %s" % error)

    class Memory(ctypes.Structure):
        _fields_ = [(field, ctypes.c_ulonglong) for field in ("total", "free", "used")]

    devices = []
    try:
        count = ctypes.c_uint()
        code = nvml.nvmlDeviceGetCount_v2(ctypes.byref(count))
        if code != 0:
            raise failed("nvmlDeviceGetCount", code)
        for index in range(count.value):
            handle, memory = ctypes.c_void_p(), Memory()
            name, uuid = ctypes.create_string_buffer(96), ctypes.create_string_buffer(96)
            code = nvml.nvmlDeviceGetHandleByIndex_v2(index, ctypes.byref(handle))
            if code != 0:
                raise failed("nvmlDeviceGetHandleByIndex", code)
            # A MIG-enabled GPU or a vGPU may refuse (NOT_SUPPORTED, NO_PERMISSION): said, not taken for "no GPU".
            code = nvml.nvmlDeviceGetMemoryInfo(handle, ctypes.byref(memory))
            if code != 0:
                raise failed("nvmlDeviceGetMemoryInfo for GPU %d" % index, code)
            nvml.nvmlDeviceGetName(handle, name, len(name))
            nvml.nvmlDeviceGetUUID(handle, uuid, len(uuid))
            devices.append((name.value.decode("utf-8", "replace"), memory.total, uuid.value.decode("ascii", "replace")))
    except AttributeError as error:
        raise _ParityGpuUnread("the NVIDIA driver library lacks %s" % error)
    finally:
        nvml.nvmlShutdown()
    return [(name, total) for name, total, _ in _parity_visible(devices)]


def _parity_visible(devices):
    """CUDA_VISIBLE_DEVICES as CUDA reads it: indices or GPU UUIDs up to the first it cannot use
    ("" and "-1" hide every GPU)."""
    visible = _parity_os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return devices
    chosen = []
    for entry in visible.split(","):
        entry = entry.strip()
        if entry.isdigit() and int(entry) < len(devices):
            chosen.append(devices[int(entry)])
            continue
        # A UUID may be given in part, as long as it names one GPU.
        named = [device for device in devices if entry.upper().startswith("GPU-") and device[2].startswith(entry)]
        if len(named) != 1:
            break
        chosen.append(named[0])
    return chosen


class _ParityAfterImport(object):
    """Calls then(module) right after `name` is first imported, by the notebook or a library."""

    def __init__(self, name, then):
        self.name, self.then, self.searching = name, then, False

    def find_spec(self, name, path=None, target=None):
        if name != self.name or self.searching:
            return None
        self.searching = True
        try:
            spec = _parity_importlib_util.find_spec(name)
        finally:
            self.searching = False
        if self in _parity_sys.meta_path:
            _parity_sys.meta_path.remove(self)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        then, exec_module = self.then, loader.exec_module

        def exec_then(module):
            del loader.exec_module
            exec_module(module)
            try:
                then(module)
            except Exception as error:  # a failure here must not become the notebook's
                _parity_gpu_say("could not limit %s's GPU memory (%s: %s)." % (name, type(error).__name__, error))

        try:
            loader.exec_module = exec_then
        except AttributeError:
            _parity_gpu_say("could not watch for %s's import, so its GPU memory is not limited." % name)
        return spec


def _parity_gpu_limit_torch(torch, limit):
    """set_per_process_memory_fraction on each GPU larger than production's, from torch's own count
    of it, queued for when torch starts CUDA: starting it at import would change the notebook (a
    fork after it could no longer use the GPU)."""

    def limit_each():
        try:
            for index in range(torch.cuda.device_count()):
                total = torch.cuda.get_device_properties(index).total_memory
                if 0 < limit < total:
                    torch.cuda.set_per_process_memory_fraction(limit / float(total), index)
                    _parity_gpu_say(
                        "torch holds cuda:%d to %s of its %s." % (index, _parity_gib(limit), _parity_gib(total))
                    )
        except Exception as error:  # a failure here must not become the notebook's
            _parity_gpu_say("could not limit torch's GPU memory (%s: %s)." % (type(error).__name__, error))

    lazy_call = getattr(torch.cuda, "_lazy_call", None)
    if lazy_call is not None:
        lazy_call(limit_each)
    elif torch.cuda.is_available():
        limit_each()


def _parity_fraction(text):
    """A share in (0, 1], else None (nan, inf, 0, negative, above 1, not a number)."""
    try:
        share = float(text)
    except ValueError:
        return None
    return share if _parity_math.isfinite(share) and 0 < share <= 1 else None


def _parity_gpu_limit_jax(limit, total):
    """XLA caps its pool at a share of the GPU's memory (0.75 unless XLA_PYTHON_CLIENT_MEM_FRACTION
    says otherwise, with or without preallocation): the same share of production's GPU, as a share
    of this one. One share for every GPU: `total` is the largest one's. JAX reads it when it starts
    its GPU backend."""
    environ = _parity_os.environ
    if environ.get("XLA_PYTHON_CLIENT_ALLOCATOR") == "platform":
        return "not jax (XLA_PYTHON_CLIENT_ALLOCATOR=platform allocates without a pool)"
    written = environ.get("XLA_PYTHON_CLIENT_MEM_FRACTION") or "0.75"
    share = _parity_fraction(written)
    if share is None:
        return "not jax (XLA_PYTHON_CLIENT_MEM_FRACTION=%s is not a share between 0 and 1)" % written
    environ["XLA_PYTHON_CLIENT_MEM_FRACTION"] = "%.4f" % max(int(share * limit * 10000 / total) / 10000.0, 0.0001)
    return None


def _parity_gpu_limit_tensorflow(limit, total):
    """TensorFlow (2.5 and newer: tensorflow/tensorflow#44810) takes a GPU's free memory less a
    reserve, TF_DEVICE_MIN_SYS_MEMORY_IN_MB or its own by compute capability (gpu_device.cc,
    MinSystemMemory): reserving what this GPU has beyond production's as well leaves it
    production's memory, with memory growth still allowed. It reads it when it first uses the GPU,
    and ignores a reserve larger than the free memory then. A logical device (memory_limit) would
    be exact, but a notebook that then asks for memory growth fails with a ValueError."""
    environ = _parity_os.environ
    reserve = environ.get("TF_DEVICE_MIN_SYS_MEMORY_IN_MB")
    if reserve is None:
        major = int((environ.get("PARITY_GPU_COMPUTE_CAPABILITY") or "8.0").split(".")[0])
        reserve = str(500 if major <= 6 else 1050 if major <= 7 else 1536 if major <= 8 else 1800)
    if not reserve.isdigit():
        return "not tensorflow (TF_DEVICE_MIN_SYS_MEMORY_IN_MB is not a number)"
    environ["TF_DEVICE_MIN_SYS_MEMORY_IN_MB"] = str(int(reserve) + (total - limit) // _PARITY_MIB)
    return (
        "TensorFlow's limit holds only where the GPU's free memory, as TensorFlow starts on it, is more "
        "than the reserve it is given (TF_DEVICE_MIN_SYS_MEMORY_IN_MB, read by TensorFlow 2.5 and newer)"
    )


def _parity_gpu_limits():
    try:
        limit = int(_parity_os.environ.get("PARITY_GPU_MEMORY") or 0)
    except ValueError:
        return
    if limit <= 0:
        return
    product = _parity_os.environ.get("PARITY_GPU_PRODUCT") or "GPU"
    production = "production's %s (%s)" % (product, _parity_gib(limit))
    unenforced = "%s memory limit for PyTorch, TensorFlow and JAX" % production
    try:
        devices = _parity_gpu_devices()
    except _ParityGpuUnread as reason:
        _parity_gpu_say("could not read this run's GPU memory (%s), so %s was not set." % (reason, unenforced))
        return
    if not devices:
        _parity_gpu_say(
            "no GPU is visible to this run, so its GPU checks were skipped: %s, and CUDA itself "
            "(running out of GPU memory, \"no kernel image\", NCCL): these failures of production "
            "cannot show here." % unenforced
        )
        return
    smallest = min(devices, key=lambda device: device[1])
    largest = max(devices, key=lambda device: device[1])
    if largest[1] <= limit * 1.01:
        here = "this %s (%s)" % (smallest[0], _parity_gib(smallest[1]))
        if smallest[1] >= limit * 0.99:
            _parity_gpu_say("%s has the memory of %s: no limit is needed." % (here, production))
        else:
            _parity_gpu_say(
                "%s has less memory than %s, so this run cannot show production's headroom: running "
                "out of GPU memory here may not happen there. No GPU memory limit was set." % (here, production)
            )
        return
    total = largest[1]
    installed = [module for module in ("torch", "tensorflow", "jax") if _parity_importlib_util.find_spec(module)]
    notes = {"jax": _parity_gpu_limit_jax(limit, total), "tensorflow": _parity_gpu_limit_tensorflow(limit, total)}
    _parity_sys.meta_path.insert(0, _ParityAfterImport("torch", lambda torch: _parity_gpu_limit_torch(torch, limit)))
    frameworks = ", ".join(installed) if installed else "PyTorch, TensorFlow and JAX (none installed)"
    said = "".join("; %s" % notes[module] for module in installed if notes.get(module))
    if smallest[1] != largest[1] and ("jax" in installed or "tensorflow" in installed):
        said += "; JAX and TensorFlow take one setting for every GPU, sized for the largest, so the smaller get less"
    here = "this %s (%s)" % (largest[0], _parity_gib(total))
    if len(devices) > 1:
        here = "these %d GPUs (the largest %s, %s)" % (len(devices), largest[0], _parity_gib(total))
    _parity_gpu_say(
        "GPU memory held to %s on %s for %s%s. Running out of production's GPU memory shows here first; "
        "the limit is production's total memory as NVIDIA reports it, of which a framework gets somewhat "
        "less there (CUDA's own context takes some), so a notebook close to it may still run out in production."
        % (production, here, frameworks, said)
    )


try:
    _parity_gpu_limits()
except Exception as _parity_error:  # never the notebook's failure: said, and the notebook runs on
    _parity_gpu_say(
        "could not set production's GPU memory limit (%s: %s); the notebook runs without it."
        % (type(_parity_error).__name__, _parity_error)
    )
