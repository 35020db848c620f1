// `import AsyncPlay` brings the layers below it: a client (the executable, the tests)
// names one module.
@_exported import AsyncPlayCore
@_exported import AsyncPlayLanguage
@_exported import AsyncPlayLoop
