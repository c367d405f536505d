/** The annotations of one Ingress that Sluice understands and that passed their checks. */
export type ValidAnnotations = ReadonlyMap<string, string>;
