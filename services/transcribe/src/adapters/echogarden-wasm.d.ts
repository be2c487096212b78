// The two WASM builds ship no type declarations: each default export instantiates its Emscripten module.
declare module '@echogarden/rnnoise-wasm' {
  const createModule: (options?: object) => Promise<unknown>;
  export default createModule;
}
declare module '@echogarden/fvad-wasm' {
  const createModule: (options?: object) => Promise<unknown>;
  export default createModule;
}
