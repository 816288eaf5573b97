"""Targets for savers that write files or directories: zipped, and published atomically.

Upstream wrote the zip in place at the final path (a crash left a half-written archive that exists()
accepted) and its local remove() did nothing; here the archive is built in the scratch area and then
written through the file system's atomic `open_write`, and remove() deletes it on every backend.
With integrity checks (a digest or a signing key) the archive is built, and unpacked after its check,
in a fresh 0700 directory under the system's temporary directory instead of the shared scratch folder,
so the loader (which may read every file beside model.pkl) sees only the verified archive's files.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

from ._errors import StorageArgumentError
from ._file_target import FileBackedTarget
from ._filesystem import FileSystem
from ._integrity import IntegrityPolicy, VerifyOption, integrity_policy

# kept importable here: pickled loaders written before the move name kart_storage._model
from ._large_frames import LargeDataFrameProcessor as LargeDataFrameProcessor
from ._naming import make_file_path
from ._processors.base import PickleFileProcessor
from ._snapshot import private_directory
from ._targets import LockFactory, TaskParams

logger = logging.getLogger(__name__)

_MODEL_FILE = "model.pkl"
_LOADER_FILE = "load_function.pkl"
_pickle_processor = PickleFileProcessor()


class ModelTarget(FileBackedTarget):
    """A zip of whatever `save_function(obj, "<scratch>/model.pkl")` writes, plus the pickled loader."""

    def __init__(
        self,
        file_path: str,
        temporary_directory: str,
        load_function: Callable[[str], Any] | None,
        save_function: Callable[[Any, str], Any],
        *,
        lock: LockFactory | None = None,
        lock_params: Any = None,
        filesystem: FileSystem | None = None,
        integrity: IntegrityPolicy | None = None,
        create_only: bool = False,
    ) -> None:
        super().__init__(
            file_path,
            lock=lock,
            lock_params=lock_params,
            filesystem=filesystem,
            integrity=integrity,
            create_only=create_only,
        )
        self._temporary_directory = temporary_directory
        self._load_function = load_function
        self._save_function = save_function

    def _scratch(self) -> str:
        """A private directory per call: concurrent dumps/loads of one target never share files.

        Sealed dumps build theirs outside the shared scratch folder: its owner could swap a directory in
        it, and whatever is there when the archive is built gets sealed (signed) and trusted later."""
        if self.integrity.active:
            return private_directory("kart-model-")
        os.makedirs(self._temporary_directory, exist_ok=True)
        return tempfile.mkdtemp(
            prefix=os.path.basename(self._temporary_directory) + "-", dir=self._temporary_directory
        )

    def _dump(
        self,
        obj: Any,
        task_params: TaskParams = None,
        custom_labels: Mapping[str, Any] | None = None,
        required_task_outputs: Any = None,
    ) -> None:
        scratch = self._scratch()
        try:
            content = os.path.join(scratch, "content")
            os.makedirs(content)
            self._save_function(obj, os.path.join(content, _MODEL_FILE))
            with open(os.path.join(content, _LOADER_FILE), "wb") as loader_file:
                _pickle_processor.dump(self._load_function, loader_file)
            archive = shutil.make_archive(os.path.join(scratch, "archive"), "zip", root_dir=content)
            with open(archive, "rb") as source:
                self._write(lambda sink: shutil.copyfileobj(source, sink, 2**20))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _load(self) -> Any:
        # unchecked loads unpack in the scratch folder as before; checked ones only after the check, into a
        # fresh 0700 directory outside the shared scratch folder, so the loader (which may read every file
        # beside model.pkl, as the large-DataFrame loader does) sees the verified archive's files only
        scratch = None if self.integrity.active else self._scratch()
        try:
            with self._verified_reader() as raw:
                if scratch is None:
                    scratch = self._scratch()
                with zipfile.ZipFile(raw) as archive:
                    archive.extractall(scratch)
            loader = self._load_function
            if not loader:
                with open(os.path.join(scratch, _LOADER_FILE), "rb") as loader_file:
                    loader = _pickle_processor.load(loader_file)
                self._load_function = loader
            if loader is None:
                raise StorageArgumentError(f"{self._file_path} holds no load function; pass load_function=")
            return loader(os.path.join(scratch, _MODEL_FILE))
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)


def make_model_target(
    file_path: str,
    temporary_directory: str,
    save_function: Callable[[Any, str], Any],
    load_function: Callable[[str], Any] | None,
    unique_id: str | None = None,
    *,
    lock: LockFactory | None = None,
    lock_params: Any = None,
    verify_integrity: VerifyOption = None,
    signing_key: bytes | str | None = None,
    create_only: bool = False,
) -> ModelTarget:
    """A zipped model target; scratch files live under `temporary_directory/<md5 of the final path>`.

    The zip holds pickles (the loader, usually the model), so a signing key always applies to it."""
    file_path = make_file_path(file_path, unique_id)
    scratch_root = os.path.join(temporary_directory, hashlib.md5(file_path.encode()).hexdigest())
    return ModelTarget(
        file_path,
        scratch_root,
        load_function=load_function,
        save_function=save_function,
        lock=lock,
        lock_params=lock_params,
        integrity=integrity_policy(verify_integrity, signing_key, unpickles=True),
        create_only=create_only,
    )
