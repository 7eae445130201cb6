"""The Windows Portable Devices calls themselves, through ``comtypes`` (Windows only).

Kept apart from :mod:`.wpd` so that everything above these calls is tested
on every platform; this module is imported only on Windows. The steps a
practice follows to try it with its own phones are in docs/windows-phones.md.
"""

from __future__ import annotations

import ctypes
import functools
from datetime import UTC, datetime
from types import SimpleNamespace

from clinfile.app.ingest.device_sources.wpd import READ_CHUNK, WpdObject

try:
    import comtypes
    import comtypes.client
except ImportError:  # not Windows: nothing here is called, but the module still imports
    comtypes = None

_OBJECT = "{EF6B490D-5CD8-437A-AFFC-DA8B60EE4A3C}"
_FOLDER = "{27E2E392-A111-48E0-AB0C-E17705A05F85}"
_STORAGE = "{99ED0160-17FF-4C44-9D98-1D7A6F941921}"
_RESOURCE = "{E81E79BE-34F0-41BF-B53F-F1A06AE87842}"
STGM_READ = 0
NO_RECURSION = 0
_COM_ERROR = comtypes.COMError if comtypes is not None else OSError


@functools.cache
def _wpd() -> SimpleNamespace:
    """The WPD type libraries and the property keys, made once, on first use (Windows)."""
    if comtypes is None:
        raise OSError("Windows Portable Devices are reached only on Windows.")
    comtypes.client.GetModule("portabledeviceapi.dll")
    comtypes.client.GetModule("portabledevicetypes.dll")
    from comtypes.gen import PortableDeviceApiLib as api
    from comtypes.gen import PortableDeviceTypesLib as types

    def key(fmtid: str, pid: int):
        made = ctypes.pointer(api._tagpropertykey())
        made.contents.fmtid = comtypes.GUID(fmtid)
        made.contents.pid = pid
        return made

    name, content_type, size, file_name, modified, can_delete = (
        key(_OBJECT, pid) for pid in (4, 7, 11, 12, 19, 26))
    return SimpleNamespace(
        api=api, types=types, inproc=comtypes.CLSCTX_INPROC_SERVER,
        name=name, content_type=content_type, size=size, file_name=file_name,
        modified=modified, can_delete=can_delete, resource=key(_RESOURCE, 0),
        folder=comtypes.GUID(_FOLDER), storage=comtypes.GUID(_STORAGE))


def _manager():
    wpd = _wpd()
    return comtypes.client.CreateObject(wpd.api.PortableDeviceManager, clsctx=wpd.inproc,
                                        interface=wpd.api.IPortableDeviceManager)


def device_ids() -> list[str]:
    """The ids of every portable device Windows knows of now."""
    manager = _manager()
    manager.RefreshDeviceList()
    count = ctypes.c_ulong(0)
    manager.GetDevices(ctypes.POINTER(ctypes.c_wchar_p)(), ctypes.pointer(count))
    ids = (ctypes.c_wchar_p * count.value)()
    manager.GetDevices(ctypes.cast(ids, ctypes.POINTER(ctypes.c_wchar_p)), ctypes.pointer(count))
    return [ids[i] for i in range(count.value)]


