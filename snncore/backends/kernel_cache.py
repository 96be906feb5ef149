"""The disk cache of compiled Numba kernels: where it lives, and how it survives faults.

Generated kernel sources are kept in ``$SNNCORE_CACHE_DIR/numba`` (else
``~/.cache/snncore/numba``), and Numba keeps the compiled code of every cached function
in an index file (``.nbi``) and data files (``.nbc``) in the ``__pycache__`` next to the
source. Four faults are handled here rather than left to crash every later run:

* a damaged source (truncated, garbage, unreadable): its name is the hash of its
  content, so it is checked against the source it must hold and rewritten;
* a damaged index or data file: :class:`HealingCache` discards it and compiles again;
* a folder that cannot be written (no permission, written by another user, a path
  through a regular file): the process uses a private temporary folder instead;
* concurrent processes: every file is written under a temporary name and then renamed
  (``os.replace``), so a reader sees a whole file or none.

Each fault gives one :class:`~snncore.errors.KernelCacheWarning` that names the file
or folder. Files are created with mode 0666 less the umask, so other users can read
the cache where the folder allows it.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import secrets
import shutil
import tempfile
import warnings
from pathlib import Path

from numba.core.caching import (
    CacheImpl,
    CompileResultCacheImpl,
    FunctionCache,
    _CacheLocator,
    _SourceFileBackedLocatorMixin,
)

from ..errors import KernelCacheWarning

# Configured folder -> the folder used for it (itself, or a private temporary folder).
_RESOLVED: dict[Path, Path] = {}
_WARNED: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, KernelCacheWarning, stacklevel=3)


def _configured() -> Path:
    root = os.environ.get("SNNCORE_CACHE_DIR") or Path.home() / ".cache" / "snncore"
    return Path(root) / "numba"


def _problem(folder: Path) -> str | None:
    """Why kernels cannot be cached in ``folder`` (None if they can)."""
    try:
        for path in (folder, folder / "__pycache__"):
            path.mkdir(parents=True, exist_ok=True)
            tempfile.TemporaryFile(dir=path).close()
    except OSError as error:
        return f"{type(error).__name__}: {error.strerror or error}"
    return None


def _private_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="snncore-cache-")) / "numba"  # mode 0700
    folder.mkdir()
    atexit.register(shutil.rmtree, folder.parent, ignore_errors=True)
    return folder


def _fall_back(configured: Path, problem: str) -> Path:
    private = _private_folder()
    _RESOLVED[configured] = private
    _warn_once(f"folder {configured}",
               f"snncore cannot use the kernel cache folder {configured} ({problem}); "
               f"this process compiles into a private temporary folder, {private}, "
               "removed at exit. Set SNNCORE_CACHE_DIR to a folder you can write to keep "
               "compiled kernels between processes.")
    return private


def cache_dir() -> Path:
    """The folder of kernel sources and Numba's compiled code, usable by this process."""
    configured = _configured()
    folder = _RESOLVED.get(configured)
    if folder is not None and folder.is_dir():
        return folder
    problem = _problem(configured)
    if problem is not None:
        return _fall_back(configured, problem)
    _RESOLVED[configured] = configured
    return configured


def _write(path: Path, data: bytes) -> None:
    """Write ``path`` atomically, readable by others as the umask allows."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def source_file(name: str, source: str) -> Path:
    """The cached file ``name`` holding exactly ``source``: written if missing, rewritten
    (with a warning) if damaged or unreadable."""
    data = source.encode()
    folder = cache_dir()
    path = folder / name
    try:
        if path.read_bytes() == data:
            return path
        damage = "its content is not the source its name stands for"
    except FileNotFoundError:
        damage = None
    except OSError as error:
        damage = f"it cannot be read: {error.strerror or error}"
    if damage is not None:
        _warn_once(str(path), f"damaged kernel cache file {path} ({damage}); discarded and "
                   "rebuilt")
    try:
        _write(path, data)
    except OSError as error:
        # Another user's folder that was writable when checked, or a file we may not
        # replace (a sticky folder): this process continues in a private folder.
        folder = _fall_back(_configured(), f"{type(error).__name__}: {error.strerror}")
        path = folder / name
        _write(path, data)
    return path


class _InSnncoreCache(_SourceFileBackedLocatorMixin, _CacheLocator):
    """Numba's last resort for snncore's own helpers (installed where they cannot be
    cached, with no writable user cache either): the kernel cache folder."""

    def __init__(self, py_func, py_file):
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = str(cache_dir() / "__pycache__"
                               / self.get_suitable_cache_subpath(py_file))

    def get_cache_path(self) -> str:
        return self._cache_path


class _HealingImpl(CompileResultCacheImpl):
    _locator_classes = [*CacheImpl._locator_classes, _InSnncoreCache]


@functools.cache
def package_fingerprint() -> str:
    """A digest of snncore's own source files."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


class HealingCache(FunctionCache):
    """Numba's cache of one function, except that an entry that cannot be read back (a
    truncated or garbage index or data file) is discarded, with a warning naming it, and
    the function compiled and saved again; that a failure to save only warns; and that an
    entry is found only by the snncore that saved it (:func:`package_fingerprint`)."""

    _impl_class = _HealingImpl

    def _index_key(self, sig, codegen):
        # Numba keys an entry by the function's own bytecode, but a generated kernel or
        # loop has the snncore helpers it calls (loop_helpers, philox, ...) compiled into
        # it: after an upgrade that changed one, the old machine code would load and run
        # against the new arrays (a crash, or wrong numbers).
        return (*super()._index_key(sig, codegen), package_fingerprint())

    def load_overload(self, sig, target_context):
        try:
            return super().load_overload(sig, target_context)
        except Exception as error:  # what a damaged file raises varies: pickle, EOF, LLVM
            path = self._damaged_file(sig, target_context)
            try:
                path.unlink(missing_ok=True)
                action = "discarded and compiled again"
            except OSError as unlink_error:
                self.disable()  # the entry stays unreadable: do not try to save over it
                action = f"compiled again, not cached ({unlink_error.strerror})"
            _warn_once(str(path), f"damaged Numba cache file {path} "
                       f"({type(error).__name__}: {error}); {action}")
            return None

    def save_overload(self, sig, data) -> None:
        try:
            super().save_overload(sig, data)
        except OSError as error:
            _warn_once(f"save {self._cache_path}",
                       f"cannot save compiled kernels in {self._cache_path} "
                       f"({error.strerror or error}); they will be compiled again by the "
                       "next process")

    def _damaged_file(self, sig, target_context) -> Path:
        """The index, if it cannot be read, else the data file of ``sig``."""
        files = self._cache_file
        try:
            overloads = files._load_index()
        except Exception:
            return Path(files._index_path)
        name = overloads.get(self._index_key(sig, target_context.codegen()))
        return Path(files._data_path(name) if name else files._index_path)


def cached(dispatcher):
    """Give an ``@njit`` function (decorated without ``cache=True``) a
    :class:`HealingCache` on disk."""
    dispatcher._cache = HealingCache(dispatcher.py_func)
    return dispatcher
