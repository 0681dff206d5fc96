/**
 * Probot's logger writes through a transform stream, which passes lines on over the next turns of the
 * loop: an exit right after a burst of lines (a shutdown's, one per issue it could not tell) dropped
 * the end of it (40 of 200 lines written). Waits until the stream holds nothing, two seconds at most.
 */
export async function logWritten(logger: object): Promise<void> {
  const s = streamOf(logger) as { writableLength?: number; readableLength?: number } | undefined;
  const pending = (): number => (s?.writableLength ?? 0) + (s?.readableLength ?? 0);
  for (const until = Date.now() + 2000; pending() > 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setImmediate(r));
}

/** The stream a pino logger writes to: Probot has a pino of its own, so its symbol is found by name. */
function streamOf(logger: object): unknown {
  for (let o: object | null = logger; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const sym = Object.getOwnPropertySymbols(o).find((s) => s.description === 'pino.stream');
    if (sym !== undefined) return (o as Record<symbol, unknown>)[sym];
  }
  return undefined;
}
