/** The counts of one breaker (APISIX api-breaker's shared-dict entries, per worker). */
export interface BreakerPolicy {
  failures: number;
  successes: number;
  maxBreakerMs: number;
}

/**
 * api-breaker's state machine as APISIX has it: every `failures`-th unhealthy status opens
 * the breaker for 2^(unhealthy / failures) seconds (capped); `successes` healthy statuses
 * while any unhealthy count stands close it and clear the counts.
 */
export class CircuitBreaker {
  unhealthy = 0;
  healthy = 0;
  /** When the breaker last opened (ms), undefined when closed. */
  openedAt: number | undefined = undefined;

  constructor(private readonly policy: BreakerPolicy) {}

  isOpen(now: number): boolean {
    if (this.openedAt === undefined) return false;
    const times = Math.max(1, Math.floor(this.unhealthy / this.policy.failures));
    const openMs = Math.min(2 ** times * 1000, this.policy.maxBreakerMs);
    return now < this.openedAt + openMs;
  }

  recordUnhealthy(now: number): void {
    this.unhealthy++;
    if (this.unhealthy % this.policy.failures === 0) this.openedAt = now;
  }

  recordHealthy(): void {
    if (this.unhealthy === 0) return;
    if (++this.healthy >= this.policy.successes) {
      this.unhealthy = 0;
      this.healthy = 0;
      this.openedAt = undefined;
    }
  }
}
