/** Runs the stop functions once on SIGTERM/SIGINT (in reverse order), then exits. */
const stops = [];
let stopping = false;

export function onShutdown(stop) {
  stops.push(stop);
  if (stops.length > 1) return;
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      for (const s of stops.reverse()) {
        try {
          await s();
        } catch (err) {
          console.error(`gateway: error while stopping: ${err?.message ?? err}`);
        }
      }
      process.exit(0);
    });
  }
}
