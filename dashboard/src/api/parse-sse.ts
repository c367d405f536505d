/** One complete server-sent event. */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental text/event-stream parser (the WHATWG rules the dashboard needs): feed it
 * chunks as they arrive, get back the events they completed. Comments (`: ping`) and
 * events without data are dropped; `event` defaults to "message".
 */
export function parseSse(): (chunk: string) => SseMessage[] {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    const out: SseMessage[] = [];
    // An event ends at a blank line; keep the unfinished tail for the next chunk.
    const blocks = buffer.split(/\r?\n\r?\n|\r\r/);
    buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split(/\r?\n|\r/)) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') id = value;
      }
      if (data.length > 0) out.push({ event, data: data.join('\n'), ...(id === undefined ? {} : { id }) });
    }
    return out;
  };
}
