"""The Windows Portable Devices calls themselves, through ``comtypes`` (Windows only).

Kept apart from :mod:`.wpd` so that everything above these calls is tested
on every platform; this module is imported only on Windows. The steps a
practice follows to try it with its own phones are in docs/windows-phones.md.
"""

from __future__ import annotations

import ctypes
from datetime import UTC, datetime

import comtypes
import comtypes.client

from app.ingest.device_sources.wpd import READ_CHUNK, WpdObject

comtypes.client.GetModule("portabledeviceapi.dll")
comtypes.client.GetModule("portabledevicetypes.dll")
from comtypes.gen import PortableDeviceApiLib as api  # noqa: E402 - made by GetModule
from comtypes.gen import PortableDeviceTypesLib as types  # noqa: E402 - made by GetModule

_OBJECT = "{EF6B490D-5CD8-437A-AFFC-DA8B60EE4A3C}"
_FOLDER = comtypes.GUID("{27E2E392-A111-48E0-AB0C-E17705A05F85}")
_STORAGE = comtypes.GUID("{99ED0160-17FF-4C44-9D98-1D7A6F941921}")
_RESOURCE = "{E81E79BE-34F0-41BF-B53F-F1A06AE87842}"
_INPROC = comtypes.CLSCTX_INPROC_SERVER
STGM_READ = 0
NO_RECURSION = 0


def _key(fmtid: str, pid: int):
    key = comtypes.pointer(api._tagpropertykey())
    key.contents.fmtid = comtypes.GUID(fmtid)
    key.contents.pid = pid
    return key


NAME, CONTENT_TYPE, SIZE, FILE_NAME, MODIFIED, CAN_DELETE = (
    _key(_OBJECT, pid) for pid in (4, 7, 11, 12, 19, 26))
DEFAULT_RESOURCE = _key(_RESOURCE, 0)


def _manager():
    return comtypes.client.CreateObject(api.PortableDeviceManager, clsctx=_INPROC,
                                        interface=api.IPortableDeviceManager)


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
        try:
            self._name = _friendly_name(device_id)
            client = comtypes.client.CreateObject(types.PortableDeviceValues, clsctx=_INPROC,
                                                  interface=types.IPortableDeviceValues)
            self._device = comtypes.client.CreateObject(api.PortableDevice, clsctx=_INPROC,
                                                        interface=api.IPortableDevice)
            self._device.Open(device_id, client)
            self._content = self._device.Content()
            self._properties = self._content.Properties()
        except comtypes.COMError as exc:
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
        except comtypes.COMError as exc:
            raise OSError(str(exc)) from None

    def describe(self, object_id: str) -> WpdObject:
        """One object as it is now."""
        try:
            values = self._properties.GetValues(object_id, None)
        except comtypes.COMError:
            raise FileNotFoundError(object_id) from None
        kind = _guid(values, CONTENT_TYPE)
        name = _text(values, FILE_NAME) or _text(values, NAME) or object_id
        return WpdObject(object_id, name, kind in (_FOLDER, _STORAGE), _number(values, SIZE),
                         _when(values), bool(_number(values, CAN_DELETE, 1)))

    def read(self, object_id: str, max_bytes: int) -> bytes:
        """An object's content, read through its stream into memory."""
        try:
            optimal = ctypes.c_ulong(0)
            stream, _ = self._content.Transfer().GetStream(object_id, DEFAULT_RESOURCE,
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
        except comtypes.COMError as exc:
            raise OSError(str(exc)) from None

    def delete(self, object_id: str) -> None:
        """Delete one object, not recursively."""
        ids = comtypes.client.CreateObject(types.PortableDevicePropVariantCollection,
                                           clsctx=_INPROC,
                                           interface=types.IPortableDevicePropVariantCollection)
        value = types.tag_inner_PROPVARIANT()
        value.vt = 31  # VT_LPWSTR
        value.data.pwszVal = object_id
        ids.Add(value)
        try:
            self._content.Delete(NO_RECURSION, ids, None)
        except comtypes.COMError as exc:
            raise PermissionError(str(exc)) from None

    def alive(self) -> bool:
        """Whether the device still answers (its top object can be described)."""
        try:
            self._properties.GetValues("DEVICE", None)
        except comtypes.COMError:
            return False
        return True

    def close(self) -> None:
        """Let the device go."""
        try:
            self._device.Close()
        except comtypes.COMError:
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
    except comtypes.COMError:
        return ""


def _number(values, key, default: int = 0) -> int:
    try:
        return int(values.GetUnsignedLargeIntegerValue(key))
    except comtypes.COMError:
        try:
            return int(values.GetBoolValue(key))
        except comtypes.COMError:
            return default


def _guid(values, key):
    try:
        return values.GetGuidValue(key)
    except comtypes.COMError:
        return None


def _when(values) -> datetime | None:
    try:
        variant = values.GetValue(MODIFIED)
    except comtypes.COMError:
        return None
    when = getattr(variant, "value", None)
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None
