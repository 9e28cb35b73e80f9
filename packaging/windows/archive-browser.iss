; Inno Setup 6 script of Archive Browser's Windows installer.
;
; Made on Windows by `python packaging\build.py` (after the PyInstaller build), which passes
; the version and the paths below with /D; by hand:
;   iscc /DAppVersion=0.1.0 packaging\windows\archive-browser.iss
; It installs the one-folder build (dist\archive-browser) for the current user, or for all
; users when run as administrator, with a Start menu entry. Not built on Linux: written with
; care, tested only where Windows is (see packaging\ci\build.yml).

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z archive-browser.iss
#endif
#ifndef AppSourceDir
  #define AppSourceDir "..\..\dist\archive-browser"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef OutputBaseFilename
  #define OutputBaseFilename "archive-browser-" + AppVersion + "-setup"
#endif
#ifndef IconFile
  #define IconFile "..\..\resources\icons\archive-browser.ico"
#endif

#define AppName "Archive Browser"
; The windowed executable (no console window); archive-browser.exe beside it is the command line.
#define AppExe "Archive Browser.exe"

[Setup]
; Never change AppId: Windows knows the installed program by it (upgrades, uninstalling).
AppId={{71C227E0-8D4D-4955-9C1F-9562CD83C236}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Archive Browser developers
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBaseFilename}
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "russian"; MessagesFile: "compiler:Languages\Russian.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder build; an upgrade first removes the previous program files (below),
; so that no library of an older version stays behind. The user's archives live elsewhere
; (in the user's data folder) and are never touched.
Source: "{#AppSourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Keep, search, tag and export press releases"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
