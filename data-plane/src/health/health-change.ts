/** Told when a node's health flips; `reason` is a short human explanation for the log. */
export type HealthChangeListener = (nodeKey: string, healthy: boolean, reason: string) => void;
