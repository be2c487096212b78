// Where the server is. By default the page's own origin (the local runtime serves page, API and WebSocket on
// one port); a deployment with the API and the WebSocket elsewhere sets VITE_LLT_API and VITE_LLT_WS at build.

export const API_BASE: string = import.meta.env.VITE_LLT_API ?? '';
export const WS_BASE: string | undefined = import.meta.env.VITE_LLT_WS || undefined;
