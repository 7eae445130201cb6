; Inno Setup script for Clinfile on Windows: installs the one folder that PyInstaller built
; (dist\clinfile-VERSION) for the whole computer, with a Start menu entry for the window and
; the `clinfile` command on the system PATH. Steps: packaging\README.md.
;
;   iscc /DAppVersion=0.1.0 packaging\windows\clinfile.iss
;
; writes dist\Clinfile-0.1.0-setup.exe.

#ifndef AppVersion
  #error Give the version from pyproject.toml: iscc /DAppVersion=0.1.0 packaging\windows\clinfile.iss
#endif
#define Root "..\.."
#define Built Root + "\dist\clinfile-" + AppVersion

[Setup]
AppId={{6F1B7C52-3D7A-4F0E-9B8C-2A5E61C4D9F3}
AppName=Clinfile
AppVersion={#AppVersion}
AppPublisher=Clinfile
AppComments=File clinical photographs into the patient record with consent
DefaultDirName={autopf}\Clinfile
DefaultGroupName=Clinfile
DisableProgramGroupPage=yes
; Per machine, not per user: the vault must sit outside any synced profile folder.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist
OutputBaseFilename=Clinfile-{#AppVersion}-setup
UninstallDisplayIcon={app}\clinfile-desk.exe
ChangesEnvironment=yes
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Files]
Source: "{#Built}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Tasks]
Name: "desktopicon"; Description: "Put Clinfile on the desktop"; Flags: unchecked

[Icons]
Name: "{group}\Clinfile"; Filename: "{app}\clinfile-desk.exe"
Name: "{autodesktop}\Clinfile"; Filename: "{app}\clinfile-desk.exe"; Tasks: desktopicon

[Registry]
; The `clinfile` command (selftest, doctor, backup...) from any Command Prompt.
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; \
  ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
  Check: NotOnPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\clinfile-desk.exe"; Description: "Open Clinfile"; \
  Flags: postinstall nowait skipifsilent

[Code]
function NotOnPath(Folder: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKEY_LOCAL_MACHINE,
      'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', Path) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Folder) + ';', ';' + Uppercase(Path) + ';') = 0;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Path, Folder: string;
  At: Integer;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  if not RegQueryStringValue(HKEY_LOCAL_MACHINE,
      'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', Path) then
    exit;
  Folder := ';' + ExpandConstant('{app}');
  At := Pos(Uppercase(Folder), Uppercase(Path));
  if At > 0 then
  begin
    Delete(Path, At, Length(Folder));
    RegWriteExpandStringValue(HKEY_LOCAL_MACHINE,
      'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', Path);
  end;
end;
