// Worker thread that runs a local speech engine (synthesis and MP3 encoding are synchronous work), so the
// process's event loop keeps delivering captions while speech is made. Plain JavaScript: it registers the
// TypeScript loader itself, whatever the parent was started with.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
// Recognition first: on a busy machine this thread (and festival, which it starts and which inherits its nice value)
// yields the cores to the recognisers, which must keep real time, while speech may come a little later.
const threads = await import('@llt/platform/thread-priority');
threads.niceThisThread(workerData?.nice ?? 0);
threads.nameThisThread('speech');
const engine =
  workerData?.engine === 'espeak'
    ? new (await import('./espeak.ts')).EspeakSpeechEngine(workerData?.options ?? {})
    : new (await import('./local-speech.ts')).LocalSpeechEngine(workerData?.options ?? {});

parentPort.on('message', async (request) => {
  try {
    if (request.op === 'warm') {
      await engine.warm(request.languages);
      parentPort.postMessage({ id: request.id, ok: true });
      return;
    }
    if (request.op === 'close') {
      engine.close?.();
      parentPort.postMessage({ id: request.id, ok: true });
      return;
    }
    const speech = await engine.synthesize(request.text, request.language, request.pronunciations ?? []);
    // The audio buffer moves to the parent instead of being copied.
    const audio = speech.audio.slice();
    parentPort.postMessage({ id: request.id, ok: true, speech: { ...speech, audio } }, [audio.buffer]);
  } catch (error) {
    parentPort.postMessage({
      id: request.id,
      ok: false,
      error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) },
    });
  }
});
parentPort.postMessage({ ready: true });
