// Kubernetes-like pod names and loopback pod IPs for the emulated Deployments.
import crypto from 'node:crypto';

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** `<deployment>-<10-char template hash>-<5-char suffix>`, as a ReplicaSet names its pods. */
export function podName(deployment: string, namespace: string, index: number): string {
  const digest = crypto.createHash('sha256').update(`${namespace}/${deployment}`).digest();
  const hash = Array.from(digest.subarray(0, 10), (b) => alphabet[b % alphabet.length]).join('');
  const suffix = Array.from(crypto.randomBytes(5), (b, i) => alphabet[(b + index * 7 + i) % alphabet.length]).join('');
  return `${deployment}-${hash}-${suffix}`;
}

/** The backend name the suite derives from a pod name: drop the last two dash-separated parts. */
export function backendOfPod(pod: string): string {
  return pod.split('-').slice(0, -2).join('-');
}

/**
 * Hands out 127.<net>.2.1, 127.<net>.2.2, … (then 127.<net>.3.x): never reused, so no TIME_WAIT
 * clashes. `net` is the runner's network (CONFORMANCE_NET), so several runs can share a machine.
 */
export function podIpAllocator(net = 0, firstOctet3 = 2) {
  let n = 0;
  return () => {
    const third = firstOctet3 + Math.floor(n / 250);
    const fourth = (n % 250) + 1;
    n++;
    if (third > 254) throw new Error('pod IP range exhausted');
    return `127.${net}.${third}.${fourth}`;
  };
}
