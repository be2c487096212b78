/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origin of the HTTP API when it is not this page's (e.g. https://abc.execute-api.eu-west-1.amazonaws.com). */
  readonly VITE_LLT_API?: string;
  /** WebSocket endpoint when it is not /ws on this page's host (e.g. wss://xyz.execute-api…/prod). */
  readonly VITE_LLT_WS?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
