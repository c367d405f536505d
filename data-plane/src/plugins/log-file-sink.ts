import sonicBoom from 'sonic-boom';

// sonic-boom is CommonJS; its typings name the class `default` under NodeNext resolution.
const SonicBoom = sonicBoom.default;
type SonicBoom = InstanceType<typeof SonicBoom>;

/**
 * Where file-logger lines go: ONE buffered, asynchronous stream per destination per worker,
 * shared by every route that names it (sonic-boom: writes are queued and coalesced, never
 * synchronous on the request path). Files are reopened on SIGHUP for log rotation.
 */
export interface LogFileSink {
  readonly destination: string;
  write(line: string): void;
  /** Lines lost because the destination failed (cannot open, disk full). */
  readonly lostLines: number;
}

/** How much a sink may hold in memory while the disk is slower than the traffic; beyond it lines are lost. */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;

class SonicSink implements LogFileSink {
  lostLines = 0;
  private readonly stream: SonicBoom;
  private broken = false;

  constructor(readonly destination: string) {
    // minLength 0: every line goes out as soon as the previous write finished; lines written
    // meanwhile are coalesced into one write. maxLength bounds memory when the disk is slow.
    this.stream =
      destination === '-'
        ? new SonicBoom({ fd: 1, sync: false, maxLength: MAX_PENDING_BYTES })
        : new SonicBoom({ dest: destination, append: true, mkdir: true, sync: false, maxLength: MAX_PENDING_BYTES });
    this.stream.on('drop', () => this.lostLines++);
    // An unwritable file must not crash the worker: its lines are counted as lost instead.
    this.stream.on('error', () => {
      this.broken = true;
    });
  }

  write(line: string): void {
    if (this.broken) {
      this.lostLines++;
      return;
    }
    try {
      this.stream.write(line);
    } catch {
      this.lostLines++;
    }
  }

  reopen(): void {
    if (this.destination === '-') return;
    this.broken = false;
    try {
      this.stream.reopen();
    } catch {
      this.broken = true;
    }
  }
}

const sinks = new Map<string, SonicSink>();
let hangupHooked = false;

/** The worker's sink for `destination` (a path, or "-" for stdout), opened on first use. */
export function logFileSink(destination: string): LogFileSink {
  let sink = sinks.get(destination);
  if (sink === undefined) {
    sink = new SonicSink(destination);
    sinks.set(destination, sink);
    if (!hangupHooked && destination !== '-') {
      hangupHooked = true;
      process.on('SIGHUP', reopenLogFiles);
    }
  }
  return sink;
}

/** Reopens every log file at its path (after logrotate moved it away). SIGHUP does this too. */
export function reopenLogFiles(): void {
  for (const sink of sinks.values()) sink.reopen();
}
