// `import AsyncPlay` brings every layer below it: a client (the executable, the tests)
// names one module.
@_exported import AsyncPlayCore
@_exported import AsyncPlayLanguage
@_exported import AsyncPlayLoop
@_exported import AsyncPlayEvents
@_exported import AsyncPlaySession
@_exported import AsyncPlayRender
@_exported import AsyncPlayExport