class ComPort:
    """One device opened through WPD."""

    def __init__(self, device_id: str) -> None:
        wpd = self._wpd = _wpd()
        try:
            self._name = _friendly_name(device_id)
            client = comtypes.client.CreateObject(wpd.types.PortableDeviceValues,
                                                  clsctx=wpd.inproc,
                                                  interface=wpd.types.IPortableDeviceValues)
            self._device = comtypes.client.CreateObject(wpd.api.PortableDevice,
                                                        clsctx=wpd.inproc,
                                                        interface=wpd.api.IPortableDevice)
            self._device.Open(device_id, client)
            self._content = self._device.Content()
            self._properties = self._content.Properties()
        except _COM_ERROR as exc:
            raise OSError(f"the device could not be opened: {exc}") from None

    @property
    def friendly_name(self) -> str:
        """The name the phone gives itself."""
        return self._name

    def children(self, object_id: str) -> list[WpdObject]:
        """The objects directly inside one."""
        try:
            listing = self._content.EnumObjects(0, object_id, None)
            found = []
            while True:
                batch, fetched = listing.Next(64)
                found += [self.describe(batch[i]) for i in range(fetched)]
                if fetched < 64:
                    return found
        except _COM_ERROR as exc:
            raise OSError(str(exc)) from None

    def describe(self, object_id: str) -> WpdObject:
        """One object as it is now."""
        try:
            values = self._properties.GetValues(object_id, None)
        except _COM_ERROR:
            raise FileNotFoundError(object_id) from None
        wpd = self._wpd
        kind = _guid(values, wpd.content_type)
        name = _text(values, wpd.file_name) or _text(values, wpd.name) or object_id
        return WpdObject(object_id, name, kind in (wpd.folder, wpd.storage),
                         _number(values, wpd.size), _when(values, wpd.modified),
                         bool(_number(values, wpd.can_delete, 1)))

    def read(self, object_id: str, max_bytes: int) -> bytes:
        """An object's content, read through its stream into memory."""
        try:
            optimal = ctypes.c_ulong(0)
            stream, _ = self._content.Transfer().GetStream(object_id, self._wpd.resource,
                                                           STGM_READ, ctypes.pointer(optimal))
            chunks, total = [], 0
            while True:
                buffer = (ctypes.c_ubyte * READ_CHUNK)()
                read = stream.RemoteRead(buffer, READ_CHUNK)
                if not read:
                    return b"".join(chunks)
                chunks.append(bytes(buffer[:read]))
                total += read
                if total > max_bytes:
                    raise OSError("the photo grew while it was being read")
        except _COM_ERROR as exc:
            raise OSError(str(exc)) from None

    def delete(self, object_id: str) -> None:
        """Delete one object, not recursively."""
        types = self._wpd.types
        ids = comtypes.client.CreateObject(types.PortableDevicePropVariantCollection,
                                           clsctx=self._wpd.inproc,
                                           interface=types.IPortableDevicePropVariantCollection)
        value = types.tag_inner_PROPVARIANT()
        value.vt = 31  # VT_LPWSTR
        value.data.pwszVal = object_id
        ids.Add(value)
        try:
            self._content.Delete(NO_RECURSION, ids, None)
        except _COM_ERROR as exc:
            raise PermissionError(str(exc)) from None

    def alive(self) -> bool:
        """Whether the device still answers (its top object can be described)."""
        try:
            self._properties.GetValues("DEVICE", None)
        except _COM_ERROR:
            return False
        return True

    def close(self) -> None:
        """Let the device go."""
        try:
            self._device.Close()
        except _COM_ERROR:
            pass


def _friendly_name(device_id: str) -> str:
    manager = _manager()
    length = ctypes.c_ulong(0)
    manager.GetDeviceFriendlyName(device_id, ctypes.c_wchar_p(), ctypes.pointer(length))
    name = ctypes.create_unicode_buffer(length.value)
    manager.GetDeviceFriendlyName(device_id, name, ctypes.pointer(length))
    return name.value or device_id


def _text(values, key) -> str:
    try:
        return values.GetStringValue(key)
    except _COM_ERROR:
        return ""


def _number(values, key, default: int = 0) -> int:
    try:
        return int(values.GetUnsignedLargeIntegerValue(key))
    except _COM_ERROR:
        try:
            return int(values.GetBoolValue(key))
        except _COM_ERROR:
            return default


def _guid(values, key):
    try:
        return values.GetGuidValue(key)
    except _COM_ERROR:
        return None


def _when(values, key) -> datetime | None:
    try:
        variant = values.GetValue(key)
    except _COM_ERROR:
        return None
    when = getattr(variant, "value", None)
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None
