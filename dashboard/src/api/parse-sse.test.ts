import { describe, expect, it } from 'vitest';
import { decodeEvent } from './event-stream';
import { parseSse } from './parse-sse';

describe('parseSse', () => {
  it('completes events across chunk boundaries and skips comments', () => {
    const parse = parseSse();
    expect(parse('retry: 2000\n\n: ping\n\nevent: change\ndata: {"collection":"ro')).toEqual([]);
    expect(parse('utes","id":"a","action":"put","revision":7}\n\nevent: data')).toEqual([
      { event: 'change', data: '{"collection":"routes","id":"a","action":"put","revision":7}' },
    ]);
    expect(parse('plane\r\ndata: {"id":"dp1"}\r\n\r\n')).toEqual([{ event: 'dataplane', data: '{"id":"dp1"}' }]);
  });

  it('joins multi-line data and defaults the event name', () => {
    expect(parseSse()('data: a\ndata: b\nid: 3\n\n')).toEqual([{ event: 'message', data: 'a\nb', id: '3' }]);
  });
});

describe('decodeEvent', () => {
  it('tags change and dataplane events and drops the rest', () => {
    expect(decodeEvent('change', '{"collection":"routes","id":"a","action":"put","revision":7}')).toEqual({
      type: 'change',
      collection: 'routes',
      id: 'a',
      action: 'put',
      revision: 7,
    });
    expect(decodeEvent('message', '{}')).toBeUndefined();
    expect(decodeEvent('dataplane', 'not json')).toBeUndefined();
  });
});
